#!/usr/bin/python3
"""Generate golden reference values for the learning-rate schedules from real PyTorch.

What it generates
-----------------
CSV files in src/test/resources/io/github/lrschedules/golden/ (relative to the
repository root, which is located from this script's own path), one per case,
plus golden/VERSION holding the torch version that produced them. Every float is
written with repr(), i.e. the shortest string that round-trips to the exact
IEEE-754 double PyTorch computed, so Java tests can compare with Double.parseDouble
and (where appropriate) exact equality.

Step-based schedulers (columns step,lr[,momentum]): the row for step k is the
value in optimizer.param_groups[0] after exactly k calls to scheduler.step()
(k = 0 is the value before any step). Each scheduler.step() is preceded by an
optimizer.step() (the order PyTorch recommends; the parameter has no gradient,
so the optimizer step does nothing to it).

ReduceLROnPlateau (columns epoch,metric,lr): for each epoch the metric is fed to
scheduler.step(metric) and lr is param_groups[0]['lr'] afterwards, i.e. the
learning rate for the next epoch. The metric sequences are fixed, hand-written
lists below.

LambdaLR cases (warmup-stable-decay with a 1-sqrt cool-down, inverse square
root) use Hugging Face transformers' lambdas, copied into this script (transformers
itself is not needed).

All values are Python floats (float64); nothing goes through torch tensors.
The optimizer is always
    torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE, momentum=0.9)
(momentum only matters for OneCycleLR's momentum cycling).

The script also prints, for the cosine schedules, the max relative difference
between the chainable (recursive) values PyTorch produces and the closed form.

Requires: Debian python3-torch (1.13)
Run (from anywhere, no arguments; deterministic):
    /usr/bin/python3 scripts/pytorch_reference.py
"""

import bisect
import functools
import math
import os
import warnings

warnings.simplefilter("ignore")

import torch  # noqa: E402
from torch.optim import lr_scheduler as lrs  # noqa: E402

warnings.simplefilter("ignore")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github",
                       "lrschedules", "golden")


def fmt(x):
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return repr(float(x))


def write_csv(name, header, rows):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(fmt(v) for v in row) + "\n")
    print("wrote %-34s %4d rows" % (name, len(rows)))


def make_optimizer(base_lr):
    param = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([param], lr=base_lr, momentum=0.9)


def run_steps(opt, sched, n_rows, momentum=False, closed_form=None):
    """Rows for k = 0 .. n_rows-1. closed_form, if given, is a list that gets
    (k, chainable_lr, closed_form_lr) appended for every k."""
    rows = []
    for k in range(n_rows):
        if k > 0:
            opt.step()
            sched.step()
        g = opt.param_groups[0]
        lr = g["lr"]
        assert isinstance(lr, float), type(lr)
        if closed_form is not None:
            closed_form.append((k, lr, closed_form_value(sched)))
        if momentum:
            rows.append((k, lr, g["momentum"]))
        else:
            rows.append((k, lr))
    return rows


