#!/usr/bin/python3
"""Reference trajectories of schedule-free SGD and AdamW (Defazio et al. 2024, "The Road Less Scheduled").

What it computes
----------------
The algorithm of the paper's Algorithm 1 as the authors' reference implementations
(sgd_schedulefree_reference.py, adamw_schedulefree_reference.py) run it, with r = 0 and
weight_lr_power = 2, written out with explicit z, x and y. Per parameter group and step t (t = 0, 1, ...):

    lr_t       = lr * (t+1) / warmup_steps   if t < warmup_steps, else lr
    lr_max     = max(lr_max, lr_t);  weight = lr_max**2;  weight_sum += weight;  c = weight / weight_sum
    g          = grad(y) + l2 * y                      (L2, as DL4J's l2(...) adds it to the gradient)
    SGD:   z  -= lr_t * g
    AdamW: v   = beta2 * v + (1 - beta2) * g * g
           z  -= lr_t * wd * y                          (decoupled weight decay, at y)
           z  -= lr_t * g / (sqrt(v / (1 - beta2**(t+1))) + eps)
    x          = (1 - c) * x + c * z
    y          = beta * x + (1 - beta) * z             (beta = momentum for SGD, beta1 for AdamW)

z = x = y = the initial parameters. Training evaluates the gradient at y; the evaluation weights are x.

The model is a small linear network trained full-batch on fixed data, so that the gradient is the same in
PyTorch (autograd, float64) and in DL4J: layer 0 "out" is DL4J's OutputLayer(MSE, identity), or a DenseLayer
(identity) followed by that OutputLayer. The loss is DL4J's MSE: mean over examples of
sum_j (out_j - label_j)^2 / nOut.

What it writes (src/test/resources/io/github/lrschedules/schedulefree/, found from this script's path)
-----------------------------------------------------------------------------------------------------
data.csv        16 examples: columns x0..x4, y0..y2.
<case>.csv      columns step,kind,p0,p1,...: the row "0,init" holds the initial parameters; for every step
                k = 1..40 the row "k,y" holds the training parameters y after k steps and "k,x" the
                evaluation weights x after k steps. Parameters are listed layer by layer, W row by row in
                DL4J's orientation [nIn, nOut], then b.
VERSION         the torch version.
Every float is written with repr(): the shortest string that parses back to the same double.

Cases (the Java test SgdAdamWScheduleFreeReferenceTest builds the same DL4J configurations):
  sgd                SGD lr 0.1, momentum 0.9, no warmup
  sgd_warmup_l2      SGD lr 0.2, momentum 0.8, warmup 5, L2 0.05 on W (DL4J l2; not on b)
  sgd_schedule       SGD lr = 0.3 * 0.5^(milestones 10, 25 passed) (MilestoneStepSchedule), momentum 0.9,
                     warmup 4
  adamw              AdamW lr 0.02, betas 0.9/0.999, eps 1e-8, no warmup, no decay
  adamw_warmup_decay AdamW lr 0.05, betas 0.85/0.99, eps 1e-6, warmup 6, decoupled decay 0.1 (W and b)
  two_blocks         DenseLayer 5->4 with SGD (lr 0.05, momentum 0.9, warmup 3) and OutputLayer 4->3 with
                     AdamW (lr 0.03, betas 0.9/0.999, eps 1e-8, warmup 4, decay 0.05): two parameter groups
                     with their own step count, weight sum and lr_max.

Requires: Debian python3-torch (1.13)
Run (from anywhere, no arguments; deterministic):
    /usr/bin/python3 scripts/schedulefree_reference.py
"""

import math
import os

import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "schedulefree")
STEPS = 40
N_EXAMPLES, N_IN, N_HIDDEN, N_OUT = 16, 5, 4, 3

torch.set_default_dtype(torch.float64)


