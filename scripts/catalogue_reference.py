#!/usr/bin/env python3
"""Reference values for the schedules and the GreedyLR rule added after 1.0, from the current releases.

What it computes
----------------
Each case runs the reference implementation through its public API, in float64 (Python floats), and records
the learning rate the optimizer holds at every step k (the value the library's valueAt gives at step k):

  product_*.csv       torch.optim.lr_scheduler.ChainedScheduler over multiplicative schedulers
                      (LinearLR, ExponentialLR, MultiStepLR); ProductSchedule
  tanh_*.csv          timm.scheduler.TanhLRScheduler: step(epoch) for t_in_epochs=True, step_update(k) for
                      t_in_epochs=False; TanhSchedule
  wsd_hf_*.csv        transformers.get_wsd_schedule (warmup_type, decay_type, min_lr_ratio, num_cycles);
                      WarmupStableDecaySchedule
  warmup_log_*.csv    DeepSpeed WarmupLR / WarmupDecayLR with warmup_type="log"; WarmupSchedule.Ramp.LOG.
                      DeepSpeed is not in the reference environment (no wheel in the machine's caches), so
                      its two _get_gamma methods (deepspeed/runtime/lr_schedules.py, 0.x) are transcribed
                      below, line for line, including warmup_num_steps = max(2, warmup_num_steps).

and for the plateau package:

  greedy_*.csv        transformers.optimization.GreedyLR on scripted metric sequences; columns
                      step,metric,lr: the metric fed to step(metric) and the optimizer's lr after that call
                      (the rate for the next period). Each case is also run a second time with the state
                      saved by state_dict() after step RESTORE_AT and loaded into a fresh GreedyLR; the script
                      asserts that the resumed run gives the same rates.

What it writes
--------------
src/test/resources/io/github/lrschedules/schedule/reference/*.csv and VERSION,
src/test/resources/io/github/lrschedules/plateau/reference/*.csv and VERSION (paths from this script's).
Every float is written with repr() (the shortest string that parses back to the same double).

Requires: torch 2.13, timm 1.0, transformers 5.18 (the reference environment /work/refenv/torch).
Run (deterministic, no arguments):  /work/refenv/torch/bin/python scripts/catalogue_reference.py
The optax cases are in scripts/optax_reference.py (another environment).
"""

import math
import os
import warnings

import timm
import torch
import transformers
from timm.scheduler import TanhLRScheduler
from torch.optim.lr_scheduler import ChainedScheduler, ExponentialLR, LinearLR, MultiStepLR
from transformers.optimization import GreedyLR, get_wsd_schedule

warnings.filterwarnings("ignore")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RES = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules")
SCHEDULE_DIR = os.path.join(RES, "schedule", "reference")
PLATEAU_DIR = os.path.join(RES, "plateau", "reference")


def optimizer(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))], lr=lr)


def write(directory, name, header, rows):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "w") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(repr(v) if isinstance(v, float) else str(v) for v in row) + "\n")


def lr_of(opt):
    return float(opt.param_groups[0]["lr"])


# ---- ProductSchedule: ChainedScheduler ---------------------------------------------------------------------


def product(name, lr, make, steps):
    opt = optimizer(lr)
    sched = ChainedScheduler(make(opt))
    rows = []
    for k in range(steps + 1):
        rows.append((k, lr_of(opt)))
        opt.step()
        sched.step()
    write(SCHEDULE_DIR, name, "step,lr", rows)


product("product_linear_exponential.csv", 0.1,
        lambda o: [LinearLR(o, start_factor=0.5, total_iters=4), ExponentialLR(o, gamma=0.9)], 20)
product("product_three.csv", 0.2,
        lambda o: [LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=6), ExponentialLR(o, gamma=0.95),
                   MultiStepLR(o, milestones=[5, 12], gamma=0.5)], 25)


# ---- TanhSchedule: timm TanhLRScheduler ---------------------------------------------------------------------


def tanh(name, lr, steps, t_in_epochs=True, **kwargs):
    opt = optimizer(lr)
    sched = TanhLRScheduler(opt, t_in_epochs=t_in_epochs, **kwargs)
    rows = []
    for k in range(steps + 1):
        if t_in_epochs:
            sched.step(k)
        else:
            sched.step_update(k)
        rows.append((k, lr_of(opt)))
    write(SCHEDULE_DIR, name, "step,lr", rows)


tanh("tanh_basic.csv", 0.1, 30, t_initial=20, lr_min=0.001)
tanh("tanh_warmup.csv", 0.1, 30, t_initial=20, lr_min=0.001, warmup_t=5, warmup_lr_init=0.01)
tanh("tanh_prefix_cycles.csv", 0.1, 60, t_initial=6, lb=-5.0, ub=4.0, lr_min=0.002, cycle_mul=2.0,
     cycle_decay=0.5, cycle_limit=3, warmup_t=4, warmup_lr_init=0.0, warmup_prefix=True)
tanh("tanh_cycles_iterations.csv", 0.05, 50, t_in_epochs=False, t_initial=7, lr_min=0.0, cycle_decay=0.8,
     cycle_limit=1000)
tanh("tanh_cycle_mul_fraction.csv", 0.1, 80, t_initial=10, lr_min=0.001, cycle_mul=1.5, cycle_limit=4,
     warmup_t=3, warmup_lr_init=0.02)


# ---- WarmupStableDecaySchedule: transformers get_wsd_schedule -----------------------------------------------


def wsd(name, lr, steps, **kwargs):
    opt = optimizer(lr)
    sched = get_wsd_schedule(opt, **kwargs)
    rows = []
    for k in range(steps + 1):
        rows.append((k, lr_of(opt)))
        opt.step()
        sched.step()
    write(SCHEDULE_DIR, name, "step,lr", rows)


