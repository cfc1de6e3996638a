#!/usr/bin/env python3
"""numpy reference for the peers section of bench/bench.ts (bench/sections/peers.ts): the same cat GD step and MLP Adam step, f32, one core.

    OPENBLAS_NUM_THREADS=1 python3 bench/numpy/cat_step.py [--inputs DIR] [--out PATH] [--quick]

With --inputs (a directory written by bench/sections/peers.ts: manifest.json plus raw little-endian
f32 arrays) it uses exactly the parameters and data the JS contenders use, so its first costs are
comparable; without it, random data and parameters of the same shapes (timings only). Writes a JSON
report to --out (default bench/results/numpy-latest.json) and a short summary to stderr.

The step is the course's, written the plain numpy way: Z = W @ A + b, relu/sigmoid/softmax,
dZ_L = A_L - Y, dW = dZ @ A_prev.T / m, db = dZ.sum(1) / m, dA_prev = W.T @ dZ (skipped for the
input layer), then W -= lr * dW (GD) or the bias-corrected Adam update.
"""
from common import report_header, time_calls, write_report  # first: pins BLAS to one thread

import argparse
import json
import os
import sys

import numpy as np

F32 = np.float32
EPS = F32(1e-7)  # probability clipping of the f32 losses, as simdnet and the twin use


def load_problem(inputs, name):
    manifest = json.load(open(os.path.join(inputs, "manifest.json")))[name]
    files = manifest["files"]
    layers = manifest["layers"]
    m = manifest["m"]

    def arr(key, shape):
        return np.fromfile(os.path.join(inputs, files[key]), dtype="<f4").reshape(shape)

    params = []
    for l in range(1, len(layers)):
        params.append([arr(f"W{l}", (layers[l], layers[l - 1])).copy(), arr(f"b{l}", (layers[l], 1)).copy()])
    return {
        "layers": layers, "hidden": manifest["hidden"], "output": manifest["output"], "m": m,
        "X": arr("X", (layers[0], m)), "Y": arr("Y", (layers[-1], m)), "params": params,
        "optimizer": manifest["optimizer"], "lr": F32(manifest["learningRate"]), "beta1": manifest["beta1"],
        "beta2": manifest["beta2"], "epsilon": F32(manifest["epsilon"]), "fingerprint": manifest["fingerprint"],
    }


def random_problem(name, seed):
    rng = np.random.default_rng(seed)
    if name == "cat":
        layers, hidden, output, m, opt, lr = [12288, 20, 7, 5, 1], "relu", "sigmoid", 209, "gd", 0.0075
        Y = (rng.random((1, m)) < 0.35).astype(F32)
    else:
        layers, hidden, output, m, opt, lr = [784, 128, 64, 10], "relu", "softmax", 128, "adam", 0.001
        Y = np.zeros((10, m), F32)
        Y[rng.integers(0, 10, m), np.arange(m)] = 1
    params = [[(rng.standard_normal((layers[l], layers[l - 1])) * np.sqrt(2 / layers[l - 1])).astype(F32),
               (rng.standard_normal((layers[l], 1)) * 0.01).astype(F32)] for l in range(1, len(layers))]
    return {
        "layers": layers, "hidden": hidden, "output": output, "m": m, "X": rng.random((layers[0], m), dtype=F32), "Y": Y,
        "params": params, "optimizer": opt, "lr": F32(lr), "beta1": 0.9, "beta2": 0.999, "epsilon": F32(1e-8), "fingerprint": None,
    }


def act(name, Z):
    if name == "relu":
        return np.maximum(Z, F32(0))
    if name == "tanh":
        return np.tanh(Z)
    if name == "sigmoid":
        return F32(1) / (F32(1) + np.exp(-Z))
    # softmax down each column
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def act_grad(name, Z, A, dA):
    if name == "relu":
        return dA * (Z > 0)
    if name == "tanh":
        return dA * (F32(1) - A * A)
    return dA * A * (F32(1) - A)