def closed_form_value(sched):
    if hasattr(sched, "_get_closed_form_lr"):
        return sched._get_closed_form_lr()[0]
    if isinstance(sched, lrs.CosineAnnealingWarmRestarts):
        # PyTorch 1.13 has no _get_closed_form_lr for this class; its get_lr() is
        # already the closed form in (T_cur, T_i). Recompute T_cur / T_i from the
        # epoch count alone (no incremental state) and apply the documented formula.
        e, t0, m = sched.last_epoch, sched.T_0, sched.T_mult
        if m == 1:
            t_cur, t_i = e % t0, t0
        else:
            start, t_i = 0, t0
            while e >= start + t_i:
                start += t_i
                t_i *= m
            t_cur = e - start
        base = sched.base_lrs[0]
        return sched.eta_min + (base - sched.eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2
    raise ValueError("no closed form for %s" % type(sched).__name__)


def max_rel_diff(pairs):
    worst, worst_k = 0.0, None
    for k, a, b in pairs:
        denom = max(abs(a), abs(b))
        d = 0.0 if denom == 0 else abs(a - b) / denom
        if d > worst:
            worst, worst_k = d, k
    return worst, worst_k


README_ROWS = []


def record(name, call, rows):
    README_ROWS.append((name, call, len(rows)))


# --------------------------------------------------------------------------- step-based

def gen_step_cases():
    closed_form_reports = []

    # MultiStepLR
    opt = make_optimizer(0.1)
    s = lrs.MultiStepLR(opt, milestones=[60, 90], gamma=0.1)
    rows = run_steps(opt, s, 120)
    write_csv("multistep.csv", ["step", "lr"], rows)
    record("multistep.csv", "`MultiStepLR(SGD(lr=0.1), milestones=[60, 90], gamma=0.1)`", rows)

    opt = make_optimizer(1.0)
    s = lrs.MultiStepLR(opt, milestones=[3, 3, 7], gamma=0.5)
    rows = run_steps(opt, s, 12)
    write_csv("multistep_repeated.csv", ["step", "lr"], rows)
    record("multistep_repeated.csv", "`MultiStepLR(SGD(lr=1.0), milestones=[3, 3, 7], gamma=0.5)`", rows)

    # LinearLR
    opt = make_optimizer(0.1)
    s = lrs.LinearLR(opt, start_factor=1.0, end_factor=0.3, total_iters=7)
    rows = run_steps(opt, s, 12)
    write_csv("linear_decay.csv", ["step", "lr"], rows)
    record("linear_decay.csv", "`LinearLR(SGD(lr=0.1), start_factor=1.0, end_factor=0.3, total_iters=7)`", rows)

    opt = make_optimizer(0.05)
    s = lrs.LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=5)
    rows = run_steps(opt, s, 10)
    write_csv("linear_warmup.csv", ["step", "lr"], rows)
    record("linear_warmup.csv", "`LinearLR(SGD(lr=0.05), start_factor=0.25, end_factor=1.0, total_iters=5)`", rows)

    # CosineAnnealingLR
    opt = make_optimizer(0.1)
    s = lrs.CosineAnnealingLR(opt, T_max=50, eta_min=0.001)
    cf = []
    rows = run_steps(opt, s, 51, closed_form=cf)
    write_csv("cosine.csv", ["step", "lr"], rows)
    record("cosine.csv", "`CosineAnnealingLR(SGD(lr=0.1), T_max=50, eta_min=0.001)`", rows)
    closed_form_reports.append(("cosine.csv (CosineAnnealingLR._get_closed_form_lr)", cf))

    # SequentialLR: linear warmup then cosine
    opt = make_optimizer(0.1)
    warm = lrs.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=5)
    cos = lrs.CosineAnnealingLR(opt, T_max=25, eta_min=0.001)
    s = lrs.SequentialLR(opt, schedulers=[warm, cos], milestones=[5])
    rows = []
    cf = []
    for k in range(31):
        if k > 0:
            opt.step()
            s.step()
        lr = opt.param_groups[0]["lr"]
        rows.append((k, lr))
        if k >= 5:
            cf.append((k, lr, cos._get_closed_form_lr()[0]))
    write_csv("warmup_cosine.csv", ["step", "lr"], rows)
    record("warmup_cosine.csv",
           "`SequentialLR(SGD(lr=0.1), [LinearLR(start_factor=0.1, end_factor=1.0, total_iters=5), "
           "CosineAnnealingLR(T_max=25, eta_min=0.001)], milestones=[5])`", rows)
    closed_form_reports.append(("warmup_cosine.csv k>=5 (inner CosineAnnealingLR closed form)", cf))

    # CosineAnnealingWarmRestarts
    opt = make_optimizer(0.1)
    s = lrs.CosineAnnealingWarmRestarts(opt, T_0=10, T_mult=2, eta_min=0.001)
    cf = []
    rows = run_steps(opt, s, 80, closed_form=cf)
    write_csv("cosine_restarts_mult2.csv", ["step", "lr"], rows)
    record("cosine_restarts_mult2.csv",
           "`CosineAnnealingWarmRestarts(SGD(lr=0.1), T_0=10, T_mult=2, eta_min=0.001)`", rows)
    closed_form_reports.append(("cosine_restarts_mult2.csv (formula recomputed from k)", cf))

    opt = make_optimizer(0.1)
    s = lrs.CosineAnnealingWarmRestarts(opt, T_0=7, T_mult=1, eta_min=0.0)
    cf = []
    rows = run_steps(opt, s, 30, closed_form=cf)
    write_csv("cosine_restarts_mult1.csv", ["step", "lr"], rows)
    record("cosine_restarts_mult1.csv",
           "`CosineAnnealingWarmRestarts(SGD(lr=0.1), T_0=7, T_mult=1, eta_min=0.0)`", rows)
    closed_form_reports.append(("cosine_restarts_mult1.csv (formula recomputed from k)", cf))

    # OneCycleLR
    onecycle = [
        ("onecycle_cos.csv", "cos", False, 100, 0.3),
        ("onecycle_linear.csv", "linear", False, 100, 0.3),
        ("onecycle_cos_three_phase.csv", "cos", True, 100, 0.3),
        ("onecycle_linear_three_phase.csv", "linear", True, 50, 0.25),
    ]
    for name, strategy, three, total, pct in onecycle:
        opt = make_optimizer(0.1)
        s = lrs.OneCycleLR(opt, max_lr=0.1, total_steps=total, pct_start=pct,
                           anneal_strategy=strategy, cycle_momentum=True,
                           base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
                           final_div_factor=1e4, three_phase=three)
        rows = run_steps(opt, s, total, momentum=True)
        write_csv(name, ["step", "lr", "momentum"], rows)
        record(name,
               "`OneCycleLR(SGD(lr=0.1, momentum=0.9), max_lr=0.1, total_steps=%d, pct_start=%r, "
               "anneal_strategy='%s', cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, "
               "div_factor=25.0, final_div_factor=1e4, three_phase=%s)`" % (total, pct, strategy, three),
               rows)

    # CyclicLR
    cyclic = [
        ("cyclic_triangular.csv", "triangular", {}),
        ("cyclic_triangular2.csv", "triangular2", {}),
        ("cyclic_exp_range.csv", "exp_range", {"gamma": 0.9}),
    ]
    for name, mode, extra in cyclic:
        opt = make_optimizer(0.001)
        s = lrs.CyclicLR(opt, base_lr=0.001, max_lr=0.1, step_size_up=5, step_size_down=3,
                         mode=mode, cycle_momentum=False, **extra)
        rows = run_steps(opt, s, 40)
        write_csv(name, ["step", "lr"], rows)
        extra_s = "".join(", %s=%r" % kv for kv in extra.items())
        record(name,
               "`CyclicLR(SGD(lr=0.001), base_lr=0.001, max_lr=0.1, step_size_up=5, step_size_down=3, "
               "mode='%s'%s, cycle_momentum=False)`" % (mode, extra_s), rows)

    return closed_form_reports


