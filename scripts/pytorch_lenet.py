#!/usr/bin/env python3
"""PyTorch side of the side-by-side with `examples/run compare --model lenet`.

Mirrors, for the same arguments,

    examples/run compare --model lenet --data-dir /usr/share/datasets/fashion-mnist --epochs E --lr 0.05

Data      MNIST-format IDX files (raw or .gz), pixels / 255 as float32, channels first [n, 1, 28, 28]. The first
          --train-limit training images (0: all) are split: the last round(n * --val-fraction) are held out as the
          validation split, the rest is trained on (PreparedData); the first --test-limit test images are the test
          set. Mini-batches of --batch follow a permutation drawn anew every epoch; the last batch may be smaller
          (EpochIterator).
Model     LeNet-5-like (ModelKind.LENET): conv 5x5x20 (linear, Xavier), max-pool 2x2, conv 5x5x50 (linear, Xavier),
          max-pool 2x2, dense 500 (ReLU, He), dense 10 (softmax, Xavier); normal initialisations, biases 0.
Optimizer SGD with Nesterov momentum 0.9 under every schedule; every schedule peaks at --lr (ScheduleName). With
          T = epochs * batches per epoch iterations:
            constant   --lr throughout
            milestone  --lr, x0.1 at epochs round(0.5 E) and round(0.75 E) (MultiStepLR, stepped per epoch)
            warmcosine linear from 0 over min(B // 2, T - 1) iterations, then cosine to 0 at T (LambdaLR, per iteration)
            onecycle   OneCycleLR: --lr/25 up to --lr over 30% of T, cosine down to --lr/25/1e4; momentum 0.95 down to
                       0.85 and back (cycle_momentum, two phases)
            plateau    --lr, x--plateau-factor when the validation loss has not improved for --plateau-patience
                       epochs, down to --lr/1000 (ReduceLROnPlateau, stepped per epoch; needs --val-fraction > 0)
Measures  after every epoch (Trainer): the mean of the epoch's mini-batch losses, and cross-entropy (each example's
          loss capped at -log 1e-12) and accuracy on the validation split and the test set. The learning rate shown
          is the one applied at the epoch's last iteration. A run whose training loss becomes NaN stops there.

Not bit for bit: PyTorch draws the initial weights and the batch order from its own generators (torch.manual_seed
and a numpy Generator seeded by (seed, epoch)), not DL4J's, so the curves match DL4J's in distribution, not exactly.
PyTorch's Nesterov SGD also keeps its momentum buffer in gradient units and multiplies it by the current learning
rate, while DL4J's Nesterovs keeps a velocity that already holds the learning rates of past steps: the two are the
same under a constant learning rate, and differ for about 1 / (1 - 0.9) = 10 iterations after a sudden change
(milestone, plateau).

Output    one line per epoch on stdout; with --out FILE a CSV with columns
          framework,schedule,epoch,seconds_train,seconds_total,lr,train_loss,val_loss,val_accuracy,test_loss,test_accuracy
          where seconds_train is the epoch's training time alone (the seconds per epoch of the side-by-side) and
          seconds_total the wall time since the schedule's run began, evaluations included (the `seconds` column of
          the DL4J side's epochs.csv). val_loss and val_accuracy are empty without a validation split.

Requires  Debian python3-torch (1.13) and python3-numpy; run with /usr/bin/python3.
Example   /usr/bin/python3 scripts/pytorch_lenet.py --data-dir /usr/share/datasets/fashion-mnist \\
              --epochs 3 --schedules constant,onecycle --threads 2 --out pytorch-lenet.csv
"""
import argparse
import csv
import gzip
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SCHEDULES = ("constant", "milestone", "warmcosine", "onecycle", "plateau")
MOMENTUM = 0.9
CSV_COLUMNS = ("framework", "schedule", "epoch", "seconds_train", "seconds_total", "lr", "train_loss", "val_loss",
               "val_accuracy", "test_loss", "test_accuracy")
# Trainer.measure: -log(max(p, 1e-12)), i.e. each example's cross-entropy capped at this.
MAX_EXAMPLE_LOSS = -math.log(1e-12)

IDX_NAMES = {
    "train-images": "train-images-idx3-ubyte",
    "train-labels": "train-labels-idx1-ubyte",
    "test-images": "t10k-images-idx3-ubyte",
    "test-labels": "t10k-labels-idx1-ubyte",
}


def java_round(x):
    """Java's Math.round for x >= 0 (halves up; Python's round() rounds halves to even)."""
    return int(math.floor(x + 0.5))


# ---- data ------------------------------------------------------------------------------------------------------

