// The kernels a step may split over the thread pool, picking the pool or the serial kernel.
// Imports go one way: gemm.ts, optim.ts (serial, import nothing) ← pool.ts (splits them over the
// workers) ← dispatch.ts (picks) ← net.ts, index.ts. Outside the threads build (ASC_FEATURE_THREADS
// false) the pool is never asked and each function is its serial kernel.
import { gemmSerial } from "./gemm";
import { optimStep as optimStepSerial } from "./optim";
import { gemmParallel, optimParallel } from "./pool";

export { optimParallel };

/** C = alpha·op(A)·op(B) + beta·C (assembly/gemm.ts), split into column or row blocks over a running pool when large. */
export function gemm<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, lda: i32, b: usize, ldb: i32,
  beta: T, c: usize, ldc: i32,
): void {
  if (ASC_FEATURE_THREADS && gemmParallel<T>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
  gemmSerial<T>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** The fused optimiser update (assembly/optim.ts), split over a running pool when n is large. Returns 0, or -1 for an unknown kind. */
export function optimStep<T>(kind: i32, n: i32, w: usize, g: usize, v: usize, s: usize, lr: T, beta1: T, beta2: T, eps: T, c1: T, c2: T): i32 {
  if (ASC_FEATURE_THREADS && optimParallel<T>(kind, n, w, g, v, s, lr, beta1, beta2, eps, c1, c2)) return 0;
  return optimStepSerial<T>(kind, n, w, g, v, s, lr, beta1, beta2, eps, c1, c2);
}