# --------------------------------------------------------------------------- current practice

# Hugging Face transformers' lambdas (transformers/optimization.py), copied with
# only the branches used here: get_wsd_schedule (linear warmup from min_lr_ratio,
# decay_type="1-sqrt") and get_inverse_sqrt_schedule.
def hf_wsd_lambda(current_step, *, num_warmup_steps, num_stable_steps, num_decay_steps, min_lr_ratio):
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        factor = progress
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0
    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


def hf_inverse_sqrt_lambda(current_step, *, num_warmup_steps, timescale):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


def gen_current_practice_cases():
    # Warmup-stable-decay: peak 0.1, 5 warmup steps from 0.01, stable until 30,
    # cool-down over 10 steps to 0.001 at 40; rows to 55 (past the end).
    peak, warmup, total, decay, low, start = 0.1, 5, 40, 10, 0.001, 0.01
    wsd_desc = ("`SequentialLR(SGD(lr=0.1), [LinearLR(start_factor=0.1, end_factor=1.0, total_iters=5), "
                "ConstantLR(factor=1.0, total_iters=25), %s], milestones=[5, 30%s])`")

    opt = make_optimizer(peak)
    s = lrs.SequentialLR(opt, schedulers=[
        lrs.LinearLR(opt, start_factor=start / peak, end_factor=1.0, total_iters=warmup),
        lrs.ConstantLR(opt, factor=1.0, total_iters=total - decay - warmup),
        lrs.LinearLR(opt, start_factor=1.0, end_factor=low / peak, total_iters=decay),
    ], milestones=[warmup, total - decay])
    rows = run_steps(opt, s, 56)
    write_csv("wsd_linear.csv", ["step", "lr"], rows)
    record("wsd_linear.csv", wsd_desc % ("LinearLR(start_factor=1.0, end_factor=0.01, total_iters=10)", ""), rows)

    # CosineAnnealingLR swings back up after T_max; a ConstantLR from step 40 holds
    # eta_min there, as the Java schedule does.
    opt = make_optimizer(peak)
    s = lrs.SequentialLR(opt, schedulers=[
        lrs.LinearLR(opt, start_factor=start / peak, end_factor=1.0, total_iters=warmup),
        lrs.ConstantLR(opt, factor=1.0, total_iters=total - decay - warmup),
        lrs.CosineAnnealingLR(opt, T_max=decay, eta_min=low),
        lrs.ConstantLR(opt, factor=low / peak, total_iters=10 ** 9),
    ], milestones=[warmup, total - decay, total])
    rows = run_steps(opt, s, 56)
    write_csv("wsd_cosine.csv", ["step", "lr"], rows)
    record("wsd_cosine.csv", wsd_desc % ("CosineAnnealingLR(T_max=10, eta_min=0.001), "
                                          "ConstantLR(factor=0.01, total_iters=10**9)", ", 40"), rows)

    # 1-sqrt cool-down: Hugging Face's get_wsd_schedule lambda (its warmup starts at
    # min_lr_ratio * lr, so warmupStartValue = minValue here).
    opt = make_optimizer(peak)
    s = lrs.LambdaLR(opt, functools.partial(hf_wsd_lambda, num_warmup_steps=warmup,
                                            num_stable_steps=total - decay - warmup,
                                            num_decay_steps=decay, min_lr_ratio=low / peak))
    rows = run_steps(opt, s, 56)
    write_csv("wsd_one_minus_sqrt.csv", ["step", "lr"], rows)
    record("wsd_one_minus_sqrt.csv",
           "`LambdaLR(SGD(lr=0.1), hf_wsd_lambda(num_warmup_steps=5, num_stable_steps=25, num_decay_steps=10, "
           "min_lr_ratio=0.01))`: Hugging Face's `get_wsd_schedule(decay_type='1-sqrt')`", rows)

    # Inverse square root: the Transformer's rule (timescale = warmup) and a longer timescale.
    for name, w, ts in [("inverse_sqrt.csv", 10, 10), ("inverse_sqrt_timescale.csv", 8, 20)]:
        opt = make_optimizer(peak)
        s = lrs.LambdaLR(opt, functools.partial(hf_inverse_sqrt_lambda, num_warmup_steps=w, timescale=ts))
        rows = run_steps(opt, s, 80)
        write_csv(name, ["step", "lr"], rows)
        record(name, "`LambdaLR(SGD(lr=0.1), hf_inverse_sqrt_lambda(num_warmup_steps=%d, timescale=%d))`: "
                     "Hugging Face's `get_inverse_sqrt_schedule`" % (w, ts), rows)

    # Piecewise constant: values[number of boundaries <= k], from bisect_right.
    boundaries, values = [3, 10, 25], [0.1, 0.05, 0.01, 0.001]
    opt = make_optimizer(1.0)
    s = lrs.LambdaLR(opt, lambda k: values[bisect.bisect_right(boundaries, k)])
    rows = run_steps(opt, s, 36)
    write_csv("piecewise_constant.csv", ["step", "lr"], rows)
    record("piecewise_constant.csv",
           "`LambdaLR(SGD(lr=1.0), lambda k: [0.1, 0.05, 0.01, 0.001][bisect_right([3, 10, 25], k)])`", rows)


