#!/usr/bin/python3
"""PyTorch peer of bench/mnist-epoch.ts: epochs of a [784,128,64,10] MLP, Adam, batch 128, f32, one CPU thread.

    /usr/bin/python3 bench/torch/mnist_epoch.py --data DIR --m M [--seed S]

Same data files and line protocol as bench/numpy/mnist_epoch.py ({"ready"}, then epoch / eval / quit, one
JSON object per line). When torch cannot be imported it prints {"skip": reason} and exits, and the driver
leaves the peer out with that message.

The usual fast way for in-memory data: nn.Sequential(Linear, ReLU, ...), nn.CrossEntropyLoss on the logits,
torch.optim.Adam (lr 1e-3, eps 1e-8), a torch.randperm per epoch and index_select-style batches (X[idx])
instead of a DataLoader, whose per-example collation would dominate a net this small.
"""
import json
import os
import sys
import time

# One thread for every pool torch may use (OpenMP and the BLAS it calls), before torch loads.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import argparse  # noqa: E402

try:
    import numpy as np
    import torch
    from torch import nn
except Exception as e:  # noqa: BLE001  (any import failure means: skip this peer)
    print(json.dumps({"skip": f"torch cannot be imported by {sys.executable}: {e}"}), flush=True)
    sys.exit(0)


# glibc's malloc as bench/numpy/common.py settles it (one 16 MiB block written and freed, so the mmap threshold
# rises): torch's CPU tensors come from the same malloc. SIMDNET_NUMPY_SETTLE=0 leaves it as the process starts.
SETTLED = os.environ.get("SIMDNET_NUMPY_SETTLE", "1") != "0"
if SETTLED:
    _settle = np.ones(4 << 20, dtype=np.float32)
    del _settle


def blas_library():
    """The BLAS this torch runs its Linear layers on: a distribution build (BLAS_INFO=generic) takes the system's
    libblas.so.3, whichever library that alternative points at (on Debian without OpenBLAS: the netlib reference)."""
    torch.ones(2, 2) @ torch.ones(2, 2)  # loads it
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.split()[-1].lower()}
    # The directory tells the library apart: .../blas/ is the netlib reference, .../openblas-pthread/ OpenBLAS.
    return ", ".join(os.path.join(*lib.split("/")[-2:]) for lib in sorted(libs)) or "built in"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--m", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    X = torch.from_numpy(np.fromfile(os.path.join(args.data, "X.f32"), dtype="<f4").reshape(args.m, 784))
    y = torch.from_numpy(np.fromfile(os.path.join(args.data, "y.u8"), dtype=np.uint8).astype(np.int64))
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    def epoch():
        model.train()
        perm = torch.randperm(args.m)
        total = 0.0
        start = time.perf_counter()
        for i in range(0, args.m, args.batch):
            idx = perm[i:i + args.batch]
            loss = loss_fn(model(X[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return {"seconds": time.perf_counter() - start, "loss": total / args.m}

    @torch.no_grad()
    def evaluate():
        model.eval()
        logits = model(X)
        return {"loss": loss_fn(logits, y).item(), "accuracy": (logits.argmax(1) == y).float().mean().item()}

    print(json.dumps({"ready": f"torch {torch.__version__} ({torch.get_num_threads()} thread, BLAS {blas_library()}), python {sys.version.split()[0]}{'' if SETTLED else ', glibc malloc as started'}"}),
          flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit":
            break
        print(json.dumps(epoch() if cmd == "epoch" else evaluate() if cmd == "eval" else {"error": cmd}), flush=True)


if __name__ == "__main__":
    main()
