#!/usr/bin/env python3
"""Reference learning rates of PyTorch's ReduceLROnPlateau acting on top of a cosine schedule.

What it computes
----------------
For each metric sequence of the plateau goldens in mode 'min' (src/test/resources/io/github/lrschedules/golden/
plateau_min_rel.csv, plateau_eps.csv, plateau_min_abs_patience0.csv: the metric column, one value per epoch), one
torch.optim.SGD optimizer driven by two schedulers at once:

    CosineAnnealingLR(T_max = 2 * epochs * ITERS_PER_EPOCH, eta_min = 0), stepped after every iteration
    ReduceLROnPlateau(mode='min', ...the golden's options...), stepped with the epoch's metric after its last iteration

CosineAnnealingLR with eta_min = 0 updates the learning rate multiplicatively (lr *= (1 + cos(pi t/T)) /
(1 + cos(pi (t-1)/T))), so a reduction scales the rest of the cosine, and ReduceLROnPlateau compares and clamps the
learning rate of the next iteration: lr(k) = cosine(k) * (product of the reductions so far), with min_lr and eps
applied to the cosine-scaled rate. That is what this library's plateau listeners do with a ScaledSchedule over a
CosineDecaySchedule(ITERATION, lr0, T_max, 0). T_max is twice the run, so the cosine stays above half of lr0.

What it writes (src/test/resources/io/github/lrschedules/samediff/, found from this script's path)
------------------------------------------------------------------------------------------------
plateau_cosine_<golden>.csv   columns iteration,epoch,lr: the learning rate each iteration trains with
VERSION                       the torch version
Every float is written with repr(): the shortest string that parses back to the same double.

Requires: torch (2.13 used)
Run (from anywhere, no arguments; deterministic):
    python3 scripts/plateau_cosine_reference.py
"""

import csv
import os

import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RES = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules")
GOLDEN = os.path.join(RES, "golden")
OUT_DIR = os.path.join(RES, "samediff")
ITERS_PER_EPOCH = 3

# golden file -> (initial lr, ReduceLROnPlateau options); the same as in scripts/pytorch_reference.py
CASES = {
    "plateau_min_rel": (1.0, dict(mode="min", factor=0.5, patience=2, threshold=1e-2, threshold_mode="rel",
                                  cooldown=1, min_lr=0.02, eps=1e-8)),
    "plateau_eps": (1.0, dict(mode="min", factor=0.5, patience=0, threshold=1e-4, threshold_mode="rel",
                              cooldown=0, min_lr=0.0, eps=0.1)),
    "plateau_min_abs_patience0": (0.1, dict(mode="min", factor=0.3, patience=0, threshold=0.0,
                                            threshold_mode="abs", cooldown=2, min_lr=0.001, eps=1e-8)),
}


def metrics(name):
    with open(os.path.join(GOLDEN, name + ".csv"), newline="") as f:
        return [float(row["metric"]) for row in csv.DictReader(f)]


def run(name):
    lr0, options = CASES[name]
    values = metrics(name)
    total = len(values) * ITERS_PER_EPOCH
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=lr0)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2 * total, eta_min=0.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **options)
    rows = []
    reductions = 0
    for epoch, metric in enumerate(values):
        for i in range(ITERS_PER_EPOCH):
            rows.append((epoch * ITERS_PER_EPOCH + i, epoch, float(opt.param_groups[0]["lr"])))
            opt.step()
            cosine.step()
        before = opt.param_groups[0]["lr"]
        plateau.step(metric)
        reductions += opt.param_groups[0]["lr"] < before
    path = os.path.join(OUT_DIR, "plateau_cosine_" + name + ".csv")
    with open(path, "w") as f:
        f.write("iteration,epoch,lr\n")
        for k, e, lr in rows:
            f.write("%d,%d,%r\n" % (k, e, lr))
    print("%s: %d iterations, %d reductions, last lr %r" % (path, len(rows), reductions, rows[-1][2]))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in CASES:
        run(name)
    with open(os.path.join(OUT_DIR, "VERSION"), "w") as f:
        f.write("torch %s\n" % torch.__version__)


if __name__ == "__main__":
    main()
