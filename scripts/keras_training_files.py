#!/usr/bin/env python3
"""Keras-2-layout HDF5 files with a training configuration and optimizer state, and what Keras does next.

What it writes (src/test/resources/io/github/lrschedules/keras/, found from this script's path)
----------------------------------------------------------------------------------------------
<case>.h5           a Keras 2 (tf.keras) model file as `model.save("x.h5")` lays it out, written with h5py:
                    root attributes keras_version "2.13.1", backend "tensorflow", model_config (a Sequential or a
                    functional model: Dense 4->5 tanh, Dense 5->2 linear), training_config (loss "mse" and the
                    case's optimizer); model_weights/<layer>/<layer>/{kernel,bias}:0; optimizer_weights with the
                    step count 37 and the optimizer's slot variables, named as the case's layout names them:
                      legacy   (tf.keras.optimizers.legacy, Keras <= 2.10): "decay" in the config,
                               "<Opt>/iter:0", "<Opt>/<layer>/<param>/<slot>:0"
                      tf211    (TF 2.11 to 2.15): no "decay", "weight_decay"/"use_ema"/... keys, class name
                               "Custom>Adam", "iteration:0", "<Opt>/<slot>/<layer>/<param>:0"
                    Cases: Adam (float rate; CosineDecay; CosineDecayRestarts), AdamW (weight decay 0.05,
                    staircase ExponentialDecay), SGD with momentum (ExponentialDecay), SGD with Nesterov momentum
                    (PiecewiseConstantDecay switching at steps 37 and 38), RMSprop (float rate); Sequential and
                    functional models, both layouts.
<case>.csv          what Keras 3 does from that state (the same weights, slots and step, the same optimizer and
                    schedule, keras.optimizers.* on the JAX backend, float32): row "0" the predictions for the
                    batch x before training (kind "pred"), then for t = 1..3 the parameters after t more
                    `train_on_batch(x, y)` steps (kind "params": per layer kernel row by row, then bias), and the
                    learning rate Keras used at each of these steps (kind "lr").
batch.csv           the batch: columns x0..x3, y0..y1 (8 rows).
keras3_model.h5     a model file written by Keras 3 itself (`model.save`), which DL4J refuses.
Run (deterministic):
    KERAS_BACKEND=jax /work/refenv/jax/bin/python scripts/keras_training_files.py
"""

import csv
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.optimizers import schedules as S  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "src", "test", "resources", "io", "github", "lrschedules", "keras")
STEP = 37
LAYERS = [("dense", 4, 5, "tanh"), ("dense_1", 5, 2, "linear")]

rng = np.random.default_rng(20261206)
WEIGHTS = {}
for name, n_in, n_out, _ in LAYERS:
    WEIGHTS[(name, "kernel")] = rng.normal(0, 0.5, (n_in, n_out)).astype(np.float32)
    WEIGHTS[(name, "bias")] = rng.normal(0, 0.1, (n_out,)).astype(np.float32)
X = rng.normal(0, 1, (8, 4)).astype(np.float32)
Y = rng.normal(0, 1, (8, 2)).astype(np.float32)


def slot_values(slots):
    """Plausible optimizer state after 37 steps: first moments/velocities signed, second moments positive."""
    out = {}
    for slot in slots:
        for key, w in WEIGHTS.items():
            if slot in ("v", "rms", "accumulator", "velocity_rms"):
                out[(slot,) + key] = rng.uniform(0.001, 0.05, w.shape).astype(np.float32)
            else:
                out[(slot,) + key] = rng.normal(0, 0.02, w.shape).astype(np.float32)
    return out


def dense_config(name, units, activation):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
        "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}}


def model_config(functional):
    if not functional:
        layers = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32",
                                                          "sparse": False, "ragged": False, "name": "dense_input"}}]
        layers += [dense_config(n, o, a) for n, _, o, a in LAYERS]
        return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    layers = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32",
                                                      "sparse": False, "ragged": False, "name": "input_1"},
               "name": "input_1", "inbound_nodes": []}]
    previous = "input_1"
    for n, _, o, a in LAYERS:
        layer = dense_config(n, o, a)
        layer["name"] = n
        layer["inbound_nodes"] = [[[previous, 0, 0, {}]]]
        layers.append(layer)
        previous = n
    return {"class_name": "Functional", "config": {"name": "model", "layers": layers,
                                                   "input_layers": [["input_1", 0, 0]],
                                                   "output_layers": [[previous, 0, 0]]}}


