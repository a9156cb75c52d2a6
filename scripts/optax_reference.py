#!/usr/bin/env python3
"""Reference values of the optax schedules that CosineDecaySchedule(exponent) and PiecewiseInterpolateSchedule
follow, from optax 0.2 with jax in float64 (jax_enable_x64).

Cases (step k = 0..N; the value at step k is what the library's valueAt gives at step k):
  optax_cosine_exponent2.csv   cosine_decay_schedule(0.1, decay_steps=50, alpha=0.01, exponent=2.0), k 0..70
  optax_cosine_exponent_half.csv cosine_decay_schedule(0.3, decay_steps=17, alpha=0.0, exponent=0.5), k 0..30
  optax_piecewise_linear.csv   piecewise_interpolate_schedule('linear', 0.1, {5: 2.0, 20: 0.5, 30: 0.1}), k 0..40
  optax_piecewise_cosine.csv   piecewise_interpolate_schedule('cosine', 0.2, {0: 0.5, 10: 4.0, 11: 0.25,
                               25: 0.0}), k 0..35 (a boundary at 0, adjacent boundaries, a scale of 0)

Writes src/test/resources/io/github/lrschedules/schedule/reference/optax_*.csv and VERSION-optax (paths
from this script's). Floats with repr().

Requires: jax 0.10, optax 0.2.8 (the reference environment /work/refenv/jax).
Run (deterministic, no arguments):  /work/refenv/jax/bin/python scripts/optax_reference.py
"""

import os

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "schedule",
                       "reference")


def write(name, schedule, steps):
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, name), "w") as f:
        f.write("step,lr\n")
        for k in range(steps + 1):
            value = schedule(jnp.asarray(k, dtype=jnp.int64))
            assert value.dtype == jnp.float64, value.dtype
            f.write("%d,%r\n" % (k, float(value)))


write("optax_cosine_exponent2.csv", optax.cosine_decay_schedule(0.1, 50, alpha=0.01, exponent=2.0), 70)
write("optax_cosine_exponent_half.csv", optax.cosine_decay_schedule(0.3, 17, alpha=0.0, exponent=0.5), 30)
write("optax_piecewise_linear.csv",
      optax.piecewise_interpolate_schedule("linear", 0.1, {5: 2.0, 20: 0.5, 30: 0.1}), 40)
write("optax_piecewise_cosine.csv",
      optax.piecewise_interpolate_schedule("cosine", 0.2, {0: 0.5, 10: 4.0, 11: 0.25, 25: 0.0}), 35)

with open(os.path.join(OUT_DIR, "VERSION-optax"), "w") as f:
    f.write("optax %s, jax %s, float64 (jax_enable_x64)\n" % (optax.__version__, jax.__version__))