# --------------------------------------------------------------------------- plateau

# mode='min', rel threshold 1e-2 (improvement needs metric < best*0.99), patience 2,
# cooldown 1, factor 0.5, min_lr 0.02: 1 -> .5 -> .25 -> .125 -> .0625 -> .03125 -> .02 (clamped)
PLATEAU_MIN_REL = [
    1.0, 0.8, 0.7,          # improvements
    0.695, 0.694, 0.72,     # 0.695/0.694 are < best but not by 1% -> bad; 3rd bad -> reduce
    0.60, 0.55,             # improves during cooldown, then improves again
    0.549, 0.548, 0.547,    # tiny improvements below the threshold -> reduce
    0.56, 0.56, 0.56, 0.56,  # worse during cooldown (ignored), then 3 bad -> reduce
    0.50, 0.50, 0.50, 0.499,  # improvement in cooldown, then plateau -> reduce
    0.45, 0.46, 0.46, 0.46,  # improvement in cooldown, then plateau -> reduce
    0.46, 0.46, 0.46, 0.46,  # cooldown, 3 bad -> reduce to min_lr 0.02 (clamped)
    0.46, 0.46, 0.46, 0.46,  # cooldown, 3 bad -> would reduce, but already at min_lr
    0.30, 0.31, 0.32, 0.33,  # improvement, then 3 bad -> still min_lr
]

