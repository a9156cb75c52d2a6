#!/usr/bin/env python3
"""Reference values of Keras' six built-in LearningRateSchedule classes, for KerasSchedulesReferenceTest.

What it computes
----------------
For every case below, the schedule object of Keras 3 (keras.optimizers.schedules.*) is built, serialized with
keras.optimizers.schedules.serialize (the Keras 3 form: module, class_name, config, registered_name) and called
as a Keras optimizer calls it: schedule(step) with an integer step tensor, the result in float32 (Keras' floatx).
The steps are 0..160 and a few far ones (past every boundary, horizon and several restarts).

What it writes (src/test/resources/io/github/lrschedules/keras/, found from this script's path)
----------------------------------------------------------------------------------------------
schedule_configs.json   {case: serialized schedule (Keras 3 form)}; the Keras 2 form is the same "config"
                        without "module" and "registered_name" (the test derives it).
schedule_values.csv     case,step,value; value is Keras' float32 result written with repr() of the float64
                        that holds it exactly.
VERSION                 keras and backend versions.

Run (from anywhere, no arguments, deterministic):
    KERAS_BACKEND=jax /work/refenv/jax/bin/python scripts/keras_schedule_reference.py
"""

import csv
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.optimizers import schedules as S  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "keras")

STEPS = list(range(0, 161)) + [199, 200, 201, 255, 256, 257, 300, 500, 1000, 1023, 1024, 4095, 10000,
                               100000, 1000000]

CASES = {
    "exponential": S.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.96),
    "exponential_staircase": S.ExponentialDecay(0.1, decay_steps=30, decay_rate=0.5, staircase=True),
    "exponential_fractional_steps": S.ExponentialDecay(0.05, decay_steps=2.5, decay_rate=0.99),
    "piecewise": S.PiecewiseConstantDecay(boundaries=[10, 25, 40], values=[0.1, 0.05, 0.01, 0.001]),
    "piecewise_zero_boundary": S.PiecewiseConstantDecay(boundaries=[0, 5], values=[1.0, 0.5, 0.1]),
    "polynomial_defaults": S.PolynomialDecay(0.1, decay_steps=50),
    "polynomial_power": S.PolynomialDecay(0.1, decay_steps=40, end_learning_rate=0.001, power=2.0),
    "polynomial_cycle": S.PolynomialDecay(0.1, decay_steps=20, end_learning_rate=0.01, power=0.5, cycle=True),
    "inverse_time": S.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5),
    "inverse_time_staircase": S.InverseTimeDecay(0.1, decay_steps=7, decay_rate=2.0, staircase=True),
    "inverse_time_float_steps": S.InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5),
    "cosine_defaults": S.CosineDecay(0.1, decay_steps=50),
    "cosine_alpha": S.CosineDecay(0.1, decay_steps=60, alpha=0.1),
    "cosine_warmup": S.CosineDecay(0.0, decay_steps=40, alpha=0.05, warmup_target=0.2, warmup_steps=10),
    "cosine_warmup_from_nonzero": S.CosineDecay(0.01, decay_steps=30, warmup_target=0.1, warmup_steps=15),
    "cosine_target_no_warmup": S.CosineDecay(0.01, decay_steps=30, alpha=0.2, warmup_target=0.1, warmup_steps=0),
    "restarts_defaults": S.CosineDecayRestarts(0.1, first_decay_steps=10),
    "restarts_constant_period": S.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=1.0, m_mul=0.8, alpha=0.1),
    "restarts_fractional": S.CosineDecayRestarts(0.1, first_decay_steps=8, t_mul=1.5, m_mul=0.7, alpha=0.05),
    "restarts_triple": S.CosineDecayRestarts(0.2, first_decay_steps=7, t_mul=3.0, m_mul=0.5, alpha=0.2),
}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    configs = {}
    with open(os.path.join(OUT_DIR, "schedule_values.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["case", "step", "value"])
        for name, schedule in CASES.items():
            configs[name] = S.serialize(schedule)
            for step in STEPS:
                value = schedule(keras.ops.convert_to_tensor(step, dtype="int64"))
                value = np.asarray(value)
                assert value.dtype == np.float32, (name, value.dtype)
                out.writerow([name, step, repr(float(value))])
    with open(os.path.join(OUT_DIR, "schedule_configs.json"), "w") as f:
        json.dump(configs, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT_DIR, "VERSION"), "w") as f:
        f.write("keras %s (backend %s), jax %s, numpy %s, h5py %s\n"
                % (keras.__version__, keras.backend.backend(), jax.__version__, np.__version__,
                   __import__("h5py").__version__))


if __name__ == "__main__":
    main()
