#!/usr/bin/env python3
"""Reference suggestions of LearningRateFinderResult: fastai's valley and slide, Lightning's steepest gradient.

What it computes
----------------
For LR range-test curves: two recorded by the library's LearningRateFinder on the test networks
(recorded_*.csv, the smoothed_loss column), and synthetic ones (rates 1e-7 .. 10 spaced exponentially, as fastai's and the library's finder run them;
losses of a typical shape, some noisy, then smoothed with the bias-corrected moving average beta = 0.98 of both
libraries, some stopped early at divergence, one ending in NaN):

valley, slide   fastai's suggestion functions (fastai.callback.schedule, 2.7), applied as Learner.lr_find applies
                them: on lrs[num_it//10:-5], losses[num_it//10:-5], cut at the first NaN, where num_it is the number
                of iterations planned (100 here). fastai is not installed in the reference environment: valley and
                slide are transcribed below from fastai's source, verbatim apart from numpy in place of fastai's
                to_np; the arrays are float64 (fastai's tensor() would make them float32).
lightning       lightning.pytorch.tuner.lr_finder._LRFinder.suggestion() (skip_begin 10, skip_end 1: the gradient
                of the loss against the rate, not its log), called on a real _LRFinder whose results hold the curve;
                torch's default dtype is set to float64 so that its tensors are double as in Java.

What it writes (src/test/resources/io/github/lrschedules/finder/, found from this script's path)
----------------------------------------------------------------------------------------------
suggestions.csv   one row per curve: name,planned,valley,slide,lightning,lrs,losses (lrs and losses joined by ;)
VERSION           lightning and torch versions, and the fastai version transcribed.
Every float is written with repr() (NaN as "NaN").

Requires: lightning (2.6.6 was used) and torch, in the reference environment.
Run (from anywhere, no arguments; deterministic):
    python3 scripts/finder_suggestions_reference.py
"""

import math
import os

import lightning
import numpy as np
import torch
from lightning.pytorch.tuner.lr_finder import _LRFinder

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "finder")
PLANNED = 100

torch.set_default_dtype(torch.float64)


# fastai.callback.schedule.valley (fastai 2.7), transcribed
def valley(lrs: list, losses: list, num_it: int):
    "Suggests a learning rate from the longest valley and returns its index"
    n = len(losses)
    max_start, max_end = 0, 0

    # find the longest valley
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]

    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)

    return float(lrs[idx]), (float(lrs[idx]), losses[idx])


# fastai.callback.schedule.slide (fastai 2.7), transcribed (np.asarray for fastai's to_np)
def slide(lrs: list, losses: list, num_it: int, lr_diff: int = 15, thresh: float = .005, adjust_value: float = 1.):
    "Suggests a learning rate following an interval slide rule and returns its index"
    losses = np.asarray(losses)
    loss_grad = np.gradient(losses)

    r_idx = -1
    l_idx = r_idx - lr_diff
    local_min_lr = lrs[l_idx]
    while (l_idx >= -len(losses)) and (abs(loss_grad[r_idx] - loss_grad[l_idx]) > thresh):
        local_min_lr = lrs[l_idx]
        r_idx -= 1
        l_idx -= 1

    suggestion = float(local_min_lr) * adjust_value
    idx = np.interp(np.log10(suggestion), np.log10(lrs), losses)
    return suggestion, (suggestion, idx)


def fmt(x):
    """repr(), with NaN spelled as Java's Double.parseDouble reads it."""
    return "NaN" if math.isnan(x) else repr(float(x))


