#!/usr/bin/env python3
"""Reference trajectories of the learning-rate-free optimizers of optax.contrib (prodigy, dadapt_adamw, dog).

What it computes
----------------
A least-squares OutputLayer that DL4J reproduces exactly (MSE, identity activation, full batch): parameters
W [nIn, nOut] (DL4J's orientation) and b [nOut], the loss DL4J's MSE computes, the mean over examples of
sum_j (out_j - label_j)^2 / nOut. For every case, 40 steps of the optax optimizer in float64 (JAX x64):

    grads = jax.grad(loss)(params); updates, state = opt.update(grads, state, params)
    params = optax.apply_updates(params, updates)

DL4J's l2(c) on W (not on b) is optax.add_decayed_weights(c, mask W) chained before the optimizer; DL4J's
WeightDecay regularization weightDecay(c) (applyLR, on W) subtracts c * lr(t) * W after the updater, which
is add_decayed_weights(c * lr, mask W) chained after it. Two updater blocks (W and b with different
configurations) are optax.partition with one optimizer per block.

What it writes (src/test/resources/io/github/lrschedules/lrfree/, found from this script's path)
-----------------------------------------------------------------------------------------------
data.csv        16 examples: columns x0..x4, y0..y2.
<case>.csv      columns step,kind,v0,v1,...: "0,init" the initial parameters; for every step k = 1..40:
                "k,x"  the parameters after k steps (W row by row, then b),
                "k,d"  per updater block, the step size step k used: d (prodigy, dadapt_adamw: the estimate
                       in the state before the step) or eta (dog: max_dist / sqrt(sum_sq + eps) of the state
                       after the step; the given value for the first step of init_step learning_rate),
                "k,lr" per block, the effective learning rate of step k: that step size times lr(k-1).
VERSION         jax and optax versions.
Every float is written with repr(): the shortest string that parses back to the same double.

Cases (the Java test LearningRateFreeReferenceTest builds the same DL4J configurations):
  prodigy                 prodigy(), optax's defaults except estim_lr0 1e-3
  prodigy_defaults        prodigy() with every default (estim_lr0 1e-6)
  prodigy_cosine_l2       prodigy(cosine_decay_schedule(1, 40), betas 0.85/0.99, estim_lr0 1e-4), l2 0.02
  prodigy_weight_decay    prodigy(weight_decay 0.1, beta3 0.95, estim_lr_coef 0.5, eps 1e-6, estim_lr0 1e-3)
  prodigy_safeguard       prodigy(warmup cosine 0 -> 1 in 4 steps, down to 0 at 40 (float64), betas 0.9/0.95, safeguard_warmup,
                          estim_lr0 1e-2)
  prodigy_dl4j_decay      prodigy(estim_lr0 1e-3) with DL4J's WeightDecay 0.05 (after the updater, times lr;
                          the Java test sets one WeightDecay on the layer: the global builder of DL4J
                          1.0.0-M2.1 puts it into the layer twice)
  prodigy_two_blocks      W: prodigy(estim_lr0 1e-3), b: prodigy(estim_lr0 1e-2, estim_lr_coef 2)
  dadapt                  dadapt_adamw(), defaults except estim_lr0 1e-3
  dadapt_cosine_decay     dadapt_adamw(cosine_decay_schedule(1, 40), betas 0.8/0.99, eps 1e-6,
                          estim_lr0 1e-4, weight_decay 0.05)
  dog                     dog(), every default (heuristic 1e-6)
  dog_cosine_l2           dog(cosine_decay_schedule(1, 40), init_step heuristic 1e-4), l2 0.02
  dog_distance            dog(init_step distance 0.01, eps 1e-6)
  dog_learning_rate       dog(init_step learning_rate 0.05)

Requires: jax with x64, optax (0.2.8 wrote the committed values)
Run (from anywhere, no arguments; deterministic):
    KERAS_BACKEND=jax python scripts/lrfree_reference.py
"""

import os

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from optax import contrib  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "lrfree")
STEPS = 40
N_EXAMPLES, N_IN, N_OUT = 16, 5, 3


def fmt(v):
    return repr(float(v))


def data():
    rng = np.random.RandomState(2026)
    features = rng.randn(N_EXAMPLES, N_IN)
    true_w = rng.randn(N_IN, N_OUT)
    labels = features @ true_w + 0.5 + 0.1 * rng.randn(N_EXAMPLES, N_OUT)
    return jnp.asarray(features), jnp.asarray(labels)


def init_params(seed):
    rng = np.random.RandomState(seed)
    return {"W": jnp.asarray(0.5 * rng.randn(N_IN, N_OUT)), "b": jnp.asarray(0.5 * rng.randn(N_OUT))}


def loss(params, features, labels):
    out = features @ params["W"] + params["b"]
    return jnp.mean(jnp.sum((out - labels) ** 2, axis=1)) / N_OUT


def flat(params):
    return [float(v) for v in np.asarray(params["W"]).reshape(-1)] + [float(v) for v in np.asarray(params["b"])]


W_ONLY = {"W": True, "b": False}
def find_states(state, found):
    """The optimizers' own states inside chains and partitions, in tree order."""
    name = type(state).__name__
    if name in ("ProdigyState", "DAdaptAdamWState", "DoGState"):
        found.append(state)
    elif isinstance(state, dict):
        for key in sorted(state):
            find_states(state[key], found)
    elif isinstance(state, tuple):
        for item in state:
            find_states(item, found)
    return found


def step_size(before, after, kind, eps, first_lr):
    if kind in ("prodigy", "dadapt"):
        return float(before.estim_lr)
    if first_lr is not None and bool(before.is_init_step):
        return first_lr
    return float(after.max_dist / jnp.sqrt(after.sum_sq_norm_grads + eps))