def find_idx(data_dir, key):
    """The file for `key` in data_dir: the standard name or its dotted variant, raw or .gz (as MnistFiles)."""
    name = IDX_NAMES[key]
    dotted = name.replace("-idx", ".idx")
    for candidate in (name, name + ".gz", dotted, dotted + ".gz"):
        path = os.path.join(data_dir, candidate)
        if os.path.isfile(path):
            return path
    sys.exit("error: %s: no %s[.gz] (or %s[.gz])" % (data_dir, name, dotted))


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        sys.exit("error: %s is not an IDX file of unsigned bytes" % path)
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        sys.exit("error: %s: header says %s, file holds %d bytes of data" % (path, shape, body.size))
    return body.reshape(shape)


def load_split(data_dir, images_key, labels_key, limit):
    """The first `limit` (0: all) images as uint8 [n, rows, cols] and labels as uint8 [n]."""
    images = read_idx(find_idx(data_dir, images_key))
    labels = read_idx(find_idx(data_dir, labels_key))
    if len(images) != len(labels):
        sys.exit("error: %s: %d images but %d labels" % (data_dir, len(images), len(labels)))
    if labels.size and labels.max() > 9:
        sys.exit("error: %s: label %d is not a class 0-9" % (data_dir, labels.max()))
    if 0 < limit < len(images):
        images, labels = images[:limit], labels[:limit]
    return images, labels


def to_tensors(images, labels):
    """Pixels / 255 as float32 [n, 1, rows, cols] (channels first), labels as int64."""
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255.0)).unsqueeze(1).contiguous()
    return x, torch.from_numpy(labels.astype(np.int64))


def prepare(args):
    """(train, validation or None, test) as in PreparedData: the held-out split is the end of the limited set."""
    images, labels = load_split(args.data_dir, "train-images", "train-labels", args.train_limit)
    held = java_round(len(images) * args.val_fraction)
    cut = len(images) - held
    train = to_tensors(images[:cut], labels[:cut])
    validation = to_tensors(images[cut:], labels[cut:]) if held > 0 else None
    test = to_tensors(*load_split(args.data_dir, "test-images", "test-labels", args.test_limit))
    return train, validation, test


# ---- model -----------------------------------------------------------------------------------------------------