# mode='max', abs threshold 0.05 (improvement needs metric > best + 0.05), patience 1,
# cooldown 0, factor 0.1, min_lr 0.
PLATEAU_MAX_ABS = [
    0.10, 0.30, 0.50,       # large improvements
    0.54, 0.549,            # small improvements below threshold -> 2 bad -> reduce
    0.60,                   # improvement (> 0.55)
    0.64,                   # small improvement, bad 1
    0.66,                   # improvement (> 0.65) resets the bad count
    0.70, 0.705,            # 2 bad -> reduce
    0.72,                   # > 0.71: improvement
    0.40,                   # big drop: bad 1
    0.80,                   # big jump: improvement
    0.81, 0.82, 0.83, 0.84,  # creeping up by 0.01: bad, bad -> reduce, bad, bad -> reduce
    0.90,                   # improvement
    0.91, 0.92,             # 2 bad -> reduce
    0.93, 0.94,             # 2 bad -> reduce
    0.96,                   # > 0.95: improvement
    0.96, 0.96, 0.96,       # bad, bad -> reduce, bad
    0.97, 0.98,             # still within threshold -> bad -> reduce (to ~1e-8), bad
    0.99,                   # bad -> would reduce to ~1e-9, but old - new ~ 9e-9 <= eps -> no change
    0.995,                  # bad
]

# mode='min', rel threshold 1e-4, patience 0, cooldown 0, factor 0.5, min_lr 0, eps 0.1:
# every bad epoch reduces until old - new <= eps (0.125 -> 0.0625 is skipped).
PLATEAU_EPS = [
    1.0, 0.9,               # improvements
    0.9,                    # equal -> bad -> 0.5
    0.8,                    # improvement
    0.79995,                # needs < 0.79992 -> bad -> 0.25
    0.7,                    # improvement
    0.75,                   # bad -> 0.125
    0.76,                   # bad -> 0.0625 would differ by 0.0625 <= eps -> stays 0.125
    0.6, 0.5,               # improvements
    0.5, 0.55, 0.499999,    # bad, bad, bad (0.499999 not < 0.5 * 0.9999)
    0.4, 0.4, 0.3, 0.3,     # alternating improvement / bad
    0.2, 0.25, 0.25, 0.1,
    0.1, 0.1, 0.05, 0.06,
    0.04, 0.04,
]

# mode='min', abs threshold 0 (strictly lower is better, equal is bad), patience 0,
# cooldown 2, factor 0.3, min_lr 0.001, start lr 0.1:
# 0.1 -> 0.03 -> 0.009 -> 0.0027 -> 0.001 (clamped; 0.00081 < min_lr)
PLATEAU_MIN_ABS_P0 = [
    5.0, 4.0,               # improvements
    4.0,                    # equal -> bad -> reduce (patience 0)
    4.5, 4.6,               # worse, but in cooldown (2 epochs) -> ignored
    4.6,                    # bad -> reduce
    3.0, 2.9,               # improvements during cooldown
    2.9,                    # equal -> bad -> reduce
    2.95, 2.95,             # cooldown
    2.8, 2.7,               # improvements
    2.7,                    # bad -> reduce, clamped to min_lr 0.001
    2.6, 2.5,               # improvements during cooldown
    2.5,                    # bad -> at min_lr, no change
    2.49, 2.48, 2.48,       # improve, improve, bad (no change)
    2.0, 1.99999, 2.1,      # strictly smaller counts as improvement with threshold 0
    2.2, 1.0, 1.0, 0.5, 0.5,
]


def gen_plateau(name, metrics, start_lr, desc, **kw):
    opt = make_optimizer(start_lr)
    s = lrs.ReduceLROnPlateau(opt, **kw)
    rows = []
    for e, m in enumerate(metrics):
        s.step(m)
        rows.append((e, float(m), opt.param_groups[0]["lr"]))
    write_csv(name, ["epoch", "metric", "lr"], rows)
    record(name, desc, rows)
    return rows