def fastai_inputs(lrs, losses, num_it):
    """What Learner.lr_find hands the suggestion functions."""
    lrs, losses = np.array(lrs[num_it // 10:-5]), np.array(losses[num_it // 10:-5])
    nan = np.nonzero(np.isnan(losses))[0]
    if len(nan) > 0:
        lrs, losses = lrs[:nan.min()], losses[:nan.min()]
    return lrs, losses


def lightning_suggestion(lrs, losses):
    finder = _LRFinder("exponential", lrs[0], 10.0, PLANNED)
    finder.results = {"lr": list(lrs), "loss": list(losses)}
    return finder.suggestion()


def curve(seed, n, noise, floor_at, rise, nan_at=None, sharpness=2.0):
    """Rates as the finder spaces them, a loss that falls, bottoms out near floor_at and rises; smoothed."""
    rng = np.random.default_rng(seed)
    lrs = [1e-7 * (10.0 / 1e-7) ** (i / (PLANNED - 1)) for i in range(n)]
    raw = []
    for lr in lrs:
        x = math.log10(lr) - math.log10(floor_at)
        loss = 2.0 / (1 + math.exp(sharpness * x)) + 0.3 + rise * max(0.0, x) ** 2
        raw.append(loss * (1 + noise * rng.standard_normal()))
    smoothed, avg = [], 0.0
    for i, loss in enumerate(raw):
        avg = 0.98 * avg + 0.02 * loss
        smoothed.append(avg / (1 - 0.98 ** (i + 1)))
    if nan_at is not None:
        smoothed[nan_at:] = [float("nan")] * (n - nan_at)
    return lrs, smoothed


CURVES = [
    ("clean_full", dict(seed=1, n=100, noise=0.0, floor_at=1e-2, rise=0.5)),
    ("noisy_full", dict(seed=2, n=100, noise=0.05, floor_at=3e-3, rise=1.0)),
    ("noisy_stopped", dict(seed=3, n=87, noise=0.08, floor_at=1e-3, rise=3.0)),
    ("early_minimum", dict(seed=4, n=70, noise=0.03, floor_at=1e-5, rise=2.0)),
    ("late_minimum", dict(seed=5, n=100, noise=0.02, floor_at=1.0, rise=0.2)),
    ("nan_tail", dict(seed=6, n=95, noise=0.04, floor_at=1e-2, rise=1.5, nan_at=90)),
    ("sharp_clean", dict(seed=7, n=100, noise=0.0, floor_at=1e-2, rise=0.5, sharpness=8.0)),
    ("sharp_stopped", dict(seed=8, n=80, noise=0.0, floor_at=1e-3, rise=4.0, sharpness=6.0)),
]


# Curves recorded by the library's LearningRateFinder (defaults: 1e-7 to 10 over 100 mini-batches, beta 0.98) on the
# test networks and data, written with LearningRateFinderResult.writeCsv (lr,loss,smoothed_loss).
RECORDED = ["recorded_mlp_sgd", "recorded_noisy_adam"]


def recorded(name):
    lrs, losses = [], []
    with open(os.path.join(OUT_DIR, name + ".csv")) as f:
        next(f)
        for line in f:
            lr, _, smoothed = line.strip().split(",")
            lrs.append(float(lr))
            losses.append(float(smoothed))
    return lrs, losses


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    curves = [(name, curve(**args)) for name, args in CURVES] + [(name, recorded(name)) for name in RECORDED]
    with open(os.path.join(OUT_DIR, "suggestions.csv"), "w", newline="\n") as f:
        f.write("name,planned,valley,slide,lightning,lrs,losses\n")
        for name, (lrs, losses) in curves:
            flrs, flosses = fastai_inputs(lrs, losses, PLANNED)
            v = valley(flrs, flosses, PLANNED)[0]
            s = slide(flrs, flosses, PLANNED)[0]
            light = lightning_suggestion(lrs, losses)
            f.write("%s,%d,%r,%r,%r,%s,%s\n" % (name, PLANNED, v, s, float(light),
                                                ";".join(repr(float(x)) for x in lrs),
                                                ";".join(fmt(x) for x in losses)))
            print("%-14s valley %.4g  slide %.4g  lightning %.4g" % (name, v, s, light))
    with open(os.path.join(OUT_DIR, "VERSION"), "w", newline="\n") as f:
        f.write("lightning %s\ntorch %s\nfastai valley and slide transcribed from fastai 2.7 (not installed)\n"
                % (lightning.__version__, torch.__version__))


if __name__ == "__main__":
    main()
