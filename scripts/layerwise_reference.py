#!/usr/bin/env python3
"""Reference factors of LayerwiseLearningRates: timm's layer-wise decay and fastai's discriminative rates.

What it computes
----------------
decay:           timm.optim.param_groups_layer_decay(model, layer_decay=d) on a model of n Linear layers whose
                 group_matcher gives layer i the id i (the last one, the head, id n - 1); the "lr_scale" of the
                 group holding each layer's weight, layer by layer. timm: scale = d ** (n - 1 - id).
discriminative:  fastai's even_mults(low, high, n) (fastai.torch_core), the spread of slice(low, high) over n
                 layer groups. fastai is not installed in the reference environment: its function is transcribed
                 below from fastai 2.7's source, verbatim apart from the import.

What it writes (src/test/resources/io/github/lrschedules/updater/layerwise/, found from this script's path)
-------------------------------------------------------------------------------------------------------
decay.csv           n,decay,f0;f1;...  (one row per depth and decay)
discriminative.csv  n,low,high,f0;f1;...
VERSION             timm and torch versions, and the fastai version transcribed.
Every float is written with repr().

Requires: torch and timm (timm 1.0.29 was used), in the reference environment.
Run (from anywhere, no arguments; deterministic):
    python3 scripts/layerwise_reference.py
"""

import os

import numpy as np
import timm
import torch
from timm.optim import param_groups_layer_decay

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "updater", "layerwise")
DEPTHS = (1, 2, 3, 5, 8, 12)


# fastai.torch_core.even_mults (fastai 2.7), transcribed
def even_mults(start: float, stop: float, n: int):
    "Build log-stepped array from `start` to `stop` in `n` steps."
    if n == 1: return stop
    mult = stop / start
    step = mult ** (1 / (n - 1))
    return np.array([start * (step ** i) for i in range(n)])


class Stack(torch.nn.Module):
    """n Linear layers; timm's group matcher gives layer i the id i."""

    def __init__(self, n):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(3, 3) for _ in range(n))

    def group_matcher(self, coarse=False):
        return dict(blocks=r"^layers\.(\d+)")


def timm_scales(n, decay):
    model = Stack(n)
    groups = param_groups_layer_decay(model, weight_decay=0.0, layer_decay=decay)
    scales = []
    for i in range(n):
        weight = model.layers[i].weight
        group = next(g for g in groups if any(p is weight for p in g["params"]))
        scales.append(group["lr_scale"])
    return scales


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "decay.csv"), "w", newline="\n") as f:
        f.write("n,decay,factors\n")
        for n in DEPTHS:
            for decay in (0.65, 0.75, 0.9):
                f.write("%d,%r,%s\n" % (n, decay, ";".join(repr(float(s)) for s in timm_scales(n, decay))))
    with open(os.path.join(OUT_DIR, "discriminative.csv"), "w", newline="\n") as f:
        f.write("n,low,high,factors\n")
        for n in DEPTHS:
            for low, high in ((1e-5, 1e-3), (0.01, 1.0), (3e-4, 3e-3)):
                mults = np.atleast_1d(even_mults(low, high, n))
                f.write("%d,%r,%r,%s\n" % (n, low, high, ";".join(repr(float(m)) for m in mults)))
    with open(os.path.join(OUT_DIR, "VERSION"), "w", newline="\n") as f:
        f.write("timm %s\ntorch %s\nfastai even_mults transcribed from fastai 2.7 (not installed)\n"
                % (timm.__version__, torch.__version__))
    print("wrote decay.csv, discriminative.csv")


if __name__ == "__main__":
    main()