def forward(p, X):
    caches = []
    A = X
    L = len(p["params"])
    for l, (W, b) in enumerate(p["params"]):
        Z = W @ A + b
        A = act(p["output"] if l == L - 1 else p["hidden"], Z)
        caches.append((Z, A))
    return A, caches


def cost(p, AL, Y):
    m = Y.shape[1]
    A = np.clip(AL, EPS, F32(1) - EPS)
    if p["output"] == "softmax":
        return float(-(Y * np.log(A)).sum(dtype=np.float64) / m)
    return float(-(Y * np.log(A) + (F32(1) - Y) * np.log(F32(1) - A)).sum(dtype=np.float64) / m)


def step(p, state):
    X, Y, m = p["X"], p["Y"], p["m"]
    AL, caches = forward(p, X)
    params = p["params"]
    L = len(params)
    inv_m = F32(1.0 / m)
    dZ = AL - Y
    grads = [None] * L
    for l in range(L - 1, -1, -1):
        A_prev = X if l == 0 else caches[l - 1][1]
        grads[l] = (dZ @ A_prev.T * inv_m, dZ.sum(axis=1, keepdims=True) * inv_m)
        if l > 0:
            dA = params[l][0].T @ dZ
            dZ = act_grad(p["hidden"], caches[l - 1][0], caches[l - 1][1], dA)
    lr = p["lr"]
    if p["optimizer"] == "gd":
        for (W, b), (dW, db) in zip(params, grads):
            W -= lr * dW
            b -= lr * db
        return
    state["t"] += 1
    t, b1, b2, eps = state["t"], p["beta1"], p["beta2"], p["epsilon"]
    c1, c2 = F32(1 - b1 ** t), F32(1 - b2 ** t)
    fb1, fb2 = F32(b1), F32(b2)
    for i, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
        for j, (w, g) in enumerate(((W, dW), (b, db))):
            v, s = state["v"][i][j], state["s"][i][j]
            v *= fb1
            v += (F32(1) - fb1) * g
            s *= fb2
            s += (F32(1) - fb2) * (g * g)
            w -= lr * ((v / c1) / (np.sqrt(s / c2) + eps))


def bench(p, rounds, per_round_s, min_per_round):
    state = {"t": 0, "v": [[np.zeros_like(W), np.zeros_like(b)] for W, b in p["params"]],
             "s": [[np.zeros_like(W), np.zeros_like(b)] for W, b in p["params"]]}
    first = cost(p, forward(p, p["X"])[0], p["Y"])
    step(p, state)
    after = cost(p, forward(p, p["X"])[0], p["Y"])
    for _ in range(2):  # warm-up
        step(p, state)
    return {
        **time_calls(lambda: step(p, state), rounds, per_round_s, min_per_round),
        "first_cost": first, "cost_after_step": after, "fingerprint": p["fingerprint"],
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", help="directory written by bench/sections/peers.ts")
    ap.add_argument("--out", default=os.path.join(here, "..", "results", "numpy-latest.json"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=("cat", "mlp"), help="time one problem (the bench's per-round runs)")
    ap.add_argument("--rounds", type=int, help="timing rounds (default 5, --quick 2)")
    ap.add_argument("--seconds", type=float, help="seconds per round (default 1.0, --quick 0.3)")
    args = ap.parse_args()

    report = {**report_header(), "inputs": "shared with the JS bench" if args.inputs else "random (own seed)"}
    rounds, per_round = (2, 0.3) if args.quick else (5, 1.0)
    rounds = args.rounds or rounds
    per_round = args.seconds or per_round
    for name, seed in (("cat", 1), ("mlp", 2)):
        if args.only and name != args.only:
            continue
        p = load_problem(args.inputs, name) if args.inputs else random_problem(name, seed)
        report[name] = bench(p, rounds, per_round, 3)
        r = report[name]
        print(f"numpy {name}: median {r['median_ms']:.2f} ms (min {r['min_ms']:.2f}, max {r['max_ms']:.2f}, "
              f"{r['samples']} samples); first cost {r['first_cost']:.7g}, after one step {r['cost_after_step']:.7g}", file=sys.stderr)
    write_report(args.out, report)


if __name__ == "__main__":
    main()
