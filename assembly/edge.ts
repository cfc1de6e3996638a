// The edge module: one baked-in model, a fixed predict export, no imports, no JavaScript.
// This file compiles to a template (build/simdnet.edge.{simd,scalar}.wasm) whose MODEL_PTR/MODEL_LEN are 0.
// exportEdgeWasm (src/io/edge.ts) bakes a model into a copy of it: an active data segment puts the model
// bytes at MODEL_PTR = (first address the heap hands out) + 16, the two globals' initialisers are patched
// (and their exports dropped), and the memory's minimum is raised to hold the bytes. On the first call,
// before anything else allocates, the module allocates exactly the heap block that covers those bytes
// (so the allocator never reuses them) and loads the model in place: W, b and the normaliser are read
// straight from the baked bytes, only the plan and the workspace are allocated.
import { loadModel, modelPredict, modelInputSize, modelOutputSize, modelJson, lastError, edgeFailure, tryAlloc, E_NO_MODEL, E_EDGE_LAYOUT } from "./model";

/** Address of the baked model (patched by exportEdgeWasm; 0 in the template). */
export let MODEL_PTR: i32 = 0;
/** Length of the baked model in bytes (patched by exportEdgeWasm; 0 in the template). */
export let MODEL_LEN: i32 = 0;

/** The model's handle once it is loaded (then every call reuses it), else 0. */
let handle: i32 = 0;
/** True once the heap block covering the baked bytes is allocated. */
let claimed = false;
/** True when that block did not land where the bytes are (a mis-patched binary). */
let misplaced = false;

// The runtime's `abort` is routed here (asc --use abort=edge/trap), so the module imports nothing.
function trap(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}

/**
 * The baked model's handle, loading it on the first call; a negative error code (message set) while it
 * cannot be loaded. A failed load is retried on the next call (validation fails again before allocating).
 */
function ensure(): i32 {
  if (handle > 0) return handle;
  const ptr = <usize><u32>MODEL_PTR;
  const len = <usize><u32>MODEL_LEN;
  if (!claimed) {
    if (len == 0) return edgeFailure(E_NO_MODEL);
    if (misplaced || ptr < 16 || len > (1 << 30) - (1 << 21) || <u64>ptr + <u64>len > (<u64>memory.size() << 16)) {
      return edgeFailure(E_EDGE_LAYOUT);
    }
    // The first allocation ever: it starts 16 bytes before the model and covers it (those 16 bytes take the
    // allocator's free-list links), so no later allocation can overwrite the model.
    const block = heap.alloc(len + 16);
    if (block + 16 != ptr) {
      heap.free(block);
      misplaced = true;
      return edgeFailure(E_EDGE_LAYOUT);
    }
    claimed = true;
  }
  const h = loadModel(ptr, len, true);
  if (h > 0) handle = h;
  return h;
}

/**
 * Runs m examples through the model: in_ptr → m×input_size() f32 row-major, out_ptr → m×output_size() f32.
 * Returns 0, or a negative error code (last_error has the message).
 */
export function predict(in_ptr: usize, m: i32, out_ptr: usize): i32 {
  const h = ensure();
  return h < 0 ? h : modelPredict(h, in_ptr, m, out_ptr);
}

/** Features per example (n0), or a negative error code when the model cannot be loaded. */
export function input_size(): i32 {
  const h = ensure();
  return h < 0 ? h : modelInputSize(h);
}

/** Outputs per example (n_y), or a negative error code. */
export function output_size(): i32 {
  const h = ensure();
  return h < 0 ? h : modelOutputSize(h);
}

/** Allocates `bytes` (16-byte aligned) for the host's input/output; returns 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  ensure();
  return tryAlloc(<u64>bytes);
}

/**
 * The same as alloc, under the name WAMR looks for: a module that exports malloc (i32 → i32) and free (i32 → ())
 * gets no WAMR app heap appended to its memory (which simdnet's allocator would otherwise hand out again).
 */
export function malloc(bytes: usize): usize {
  return alloc(bytes);
}

/** Frees a pointer returned by alloc (0 is ignored). */
export function free(ptr: usize): void {
  ensure();
  if (ptr != 0) heap.free(ptr);
}

/**
 * Copies the model's description (the JSON header of the baked model file, UTF-8: layers, activations, normaliser,
 * labels, dtype, the simdnet version that baked it, ...) to ptr_out and returns its length in bytes; ptr_out = 0
 * only returns the length. A negative error code when the model cannot be loaded, or E_BOUNDS (-1) when
 * ptr_out + length lies outside memory. exportEdgeWasm puts the same bytes in the custom section
 * "simdnet.model_info", which a host can read without instantiating the module.
 */
export function model_info(ptr_out: usize): i32 {
  const h = ensure();
  return h < 0 ? h : modelJson(<usize><u32>MODEL_PTR, ptr_out);
}

/** Copies the last error message (UTF-8, at most 256 bytes) to ptr_out and returns its length; ptr_out = 0 only returns the length. */
export function last_error(ptr_out: usize): i32 {
  return lastError(ptr_out);
}