def legacy_schedule(schedule):
    """The Keras 2 form of a serialized schedule: the config without module and registered_name."""
    if schedule is None:
        return None
    s = S.serialize(schedule)
    return {"class_name": s["class_name"], "config": s["config"]}


def optimizer_config(case):
    lr = legacy_schedule(case["schedule"]) if case["schedule"] is not None else case["lr"]
    kind, layout = case["optimizer"], case["layout"]
    if kind in ("Adam", "AdamW"):
        config = {"name": kind, "learning_rate": lr, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
                  "amsgrad": False}
    elif kind == "SGD":
        config = {"name": "SGD", "learning_rate": lr, "momentum": case["momentum"], "nesterov": case["nesterov"]}
    elif kind == "RMSprop":
        config = {"name": "RMSprop", "learning_rate": lr, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07,
                  "centered": False}
    else:
        raise ValueError(kind)
    if layout == "legacy":
        config["decay"] = 0.0
        class_name = kind
    else:
        config.update({"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                       "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                       "jit_compile": False, "is_legacy_optimizer": False})
        class_name = "Custom>" + kind
    if kind == "AdamW":
        config["weight_decay"] = case["weight_decay"]
    return {"class_name": class_name, "config": config}


SLOTS = {"Adam": {"legacy": ["m", "v"], "tf211": ["m", "v"]},
         "AdamW": {"tf211": ["m", "v"]},
         "SGD": {"legacy": ["momentum"], "tf211": ["m"]},
         "RMSprop": {"legacy": ["rms"], "tf211": ["velocity"]}}


def write_h5(path, case, slots):
    functional = case["functional"]
    with h5py.File(path, "w", libver="latest") as f:
        f.attrs["keras_version"] = np.bytes_("2.13.1")
        f.attrs["backend"] = np.bytes_("tensorflow")
        f.attrs["model_config"] = np.bytes_(json.dumps(model_config(functional)))
        training = {"loss": "mse", "metrics": None, "weighted_metrics": None, "loss_weights": None,
                    "optimizer_config": optimizer_config(case)}
        f.attrs["training_config"] = np.bytes_(json.dumps(training))
        mw = f.create_group("model_weights")
        names = ([b"input_1"] if functional else []) + [n.encode() for n, _, _, _ in LAYERS]
        mw.attrs["layer_names"] = np.array(names, dtype="S")
        mw.attrs["backend"] = np.bytes_("tensorflow")
        mw.attrs["keras_version"] = np.bytes_("2.13.1")
        if functional:
            mw.create_group("input_1").attrs["weight_names"] = np.array([], dtype="S1")
        for name, _, _, _ in LAYERS:
            g = mw.create_group(name)
            g.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
            inner = g.create_group(name)
            inner.create_dataset("kernel:0", data=WEIGHTS[(name, "kernel")])
            inner.create_dataset("bias:0", data=WEIGHTS[(name, "bias")])
        kind, layout = case["optimizer"], case["layout"]
        ow = f.create_group("optimizer_weights")
        entries = []
        if layout == "legacy":
            entries.append((f"{kind}/iter:0", np.int64(STEP)))
            for slot in SLOTS[kind][layout]:
                for name, _, _, _ in LAYERS:
                    for param in ("kernel", "bias"):
                        entries.append((f"{kind}/{name}/{param}/{slot}:0", slots[(slot, name, param)]))
        else:
            entries.append(("iteration:0", np.int64(STEP)))
            for name, _, _, _ in LAYERS:
                for param in ("kernel", "bias"):
                    for slot in SLOTS[kind][layout]:
                        entries.append((f"{kind}/{slot}/{name}/{param}:0", slots[(slot, name, param)]))
        ow.attrs["weight_names"] = np.array([n.encode() for n, _ in entries])
        for name, value in entries:
            ow.create_dataset(name, data=value)


def keras3_model():
    inp = keras.Input((4,))
    h = keras.layers.Dense(5, activation="tanh", name="dense")(inp)
    out = keras.layers.Dense(2, activation="linear", name="dense_1")(h)
    model = keras.Model(inp, out)
    for name, _, _, _ in LAYERS:
        model.get_layer(name).set_weights([WEIGHTS[(name, "kernel")], WEIGHTS[(name, "bias")]])
    return model


