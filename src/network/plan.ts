// The network in WASM memory: parameters, the per-capacity workspace and the plan that assembly/net.ts
// reads (layout: src/runtime/plan.ts). Everything that writes the plan or calls a plan entry point is here.
import type { Kernels } from '../kernels.js';
import type { NetBackwardFn, NetCostFn, NetForwardFn, NetTrainStepFn, NetUpdateFn } from '../runtime/abi.js';
import type { DType, Tensor } from '../runtime/arena.js';
import type { FeaturesFirst } from '../data/input.js';
import type { LayerActivation } from '../io/format.js';
import { ACTIVATION_CODE, DTYPE_CODE, HEADER, LAYER_FIELDS, LOSS_CODE, PLAN_HEADER_BYTES, PLAN_LAYER_BYTES, type LayerField } from '../runtime/plan.js';
import type { LossKind } from './types.js';

/** One layer's parameters and gradients. */
export interface Layer {
  units: number;
  inputs: number;
  activation: LayerActivation;
  W: Tensor;
  b: Tensor;
  dW: Tensor;
  db: Tensor;
}

/** Optimiser moments of one layer (owned by the training state, pointed to by the plan). */
export interface Moments {
  vW: Tensor;
  vb: Tensor;
  sW: Tensor;
  sb: Tensor;
}

/** Per-capacity buffers of a forward/backward pass; views of them serve smaller batches. */
interface Workspace {
  capacity: number;
  /** Batch input and targets, allocated on first use: a full-batch fit reads its data in place. */
  input: Tensor | null;
  target: Tensor | null;
  Z: Tensor[];
  A: Tensor[];
  dZ: Tensor[];
  /** Dropout masks and the dropped activations, hidden layers only (allocated on first use). */
  D: (Tensor | null)[];
  Ad: (Tensor | null)[];
}

/** The plan entry points of one dtype. */
export interface PlanOps {
  forward: NetForwardFn;
  backward: NetBackwardFn;
  cost: NetCostFn;
  update: NetUpdateFn;
  trainStep: NetTrainStepFn;
}

/** Parameters, workspace and plan of one network. */
export class NetPlan {
  readonly layers: Layer[] = [];
  /** Address of the plan (header + one record per layer). */
  readonly ptr: number;
  readonly ops: PlanOps;
  #workspace: Workspace | null = null;
  #moments: Moments[] | null = null;
  #status: Int32Array | null = null;
  /** Bumped whenever the workspace is reallocated, so cached views of it can tell they are stale. */
  generation = 0;

  constructor(readonly kernels: Kernels, readonly dtype: DType, sizes: readonly number[], activations: readonly LayerActivation[],
    readonly loss: LossKind, readonly leakySlope: number) {
    const e = kernels.exports;
    const f32 = dtype === 'float32';
    this.ops = {
      forward: f32 ? e.net_forward_f32 : e.net_forward_f64,
      backward: f32 ? e.net_backward_f32 : e.net_backward_f64,
      cost: f32 ? e.net_cost_f32 : e.net_cost_f64,
      update: f32 ? e.net_update_f32 : e.net_update_f64,
      trainStep: f32 ? e.net_train_step_f32 : e.net_train_step_f64,
    };
    let ptr = 0;
    try {
      for (let l = 1; l < sizes.length; l++) {
        const units = sizes[l]!;
        const inputs = sizes[l - 1]!;
        this.layers.push({
          units, inputs, activation: activations[l - 1]!,
          W: kernels.tensor(units, inputs, dtype), b: kernels.tensor(units, 1, dtype),
          dW: kernels.tensor(units, inputs, dtype), db: kernels.tensor(units, 1, dtype),
        });
      }
      ptr = e.alloc(PLAN_HEADER_BYTES + PLAN_LAYER_BYTES * this.layers.length) >>> 0;
      new Uint8Array(e.memory.buffer, ptr, PLAN_HEADER_BYTES + PLAN_LAYER_BYTES * this.layers.length).fill(0);
    } catch (err) {
      for (const l of this.layers) for (const t of [l.W, l.b, l.dW, l.db]) t.dispose();
      throw err;
    }
    this.ptr = ptr;
    this.ensureWorkspace(1);
  }

