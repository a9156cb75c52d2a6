#!/usr/bin/env python3
"""Reference trajectories of ScheduledAdam: real torch.optim.Adam / AdamW driven by OneCycleLR with
cycle_momentum=True (beta1 follows the momentum cycle), and a weight-decay schedule set by hand.

What it computes
----------------
PyTorch's own optimizers, float64, single-tensor path (foreach=False), on a full-batch least-squares problem:
layer "out" is DL4J's OutputLayer(MSE, identity) (or a DenseLayer(identity) 5->4 followed by it). The loss is
DL4J's MSE: mean over examples of sum_j (out_j - label_j)^2 / nOut. Per step k = 0, 1, ...:

    lr, beta1 = OneCycleLR's values for step k (set on the param group by the scheduler)
    weight_decay = wd(k)                        (set on the param group by hand, only in *_wd_schedule cases)
    optimizer.step(); scheduler.step()

PyTorch's Adam step: p *= 1 - lr * wd (AdamW only); m = lerp(m, g, 1 - beta1); v = beta2 v + (1 - beta2) g^2;
p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), t = k + 1, beta1 the current one.

What it writes (src/test/resources/io/github/lrschedules/updater/adam/, found from this script's path)
----------------------------------------------------------------------------------------------
data.csv        16 examples: columns x0..x4, y0..y2.
<case>.csv      columns step,lr,beta1,wd,p0,p1,...: row 0 holds the initial parameters (and the values of step 0),
                row k the parameters after k steps and the lr, beta1 and weight decay step k-1 used.
                Parameters layer by layer, W row by row in DL4J's orientation [nIn, nOut], then b.
VERSION         the torch version.
Every float is written with repr(): the shortest string that parses back to the same double.

Cases (ScheduledAdamReferenceTest builds the same DL4J configurations):
  adam_onecycle          Adam, OneCycleLR(max_lr 0.05, total_steps 40) with PyTorch's defaults (pct_start 0.3,
                         cos, div 25, final_div 1e4, momentum 0.85..0.95), beta2 0.999, eps 1e-8
  adamw_onecycle         AdamW weight_decay 0.1, OneCycleLR(max_lr 0.05, total_steps 40, pct_start 0.25, linear,
                         three_phase, base_momentum 0.8, max_momentum 0.9), beta2 0.99, eps 1e-6
  adamw_wd_schedule      AdamW, OneCycleLR(max_lr 0.05, total_steps 40), wd(k) = 0.2 (1 + cos(pi k / 40)) / 2
  adamw_two_layers       as adamw_wd_schedule, on DenseLayer 5->4 + OutputLayer 4->3

Requires: torch (2.13 was used), in the reference environment.
Run (from anywhere, no arguments; deterministic):
    python3 scripts/scheduled_adam_reference.py
"""

import math
import os

import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "updater", "adam")
STEPS = 40
N_EXAMPLES, N_IN, N_HIDDEN, N_OUT = 16, 5, 4, 3

torch.set_default_dtype(torch.float64)


def fmt(v):
    return repr(float(v))


def data():
    gen = torch.Generator().manual_seed(2025)
    features = torch.randn(N_EXAMPLES, N_IN, generator=gen)
    true_w = torch.randn(N_IN, N_OUT, generator=gen)
    labels = features @ true_w + 0.5 + 0.1 * torch.randn(N_EXAMPLES, N_OUT, generator=gen)
    return features, labels


def cosine_wd(k):
    return 0.2 * (1 + math.cos(math.pi * min(k, STEPS) / STEPS)) / 2


def run_case(name, layers, make_optimizer, make_scheduler, wd_schedule, seed):
    features, labels = data()
    gen = torch.Generator().manual_seed(seed)
    shapes = [s for n_in, n_out in layers for s in ((n_in, n_out), (n_out,))]
    params = [torch.nn.Parameter(0.5 * torch.randn(*s, generator=gen)) for s in shapes]
    optimizer = make_optimizer(params)
    scheduler = make_scheduler(optimizer)
    group = optimizer.param_groups[0]

    def flat():
        return [v for p in params for v in p.detach().reshape(-1).tolist()]

    def hyper():
        return [group["lr"], group["betas"][0], group["weight_decay"]]

    if wd_schedule:
        group["weight_decay"] = wd_schedule(0)
    rows = [["0"] + [fmt(v) for v in hyper() + flat()]]
    for k in range(1, STEPS + 1):
        if wd_schedule:
            group["weight_decay"] = wd_schedule(k - 1)
        used = hyper()
        optimizer.zero_grad()
        out = features
        for i in range(len(layers)):
            out = out @ params[2 * i] + params[2 * i + 1]
        loss = ((out - labels) ** 2).sum(dim=1).mean() / N_OUT
        loss.backward()
        optimizer.step()
        scheduler.step()
        rows.append([str(k)] + [fmt(v) for v in used + flat()])
    n = len(rows[0]) - 4
    with open(os.path.join(OUT_DIR, name + ".csv"), "w", newline="\n") as f:
        f.write(",".join(["step", "lr", "beta1", "wd"] + ["p%d" % i for i in range(n)]) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    print("wrote %-24s %d parameters, final loss %.6g" % (name + ".csv", n, loss.item()))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    features, labels = data()
    with open(os.path.join(OUT_DIR, "data.csv"), "w", newline="\n") as f:
        f.write(",".join(["x%d" % i for i in range(N_IN)] + ["y%d" % j for j in range(N_OUT)]) + "\n")
        for i in range(N_EXAMPLES):
            f.write(",".join(fmt(v) for v in features[i].tolist() + labels[i].tolist()) + "\n")
    with open(os.path.join(OUT_DIR, "VERSION"), "w", newline="\n") as f:
        f.write("torch " + torch.__version__ + "\n")

    one = [(N_IN, N_OUT)]
    two = [(N_IN, N_HIDDEN), (N_HIDDEN, N_OUT)]
    Sched = torch.optim.lr_scheduler.OneCycleLR
    run_case("adam_onecycle", one,
             lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8, foreach=False),
             lambda o: Sched(o, max_lr=0.05, total_steps=STEPS, cycle_momentum=True), None, 11)
    run_case("adamw_onecycle", one,
             lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.1, foreach=False),
             lambda o: Sched(o, max_lr=0.05, total_steps=STEPS, pct_start=0.25, anneal_strategy="linear",
                             three_phase=True, base_momentum=0.8, max_momentum=0.9, cycle_momentum=True), None, 12)
    run_case("adamw_wd_schedule", one,
             lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8, foreach=False),
             lambda o: Sched(o, max_lr=0.05, total_steps=STEPS, cycle_momentum=True), cosine_wd, 13)
    run_case("adamw_two_layers", two,
             lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8, foreach=False),
             lambda o: Sched(o, max_lr=0.05, total_steps=STEPS, cycle_momentum=True), cosine_wd, 14)


if __name__ == "__main__":
    main()
