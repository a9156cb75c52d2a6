#!/usr/bin/env python3
"""Reference trajectories of weight averaging (EMA, SWA) and of SWALR, from real PyTorch and timm, in float64.

What it computes
----------------
A linear model out = x @ W + b (W [5, 3], b [3]), DL4J's OutputLayer(MSE, identity), trained with plain SGD on
16 fixed examples; the loss is DL4J's MSE: mean over the examples of sum_j (out_j - label_j)^2 / nOut, so the
gradient is the same in PyTorch (autograd) and in DL4J. Beside training, the averages are kept by the libraries
themselves:

  ema                  torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9)),
                       update_parameters after every step (full batch, SGD lr 0.1, 40 steps)
  ema_every3           the same with decay 0.8, update_parameters after the steps s with s % 3 == 0
  timm_warmup          timm.utils.ModelEmaV3(decay=0.8, min_decay=0.3, update_after_step=3, use_warmup=True,
                       warmup_gamma=2.0, warmup_power=0.75), update(model, step=s) after every step s
  timm_warmup_defaults ModelEmaV3(decay=0.95, use_warmup=True) (gamma 1, power 2/3), update(model, step=s)
  swa_cosine           SGD, mini-batches of 8 in order (2 steps per epoch), 12 epochs; lr CosineAnnealingLR(T_max=10,
                       eta_min=0.01) from 0.2, then SWALR(swa_lr=0.05, anneal_epochs=3, "cos") in PyTorch's
                       canonical loop with swa_start = 3 ("if epoch > swa_start: swa_model.update_parameters(model);
                       swa_scheduler.step() else: scheduler.step()"); AveragedModel's default (equal) average
  swa_linear_every2    SGD lr 0.15 with SWALR(swa_lr=0.03, anneal_epochs=4, "linear") stepped after the epochs
                       > 2; AveragedModel updated after the epochs e >= 1 with (e - 1) % 2 == 0; 10 epochs
  swa_iterations       SGD lr 0.1; AveragedModel updated after the steps s with s % 3 == 0 in epochs >= 1; 6 epochs

and the learning rates SWALR gives (swalr.csv), per epoch, in the canonical loop with a base scheduler:

  cos                  CosineAnnealingLR(T_max=20, eta_min=0.001) from 0.1, swa_start 5, SWALR(0.02, 4, "cos")
  linear               MultiStepLR(milestones [3, 6], gamma 0.5) from 0.2, swa_start 8, SWALR(0.01, 5, "linear")
  anneal1              CosineAnnealingLR(T_max=12, eta_min=0) from 0.3, swa_start 0, SWALR(0.05, 1, "cos")

What it writes (src/test/resources/io/github/lrschedules/averaging/, found from this script's path)
----------------------------------------------------------------------------------------------------
data.csv     the 16 examples: columns x0..x4, y0..y2
<case>.csv   columns step,kind,p0..p17. "0,init": the initial parameters. EMA cases: for every step s = 1..40 the
             row "s,params" (the parameters after step s) and, when the average was updated after step s,
             "s,average". SWA cases: per epoch e (0-based) "e,lr" (p0: the rate of epoch e), "e,params" (after the
             epoch), and "e,average" when the average was updated after epoch e (after its last update in the epoch
             for swa_iterations). Parameters: W row by row in DL4J's orientation [nIn, nOut], then b.
swalr.csv    columns epoch,cos,linear,anneal1: the rate of each epoch 0..29
VERSION      the torch and timm versions
Every float is written with repr(): the shortest string that parses back to the same double.

Requires: torch 2.13, timm 1.0 (/work/refenv/torch in this project's reference environment)
Run (from anywhere, no arguments; deterministic):
    python3 scripts/averaging_reference.py
"""

import os

