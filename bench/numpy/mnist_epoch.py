#!/usr/bin/env python3
"""numpy peer of bench/mnist-epoch.ts: epochs of a [784,128,64,10] relu/softmax MLP, Adam, batch 128, f32, one core.

    OPENBLAS_NUM_THREADS=1 python3 bench/numpy/mnist_epoch.py --data DIR --m M [--seed S]

DIR holds the bench's data: X.f32 (M x 784 little-endian float32, examples-first) and y.u8 (M labels).
The driver talks over stdin/stdout, one JSON object per line, so that it can alternate this peer with the
others in rounds: the script answers {"ready": ...} once loaded, then one line per command:
  epoch -> {"seconds": s, "loss": mean batch loss}   eval -> {"loss": l, "accuracy": a}   quit -> exits.

Written the plain numpy way, examples-first (rows are examples, as the data file): Z = A @ W + b, relu,
softmax with log-sum-exp cross-entropy, dZ_L = (P - onehot) / B, dW = A_prev.T @ dZ, db = dZ.sum(0),
dA_prev = dZ @ W.T (not for the input layer), bias-corrected Adam in place. Each epoch takes a fresh
permutation and gathers its batches with fancy indexing (the usual copy per batch).
"""
from common import report_header  # first: pins BLAS to one thread

import argparse
import json
import os
import sys
import time

import numpy as np

F32 = np.float32
LAYERS = [784, 128, 64, 10]


class Mlp:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        # He-normal weights (relu), zero biases.
        self.params = []
        for l in range(1, len(LAYERS)):
            W = (self.rng.standard_normal((LAYERS[l - 1], LAYERS[l])) * np.sqrt(2 / LAYERS[l - 1])).astype(F32)
            self.params.append([W, np.zeros(LAYERS[l], F32)])
        self.v = [[np.zeros_like(p) for p in layer] for layer in self.params]
        self.s = [[np.zeros_like(p) for p in layer] for layer in self.params]
        self.t = 0

    def forward(self, X):
        """Logits and the cache of (Z, A) per hidden layer."""
        caches = []
        A = X
        for l, (W, b) in enumerate(self.params):
            Z = A @ W + b
            if l == len(self.params) - 1:
                return Z, caches
            A = np.maximum(Z, F32(0))
            caches.append((Z, A))

    @staticmethod
    def softmax_loss(Z, y):
        """Softmax probabilities and the mean cross-entropy (log-sum-exp, no clipping)."""
        Zs = Z - Z.max(axis=1, keepdims=True)
        e = np.exp(Zs)
        total = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(total[:, 0]) - Zs[np.arange(len(y)), y]))
        return e / total, loss

    def step(self, X, y, lr=F32(1e-3), b1=0.9, b2=0.999, eps=F32(1e-8)):
        Z, caches = self.forward(X)
        P, loss = self.softmax_loss(Z, y)
        dZ = P
        dZ[np.arange(len(y)), y] -= F32(1)
        dZ *= F32(1 / len(y))
        L = len(self.params)
        grads = [None] * L
        for l in range(L - 1, -1, -1):
            A_prev = X if l == 0 else caches[l - 1][1]
            grads[l] = (A_prev.T @ dZ, dZ.sum(axis=0))
            if l > 0:
                dZ = (dZ @ self.params[l][0].T) * (caches[l - 1][0] > 0)
        self.t += 1
        c1, c2 = F32(1 - b1 ** self.t), F32(1 - b2 ** self.t)
        fb1, fb2 = F32(b1), F32(b2)
        for i, layer in enumerate(self.params):
            for j, w in enumerate(layer):
                g, v, s = grads[i][j], self.v[i][j], self.s[i][j]
                v *= fb1
                v += (F32(1) - fb1) * g
                s *= fb2
                s += (F32(1) - fb2) * (g * g)
                w -= lr * ((v / c1) / (np.sqrt(s / c2) + eps))
        return loss


def epoch(net, X, y, batch):
    perm = net.rng.permutation(len(y))
    total = 0.0
    start = time.perf_counter()
    for i in range(0, len(y), batch):
        idx = perm[i:i + batch]
        total += net.step(X[idx], y[idx]) * len(idx)
    return {"seconds": time.perf_counter() - start, "loss": total / len(y)}


def evaluate(net, X, y, chunk=10000):
    loss = correct = 0.0
    for i in range(0, len(y), chunk):
        Z, _ = net.forward(X[i:i + chunk])
        _, l = net.softmax_loss(Z, y[i:i + chunk])
        loss += l * len(Z)
        correct += int((Z.argmax(axis=1) == y[i:i + chunk]).sum())
    return {"loss": loss / len(y), "accuracy": correct / len(y)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--m", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    args = ap.parse_args()
    X = np.fromfile(os.path.join(args.data, "X.f32"), dtype="<f4").reshape(args.m, LAYERS[0])
    y = np.fromfile(os.path.join(args.data, "y.u8"), dtype=np.uint8).astype(np.intp)
    net = Mlp(args.seed)
    header = report_header()
    malloc = "" if header["malloc"].startswith("settled") else ", glibc malloc as started"
    print(json.dumps({"ready": f"numpy {header['numpy']}, {header['blas']}, python {header['python']}{malloc}"}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit":
            break
        out = epoch(net, X, y, args.batch) if cmd == "epoch" else evaluate(net, X, y) if cmd == "eval" else {"error": cmd}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