class LeNet(nn.Module):
    """ModelKind.LENET: linear convolutions (as in DL4J's MNIST example), ReLU only on the dense layer."""

    def __init__(self, rows=28, columns=28, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        side = lambda n: ((n - 4) // 2 - 4) // 2
        self.dense = nn.Linear(50 * side(rows) * side(columns), 500)
        self.out = nn.Linear(500, classes)
        # DL4J XAVIER: N(0, 2 / (fanIn + fanOut)); RELU: N(0, 2 / fanIn); biases 0. The fans agree with PyTorch's.
        for layer in (self.conv1, self.conv2, self.out):
            nn.init.xavier_normal_(layer.weight)
        nn.init.kaiming_normal_(self.dense.weight, mode="fan_in", nonlinearity="relu")
        for layer in (self.conv1, self.conv2, self.dense, self.out):
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        x = F.relu(self.dense(x.flatten(1)))
        return self.out(x)  # logits; the softmax is in the loss


def measure(model, data, batch):
    """(mean capped cross-entropy, accuracy) over `data`; NaN outputs count as wrong and make the loss NaN."""
    if data is None:
        return float("nan"), float("nan")
    x, y = data
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            labels = y[i:i + batch]
            losses = F.cross_entropy(logits, labels, reduction="none").clamp(max=MAX_EXAMPLE_LOSS)
            loss_sum += losses.double().sum().item()
            finite = torch.isfinite(logits).all(dim=1)
            correct += ((logits.argmax(dim=1) == labels) & finite).sum().item()
    model.train()
    return loss_sum / len(x), correct / len(x)


# ---- schedules -------------------------------------------------------------------------------------------------

class Schedule:
    """An LR scheduler with when it steps: after every iteration, after every epoch, or on the validation loss."""

    def __init__(self, scheduler=None, per_iteration=False, on_validation_loss=False):
        self.scheduler = scheduler
        self.per_iteration = per_iteration
        self.on_validation_loss = on_validation_loss

    def after_iteration(self):
        if self.scheduler is not None and self.per_iteration:
            self.scheduler.step()

    def after_epoch(self, val_loss):
        if self.scheduler is None or self.per_iteration:
            return
        if self.on_validation_loss:
            self.scheduler.step(val_loss)
        else:
            self.scheduler.step()


def schedule_problem(name, args, batches, has_validation):
    """Why `name` cannot run with these settings (as ScheduleName.setup refuses), or None."""
    total = args.epochs * batches
    if name == "onecycle" and not 0.3 * total - 1 > 0:
        return ("onecycle cannot fit a run of %d iterations: pctStart (0.3) * totalSteps (%d) must be > 1 so that the "
                "rising phase has at least one step; train longer (--epochs) or with smaller batches (--batch)"
                % (total, total))
    if name == "plateau" and not has_validation:
        return "plateau needs a held-out split to monitor: use a --val-fraction > 0"
    return None


def make_schedule(name, optimizer, args, batches):
    lr = args.lr
    total = args.epochs * batches
    sched = torch.optim.lr_scheduler
    if name == "constant":
        return Schedule()
    if name == "milestone":
        milestones = [java_round(f * args.epochs) for f in (0.5, 0.75)]  # may repeat: counts twice, as in Java
        return Schedule(sched.MultiStepLR(optimizer, milestones=milestones, gamma=0.1))
    if name == "warmcosine":
        warmup = min(batches // 2, total - 1)

        def factor(k):
            if k < warmup:
                return k / warmup
            return 0.5 * (1 + math.cos(math.pi * min(k - warmup, total - warmup) / (total - warmup)))

        return Schedule(sched.LambdaLR(optimizer, factor), per_iteration=True)
    if name == "onecycle":
        return Schedule(sched.OneCycleLR(
            optimizer, max_lr=lr, total_steps=total, pct_start=0.3, anneal_strategy="cos", cycle_momentum=True,
            base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False),
            per_iteration=True)
    if name == "plateau":
        return Schedule(sched.ReduceLROnPlateau(
            optimizer, mode="min", factor=args.plateau_factor, patience=args.plateau_patience, threshold=1e-4,
            threshold_mode="rel", cooldown=0, min_lr=lr / 1000, eps=1e-8), on_validation_loss=True)
    raise ValueError(name)


# ---- training --------------------------------------------------------------------------------------------------

def run(name, args, train, validation, test):
    """Trains a fresh LeNet under schedule `name`; returns one row (a dict of CSV_COLUMNS) per epoch."""
    start = time.perf_counter()
    torch.manual_seed(args.seed)  # same initial weights for every schedule
    model = LeNet(rows=train[0].shape[2], columns=train[0].shape[3])
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=MOMENTUM, nesterov=True)
    x, y = train
    n = len(x)
    batches = (n + args.batch - 1) // args.batch
    schedule = make_schedule(name, optimizer, args, batches)
    eval_batch = max(args.batch, 500)
    rows = []
    for epoch in range(args.epochs):
        epoch_start = time.perf_counter()
        # Same batches in the same order for every schedule; epoch e's order does not depend on earlier epochs.
        order = torch.from_numpy(np.random.default_rng([args.seed % 2 ** 64, epoch]).permutation(n))
        losses = []
        for b in range(batches):
            idx = order[b * args.batch:(b + 1) * args.batch]
            lr = optimizer.param_groups[0]["lr"]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            schedule.after_iteration()
        seconds_train = time.perf_counter() - epoch_start
        train_loss = sum(losses) / len(losses)
        val_loss, val_accuracy = measure(model, validation, eval_batch)
        test_loss, test_accuracy = measure(model, test, eval_batch)
        schedule.after_epoch(val_loss)
        row = dict(framework="pytorch", schedule=name, epoch=epoch + 1, seconds_train=seconds_train,
                   seconds_total=time.perf_counter() - start, lr=lr, train_loss=train_loss, val_loss=val_loss,
                   val_accuracy=val_accuracy, test_loss=test_loss, test_accuracy=test_accuracy)
        rows.append(row)
        print("pytorch %-10s epoch %*d/%d  train %7.2fs  total %7.2fs  lr %.4g  train_loss %.4f  val %s  test %.4f "
              "loss / %.4f acc" % (name, len(str(args.epochs)), epoch + 1, args.epochs, seconds_train,
                                   row["seconds_total"], lr, train_loss,
                                   "-" if validation is None else "%.4f loss / %.4f acc" % (val_loss, val_accuracy),
                                   test_loss, test_accuracy), flush=True)
        if not math.isfinite(train_loss):
            print("pytorch %s: training loss is %s after epoch %d; stopping this schedule" % (name, train_loss,
                                                                                               epoch + 1), flush=True)
            break
    return rows


def write_csv(path, rows):
    def cell(column, value):
        if isinstance(value, float):
            if math.isnan(value) and column.startswith("val_"):
                return ""  # no validation split (the DL4J side's epochs.csv leaves these empty too)
            return repr(value)
        return value

    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(CSV_COLUMNS)
        for row in rows:
            out.writerow([cell(c, row[c]) for c in CSV_COLUMNS])
    os.replace(tmp, path)


# ---- command line ----------------------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, metavar="DIR",
                   help="MNIST-format directory (train-images-idx3-ubyte[.gz], ...), e.g. "
                        "/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int, default=15, metavar="N", help="training epochs (default: %(default)s)")
    p.add_argument("--batch", type=int, default=64, metavar="N", help="mini-batch size (default: %(default)s)")
    p.add_argument("--lr", type=float, default=0.05, metavar="X",
                   help="peak learning rate of every schedule (default: %(default)s, the DL4J side's for lenet)")
    p.add_argument("--schedules", default="constant,onecycle", metavar="NAMES",
                   help="comma-separated, from: %s (default: %%(default)s)" % ", ".join(SCHEDULES))
    p.add_argument("--val-fraction", type=float, default=0.1, metavar="F",
                   help="fraction of the (limited) training images held out at their end, in [0, 0.5] "
                        "(default: %(default)s)")
    p.add_argument("--train-limit", type=int, default=0, metavar="N",
                   help="use only the first N training images, before the split (0: all; default: %(default)s)")
    p.add_argument("--test-limit", type=int, default=0, metavar="N",
                   help="use only the first N test images (0: all; default: %(default)s)")
    p.add_argument("--plateau-factor", type=float, default=0.1, metavar="F",
                   help="plateau: factor of each reduction, in (0, 1) (default: %(default)s)")
    p.add_argument("--plateau-patience", type=int, default=2, metavar="N",
                   help="plateau: epochs without improvement before a reduction (default: %(default)s)")
    p.add_argument("--seed", type=int, default=42, metavar="N",
                   help="seed of the initial weights and the batch order (default: %(default)s)")
    p.add_argument("--threads", type=int, default=2, metavar="N",
                   help="torch.set_num_threads (default: %(default)s)")
    p.add_argument("--out", metavar="FILE", help="write the per-epoch CSV here (replaced if it exists)")
    args = p.parse_args(argv)

    def check(ok, option, value, rule):
        if not ok:
            p.error("argument %s: %s %s" % (option, value, rule))

    check(args.epochs >= 1, "--epochs", args.epochs, "must be >= 1")
    check(args.batch >= 1, "--batch", args.batch, "must be >= 1")
    check(args.lr > 0 and math.isfinite(args.lr), "--lr", args.lr, "must be > 0 and finite")
    check(0 <= args.val_fraction <= 0.5, "--val-fraction", args.val_fraction, "must be in [0, 0.5]")
    check(args.train_limit >= 0, "--train-limit", args.train_limit, "must be >= 0 (0: all)")
    check(args.test_limit >= 0, "--test-limit", args.test_limit, "must be >= 0 (0: all)")
    check(0 < args.plateau_factor < 1, "--plateau-factor", args.plateau_factor, "must be in (0, 1)")
    check(args.plateau_patience >= 0, "--plateau-patience", args.plateau_patience, "must be >= 0")
    check(args.threads >= 1, "--threads", args.threads, "must be >= 1")
    check(-2 ** 63 <= args.seed < 2 ** 63, "--seed", args.seed, "must fit in a signed 64-bit integer")
    check(os.path.isdir(args.data_dir), "--data-dir", args.data_dir, "is not a directory")
    if args.out is not None:
        parent = os.path.dirname(os.path.abspath(args.out))
        check(os.path.isdir(parent), "--out", args.out, "is in a directory that does not exist")

    names = [s.strip().lower() for s in args.schedules.split(",")]
    for s in names:
        check(s in SCHEDULES, "--schedules", repr(s), "is not a schedule; valid schedules: " + ", ".join(SCHEDULES))
    for i, s in enumerate(names):
        check(s not in names[:i], "--schedules", repr(s), "is listed twice")
    args.schedule_names = names
    return p, args


def main(argv=None):
    parser, args = parse_args(argv)
    torch.set_num_threads(args.threads)
    train, validation, test = prepare(args)
    n_train = len(train[0])
    n_val = 0 if validation is None else len(validation[0])
    if n_train == 0:
        parser.error("no training images left after holding out %d for validation" % n_val)
    batches = (n_train + args.batch - 1) // args.batch
    # Like Trainer.check: refuse a schedule that cannot run before any other has trained.
    for name in args.schedule_names:
        problem = schedule_problem(name, args, batches, validation is not None)
        if problem:
            parser.error("argument --schedules: " + problem)
    print("pytorch %s, %d threads; %d training / %d held-out / %d test images; %d epochs x %d batches of %d; "
          "Nesterov momentum 0.9; peak lr %g; seed %d"
          % (torch.__version__, torch.get_num_threads(), n_train, n_val, len(test[0]), args.epochs, batches,
             args.batch, args.lr, args.seed), flush=True)
    rows = []
    for name in args.schedule_names:
        rows += run(name, args, train, validation, test)
        if args.out:
            write_csv(args.out, rows)  # after every schedule, so that an interrupted run keeps what finished
    if args.out:
        print("wrote %s (%d rows)" % (args.out, len(rows)), flush=True)


if __name__ == "__main__":
    main()