import timm
import torch
from timm.utils import ModelEmaV3
from torch.optim.lr_scheduler import CosineAnnealingLR, MultiStepLR
from torch.optim.swa_utils import SWALR, AveragedModel, get_ema_multi_avg_fn

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "averaging")
N_EXAMPLES, N_IN, N_OUT = 16, 5, 3
EMA_STEPS = 40
BATCH = 8

torch.set_default_dtype(torch.float64)


def fmt(v):
    return repr(float(v))


def data():
    gen = torch.Generator().manual_seed(2025)
    features = torch.randn(N_EXAMPLES, N_IN, generator=gen)
    true_w = torch.randn(N_IN, N_OUT, generator=gen)
    labels = features @ true_w + 0.5 + 0.1 * torch.randn(N_EXAMPLES, N_OUT, generator=gen)
    return features, labels


class Linear(torch.nn.Module):
    """DL4J's OutputLayer(identity): W [nIn, nOut], b [nOut]."""

    def __init__(self, seed):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.W = torch.nn.Parameter(0.5 * torch.randn(N_IN, N_OUT, generator=gen))
        self.b = torch.nn.Parameter(0.5 * torch.randn(N_OUT, generator=gen))

    def forward(self, x):
        return x @ self.W + self.b


def flat(module):
    return [v for p in (module.W, module.b) for v in p.detach().reshape(-1).tolist()]


def loss_of(model, x, y):
    return ((model(x) - y) ** 2).sum(dim=1).mean() / N_OUT


def sgd_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss_of(model, x, y).backward()
    optimizer.step()


