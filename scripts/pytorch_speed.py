#!/usr/bin/env python3
"""PyTorch side of `examples/run bench-speed`: training throughput of the same networks, the same way.

Mirrors, for the same arguments,

    examples/run bench-speed --model lenet|mlp --data-dir DIR --images N --rounds R --batch 64

Every round builds a fresh network (same seed) and trains it once over the first --images training images, shuffled,
in mini-batches of --batch (the last may be smaller), with SGD and Nesterov momentum 0.9 at rate 0.01, float32, channels
first; only the training loop is timed (as bench-speed times net.fit alone). The first round is a warm-up and is not
counted, like the first measurement of the defaults in bench-speed.

Models (examples/.../model/ModelKind.java)
    lenet  conv 5x5x20 (linear), max-pool 2x2, conv 5x5x50 (linear), max-pool 2x2, dense 500 (ReLU), dense 10
           (the softmax is in the loss): scripts/pytorch_lenet.py's LeNet
    mlp    784-500-100-10, ReLU, dropout 0.2 on the inputs of every layer (DL4J's dropOut(0.8) on the builder keeps
           each input of every layer, the output layer's included, with probability 0.8)

--profile N prints torch.profiler's operator table (self CPU time, sorted) over N training iterations after the
timed rounds: the PyTorch half of the op-level breakdown in BENCHMARKS.md.

Output: one line per round, then `median examples/s: X (min Y, max Z) over R rounds; torch VERSION, N threads`.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_lenet import LeNet, load_split, to_tensors  # noqa: E402


class Mlp(nn.Module):
    """ModelKind.MLP: He-normal weights (DL4J RELU init), Xavier on the output, biases 0."""

    def __init__(self, inputs=784, classes=10, drop=0.2):
        super().__init__()
        self.hidden1 = nn.Linear(inputs, 500)
        self.hidden2 = nn.Linear(500, 100)
        self.out = nn.Linear(100, classes)
        self.drop = drop
        nn.init.kaiming_normal_(self.hidden1.weight, mode="fan_in", nonlinearity="relu")
        nn.init.kaiming_normal_(self.hidden2.weight, mode="fan_in", nonlinearity="relu")
        nn.init.xavier_normal_(self.out.weight)
        for layer in (self.hidden1, self.hidden2, self.out):
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = x.flatten(1)
        x = F.relu(self.hidden1(F.dropout(x, self.drop, self.training)))
        x = F.relu(self.hidden2(F.dropout(x, self.drop, self.training)))
        return self.out(F.dropout(x, self.drop, self.training))


def build(model, seed):
    torch.manual_seed(seed)
    return LeNet() if model == "lenet" else Mlp()


def train_once(net, x, y, batch, seed, iterations=None):
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(x)))
    net.train()
    start = time.perf_counter()
    for step, i in enumerate(range(0, len(x), batch)):
        if iterations is not None and step >= iterations:
            break
        index = order[i:i + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x[index]), y[index])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=("lenet", "mlp"), default="lenet")
    p.add_argument("--data-dir", required=True, metavar="DIR", help="MNIST-format directory")
    p.add_argument("--images", type=int, default=2560, metavar="N")
    p.add_argument("--rounds", type=int, default=5, metavar="N")
    p.add_argument("--batch", type=int, default=64, metavar="N")
    p.add_argument("--threads", type=int, default=2, metavar="N", help="torch.set_num_threads")
    p.add_argument("--seed", type=int, default=42, metavar="N")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="after the rounds, profile N iterations with torch.profiler (0: off)")
    args = p.parse_args(argv)
    for option, value, ok in (("--images", args.images, args.images >= args.batch >= 1),
                              ("--rounds", args.rounds, args.rounds >= 1),
                              ("--threads", args.threads, args.threads >= 1),
                              ("--profile", args.profile, args.profile >= 0)):
        if not ok:
            p.error("argument %s: invalid value %s" % (option, value))
    torch.set_num_threads(args.threads)
    images, labels = load_split(args.data_dir, "train-images", "train-labels", args.images)
    x, y = to_tensors(images, labels)
    if args.model == "mlp":
        x = x.flatten(1).contiguous()
    print("%s, %d images, batch %d; torch %s (%s), %d threads"
          % (args.model, len(x), args.batch, torch.__version__, torch.backends.cpu.get_cpu_capability()
             if hasattr(torch.backends, "cpu") else "?", torch.get_num_threads()), flush=True)
    throughput = []
    for r in range(args.rounds + 1):
        net = build(args.model, args.seed)
        seconds = train_once(net, x, y, args.batch, args.seed)
        rate = len(x) / seconds
        print("round %d%s: %.0f examples/s" % (r, " (warm-up)" if r == 0 else "", rate), flush=True)
        if r > 0:
            throughput.append(rate)
    print("median examples/s: %.0f (min %.0f, max %.0f) over %d rounds; torch %s, %d threads"
          % (statistics.median(throughput), min(throughput), max(throughput), len(throughput), torch.__version__,
             torch.get_num_threads()), flush=True)
    if args.profile > 0:
        from torch.profiler import profile, ProfilerActivity
        net = build(args.model, args.seed)
        train_once(net, x, y, args.batch, args.seed, iterations=5)  # warm-up, outside the profile
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            seconds = train_once(net, x, y, args.batch, args.seed, iterations=args.profile)
        print("profiled %d iterations: %.2f ms each (profiler overhead included)" % (args.profile, 1000 * seconds / args.profile))
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
    return 0


if __name__ == "__main__":
    sys.exit(main())
