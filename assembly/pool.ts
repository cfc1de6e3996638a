// The thread pool of the threads build (asconfig target "threads": simd + threads, shared imported
// memory; the ABI is assembly/threads.ts). Several instances of the module, the main one and one per
// worker, run on one shared memory. The main instance (the one JS calls) cuts a large GEMM (or a
// large optimiser update) into units of columns or rows, publishes the job in a control block and
// claims units from the front; woken workers claim units from the back, all through one atomic
// ticket, until none is left. The caller, surely running, first takes its fair share in one block, and
// so does a worker that comes before any block is done; after that every claim is small (what is left /
// 2·threads), so the threads finish together, and a worker that wakes late or is descheduled (a busy
// machine) only means the caller computes more.
// Each block re-reads op(A) and shares cache lines with its neighbours, so few blocks keep locality:
// on a quiet machine the caller computes one block and a worker a handful. A worker's host (JS)
// watches the job generation, busy-waits a while after each job, then parks in Atomics.wait; it
// calls worker_job (workerJob) once per generation it sees.
//
// Rules that keep the instances from stepping on each other:
// - Only the main instance allocates. The allocator's state lives in shared memory but its root
//   pointer is a per-instance global, so a worker never calls alloc/free.
// - Globals are per instance, memory is not: every static scratch a split kernel touches is
//   per thread (setGemmScratch points a worker's GEMM scratch at a block the main instance allocated).
// - A worker instance must not re-apply the data segments over live memory: the host instantiates
//   workers from a copy of the module whose data segments are passive (src/runtime/threads.ts), and
//   does so before the main instance runs any kernel.
//
// Determinism: gemm sums each element of C in an order that depends only on its row, column, k and
// the path (assembly/gemm.ts), so a split result is byte-identical to the single-thread one,
// whoever computes which block. Blocks keep the path: units are whole panels (8 columns, the last
// unit taking the rest, so no block has one column), row splits are not made where fewer rows would
// turn a tiled A·Bᵀ into dot products. Optimiser updates are elementwise, split in whole SIMD vectors.
//
// The ticket: an i64 = generation (32 bits) | lo (16) | hi (16); units [lo, hi) are unclaimed. A
// thread claims by compare-exchanging a ticket of its own generation with lo < hi; the main thread
// closes a finished generation (lo = hi = 0) before it writes the next job, so a late worker can
// never claim a unit of a job that is over, and one that has claimed units knows the job fields stay
// put until it reports them done.
//
// Control block (bytes; each hot word on its own 64-byte line):
//   0 i32 seq (job generation; workers wait on it)   64 i64 ticket   128 i32 done (units finished)
//   192 i32 dead (set by a worker's host when it failed)   196 i32 quit   200 i32 blocks run by workers
//   256 job: i32 kind, units, unit size, then
//     gemm:  i32 transA, transB, m, n, k, a, lda, b, ldb, c, ldc, byRows, f64 alpha (@320), beta (@328)
//     optim: i32 optimiser, n, w, g, v, s, f64 lr (@320), beta1, beta2, eps, c1, c2
//   376 i32 threads of the pool (workers have no pool of their own to read it from)
//
// Imports: only the serial kernels (gemm.ts, optim.ts). The kernels' callers go through
// assembly/dispatch.ts, which asks this pool first, so no kernel file imports the pool.
import { gemmSerial, gemmPath, setGemmScratch, MR, SCRATCH_BYTES, PATH_TILE, DOT_MAX_COLS } from "./gemm";
import { optimStep } from "./optim";

/** Bytes of the control block. */
const CTL_BYTES: usize = 384;

const SEQ: usize = 0;
const TICKET: usize = 64;
const DONE: usize = 128;
const DEAD: usize = 192;
const QUIT: usize = 196;
const WORKED: usize = 200;
const JOB: usize = 256;
const THREADS: usize = 376;

const JOB_GEMM_F32: i32 = 1;
const JOB_GEMM_F64: i32 = 2;
const JOB_OPTIM_F32: i32 = 3;
const JOB_OPTIM_F64: i32 = 4;

/** Most units a job is cut into (lo and hi are 16 bits); larger jobs get larger units. */
const MAX_UNITS: i32 = 4096;

/** Smallest parameter count whose optimiser update is split (W of the cat net's first layer: 245 760). */
const MIN_OPTIM_ELEMENTS: i32 = 1 << 16;

/** Columns of C per unit of a column split (at least): one f32 SIMD panel (two f64 panels); = DOT_MAX_COLS, so no column block of a tiled product is narrow enough to take the dot-product path. */
const COL_UNIT: i32 = DOT_MAX_COLS;

