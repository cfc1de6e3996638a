// The pure-TypeScript twin of a simdnet training step and forward pass: the course's algorithm written
// straight on Float32Arrays with the reference kernels of src/reference/index.ts (plain loops, no
// WASM). It is the "what you get without the kernels" contender of bench/sections/peers.ts.
import {
  activationBackward, activationForward, bceLoss, crossEntropyLoss, gemm, optimizerStep, probMinusTarget, softmaxForward, sumRows,
} from '../../src/reference/index.js';
import type { NetSpec, PredictContender, TrainContender, TrainProblem } from './common.js';

/** Probability clipping of the f32 losses (simdnet's defaultEps for float32). */
const EPS = 1e-7;

interface TwinLayer {
  units: number;
  inputs: number;
  act: 'relu' | 'tanh' | 'sigmoid' | 'softmax';
  W: Float32Array;
  b: Float32Array;
  dW: Float32Array;
  db: Float32Array;
  vW: Float32Array | null;
  vb: Float32Array | null;
  sW: Float32Array | null;
  sb: Float32Array | null;
}

/** Buffers of one forward/backward pass over `cols` examples. */
interface Pass {
  cols: number;
  Z: Float32Array[];
  A: Float32Array[];
  dZ: Float32Array[];
}

export class TwinNet {
  readonly layers: TwinLayer[];
  #passes = new Map<number, Pass>();

  constructor(spec: NetSpec, withAdamState: boolean) {
    const L = spec.layers.length - 1;
    this.layers = spec.params.map((p, l) => {
      const units = spec.layers[l + 1]!;
      const inputs = spec.layers[l]!;
      const state = (): Float32Array | null => (withAdamState ? new Float32Array(p.W.length) : null);
      const stateB = (): Float32Array | null => (withAdamState ? new Float32Array(p.b.length) : null);
      return {
        units, inputs, act: l === L - 1 ? spec.output : spec.hidden,
        W: Float32Array.from(p.W), b: Float32Array.from(p.b),
        dW: new Float32Array(p.W.length), db: new Float32Array(p.b.length),
        vW: state(), vb: stateB(), sW: state(), sb: stateB(),
      };
    });
  }

  #pass(cols: number): Pass {
    let p = this.#passes.get(cols);
    if (p === undefined) {
      p = {
        cols,
        Z: this.layers.map((l) => new Float32Array(l.units * cols)),
        A: this.layers.map((l) => new Float32Array(l.units * cols)),
        dZ: this.layers.map((l) => new Float32Array(l.units * cols)),
      };
      this.#passes.set(cols, p);
    }
    return p;
  }

  /** Forward pass of features-first X (n_x × cols); returns A_L (a pass buffer). */
  forward(X: Float32Array, cols: number): Float32Array {
    const p = this.#pass(cols);
    let prev = X;
    this.layers.forEach((layer, l) => {
      const Z = p.Z[l]!;
      const A = p.A[l]!;
      gemm(false, false, layer.units, cols, layer.inputs, 1, layer.W, layer.inputs, prev, cols, 0, Z, cols);
      if (layer.act === 'softmax') softmaxForward(Z, layer.b, A, layer.units, cols);
      else activationForward(layer.act, Z, layer.b, A, layer.units, cols);
      prev = A;
    });
    return prev;
  }

  /** Mean loss of A_L against Y over cols examples. */
  loss(AL: Float32Array, Y: Float32Array, cols: number): number {
    const out = this.layers[this.layers.length - 1]!.act;
    return (out === 'softmax' ? crossEntropyLoss(AL, Y, EPS) : bceLoss(AL, Y, EPS)) / cols;
  }

  /** Backward pass after forward(X, cols): fills every dW, db; skips dA⁰. */
  backward(X: Float32Array, Y: Float32Array, cols: number): void {
    const p = this.#pass(cols);
    const L = this.layers.length;
    // (sigmoid, bce) and (softmax, cross-entropy) both have dZ_L = A_L − Y.
    probMinusTarget(p.A[L - 1]!, Y, p.dZ[L - 1]!, 1);
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const dZ = p.dZ[l]!;
      const prevA = l === 0 ? X : p.A[l - 1]!;
      gemm(false, true, layer.units, layer.inputs, cols, 1 / cols, dZ, cols, prevA, cols, 0, layer.dW, layer.inputs);
      sumRows(dZ, layer.units, cols, layer.db, 1 / cols);
      if (l > 0) {
        const below = this.layers[l - 1]!;
        const dA = p.dZ[l - 1]!;
        gemm(true, false, below.units, cols, layer.units, 1, layer.W, layer.inputs, dZ, cols, 0, dA, cols);
        activationBackward(below.act as 'relu' | 'tanh' | 'sigmoid', p.Z[l - 1]!, p.A[l - 1]!, dA, dA);
      }
    }
  }
}

/** The twin on a training problem: full-batch forward, backward and the course's GD or Adam update. */
export function twinTrainer(problem: TrainProblem): TrainContender {
  const net = new TwinNet(problem.spec, problem.optimizer === 'adam');
  let t = 0;
  const hyper = { learningRate: problem.learningRate, beta1: problem.beta1, beta2: problem.beta2, epsilon: problem.epsilon, c1: 1, c2: 1 };
  return {
    cost: () => net.loss(net.forward(problem.X, problem.m), problem.Y, problem.m),
    step: () => {
      net.forward(problem.X, problem.m);
      net.backward(problem.X, problem.Y, problem.m);
      t++;
      if (problem.optimizer === 'adam') {
        hyper.c1 = 1 - problem.beta1 ** t;
        hyper.c2 = 1 - problem.beta2 ** t;
      }
      for (const layer of net.layers) {
        optimizerStep(problem.optimizer, layer.W, layer.dW, layer.vW, layer.sW, hyper);
        optimizerStep(problem.optimizer, layer.b, layer.db, layer.vb, layer.sb, hyper);
      }
      return NaN;
    },
    dispose: () => {},
  };
}

/** The twin's forward pass of one example. */
export function twinPredictor(spec: NetSpec): PredictContender {
  const net = new TwinNet(spec, false);
  return {
    predictOne: (x) => net.forward(x, 1),
    dispose: () => {},
  };
}
