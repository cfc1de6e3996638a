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