// ---- per-instance state: the main instance's pool (workers leave it empty) ----
/** The pool's control block, 0 = no pool (a worker, or a module without threads). */
let ctl: usize = 0;
/** Threads in the pool, this one included. */
let parts: i32 = 1;
/** Whether this thread may block on memory.atomic.wait32 (a browser's main thread may not). */
let canBlock: bool = false;
/** Smallest m·n·k worth splitting (smaller products run on this thread). */
let minWork: i64 = 1 << 18;
/** Busy-wait loads (≈ 0.6 ns each: 2^18 ≈ 0.16 ms) while workers finish their blocks, before 1 ms waits that re-check the dead flag. */
let spinLimit: i32 = 1 << 18;
/** Whether this thread computes blocks too (false: it only hands the work out and waits; for tests). */
let callerTakes: bool = true;
/** True between publishing a job and closing it: still true at the next job only if this thread trapped inside one. */
let dispatching: bool = false;

/** Bytes of the control block. */
export function ctlBytes(): usize { return CTL_BYTES; }

/** Bytes of one worker's scratch (GEMM panel + spill + packed A block). */
export function scratchBytes(): usize { return SCRATCH_BYTES; }

/** Worker instance: points this instance's GEMM scratch at its own scratchBytes() block. */
export function threadSetup(scratch: usize): void {
  setGemmScratch(scratch);
}

/**
 * Main instance: starts (threads ≥ 2) or stops (threads ≤ 1) splitting work over the pool whose
 * control block is ctlPtr. block = 1 when this thread may wait with memory.atomic.wait32, else it spins.
 * work: smallest m·n·k to split; spin: busy-wait loads before this thread parks (both ≤ 0 keep the defaults);
 * takes = 0: this thread leaves every block to the workers.
 */
export function poolConfigure(ctlPtr: usize, threads: i32, block: i32, work: f64, spin: i32, takes: i32): void {
  if (threads <= 1 || ctlPtr == 0) {
    ctl = 0;
    parts = 1;
    return;
  }
  ctl = ctlPtr;
  parts = threads;
  atomic.store<i32>(ctlPtr + THREADS, threads);
  canBlock = block != 0;
  callerTakes = takes != 0;
  if (work > 0) minWork = <i64>work;
  if (spin > 0) spinLimit = spin;
}

/** Main instance: tells the workers' hosts to end their loops, and stops splitting. */
export function poolQuit(): void {
  if (!ASC_FEATURE_THREADS) return;
  const c = ctl;
  if (c == 0) return;
  ctl = 0;
  parts = 1;
  atomic.store<i32>(c + QUIT, 1);
  atomic.add<i32>(c + SEQ, 1);
  atomic.notify(c + SEQ, 1 << 30);
}

/**
 * Worker instance: takes blocks of job generation gen (the value its host saw at ctlPtr) until none
 * is left, reporting each one done. Returns 1 when the pool is quitting, else 0.
 */
export function workerJob(ctlPtr: usize, gen: i32): i32 {
  if (!ASC_FEATURE_THREADS) return 1;
  if (atomic.load<i32>(ctlPtr + QUIT) != 0) return 1;
  takeUnits(ctlPtr, gen, false);
  return 0;
}

/** Main instance: splits the product over the pool when it is worth it. Returns false when the caller should run it alone. */
export function gemmParallel<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, lda: i32, b: usize, ldb: i32,
  beta: T, c: usize, ldc: i32,
): bool {
  if (!ASC_FEATURE_THREADS) return false;
  const cp = ctl;
  if (cp == 0 || m <= 0 || n <= 0 || k <= 0) return false;
  if (<i64>m * <i64>n * <i64>k < minWork) return false;
  if (!usable(cp)) return false;
  // Column blocks keep m and n ≥ COL_UNIT ≥ DOT_MAX_COLS, hence the path. Rows only when columns are too few,
  // and not for a tiled A·Bᵀ (fewer than DOT_MAX_ROWS rows would turn it into dot products).
  const path = gemmPath(transA, transB, m, n, ldb);
  const colUnits = n / COL_UNIT, rowUnits = m / MR;
  const rowsKeepPath = !(path == PATH_TILE && transB && !transA);
  const byRows = colUnits < 2 * parts && rowUnits > colUnits && rowUnits >= parts && rowsKeepPath;
  if (!byRows && colUnits < parts) return false;
  const base = byRows ? MR : COL_UNIT;
  const scale = ((byRows ? rowUnits : colUnits) + MAX_UNITS - 1) / MAX_UNITS;
  const unit = base * scale;
  const units = (byRows ? m : n) / unit;
  const j = cp + JOB;
  store<i32>(j, sizeof<T>() == 4 ? JOB_GEMM_F32 : JOB_GEMM_F64);
  store<i32>(j, units, 4);
  store<i32>(j, unit, 8);
  store<i32>(j, transA ? 1 : 0, 12);
  store<i32>(j, transB ? 1 : 0, 16);
  store<i32>(j, m, 20);
  store<i32>(j, n, 24);
  store<i32>(j, k, 28);
  store<u32>(j, <u32>a, 32);
  store<i32>(j, lda, 36);
  store<u32>(j, <u32>b, 40);
  store<i32>(j, ldb, 44);
  store<u32>(j, <u32>c, 48);
  store<i32>(j, ldc, 52);
  store<i32>(j, byRows ? 1 : 0, 56);
  store<f64>(j, <f64>alpha, 64);
  store<f64>(j, <f64>beta, 72);
  dispatch(cp, units);
  return true;
}

