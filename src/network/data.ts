// The checks of what users hand to a network: inputs and targets against its shape, type and loss, the
// typed-array fast path of fit, and the held-out split.
import { FLOAT32_MAX, toFeaturesFirst, toTargets, type FeaturesFirst, type Inputs, type Targets } from '../data/input.js';
import type { DType } from '../runtime/arena.js';
import type { LayerActivation } from '../io/format.js';
import type { TrainData } from './session.js';
import type { LossKind } from './types.js';

/** Checks inputs and targets for one network. */
export class DataChecks {
  readonly #limit: number;
  constructor(readonly nX: number, readonly nY: number, readonly output: LayerActivation, readonly loss: LossKind, dtype: DType) {
    this.#limit = dtype === 'float32' ? FLOAT32_MAX : Infinity;
  }

  /** Validates X and returns its features-first copy, not normalised. */
  inputs(X: Inputs, layout: unknown): FeaturesFirst {
    const input = toFeaturesFirst(X, 'X', layout, this.#limit);
    const nX = this.nX;
    if (input.rows !== nX) {
      const given = layout === 'features-first' ? 'features-first' : 'examples-first';
      const other = given === 'features-first' ? 'examples-first' : 'features-first';
      const hint = input.cols === nX ? `; read as ${given} it has ${input.cols} ${given === 'examples-first' ? 'columns' : 'rows'}: did you mean layout: '${other}'?` : '';
      throw new Error(`simdnet: X has ${input.rows} features per example but the network expects ${nX}${hint}`);
    }
    return input;
  }

  /** Validates Y for m examples (one-hot for softmax) and checks the loss's target range. */
  targets(Y: Targets, m: number, layout: unknown): FeaturesFirst {
    const t = toTargets(Y, m, this.nY, this.output === 'softmax', layout, this.#limit);
    if (this.loss === 'bce' || this.loss === 'crossEntropy') {
      for (let q = 0; q < t.data.length; q++) {
        const v = t.data[q]!;
        if (v < 0 || v > 1) throw new Error(`simdnet: Y example ${q % m} has target ${v}; ${this.loss} targets must be in [0, 1]`);
      }
    }
    return t;
  }

  /**
   * fit's fast path for a large typed-array X ({ data: Float32Array | Float64Array, shape: [m, n] },
   * examples-first): the values go to WASM memory as they are and are checked and transposed there by
   * SIMD kernels (session.ts), instead of through a checked features-first Float64Array copy in JS. null
   * sends everything else down the general path (and a bad value, for its message).
   */
  fastTrainData(X: Inputs, layout: unknown): TrainData | null {
    if (layout !== undefined && layout !== 'examples-first') return null;
    if (typeof X !== 'object' || X === null || Array.isArray(X)) return null;
    const { data, shape } = X as { data?: unknown; shape?: unknown };
    if (!(data instanceof Float32Array || data instanceof Float64Array) || !Array.isArray(shape) || shape.length !== 2) return null;
    const [m, n] = shape as [number, number];
    if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n !== this.nX || data.length !== m * n) return null;
    return { examplesFirst: data, rows: m, cols: n };
  }

  /** The last `split` of the examples held out for validation. */
  splitValidation(train: FeaturesFirst, targets: FeaturesFirst, split: number): { train: FeaturesFirst; targets: FeaturesFirst; validation: { X: FeaturesFirst; Y: FeaturesFirst } } {
    if (!(split > 0 && split < 1)) throw new Error(`simdnet: a validation split must be in (0, 1), got ${split}`);
    const held = Math.round(train.cols * split);
    if (held < 1 || held >= train.cols) throw new Error(`simdnet: a validation split of ${split} leaves no training or no validation examples`);
    const keep = train.cols - held;
    return {
      train: sliceColumns(train, 0, keep), targets: sliceColumns(targets, 0, keep),
      validation: { X: sliceColumns(train, keep, train.cols), Y: sliceColumns(targets, keep, targets.cols) },
    };
  }

  /** Validation data given as { X, Y }. */
  validation(v: unknown, layout: unknown): { X: FeaturesFirst; Y: FeaturesFirst } {
    if (typeof v !== 'object' || v === null || !('X' in v) || !('Y' in v)) throw new Error('simdnet: validation must be { X, Y } or a split fraction');
    const { X, Y } = v as { X: Inputs; Y: Targets };
    const vx = this.inputs(X, layout);
    return { X: vx, Y: this.targets(Y, vx.cols, layout) };
  }
}

function sliceColumns(x: FeaturesFirst, from: number, to: number): FeaturesFirst {
  const cols = to - from;
  const data = new Float64Array(x.rows * cols);
  for (let r = 0; r < x.rows; r++) data.set(x.data.subarray(r * x.cols + from, r * x.cols + to), r * cols);
  return { data, rows: x.rows, cols };
}
