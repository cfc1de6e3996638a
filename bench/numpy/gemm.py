#!/usr/bin/env python3
"""numpy GEMM reference for bench/bench.ts: the same f32 GEMMs on the same inputs, one BLAS thread.

    OPENBLAS_NUM_THREADS=1 python3 bench/numpy/gemm.py --inputs DIR --out PATH [--quick]

DIR is written by bench/bench.ts: manifest.json plus raw little-endian f32 arrays A and B per case
(row-major as stored, A is k x m when transposed, B is n x k when transposed). For each case it times
C = op(A) @ op(B) (numpy hands the transposed views to BLAS sgemm as transpose flags, no copy) and
writes C to DIR/<id>_C.f32 so the bench can check that numpy computed the same C as simdnet. The JSON
report (timings per case) goes to --out; a short summary to stderr.
"""
from common import report_header, time_calls, write_report  # first: pins BLAS to one thread

import argparse
import json
import os
import sys

import numpy as np


def bench_case(case, inputs, rounds, per_round_s, min_per_round):
    a = np.fromfile(os.path.join(inputs, case["a"]), dtype="<f4").reshape(case["aShape"])
    b = np.fromfile(os.path.join(inputs, case["b"]), dtype="<f4").reshape(case["bShape"])
    opa = a.T if case["op"][0] == "T" else a
    opb = b.T if case["op"][1] == "T" else b
    c = np.empty((case["m"], case["n"]), dtype=np.float32)
    np.matmul(opa, opb, out=c)
    c.tofile(os.path.join(inputs, f"{case['id']}_C.f32"))
    for _ in range(3):  # warm-up
        np.matmul(opa, opb, out=c)
    return time_calls(lambda: np.matmul(opa, opb, out=c), rounds, per_round_s, min_per_round)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", required=True, help="directory written by bench/bench.ts")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()

    manifest = json.load(open(os.path.join(args.inputs, "manifest.json")))
    rounds, per_round = (2, 0.1) if args.quick else (5, 0.4)
    report = {**report_header(), "cases": {}}
    for case in manifest["cases"]:
        r = bench_case(case, args.inputs, rounds, per_round, 3)
        report["cases"][case["id"]] = r
        gflops = 2 * case["m"] * case["n"] * case["k"] / (r["median_ms"] * 1e6)
        print(f"numpy {case['id']}: median {r['median_ms']:.3f} ms, {gflops:.1f} GFLOP/s ({r['samples']} samples)", file=sys.stderr)
    write_report(args.out, report)


if __name__ == "__main__":
    main()
