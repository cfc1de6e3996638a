// Tensors placed in the kernel module's linear memory, with typed-array views that JS reads and
// writes directly (no copies). A view is re-created whenever memory.grow has replaced the buffer.
import type { KernelExports } from './abi.js';

/** Element type of a tensor. */
export type DType = 'float32' | 'float64';
/** A typed array of either element type. */
export type FloatArray = Float32Array | Float64Array;

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/** Throws unless dtype is 'float32' or 'float64'. */
export function checkDType(dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`simdnet: unknown dtype '${String(dtype)}'; expected 'float32' or 'float64'`);
  }
  return dtype;
}

/** A rows×cols row-major matrix living in WASM memory; a vector is n×1. */
export class Tensor {
  #view: FloatArray | null = null;
  #disposed = false;

  constructor(
    /** The arena that owns the memory. */
    readonly arena: Arena,
    /** Byte offset in the module's memory. */
    readonly ptr: number,
    readonly rows: number,
    readonly cols: number,
    readonly dtype: DType,
    /** The tensor whose memory this one views, or null when it owns its memory. */
    readonly parent: Tensor | null = null,
  ) {}

  /** A rows×cols tensor over the first rows·cols elements of this one (no copy, no allocation). */
  view(rows: number, cols: number): Tensor {
    this.assertAlive();
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols > this.length) {
      throw new Error(`simdnet: cannot view a ${this.rows}×${this.cols} tensor as ${rows}×${cols}`);
    }
    return new Tensor(this.arena, this.ptr, rows, cols, this.dtype, this.parent ?? this);
  }

  /** rows·cols. */
  get length(): number {
    return this.rows * this.cols;
  }

  /** Bytes occupied by the elements. */
  get byteLength(): number {
    return this.length * BYTES[this.dtype];
  }

  /** [rows, cols]. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** True after dispose() (of this tensor or the one it views). */
  get disposed(): boolean {
    return this.#disposed || (this.parent !== null && this.parent.disposed);
  }

  /** Live view of the elements in WASM memory; do not keep it across calls that may grow memory. */
  get data(): FloatArray {
    this.assertAlive();
    const buffer = this.arena.exports.memory.buffer;
    if (this.#view === null || this.#view.buffer !== buffer) {
      this.#view = this.dtype === 'float32'
        ? new Float32Array(buffer, this.ptr, this.length)
        : new Float64Array(buffer, this.ptr, this.length);
    }
    return this.#view;
  }

  /** Copies values in (row-major); the length must match. */
  set(values: ArrayLike<number>): this {
    if (values.length !== this.length) {
      throw new Error(`simdnet: cannot set ${values.length} values into a ${this.rows}×${this.cols} tensor (${this.length} elements)`);
    }
    this.data.set(values);
    return this;
  }

  /** A copy of the elements that outlives the tensor. */
  toArray(): FloatArray {
    return this.data.slice();
  }

  /** Frees the memory (a view only detaches); later use throws. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#view = null;
    if (this.parent === null) this.arena.release(this);
  }

  /** Throws when the tensor, or the tensor it views, was disposed. */
  assertAlive(): void {
    if (this.#disposed || (this.parent !== null && this.parent.disposed)) throw new Error('simdnet: this tensor was disposed');
  }
}

/** Allocates tensors in one kernel module's memory and frees them again. */
export class Arena {
  #live = new Set<Tensor>();

  constructor(readonly exports: KernelExports) {}

  /** A new zero-filled rows×cols tensor, optionally filled with row-major values. */
  tensor(rows: number, cols: number, dtype: DType = 'float32', values?: ArrayLike<number>): Tensor {
    checkDType(dtype);
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
      throw new Error(`simdnet: a tensor needs positive integer dimensions, got ${rows}×${cols}`);
    }
    const bytes = rows * cols * BYTES[dtype];
    if (bytes > 0x7fff0000) throw new Error(`simdnet: a ${rows}×${cols} ${dtype} tensor (${bytes} bytes) exceeds the 2 GiB WASM address space`);
    let ptr: number;
    try {
      ptr = this.exports.alloc(bytes) >>> 0;
    } catch (cause) {
      throw new Error(`simdnet: out of WASM memory allocating ${bytes} bytes for a ${rows}×${cols} tensor`, { cause });
    }
    const t = new Tensor(this, ptr, rows, cols, dtype);
    t.data.fill(0);
    if (values !== undefined) t.set(values);
    this.#live.add(t);
    return t;
  }

  /** Called by Tensor.dispose. */
  release(t: Tensor): void {
    if (!this.#live.delete(t)) return;
    this.exports.free(t.ptr);
  }

  /** Tensors allocated and not yet disposed. */
  get liveTensors(): number {
    return this.#live.size;
  }

  /** Current size of the module's linear memory in bytes. */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Frees every live tensor. */
  disposeAll(): void {
    for (const t of [...this.#live]) t.dispose();
  }

  /** Throws unless t is a live tensor of this arena. */
  own(t: Tensor, name: string): Tensor {
    if (!(t instanceof Tensor)) throw new Error(`simdnet: ${name} must be a Tensor`);
    if (t.arena !== this) throw new Error(`simdnet: ${name} belongs to another kernel module`);
    t.assertAlive();
    return t;
  }
}