def write(name, rows):
    path = os.path.join(OUT_DIR, name + ".csv")
    n = max(len(r) for r in rows) - 2
    with open(path, "w", newline="\n") as f:
        f.write(",".join(["step", "kind"] + ["p%d" % i for i in range(n)]) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    print("wrote %s (%d rows)" % (name + ".csv", len(rows)))


def ema_case(name, seed, make_average, update):
    """make_average(model) -> averager; update(averager, model, s) -> True if it updated after step s."""
    features, labels = data()
    model = Linear(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    averager = make_average(model)
    rows = [["0", "init"] + [fmt(v) for v in flat(model)]]
    for s in range(1, EMA_STEPS + 1):
        sgd_step(model, optimizer, features, labels)
        rows.append([str(s), "params"] + [fmt(v) for v in flat(model)])
        if update(averager, model, s):
            rows.append([str(s), "average"] + [fmt(v) for v in flat(averager.module)])
    write(name, rows)


def averaged_model_every(n):
    def update(averager, model, s):
        if s % n == 0:
            averager.update_parameters(model)
            return True
        return False
    return update


def timm_update(averager, model, s):
    averager.update(model, step=s)
    return True


def swa_case(name, seed, epochs, lr, make_schedulers, after_step, after_epoch):
    """make_schedulers(optimizer) -> (base scheduler or None, SWALR, swa_start);
    after_step(averager, model, s, epoch) and after_epoch(averager, model, epoch) -> True if they averaged."""
    features, labels = data()
    model = Linear(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    base, swa_scheduler, swa_start = make_schedulers(optimizer)
    averager = AveragedModel(model)
    rows = [["0", "init"] + [fmt(v) for v in flat(model)]]
    s = 0
    for epoch in range(epochs):
        rows.append([str(epoch), "lr", fmt(optimizer.param_groups[0]["lr"])])
        averaged = False
        for start in range(0, N_EXAMPLES, BATCH):
            sgd_step(model, optimizer, features[start:start + BATCH], labels[start:start + BATCH])
            s += 1
            averaged |= after_step(averager, model, s, epoch)
        averaged |= after_epoch(averager, model, epoch)
        if epoch > swa_start:
            swa_scheduler.step()
        elif base is not None:
            base.step()
        rows.append([str(epoch), "params"] + [fmt(v) for v in flat(model)])
        if averaged:
            rows.append([str(epoch), "average"] + [fmt(v) for v in flat(averager.module)])
    write(name, rows)


def never_after_step(averager, model, s, epoch):
    return False


def swalr_rates(lr, make_base, swa_start, swa_lr, anneal_epochs, strategy, epochs=30):
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr)
    base = make_base(optimizer)
    swa_scheduler = SWALR(optimizer, swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    rates = []
    for epoch in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if epoch > swa_start:
            swa_scheduler.step()
        else:
            base.step()
    return rates


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    features, labels = data()
    with open(os.path.join(OUT_DIR, "data.csv"), "w", newline="\n") as f:
        f.write(",".join(["x%d" % i for i in range(N_IN)] + ["y%d" % j for j in range(N_OUT)]) + "\n")
        for i in range(N_EXAMPLES):
            f.write(",".join(fmt(v) for v in features[i].tolist() + labels[i].tolist()) + "\n")
    with open(os.path.join(OUT_DIR, "VERSION"), "w", newline="\n") as f:
        f.write("torch " + torch.__version__ + "\ntimm " + timm.__version__ + "\n")

    ema_case("ema", 11, lambda m: AveragedModel(m, multi_avg_fn=get_ema_multi_avg_fn(0.9)), averaged_model_every(1))
    ema_case("ema_every3", 12, lambda m: AveragedModel(m, multi_avg_fn=get_ema_multi_avg_fn(0.8)),
             averaged_model_every(3))
    ema_case("timm_warmup", 13,
             lambda m: ModelEmaV3(m, decay=0.8, min_decay=0.3, update_after_step=3, use_warmup=True,
                                  warmup_gamma=2.0, warmup_power=0.75), timm_update)
    ema_case("timm_warmup_defaults", 14, lambda m: ModelEmaV3(m, decay=0.95, use_warmup=True), timm_update)

    def canonical_average(swa_start):
        def after_epoch(averager, model, epoch):
            if epoch > swa_start:
                averager.update_parameters(model)
                return True
            return False
        return after_epoch

    swa_case("swa_cosine", 21, 12, 0.2,
             lambda o: (CosineAnnealingLR(o, T_max=10, eta_min=0.01),
                        SWALR(o, swa_lr=0.05, anneal_epochs=3, anneal_strategy="cos"), 3),
             never_after_step, canonical_average(3))

    def every_second_from_1(averager, model, epoch):
        if epoch >= 1 and (epoch - 1) % 2 == 0:
            averager.update_parameters(model)
            return True
        return False

    swa_case("swa_linear_every2", 22, 10, 0.15,
             lambda o: (None, SWALR(o, swa_lr=0.03, anneal_epochs=4, anneal_strategy="linear"), 2),
             never_after_step, every_second_from_1)

    def every_third_step_from_epoch_1(averager, model, s, epoch):
        if epoch >= 1 and s % 3 == 0:
            averager.update_parameters(model)
            return True
        return False

    swa_case("swa_iterations", 23, 6, 0.1,
             lambda o: (None, SWALR(o, swa_lr=0.1, anneal_epochs=1), 10 ** 6),
             every_third_step_from_epoch_1, lambda a, m, e: False)

    cos = swalr_rates(0.1, lambda o: CosineAnnealingLR(o, T_max=20, eta_min=0.001), 5, 0.02, 4, "cos")
    linear = swalr_rates(0.2, lambda o: MultiStepLR(o, milestones=[3, 6], gamma=0.5), 8, 0.01, 5, "linear")
    anneal1 = swalr_rates(0.3, lambda o: CosineAnnealingLR(o, T_max=12, eta_min=0.0), 0, 0.05, 1, "cos")
    with open(os.path.join(OUT_DIR, "swalr.csv"), "w", newline="\n") as f:
        f.write("epoch,cos,linear,anneal1\n")
        for epoch in range(len(cos)):
            f.write(",".join([str(epoch), fmt(cos[epoch]), fmt(linear[epoch]), fmt(anneal1[epoch])]) + "\n")
    print("wrote swalr.csv")


if __name__ == "__main__":
    main()
