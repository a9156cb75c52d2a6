#!/usr/bin/env python3
"""The examples' LeNet, schedules and data in PyTorch, for a side-by-side with `examples/run compare`.

Trains the same network as `examples/run compare --model lenet` (conv 5x5x20, max-pool 2x2, conv 5x5x50,
max-pool 2x2, dense 500 ReLU, softmax; Xavier for the convolutions and the output, He for the dense layer),
with SGD + Nesterov momentum 0.9 and the same schedules (constant, onecycle) on MNIST-format IDX files, and
prints seconds per epoch and test accuracy after each epoch.

Requires: Debian python3-torch (1.13) and python3-numpy.
Run:      /usr/bin/python3 scripts/pytorch_lenet.py --data-dir /usr/share/datasets/fashion-mnist \
              --epochs 3 --batch 64 --lr 0.01 --schedules constant,onecycle --threads 2
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NAMES = {
    "train-images": ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
    "train-labels": ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
    "test-images": ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
    "test-labels": ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"],
}


def find(data_dir, key):
    for name in NAMES[key]:
        for candidate in (name, name + ".gz"):
            path = os.path.join(data_dir, candidate)
            if os.path.exists(path):
                return path
    sys.exit("missing %s in %s (expected one of %s, optionally .gz)" % (key, data_dir, NAMES[key]))


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(data_dir, key_images, key_labels, limit):
    x = read_idx(find(data_dir, key_images))
    y = read_idx(find(data_dir, key_labels))
    if limit:
        x, y = x[:limit], y[:limit]
    return torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1), torch.from_numpy(y.astype(np.int64))


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.dense = nn.Linear(800, 500)
        self.out = nn.Linear(500, 10)
        for layer in (self.conv1, self.conv2, self.out):
            nn.init.xavier_normal_(layer.weight)
            nn.init.zeros_(layer.bias)
        nn.init.kaiming_normal_(self.dense.weight, nonlinearity="relu")
        nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        x = F.relu(self.dense(x.flatten(1)))
        return self.out(x)


def accuracy(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    model.train()
    return correct / len(x)


def run(schedule, args, train, test):
    torch.manual_seed(args.seed)
    model = LeNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    batches = (len(train[0]) + args.batch - 1) // args.batch
    scheduler = None
    if schedule == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=args.lr, total_steps=args.epochs * batches, pct_start=0.3, anneal_strategy="cos",
            cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=1e4)
    elif schedule != "constant":
        sys.exit("--schedules: unknown schedule %r (valid: constant, onecycle)" % schedule)
    g = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        order = torch.randperm(len(train[0]), generator=g)
        start = time.perf_counter()
        for b in range(batches):
            idx = order[b * args.batch:(b + 1) * args.batch]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(train[0][idx]), train[1][idx])
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        seconds = time.perf_counter() - start
        acc = accuracy(model, *test)
        print(json.dumps({"framework": "pytorch", "schedule": schedule, "epoch": epoch + 1,
                          "seconds": round(seconds, 2), "examples_per_second": round(len(train[0]) / seconds, 1),
                          "test_accuracy": round(acc, 4)}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--schedules", default="constant,onecycle")
    p.add_argument("--train-limit", type=int, default=0)
    p.add_argument("--test-limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    if args.epochs < 1 or args.batch < 1 or not args.lr > 0:
        sys.exit("--epochs and --batch must be >= 1 and --lr > 0 (got %d, %d, %g)" % (args.epochs, args.batch, args.lr))
    torch.set_num_threads(args.threads)
    train = load(args.data_dir, "train-images", "train-labels", args.train_limit)
    test = load(args.data_dir, "test-images", "test-labels", args.test_limit)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "train": len(train[0]),
                      "test": len(test[0])}), flush=True)
    for schedule in args.schedules.split(","):
        run(schedule.strip(), args, train, test)


if __name__ == "__main__":
    main()
