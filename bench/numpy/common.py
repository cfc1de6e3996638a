"""Shared by the numpy reference scripts of bench/: one BLAS thread, the report header, timing, atomic writes.

Import this module before numpy: it pins BLAS to one thread, which must happen before numpy loads.
"""
import datetime
import json
import os
import platform
import time

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# One core for BLAS, whatever the caller's environment says.
for _var in THREAD_VARS:
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402  (after the thread pinning above)

# glibc's malloc serves blocks above its mmap threshold (128 KiB at start) with mmap and unmaps them on free; the
# threshold rises only when such a block is freed (up to 32 MiB), and the heap's top is trimmed above twice it. A
# process whose arrays are all a few hundred KiB (the MLP step's 392 KiB temporaries) then pays fresh pages for its
# temporaries at every step: 1.55 ms per MLP step timed alone against 1.13 ms after the cat step ran in the same
# process (Zen 2 VM, 2026-12-02). A real script reaches the fast state as soon as it frees one large array (its data,
# a shuffled copy). One 16 MiB block, written and freed here, puts every script there, so a problem timed alone (the
# bench's per-round runs) is timed as fast as in a process that ran another one first: numpy at its fastest.
# SIMDNET_NUMPY_SETTLE=0 leaves malloc as the process starts (numpy the usual way: `npm run bench:mnist` times both).
SETTLED = os.environ.get("SIMDNET_NUMPY_SETTLE", "1") != "0"
if SETTLED:
    _settle = np.ones(4 << 20, dtype=np.float32)
    del _settle


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy
        return "unknown BLAS"


def report_header():
    """Date, versions, BLAS and the thread variables, the first fields of every report."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
        "numpy": np.__version__, "python": platform.python_version(), "blas": blas_name(),
        "threads_env": {k: os.environ.get(k) for k in THREAD_VARS},
        "malloc": "settled (mmap threshold raised by one freed 16 MiB block)" if SETTLED else "as the process starts",
    }


def time_calls(fn, rounds, per_round_s, min_per_round):
    """Times fn() in `rounds` rounds of at least min_per_round calls and per_round_s seconds; ms statistics."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        n = 0
        while n < min_per_round or time.perf_counter() - start < per_round_s:
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1000)
            n += 1
    samples.sort()
    return {"median_ms": float(np.median(samples)), "min_ms": samples[0], "max_ms": samples[-1], "samples": len(samples),
            "samples_ms": samples}


def write_report(path, report):
    """Writes the JSON report through a temporary file, so a reader never sees half of it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=2)
    os.replace(tmp, path)