wsd("wsd_hf_defaults.csv", 0.1, 50, num_warmup_steps=5, num_decay_steps=10, num_training_steps=40)
wsd("wsd_hf_cosine_warmup_sqrt_decay.csv", 0.1, 50, num_warmup_steps=8, num_decay_steps=12,
    num_training_steps=40, warmup_type="cosine", decay_type="1-sqrt", min_lr_ratio=0.1)
wsd("wsd_hf_sqrt_warmup_full_wave.csv", 0.3, 45, num_warmup_steps=10, num_decay_steps=16,
    num_training_steps=36, warmup_type="1-sqrt", decay_type="cosine", min_lr_ratio=0.05, num_cycles=1.0)
wsd("wsd_hf_linear_no_warmup.csv", 0.02, 30, num_warmup_steps=0, num_decay_steps=8, num_training_steps=20,
    warmup_type="linear", decay_type="linear", min_lr_ratio=0.2)


# ---- WarmupSchedule.Ramp.LOG: DeepSpeed WarmupLR / WarmupDecayLR (transcribed) -----------------------------


def deepspeed_warmup_gamma(k, warmup_num_steps):
    # WarmupLR.__init__: self.warmup_num_steps = max(2, warmup_num_steps);
    #                    self.inverse_log_warm_up = 1.0 / math.log(self.warmup_num_steps)
    # WarmupLR._get_gamma, warmup_type == "log":
    warmup_num_steps = max(2, warmup_num_steps)
    inverse_log_warm_up = 1.0 / math.log(warmup_num_steps)
    if k < warmup_num_steps:
        return inverse_log_warm_up * math.log(k + 1)
    return 1.0


def deepspeed_warmup_decay_gamma(k, warmup_num_steps, total_num_steps):
    # WarmupDecayLR._get_gamma: the warmup as WarmupLR, then a linear decay to warmup_min_lr at total_num_steps.
    warmup_num_steps = max(2, warmup_num_steps)
    if k < warmup_num_steps:
        return deepspeed_warmup_gamma(k, warmup_num_steps)
    return max(0.0, float(total_num_steps - k) / float(max(1.0, total_num_steps - warmup_num_steps)))


def warmup_log(name, min_lr, max_lr, steps, gamma):
    # WarmupLR.get_lr: min_lr + delta_lr * gamma, delta_lr = max_lr - min_lr
    write(SCHEDULE_DIR, name, "step,lr", [(k, min_lr + (max_lr - min_lr) * gamma(k)) for k in range(steps + 1)])


warmup_log("warmup_log.csv", 0.001, 0.1, 20, lambda k: deepspeed_warmup_gamma(k, 10))
warmup_log("warmup_log_one_step.csv", 0.0, 0.05, 6, lambda k: deepspeed_warmup_gamma(k, 1))
warmup_log("warmup_log_decay.csv", 0.001, 0.1, 40, lambda k: deepspeed_warmup_decay_gamma(k, 10, 30))


# ---- GreedyLr: transformers GreedyLR -----------------------------------------------------------------------

RESTORE_AT = 17


def greedy(name, lr, metrics, **kwargs):
    opt = optimizer(lr)
    rule = GreedyLR(opt, **kwargs)
    rows = []
    saved = None
    for k, m in enumerate(metrics):
        rule.step(m)
        rows.append((k, float(m), lr_of(opt)))
        if k == RESTORE_AT:
            saved = (rule.state_dict(), lr_of(opt))
    # The same sequence continued by a fresh rule that loads the saved state.
    state, rate = saved
    opt2 = optimizer(lr)
    resumed = GreedyLR(opt2, **kwargs)
    resumed.load_state_dict(state)
    opt2.param_groups[0]["lr"] = rate
    for k in range(RESTORE_AT + 1, len(metrics)):
        resumed.step(metrics[k])
        assert lr_of(opt2) == rows[k][2], (name, k, lr_of(opt2), rows[k][2])
    write(PLATEAU_DIR, name, "step,metric,lr", rows)


def noise(k):
    # Deterministic, platform-independent noise in [-0.5, 0.5).
    return ((k * 7919 + 13) % 101) / 101.0 - 0.5


greedy("greedy_improving.csv", 0.1, [1.0 - 0.01 * k for k in range(60)], patience=3, factor=0.8)
greedy("greedy_flat_reset.csv", 0.05, [1.0] * 60, patience=2, factor=0.5, reset_start=4)
greedy("greedy_noisy_smooth.csv", 0.02,
       [1.0 / (1 + 0.05 * k) + 0.2 * noise(k) for k in range(80)],
       patience=2, factor=0.9, smooth=True, window_size=5, min_lr=0.005, max_lr=0.05)
greedy("greedy_max_rel_cooldown_warmup.csv", 0.01,
       [0.5 + 0.01 * k if k < 25 else 0.74 + 0.3 * noise(k) * 0.01 for k in range(60)],
       mode="max", threshold=0.01, threshold_mode="rel", patience=1, factor=0.7, cooldown=2, warmup=3,
       min_lr=0.001, max_lr=0.04)
greedy("greedy_defaults.csv", 0.1, [1.0 - 0.004 * k if k < 40 else 0.84 for k in range(90)])

with open(os.path.join(SCHEDULE_DIR, "VERSION"), "w") as f:
    f.write("torch %s, timm %s, transformers %s; DeepSpeed WarmupLR/WarmupDecayLR transcribed\n"
            % (torch.__version__, timm.__version__, transformers.__version__))
with open(os.path.join(PLATEAU_DIR, "VERSION"), "w") as f:
    f.write("transformers %s, torch %s\n" % (transformers.__version__, torch.__version__))