def keras3_optimizer(case):
    lr = case["schedule"] if case["schedule"] is not None else case["lr"]
    kind = case["optimizer"]
    if kind == "Adam":
        return keras.optimizers.Adam(learning_rate=lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    if kind == "AdamW":
        return keras.optimizers.AdamW(learning_rate=lr, weight_decay=case["weight_decay"], beta_1=0.9,
                                      beta_2=0.999, epsilon=1e-7)
    if kind == "SGD":
        return keras.optimizers.SGD(learning_rate=lr, momentum=case["momentum"], nesterov=case["nesterov"])
    raise ValueError(kind)


def keras3_trajectory(case, slots):
    model = keras3_model()
    optimizer = keras3_optimizer(case)
    model.compile(optimizer=optimizer, loss="mse")
    optimizer.build(model.trainable_variables)
    optimizer.iterations.assign(STEP)
    kind, layout = case["optimizer"], case["layout"]
    slot_lists = [optimizer._momentums, optimizer._velocities] if kind.startswith("Adam") else [optimizer.momentums]
    order = [(n, p) for n, _, _, _ in LAYERS for p in ("kernel", "bias")]
    for slot, variables in zip(SLOTS[kind][layout], slot_lists):
        for (name, param), variable in zip(order, variables):
            variable.assign(slots[(slot, name, param)])
    rows = [[0, "pred"] + [repr(float(v)) for v in np.asarray(model.predict_on_batch(X)).ravel()]]
    for t in range(1, 4):
        step = int(optimizer.iterations.numpy()) if hasattr(optimizer.iterations, "numpy") \
            else int(np.asarray(optimizer.iterations))
        lr = optimizer.learning_rate if case["schedule"] is None else case["schedule"](step)
        rows.append([t, "lr", repr(float(np.asarray(lr)))])
        model.train_on_batch(X, Y)
        params = []
        for name, _, _, _ in LAYERS:
            kernel, bias = model.get_layer(name).get_weights()
            params += list(kernel.ravel()) + list(bias.ravel())
        rows.append([t, "params"] + [repr(float(v)) for v in params])
    assert int(np.asarray(optimizer.iterations)) == STEP + 3
    return rows


CASES = {
    "seq_adam_cosine_tf211": dict(functional=False, optimizer="Adam", layout="tf211", lr=None,
                                  schedule=S.CosineDecay(0.01, decay_steps=50, alpha=0.1)),
    "seq_adamw_exponential_tf211": dict(functional=False, optimizer="AdamW", layout="tf211", lr=None,
                                        weight_decay=0.05,
                                        schedule=S.ExponentialDecay(0.01, decay_steps=20, decay_rate=0.7,
                                                                    staircase=True)),
    "seq_adam_float_legacy": dict(functional=False, optimizer="Adam", layout="legacy", lr=0.003, schedule=None),
    "seq_sgd_momentum_exponential_legacy": dict(functional=False, optimizer="SGD", layout="legacy", lr=None,
                                                momentum=0.9, nesterov=False,
                                                schedule=S.ExponentialDecay(0.05, decay_steps=10, decay_rate=0.5)),
    "fun_sgd_nesterov_piecewise_tf211": dict(functional=True, optimizer="SGD", layout="tf211", lr=None,
                                             momentum=0.8, nesterov=True,
                                             schedule=S.PiecewiseConstantDecay([37, 38], [0.1, 0.05, 0.02])),
    "fun_adam_restarts_legacy": dict(functional=True, optimizer="Adam", layout="legacy", lr=None,
                                     schedule=S.CosineDecayRestarts(0.02, first_decay_steps=20, t_mul=1.5,
                                                                    m_mul=0.7, alpha=0.1)),
    "fun_rmsprop_float_legacy": dict(functional=True, optimizer="RMSprop", layout="legacy", lr=0.002,
                                     schedule=None),
}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "batch.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["x0", "x1", "x2", "x3", "y0", "y1"])
        for x, y in zip(X, Y):
            out.writerow([repr(float(v)) for v in list(x) + list(y)])
    for name, case in CASES.items():
        slots = slot_values(SLOTS[case["optimizer"]][case["layout"]])
        write_h5(os.path.join(OUT_DIR, name + ".h5"), case, slots)
        if case["optimizer"] in ("Adam", "AdamW", "SGD"):
            with open(os.path.join(OUT_DIR, name + ".csv"), "w", newline="") as f:
                csv.writer(f, lineterminator="\n").writerows(keras3_trajectory(case, slots))
    model = keras3_model()
    model.compile(optimizer=keras.optimizers.Adam(S.CosineDecay(0.01, 50)), loss="mse")
    model.train_on_batch(X, Y)
    model.save(os.path.join(OUT_DIR, "keras3_model.h5"))


if __name__ == "__main__":
    main()
