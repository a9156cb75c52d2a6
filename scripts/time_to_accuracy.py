#!/usr/bin/env python3
"""Time to accuracy from `examples/run compare` runs: one Markdown table over several output directories.

Each directory holds the epochs.csv of a compare run (columns schedule, epoch, test_accuracy, seconds,
train_seconds, ...). Runs of the constant schedule at different --lr form the grid of constant rates; they are
told apart by the learning rate in their epochs.csv. For every run the table gives the first epoch whose test
accuracy reaches --target, the seconds until then (training and evaluation, as the run measured them), the
final and best test accuracy, and the median training seconds per epoch. The best constant rate is the one that
reaches the target first (ties and misses: the higher final accuracy); every other schedule is compared with it.
A constant rate trains the same whatever the budget, so one that misses the target in E epochs needs at least E + 1:
the table then gives an upper bound on the ratio.

Run:  /usr/bin/python3 scripts/time_to_accuracy.py --target 0.90 runs/tta/constant-0.01 runs/tta/schedules ...
"""
import argparse
import csv
import os
import statistics
import sys


def read_runs(directory):
    path = os.path.join(directory, "epochs.csv")
    if not os.path.exists(path):
        sys.exit("no epochs.csv in %s (is it the --out directory of a compare run?)" % directory)
    runs = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            runs.setdefault(row["schedule"], []).append(row)
    return runs


def summarise(name, rows, target):
    rows = sorted(rows, key=lambda r: int(r["epoch"]))
    reached = next((r for r in rows if float(r["test_accuracy"]) >= target), None)
    train_seconds = [float(r["train_seconds"]) for r in rows if r.get("train_seconds")]
    return {
        "name": name,
        "epochs": len(rows),
        "epochs_to_target": int(reached["epoch"]) if reached else None,
        "seconds_to_target": float(reached["seconds"]) if reached else None,
        "final": float(rows[-1]["test_accuracy"]),
        "best": max(float(r["test_accuracy"]) for r in rows),
        "train_seconds": statistics.median(train_seconds) if train_seconds else float("nan"),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--target", type=float, required=True, help="test accuracy to reach, in (0, 1]")
    p.add_argument("dirs", nargs="+", help="output directories of compare runs")
    args = p.parse_args()
    if not 0 < args.target <= 1:
        p.error("--target must be in (0, 1], got %s" % args.target)

    results = []
    for directory in args.dirs:
        for schedule, rows in read_runs(directory).items():
            name = schedule
            if schedule == "constant":
                name = "constant %g" % float(rows[0]["lr"])
            results.append(summarise(name, rows, args.target))
    budgets = {r["epochs"] for r in results}
    if len(budgets) != 1:
        sys.exit("the runs have different budgets (epochs: %s): compare like with like" % sorted(budgets))
    constants = [r for r in results if r["name"].startswith("constant")]
    if not constants:
        sys.exit("no constant-rate run among %s" % args.dirs)
    never = float("inf")
    best = min(constants, key=lambda r: (r["epochs_to_target"] or never, -r["final"]))

    print("Target test accuracy %.2f%%, budget %d epochs; best constant rate: %s" % (
        100 * args.target, budgets.pop(), best["name"]))
    print()
    print("| run | epochs to target | vs best constant | seconds to target | final test acc. | best test acc. |"
          " train s/epoch (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if r["epochs_to_target"] and best["epochs_to_target"]:
            ratio = "%.0f%%" % (100.0 * r["epochs_to_target"] / best["epochs_to_target"])
        elif r["epochs_to_target"]:
            # A constant rate's epochs do not depend on the budget: missing the target in E epochs means it needs
            # at least E + 1 (if it ever gets there).
            ratio = "<= %d/%d = %.0f%%" % (r["epochs_to_target"], r["epochs"] + 1,
                                             100.0 * r["epochs_to_target"] / (r["epochs"] + 1))
        else:
            ratio = "-"
        print("| %s%s | %s | %s | %s | %.2f%% | %.2f%% | %.1f |" % (
            r["name"], " (best constant)" if r is best else "",
            r["epochs_to_target"] or "not reached", ratio,
            "%.0f" % r["seconds_to_target"] if r["seconds_to_target"] else "-",
            100 * r["final"], 100 * r["best"], r["train_seconds"]))


if __name__ == "__main__":
    main()