class Group:
    """One parameter group: the parameters of one DL4J updater block."""

    def __init__(self, params, kind, lr, beta, warmup, beta2=0.999, eps=1e-8, wd=0.0, l2=None,
                 lr_schedule=None):
        self.params, self.kind, self.lr, self.beta, self.warmup = params, kind, lr, beta, warmup
        self.beta2, self.eps, self.wd = beta2, eps, wd
        self.l2 = l2 or {}
        self.lr_schedule = lr_schedule
        self.t, self.lr_max, self.weight_sum = 0, 0.0, 0.0
        self.z = [p.detach().clone() for p in params]
        self.x = [p.detach().clone() for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def step(self):
        t = self.t
        lr = self.lr_schedule(t) if self.lr_schedule else self.lr
        lr_t = lr * (t + 1) / self.warmup if t < self.warmup else lr
        self.lr_max = max(self.lr_max, lr_t)
        weight = self.lr_max ** 2
        self.weight_sum += weight
        c = weight / self.weight_sum
        with torch.no_grad():
            for i, p in enumerate(self.params):
                y = p.detach().clone()
                g = p.grad.detach().clone()
                if i in self.l2:
                    g = g + self.l2[i] * y
                z, x, v = self.z[i], self.x[i], self.v[i]
                if self.kind == "sgd":
                    z -= lr_t * g
                else:
                    v.mul_(self.beta2).add_((1 - self.beta2) * g * g)
                    if self.wd != 0:
                        z -= lr_t * self.wd * y
                    z -= lr_t * g / (torch.sqrt(v / (1 - self.beta2 ** (t + 1))) + self.eps)
                x.mul_(1 - c).add_(c * z)
                p.copy_(self.beta * x + (1 - self.beta) * z)
        self.t += 1


def fmt(v):
    return repr(float(v))


def data():
    gen = torch.Generator().manual_seed(2024)
    features = torch.randn(N_EXAMPLES, N_IN, generator=gen)
    true_w = torch.randn(N_IN, N_OUT, generator=gen)
    labels = features @ true_w + 0.5 + 0.1 * torch.randn(N_EXAMPLES, N_OUT, generator=gen)
    return features, labels


def init_params(shapes, seed):
    gen = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(0.5 * torch.randn(*s, generator=gen)) for s in shapes]


def flat(params):
    return [v for p in params for v in p.detach().reshape(-1).tolist()]


def run_case(name, layers, make_groups, seed):
    """layers: list of (nIn, nOut); params [W0, b0, W1, b1, ...] with W as [nIn, nOut]."""
    features, labels = data()
    shapes = [s for n_in, n_out in layers for s in ((n_in, n_out), (n_out,))]
    params = init_params(shapes, seed)
    groups = make_groups(params)
    rows = [["0", "init"] + [fmt(v) for v in flat(params)]]
    for k in range(1, STEPS + 1):
        for p in params:
            p.grad = None
        out = features
        for i in range(len(layers)):
            out = out @ params[2 * i] + params[2 * i + 1]
        loss = ((out - labels) ** 2).sum(dim=1).mean() / N_OUT
        loss.backward()
        for g in groups:
            g.step()
        rows.append([str(k), "y"] + [fmt(v) for v in flat(params)])
        evaluation = [x for g in groups for x in g.x]
        rows.append([str(k), "x"] + [fmt(v) for v in flat(evaluation)])
    n = len(rows[0]) - 2
    path = os.path.join(OUT_DIR, name + ".csv")
    with open(path, "w", newline="\n") as f:
        f.write(",".join(["step", "kind"] + ["p%d" % i for i in range(n)]) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    print("wrote %-24s %d parameters, final loss %.6g" % (name + ".csv", n, loss.item()))


def milestone_schedule(t):
    return 0.3 * 0.5 ** sum(1 for m in (10, 25) if m <= t)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    features, labels = data()
    with open(os.path.join(OUT_DIR, "data.csv"), "w", newline="\n") as f:
        f.write(",".join(["x%d" % i for i in range(N_IN)] + ["y%d" % j for j in range(N_OUT)]) + "\n")
        for i in range(N_EXAMPLES):
            f.write(",".join(fmt(v) for v in features[i].tolist() + labels[i].tolist()) + "\n")
    with open(os.path.join(OUT_DIR, "VERSION"), "w", newline="\n") as f:
        f.write(torch.__version__ + "\n")

    one = [(N_IN, N_OUT)]
    run_case("sgd", one, lambda p: [Group(p, "sgd", 0.1, 0.9, 0)], 1)
    run_case("sgd_warmup_l2", one, lambda p: [Group(p, "sgd", 0.2, 0.8, 5, l2={0: 0.05})], 2)
    run_case("sgd_schedule", one,
             lambda p: [Group(p, "sgd", None, 0.9, 4, lr_schedule=milestone_schedule)], 3)
    run_case("adamw", one, lambda p: [Group(p, "adamw", 0.02, 0.9, 0, beta2=0.999, eps=1e-8)], 4)
    run_case("adamw_warmup_decay", one,
             lambda p: [Group(p, "adamw", 0.05, 0.85, 6, beta2=0.99, eps=1e-6, wd=0.1)], 5)
    run_case("two_blocks", [(N_IN, N_HIDDEN), (N_HIDDEN, N_OUT)],
             lambda p: [Group(p[0:2], "sgd", 0.05, 0.9, 3),
                        Group(p[2:4], "adamw", 0.03, 0.9, 4, beta2=0.999, eps=1e-8, wd=0.05)], 6)


if __name__ == "__main__":
    assert not math.isnan(milestone_schedule(0))
    main()