  get nX(): number { return this.layers[0]!.inputs; }
  get nY(): number { return this.layers[this.layers.length - 1]!.units; }
  get output(): LayerActivation { return this.layers[this.layers.length - 1]!.activation; }
  get capacity(): number { return this.#workspace?.capacity ?? 0; }
  get hasDropoutBuffers(): boolean { return this.#workspace?.D.some((d) => d !== null) ?? false; }

  /** Grows the workspace to hold `capacity` examples (keeps dropout buffers if it had them). */
  ensureWorkspace(capacity: number): void {
    if (this.#workspace !== null && this.#workspace.capacity >= capacity) return;
    const hadDropout = this.hasDropoutBuffers;
    this.freeWorkspace();
    const allocated: Tensor[] = [];
    const t = (rows: number): Tensor => {
      const x = this.kernels.tensor(rows, capacity, this.dtype);
      allocated.push(x);
      return x;
    };
    try {
      this.#workspace = {
        capacity, input: null, target: null,
        Z: this.layers.map((l) => t(l.units)),
        A: this.layers.map((l) => t(l.units)),
        dZ: this.layers.map((l) => t(l.units)),
        D: this.layers.map(() => null),
        Ad: this.layers.map(() => null),
      };
    } catch (e) {
      for (const x of allocated) x.dispose();
      throw e;
    }
    this.generation++;
    if (hadDropout) this.ensureDropoutBuffers();
    this.write();
  }

  /** Masks and dropped activations for every hidden layer. */
  ensureDropoutBuffers(): void {
    const ws = this.#workspace!;
    this.layers.forEach((layer, l) => {
      if (l === this.layers.length - 1) return;
      ws.D[l] ??= this.kernels.tensor(layer.units, ws.capacity, this.dtype);
      ws.Ad[l] ??= this.kernels.tensor(layer.units, ws.capacity, this.dtype);
    });
    this.write();
  }

  /** Points the plan at the training state's moments (null: no optimiser state). */
  attachMoments(moments: Moments[] | null): void {
    this.#moments = moments;
    this.write();
  }

  /** The workspace's batch input (n_x × capacity), allocated on first use. */
  inputBuffer(): Tensor {
    const ws = this.#workspace!;
    ws.input ??= this.kernels.tensor(this.nX, ws.capacity, this.dtype);
    return ws.input;
  }

  /** The workspace's batch targets (n_y × capacity), allocated on first use. */
  targetBuffer(): Tensor {
    const ws = this.#workspace!;
    ws.target ??= this.kernels.tensor(this.nY, ws.capacity, this.dtype);
    return ws.target;
  }

  /** The output layer's activations (n_y × capacity) of the last forward pass. */
  outputBuffer(): Tensor {
    const ws = this.#workspace!;
    return ws.A[ws.A.length - 1]!;
  }

  /** The dropout stream (xoshiro128** state in the plan header): four u32 words. */
  get dropoutState(): Uint32Array {
    return Uint32Array.from(new Uint32Array(this.kernels.exports.memory.buffer, this.ptr + HEADER.rng, 4));
  }

  set dropoutState(words: Uint32Array) {
    new Uint32Array(this.kernels.exports.memory.buffer, this.ptr + HEADER.rng, 4).set(words);
  }

  /** STATUS of the last update (src/runtime/plan.ts). */
  status(): number {
    const buf = this.kernels.exports.memory.buffer;
    if (this.#status === null || this.#status.buffer !== buf) this.#status = new Int32Array(buf, this.ptr + HEADER.status, 1);
    return this.#status[0]!;
  }

  /** The last step prepared the next one's W¹·x (the header's ready: assembly/net.ts prepareNext). */
  prepared(): boolean {
    return new Int32Array(this.kernels.exports.memory.buffer, this.ptr + HEADER.ready, 1)[0] === 1;
  }

  /** Writes the plan from the current buffers (the dropout stream is left as it is). */
  write(): void {
    const ws = this.#workspace;
    if (ws === null) return;
    const buf = this.kernels.exports.memory.buffer;
    const L = this.layers.length;
    const i32 = new Int32Array(buf, this.ptr, (PLAN_HEADER_BYTES + PLAN_LAYER_BYTES * L) / 4);
    i32[HEADER.layers / 4] = L;
    i32[HEADER.dtype / 4] = DTYPE_CODE[this.dtype];
    i32[HEADER.capacity / 4] = ws.capacity;
    i32[HEADER.loss / 4] = LOSS_CODE[this.loss];
    new Float64Array(buf, this.ptr + HEADER.slope, 1)[0] = this.leakySlope;
    this.layers.forEach((layer, l) => {
      const mo = this.#moments?.[l];
      const fields: Record<LayerField, number> = {
        units: layer.units, inputs: layer.inputs, act: ACTIVATION_CODE[layer.activation],
        w: layer.W.ptr, b: layer.b.ptr, dw: layer.dW.ptr, db: layer.db.ptr,
        z: ws.Z[l]!.ptr, a: ws.A[l]!.ptr, dz: ws.dZ[l]!.ptr, d: ws.D[l]?.ptr ?? 0, ad: ws.Ad[l]?.ptr ?? 0,
        vw: mo?.vW.ptr ?? 0, vb: mo?.vb.ptr ?? 0, sw: mo?.sW.ptr ?? 0, sb: mo?.sb.ptr ?? 0,
      };
      const r = (PLAN_HEADER_BYTES + PLAN_LAYER_BYTES * l) / 4;
      LAYER_FIELDS.forEach((name, q) => { i32[r + q] = fields[name] | 0; });
    });
  }

  /** Forward pass of mb columns at X; dropout on hidden layers when keepProb < 1. Returns A_L (a workspace view). */
  forward(X: Tensor, mb: number, keepProb = 1): Tensor {
    this.ops.forward(this.ptr, X.ptr, mb, keepProb);
    return this.outputBuffer().view(this.nY, mb);
  }

  /** Backward pass after forward(X): every dW, db (L2 included). */
  backward(X: Tensor, Y: Tensor, mb: number, l2: number, dropout: boolean): void {
    this.ops.backward(this.ptr, X.ptr, Y.ptr, mb, l2, dropout ? 1 : 0);
  }

  /** The cost of the batch whose forward pass ran last, L2 term included. */
  batchCost(Y: Tensor, mb: number, l2: number): number {
    return this.ops.cost(this.ptr, Y.ptr, mb, l2);
  }

  /**
   * The network's output for normalised features-first input, features-first, in f64, in chunks of the
   * workspace's capacity (at least 1024 examples).
   */
  forwardAll(input: FeaturesFirst): Float64Array {
    const m = input.cols;
    let chunk = Math.min(m, Math.max(this.capacity, 1024));
    // Never leave a one-example tail: one column runs the GEMV path, whose rounding differs from a batch's,
    // and predictions must not depend on where a chunk boundary falls.
    if (m > chunk && m % chunk === 1) chunk -= 1;
    this.ensureWorkspace(chunk);
    const nY = this.nY;
    const out = new Float64Array(nY * m);
    for (let start = 0; start < m; start += chunk) {
      const mb = Math.min(chunk, m - start);
      const X = this.inputBuffer().view(input.rows, mb);
      const xd = X.data;
      for (let f = 0; f < input.rows; f++) xd.set(input.data.subarray(f * m + start, f * m + start + mb), f * mb);
      const AL = this.forward(X, mb).data;
      for (let r = 0; r < nY; r++) for (let e = 0; e < mb; e++) out[r * m + start + e] = AL[r * mb + e]!;
    }
    return out;
  }

  /** The loss (no L2) of outputs against targets, features-first: the kernels' net_cost, in chunks of the workspace. */
  lossOf(out: Float64Array, target: FeaturesFirst): number {
    const plan = this;
    const m = target.cols;
    const nY = target.rows;
    const chunk = Math.max(1, Math.min(m, plan.capacity));
    let sum = 0;
    for (let start = 0; start < m; start += chunk) {
      const mb = Math.min(chunk, m - start);
      const A = plan.outputBuffer().view(nY, mb).data;
      const Y = plan.targetBuffer().view(nY, mb);
      const yd = Y.data;
      for (let r = 0; r < nY; r++) {
        for (let e = 0; e < mb; e++) {
          A[r * mb + e] = out[r * m + start + e]!;
          yd[r * mb + e] = target.data[r * m + start + e]!;
        }
      }
      sum += plan.batchCost(Y, mb, 0) * mb;
    }
    return sum / m;
  }

  private freeWorkspace(): void {
    const ws = this.#workspace;
    if (ws === null) return;
    for (const x of [ws.input, ws.target, ...ws.Z, ...ws.A, ...ws.dZ, ...ws.D, ...ws.Ad]) x?.dispose();
    this.#workspace = null;
  }

  dispose(): void {
    this.freeWorkspace();
    this.kernels.exports.free(this.ptr);
    for (const l of this.layers) for (const t of [l.W, l.b, l.dW, l.db]) t.dispose();
  }
}