def gen_plateau_cases():
    gen_plateau("plateau_min_rel.csv", PLATEAU_MIN_REL, 1.0,
                "`ReduceLROnPlateau(SGD(lr=1.0), mode='min', factor=0.5, patience=2, threshold=1e-2, "
                "threshold_mode='rel', cooldown=1, min_lr=0.02, eps=1e-8)`",
                mode="min", factor=0.5, patience=2, threshold=1e-2, threshold_mode="rel",
                cooldown=1, min_lr=0.02, eps=1e-8)
    gen_plateau("plateau_max_abs.csv", PLATEAU_MAX_ABS, 1.0,
                "`ReduceLROnPlateau(SGD(lr=1.0), mode='max', factor=0.1, patience=1, threshold=0.05, "
                "threshold_mode='abs', cooldown=0, min_lr=0, eps=1e-8)`",
                mode="max", factor=0.1, patience=1, threshold=0.05, threshold_mode="abs",
                cooldown=0, min_lr=0, eps=1e-8)
    gen_plateau("plateau_eps.csv", PLATEAU_EPS, 1.0,
                "`ReduceLROnPlateau(SGD(lr=1.0), mode='min', factor=0.5, patience=0, threshold=1e-4, "
                "threshold_mode='rel', cooldown=0, min_lr=0.0, eps=0.1)`",
                mode="min", factor=0.5, patience=0, threshold=1e-4, threshold_mode="rel",
                cooldown=0, min_lr=0.0, eps=0.1)
    gen_plateau("plateau_min_abs_patience0.csv", PLATEAU_MIN_ABS_P0, 0.1,
                "`ReduceLROnPlateau(SGD(lr=0.1), mode='min', factor=0.3, patience=0, threshold=0.0, "
                "threshold_mode='abs', cooldown=2, min_lr=0.001, eps=1e-8)`",
                mode="min", factor=0.3, patience=0, threshold=0.0, threshold_mode="abs",
                cooldown=2, min_lr=0.001, eps=1e-8)


# --------------------------------------------------------------------------- main

def write_readme():
    lines = [
        "# Golden reference values from PyTorch",
        "",
        "Generated by `scripts/pytorch_reference.py` (run `/usr/bin/python3 scripts/pytorch_reference.py`;",
        "requires Debian `python3-torch` 1.13). The exact torch version is in `VERSION`.",
        "Do not edit these files by hand; regenerate them.",
        "",
        "Conventions:",
        "",
        "* All floats are written with Python `repr()`: the shortest decimal string that parses back",
        "  to the exact IEEE-754 double PyTorch computed (float64, no tensors involved).",
        "* Step-based files (`step,lr` or `step,lr,momentum`): row `k` is the value in",
        "  `optimizer.param_groups[0]` after exactly `k` calls to `scheduler.step()`",
        "  (`k = 0` is the value before any step).",
        "* Plateau files (`epoch,metric,lr`): `lr` is `param_groups[0]['lr']` after",
        "  `scheduler.step(metric)` for that epoch, i.e. the learning rate used for the next epoch.",
        "  The metric sequences are the hand-written lists in the script.",
        "* The optimizer is always `SGD([Parameter(zeros(1))], lr=<as shown>, momentum=0.9)`",
        "  (OneCycleLR and CyclicLR overwrite the optimizer's lr at construction).",
        "* Rows = data rows, header line excluded.",
        "",
        "| File | PyTorch call | Rows |",
        "|---|---|---|",
    ]
    for name, call, n in README_ROWS:
        lines.append("| `%s` | %s | %d |" % (name, call, n))
    lines.append("")
    with open(os.path.join(OUT_DIR, "README.md"), "w", newline="\n") as f:
        f.write("\n".join(lines))
    print("wrote README.md")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "VERSION"), "w", newline="\n") as f:
        f.write("torch %s\n" % torch.__version__)
    print("torch", torch.__version__)

    reports = gen_step_cases()
    gen_current_practice_cases()
    gen_plateau_cases()
    write_readme()

    print()
    print("Chainable vs closed form (max relative difference over all rows):")
    for label, pairs in reports:
        d, k = max_rel_diff(pairs)
        print("  %-62s %.3e%s" % (label, d, "" if k is None else "  (at k=%d)" % k))


if __name__ == "__main__":
    main()