/**
 * Main instance: splits a fused optimiser update (assembly/optim.ts) of n parameters over the pool
 * when n is large. Elementwise, in blocks of whole SIMD vectors, so the bytes match one thread's.
 * Returns false when the caller should run it alone.
 */
export function optimParallel<T>(kind: i32, n: i32, w: usize, g: usize, v: usize, sq: usize, lr: T, beta1: T, beta2: T, eps: T, c1: T, c2: T): bool {
  if (!ASC_FEATURE_THREADS) return false;
  const cp = ctl;
  if (cp == 0 || n < MIN_OPTIM_ELEMENTS || kind < 0 || kind > 3) return false;
  if (!usable(cp)) return false;
  // Units of whole 16-byte vectors; the last one also takes the scalar tail, as one thread would.
  const lanes = 16 / sizeof<T>();
  const unit = lanes * ((n / lanes + MAX_UNITS - 1) / MAX_UNITS);
  const units = n / unit;
  const j = cp + JOB;
  store<i32>(j, sizeof<T>() == 4 ? JOB_OPTIM_F32 : JOB_OPTIM_F64);
  store<i32>(j, units, 4);
  store<i32>(j, unit, 8);
  store<i32>(j, kind, 12);
  store<i32>(j, n, 16);
  store<u32>(j, <u32>w, 20);
  store<u32>(j, <u32>g, 24);
  store<u32>(j, <u32>v, 28);
  store<u32>(j, <u32>sq, 32);
  store<f64>(j, <f64>lr, 64);
  store<f64>(j, <f64>beta1, 72);
  store<f64>(j, <f64>beta2, 80);
  store<f64>(j, <f64>eps, 88);
  store<f64>(j, <f64>c1, 96);
  store<f64>(j, <f64>c2, 104);
  dispatch(cp, units);
  return true;
}

/**
 * False once a worker failed, or when this thread trapped inside the last job (it never closed it, and
 * workers may still be finishing its blocks): then the pool is marked dead for good and the job closed.
 */
function usable(cp: usize): bool {
  if (!ASC_FEATURE_THREADS) return false;
  if (atomic.load<i32>(cp + DEAD) != 0) return false;
  if (!dispatching) return true;
  atomic.store<u64>(cp + TICKET, <u64><u32>atomic.load<i32>(cp + SEQ) << 32);
  atomic.store<i32>(cp + DEAD, 1);
  dispatching = false;
  return false;
}

/** Publishes the job written at ctl+JOB (`units` units) as a new generation, claims units here and waits until all are done. */
function dispatch(cp: usize, units: i32): void {
  const gen = atomic.load<i32>(cp + SEQ) + 1;
  dispatching = true;
  atomic.store<i32>(cp + DONE, 0);
  atomic.store<u64>(cp + TICKET, ticket(gen, 0, units));
  atomic.store<i32>(cp + SEQ, gen);
  atomic.notify(cp + SEQ, parts - 1);
  if (callerTakes) takeUnits(cp, gen, true);
  let spins = spinLimit;
  while (true) {
    const finished = atomic.load<i32>(cp + DONE);
    if (finished >= units) break;
    if (atomic.load<i32>(cp + DEAD) != 0) unreachable(); // a worker failed inside a block: part of the result is missing
    if (spins > 0) {
      spins--;
    } else if (canBlock) {
      atomic.wait<i32>(cp + DONE, finished, 1_000_000); // 1 ms, then re-check the dead flag
    }
  }
  // Close the generation before the next job's fields are written: no late claim can succeed now.
  atomic.store<u64>(cp + TICKET, ticket(gen, 0, 0));
  dispatching = false;
}

@inline function ticket(gen: i32, lo: i32, hi: i32): u64 {
  return (<u64><u32>gen << 32) | (<u64><u32>lo << 16) | <u64><u32>hi;
}

/**
 * Claims blocks of generation gen and runs them until no unit is left; returns how many blocks this
 * thread ran. The caller (front = true) claims from the front, first its fair share in one block;
 * workers claim from the back. Later claims take what is left / 2·threads (at least one unit).
 */