def run_case(name, make_opt, kinds, seed, schedule=None, eps=None, first_lr=None):
    """kinds: per block, 'prodigy', 'dadapt' or 'dog'; eps and first_lr describe dog's eta."""
    features, labels = data()
    params = init_params(seed)
    opt = make_opt()
    state = opt.init(params)
    rows = [["0", "init"] + [fmt(v) for v in flat(params)]]
    grad = jax.grad(loss)
    for k in range(1, STEPS + 1):
        before = find_states(state, [])
        updates, state = opt.update(grad(params, features, labels), state, params)
        params = optax.apply_updates(params, updates)
        after = find_states(state, [])
        assert len(before) == len(kinds), (name, len(before))
        lr = schedule(k - 1) if schedule else 1.0
        sizes = [step_size(b, a, kind, eps, first_lr) for b, a, kind in zip(before, after, kinds)]
        rows.append([str(k), "x"] + [fmt(v) for v in flat(params)])
        rows.append([str(k), "d"] + [fmt(s) for s in sizes])
        rows.append([str(k), "lr"] + [fmt(s * lr) for s in sizes])
    width = max(len(r) for r in rows) - 2
    with open(os.path.join(OUT_DIR, name + ".csv"), "w", newline="\n") as f:
        f.write(",".join(["step", "kind"] + ["v%d" % i for i in range(width)]) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    start = np.asarray(flat(init_params(seed)))
    moved = np.max(np.abs(np.asarray(flat(params)) - start)) / np.max(np.abs(start))
    print("wrote %-26s final loss %.6g, moved %.3g, last step sizes %s"
          % (name + ".csv", loss(params, features, labels), moved, [float(s) for s in sizes]))


def warmup_cosine_float64(warmup, total):
    """optax.warmup_cosine_decay_schedule(0, 1, warmup, total, 0) in float64.

    optax 0.2.8's linear_schedule (and so warmup_cosine_decay_schedule) returns float32 values even with
    jax_enable_x64, which moves Prodigy's estimate by 1e-8; the ramp is written out here, the cosine is optax's.
    """
    cosine = optax.cosine_decay_schedule(1.0, total - warmup)

    def schedule(count):
        c = jnp.asarray(count, jnp.float64)
        return jnp.where(c < warmup, c / warmup, cosine(count - warmup))

    return schedule


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    features, labels = data()
    with open(os.path.join(OUT_DIR, "data.csv"), "w", newline="\n") as f:
        f.write(",".join(["x%d" % i for i in range(N_IN)] + ["y%d" % j for j in range(N_OUT)]) + "\n")
        for i in range(N_EXAMPLES):
            f.write(",".join(fmt(v) for v in list(features[i]) + list(labels[i])) + "\n")
    with open(os.path.join(OUT_DIR, "VERSION"), "w", newline="\n") as f:
        f.write("jax %s, optax %s, float64 (jax_enable_x64)\n" % (jax.__version__, optax.__version__))

    cosine = optax.cosine_decay_schedule(1.0, STEPS)
    warmup_cosine = warmup_cosine_float64(4, STEPS)

    run_case("prodigy", lambda: contrib.prodigy(estim_lr0=1e-3), ["prodigy"], 11)
    run_case("prodigy_defaults", lambda: contrib.prodigy(), ["prodigy"], 12)
    run_case("prodigy_cosine_l2",
             lambda: optax.chain(optax.add_decayed_weights(0.02, W_ONLY),
                                 contrib.prodigy(cosine, betas=(0.85, 0.99), estim_lr0=1e-4)),
             ["prodigy"], 13, schedule=cosine)
    run_case("prodigy_weight_decay",
             lambda: contrib.prodigy(weight_decay=0.1, beta3=0.95, estim_lr_coef=0.5, eps=1e-6, estim_lr0=1e-3),
             ["prodigy"], 14)
    run_case("prodigy_safeguard",
             lambda: contrib.prodigy(warmup_cosine, betas=(0.9, 0.95), safeguard_warmup=True, estim_lr0=1e-2),
             ["prodigy"], 15, schedule=warmup_cosine)
    run_case("prodigy_dl4j_decay",
             lambda: optax.chain(contrib.prodigy(estim_lr0=1e-3), optax.add_decayed_weights(-0.05, W_ONLY)),
             ["prodigy"], 16)
    run_case("prodigy_two_blocks",
             lambda: optax.partition({"block0": contrib.prodigy(estim_lr0=1e-3),
                                      "block1": contrib.prodigy(estim_lr0=1e-2, estim_lr_coef=2.0)},
                                     {"W": "block0", "b": "block1"}),
             ["prodigy", "prodigy"], 17)
    run_case("dadapt", lambda: contrib.dadapt_adamw(estim_lr0=1e-3), ["dadapt"], 21)
    run_case("dadapt_cosine_decay",
             lambda: contrib.dadapt_adamw(cosine, betas=(0.8, 0.99), eps=1e-6, estim_lr0=1e-4, weight_decay=0.05),
             ["dadapt"], 22, schedule=cosine)
    run_case("dog", lambda: contrib.dog(), ["dog"], 31, eps=1e-8)
    run_case("dog_cosine_l2",
             lambda: contrib.dog(cosine, init_step=("heuristic", 1e-4), weight_decay=0.02, mask=W_ONLY),
             ["dog"], 32, schedule=cosine, eps=1e-8)
    run_case("dog_distance", lambda: contrib.dog(init_step=("distance", 0.01), eps=1e-6), ["dog"], 33, eps=1e-6)
    run_case("dog_learning_rate", lambda: contrib.dog(init_step=("learning_rate", 0.05)), ["dog"], 34, eps=1e-8,
             first_lr=0.05)


if __name__ == "__main__":
    main()
