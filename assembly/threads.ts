// The ABI the threads build adds to assembly/index.ts (second entry file of the asconfig target
// "threads": `asc assembly/index.ts assembly/threads.ts --target threads`). The pool itself, its
// control block and the rules that keep instances apart are in assembly/pool.ts; the host side is
// src/runtime/threads.ts. The other builds do not compile this file and import nothing.
import { ctlBytes, scratchBytes, threadSetup, poolConfigure, poolQuit, workerJob } from "./pool";

/** 1 in the threads build (kernels split over a pool of workers on shared memory), else 0. */
export function threads_enabled(): i32 { return ASC_FEATURE_THREADS ? 1 : 0; }

/** Bytes the main instance allocates for the pool's control block. */
export function thread_ctl_bytes(): i32 { return <i32>ctlBytes(); }

/** Bytes the main instance allocates for each worker's GEMM scratch. */
export function thread_scratch_bytes(): i32 { return <i32>scratchBytes(); }

/** Worker instance, once before its first job: scratch → its own thread_scratch_bytes() block (never alloc in a worker). */
export function thread_setup(scratch: usize): void { threadSetup(scratch); }

/** Main instance: threads ≥ 2 splits large GEMMs over the pool at ctl (≤ 1 stops); block = 1 if this thread may memory.atomic.wait; minWork = smallest m·n·k to split and spin = busy-wait loads before this thread parks (≤ 0: defaults); takes = 0 leaves every block to the workers (tests). */
export function pool_configure(ctl: usize, threads: i32, block: i32, minWork: f64, spin: i32, takes: i32): void { poolConfigure(ctl, threads, block, minWork, spin, takes); }

/** Main instance: tells the workers' hosts to end their loops, and stops splitting. */
export function pool_quit(): void { poolQuit(); }

/** Worker instance: takes blocks of job generation `generation` (the i32 its host saw at ctl) until none is left; returns 1 when the pool quits, else 0. */
export function worker_job(ctl: usize, generation: i32): i32 { return workerJob(ctl, generation); }