function takeUnits(cp: usize, gen: i32, front: bool): i32 {
  let ran = 0;
  // The caller's first claim is its fair share; so is a worker's when it comes before any block is done
  // (on time: small claims would make it re-pack op(A) once per block, which on the cat net's W·X, A being
  // 20×12288, cost 25 % of the product); a worker that comes later takes small claims, so the caller can
  // still finish the rest beside it.
  let first = front || atomic.load<i32>(cp + DONE) == 0;
  while (true) {
    const t = atomic.load<u64>(cp + TICKET);
    if (<u32>(t >> 32) != <u32>gen) break;
    const lo = <i32>((t >> 16) & 0xffff), hi = <i32>(t & 0xffff);
    const left = hi - lo;
    if (left <= 0) break;
    // Read after a ticket of this generation with work left was seen: the job's, or the claim below fails.
    const total = load<i32>(cp + JOB, 4);
    const threads = load<i32>(cp + THREADS);
    const size = min(left, first ? max(1, total / threads) : max(1, left / (2 * threads)));
    const a = front ? lo : hi - size, b = a + size;
    const claimed = front ? ticket(gen, b, hi) : ticket(gen, lo, a);
    if (atomic.cmpxchg<u64>(cp + TICKET, t, claimed) != t) continue;
    first = false;
    runBlock(cp, a, b);
    ran++;
    // Counted before the block is reported done, so the caller sees the count once the job returns.
    if (!front) atomic.add<i32>(cp + WORKED, 1);
    if (atomic.add<i32>(cp + DONE, size) + size >= total) atomic.notify(cp + DONE, 1);
  }
  return ran;
}

/** Computes units [u0, u1) of the job at cp+JOB (the last unit also takes the remainder). */
function runBlock(cp: usize, u0: i32, u1: i32): void {
  const j = cp + JOB;
  const kind = load<i32>(j);
  if (kind == JOB_GEMM_F32) runGemmBlock<f32>(j, u0, u1);
  else if (kind == JOB_GEMM_F64) runGemmBlock<f64>(j, u0, u1);
  else if (kind == JOB_OPTIM_F32) runOptimBlock<f32>(j, u0, u1);
  else if (kind == JOB_OPTIM_F64) runOptimBlock<f64>(j, u0, u1);
}

@inline function runGemmBlock<T>(j: usize, u0: i32, u1: i32): void {
  const units = load<i32>(j, 4), unit = load<i32>(j, 8);
  const transA = load<i32>(j, 12) != 0, transB = load<i32>(j, 16) != 0;
  let m = load<i32>(j, 20), n = load<i32>(j, 24);
  const k = load<i32>(j, 28);
  let a = <usize>load<u32>(j, 32);
  const lda = load<i32>(j, 36);
  let b = <usize>load<u32>(j, 40);
  const ldb = load<i32>(j, 44);
  let c = <usize>load<u32>(j, 48);
  const ldc = load<i32>(j, 52);
  const byRows = load<i32>(j, 56) != 0;
  const alpha = <T>load<f64>(j, 64), beta = <T>load<f64>(j, 72);
  const size = <usize>sizeof<T>();
  const first = u0 * unit;
  if (byRows) {
    // Rows [first, last) of C: rows of op(A) start `first` rows further.
    const last = u1 == units ? m : u1 * unit;
    a += <usize>first * (transA ? size : <usize>lda * size);
    c += <usize>first * <usize>ldc * size;
    m = last - first;
  } else {
    // Columns [first, last) of C: columns of op(B) start `first` columns further.
    const last = u1 == units ? n : u1 * unit;
    b += <usize>first * (transB ? <usize>ldb * size : size);
    c += <usize>first * size;
    n = last - first;
  }
  gemmSerial<T>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

@inline function runOptimBlock<T>(j: usize, u0: i32, u1: i32): void {
  const units = load<i32>(j, 4), unit = load<i32>(j, 8);
  const n = load<i32>(j, 16);
  const e0 = u0 * unit;
  const e1 = u1 == units ? n : u1 * unit;
  const off = <usize>e0 * sizeof<T>();
  const v = <usize>load<u32>(j, 28), sq = <usize>load<u32>(j, 32);
  optimStep<T>(load<i32>(j, 12), e1 - e0, <usize>load<u32>(j, 20) + off, <usize>load<u32>(j, 24) + off,
    v == 0 ? 0 : v + off, sq == 0 ? 0 : sq + off,
    <T>load<f64>(j, 64), <T>load<f64>(j, 72), <T>load<f64>(j, 80), <T>load<f64>(j, 88), <T>load<f64>(j, 96), <T>load<f64>(j, 104));
}
