// TensorFlow.js contenders (tfjs-core ops, autodiff and optimisers) on the CPU backend (plain JS) and the WASM
// backend (XNNPACK, single-threaded in Node: tfjs-backend-wasm 4.x reports no multithread support
// there, so it loads tfjs-backend-wasm-simd.wasm). The .wasm files are read from node_modules with
// setWasmPaths(<directory path>) — no network.
//
// The model is the idiomatic tfjs one: examples-first X (m × n_x), dense kernels (n_{l-1} × n_l) —
// the transposes of our W, loaded once — logits through tf.losses.sigmoidCrossEntropy /
// softmaxCrossEntropy (mean over the batch), and optimizer.minimize for the step.
import { createRequire } from 'node:module';
import path from 'node:path';
// The umbrella package: tfjs-core plus, as side effects, every op's gradient (tfjs-core's Node bundle
// registers none, and its ESM register_all_gradients cannot be loaded by Node) and the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { transpose, type NetSpec, type PredictContender, type TrainContender, type TrainProblem } from './common.js';

export type TfBackend = 'cpu' | 'wasm';

let wasmReady: Promise<void> | null = null;

/** Points the WASM backend at its .wasm files in node_modules and initialises both backends once. */
export function initTfjs(): Promise<void> {
  wasmReady ??= (async () => {
    // Production mode drops tfjs's debug-time checks (and its "install tfjs-node" hint), as a deployed app would.
    tf.enableProdMode();
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    setWasmPaths(dir + path.sep);
    for (const b of ['wasm', 'cpu'] as const) {
      if (!(await tf.setBackend(b))) throw new Error(`tfjs: backend '${b}' failed to initialise`);
    }
  })();
  return wasmReady;
}

/** What the WASM backend runs with, for the report header. */
export async function tfjsInfo(): Promise<{ version: string; wasmThreads: number; wasmSimd: boolean }> {
  await initTfjs();
  await tf.setBackend('wasm');
  return { version: tf.version_core, wasmThreads: getThreadsCount(), wasmSimd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean };
}

async function use(backend: TfBackend): Promise<void> {
  await initTfjs();
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs: cannot switch to backend '${backend}'`);
}

/** Size of the WASM backend's linear memory (its heap only grows), and the bytes tfjs counts in live tensors. */
export async function tfjsWasmMemory(): Promise<{ heapBytes: number; tensorBytes: number }> {
  await use('wasm');
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return { heapBytes: backend.wasm?.HEAPU8?.length ?? NaN, tensorBytes: tf.memory().numBytes };
}

interface Dense {
  kernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

function denseLayers(spec: NetSpec): Dense[] {
  return spec.params.map((p, l) => {
    const n = spec.layers[l + 1]!;
    const nPrev = spec.layers[l]!;
    return {
      kernel: tf.variable(tf.tensor2d(transpose(p.W, n, nPrev), [nPrev, n], 'float32')),
      bias: tf.variable(tf.tensor1d(p.b, 'float32')),
    };
  });
}

function hiddenAct(name: NetSpec['hidden'], z: tf.Tensor2D): tf.Tensor2D {
  return name === 'relu' ? tf.relu(z) : name === 'tanh' ? tf.tanh(z) : tf.sigmoid(z);
}

/** Output-layer logits (m × n_y). */
function logits(layers: Dense[], spec: NetSpec, x: tf.Tensor2D): tf.Tensor2D {
  let a = x;
  layers.forEach((layer, l) => {
    const z = tf.add(tf.matMul(a, layer.kernel), layer.bias) as tf.Tensor2D;
    a = l === layers.length - 1 ? z : hiddenAct(spec.hidden, z);
  });
  return a;
}

function probabilities(spec: NetSpec, z: tf.Tensor2D): tf.Tensor2D {
  return spec.output === 'softmax' ? tf.softmax(z) : tf.sigmoid(z);
}

/** One tfjs optimiser step per call on a fixed full batch. */
export async function tfjsTrainer(problem: TrainProblem, backend: TfBackend): Promise<TrainContender> {
  await use(backend);
  const { spec } = problem;
  const nX = spec.layers[0]!;
  const nY = spec.layers[spec.layers.length - 1]!;
  const layers = denseLayers(spec);
  const x = tf.tensor2d(transpose(problem.X, nX, problem.m), [problem.m, nX], 'float32');
  const y = tf.tensor2d(transpose(problem.Y, nY, problem.m), [problem.m, nY], 'float32');
  const optimizer = problem.optimizer === 'adam'
    ? tf.train.adam(problem.learningRate, problem.beta1, problem.beta2, problem.epsilon)
    : tf.train.sgd(problem.learningRate);
  const varList = layers.flatMap((l) => [l.kernel, l.bias]);
  const loss = (): tf.Scalar => {
    const z = logits(layers, spec, x);
    return spec.output === 'softmax' ? tf.losses.softmaxCrossEntropy(y, z) : tf.losses.sigmoidCrossEntropy(y, z);
  };
  return {
    activate: () => use(backend),
    cost: () => {
      const c = tf.tidy(loss);
      const v = c.dataSync()[0]!;
      c.dispose();
      return v;
    },
    step: () => {
      // Without returnCost nothing is read back; the cpu and wasm backends run every op eagerly and
      // synchronously, so the step is complete when minimize returns.
      optimizer.minimize(loss, false, varList);
      return NaN;
    },
    dispose: () => {
      optimizer.dispose();
      for (const t of [x, y, ...varList]) t.dispose();
    },
  };
}

function columnSoftmax(z: tf.Tensor2D): tf.Tensor2D {
  const e = tf.exp(tf.sub(z, tf.max(z, 0, true)));
  return tf.div(e, tf.sum(e, 0, true));
}

/**
 * The same step written by hand the fastest way tfjs allows: features-first like the course (W: n_l × n_{l-1},
 * A: n × m), forward Z = W·A + b; backward dZ_L = A_L − Y, dW = matMul(dZ, A_prev, false, true)/m,
 * db = Σ dZ/m, dA_{l-1} = matMul(W, dZ, true, false) only for l > 1 (no dA⁰); GD or Adam by hand.
 * No autodiff tape, no loss graph. untransposed: every product without a transpose flag, since tfjs-wasm runs
 * those through XNNPACK while a matMul with transposeA or transposeB set is a plain scalar loop there (the
 * GEMM section's N·T and T·N rows): Xᵀ is made once (X is the same at every step here, and a data pipeline can
 * hand out both layouts of a batch), Aᵀ and Wᵀ of the other layers by tf.transpose at each step.
 */
export async function tfjsManualTrainer(problem: TrainProblem, backend: TfBackend, untransposed = false): Promise<TrainContender> {
  await use(backend);
  const { spec, m } = problem;
  const L = spec.params.length;
  const W = spec.params.map((p, l) => tf.variable(tf.tensor2d(p.W, [spec.layers[l + 1]!, spec.layers[l]!], 'float32')));
  const b = spec.params.map((p, l) => tf.variable(tf.tensor2d(p.b, [spec.layers[l + 1]!, 1], 'float32')));
  const x = tf.tensor2d(problem.X, [spec.layers[0]!, m], 'float32');
  const y = tf.tensor2d(problem.Y, [spec.layers[L]!, m], 'float32');
  const xt = untransposed ? tf.transpose(x) as tf.Tensor2D : null;
  const adam = problem.optimizer === 'adam';
  const moments = adam ? [...W, ...b].map((v) => [tf.variable(tf.zerosLike(v)), tf.variable(tf.zerosLike(v))] as const) : [];
  let t = 0;
  const forward = (): { Z: tf.Tensor2D[]; A: tf.Tensor2D[] } => {
    const Z: tf.Tensor2D[] = [], A: tf.Tensor2D[] = [];
    let a = x;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(W[l]!, a), b[l]!) as tf.Tensor2D;
      // Softmax runs down each column here (features-first); tf.softmax only takes the last axis.
      a = l < L - 1 ? hiddenAct(spec.hidden, z)
        : spec.output === 'softmax' ? columnSoftmax(z) : tf.sigmoid(z);
      Z.push(z); A.push(a);
    }
    return { Z, A };
  };
  const invM = 1 / m;
  return {
    activate: () => use(backend),
    cost: () => tf.tidy(() => {
      const a = tf.clipByValue(forward().A[L - 1]!, 1e-7, 1 - 1e-7);
      const terms = spec.output === 'softmax' ? tf.mul(y, tf.log(a))
        : tf.add(tf.mul(y, tf.log(a)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, a))));
      return -(tf.sum(terms).dataSync()[0]!) * invM;
    }),
    step: () => {
      tf.tidy(() => {
        const { Z, A } = forward();
        let dZ = tf.sub(A[L - 1]!, y) as tf.Tensor2D;
        const grads: [tf.Tensor2D, tf.Tensor2D][] = new Array(L);
        for (let l = L - 1; l >= 0; l--) {
          const prev = l === 0 ? x : A[l - 1]!;
          const dW = xt === null ? tf.matMul(dZ, prev, false, true) : tf.matMul(dZ, l === 0 ? xt : tf.transpose(prev));
          grads[l] = [tf.mul(dW, invM), tf.mul(tf.sum(dZ, 1, true), invM)];
          if (l > 0) {
            const dA = xt === null ? tf.matMul(W[l]!, dZ, true, false) : tf.matMul(tf.transpose(W[l]!), dZ);
            const z = Z[l - 1]!, a = A[l - 1]!;
            dZ = spec.hidden === 'relu' ? tf.mul(dA, tf.step(z))
              : spec.hidden === 'tanh' ? tf.mul(dA, tf.sub(1, tf.square(a))) : tf.mul(dA, tf.mul(a, tf.sub(1, a)));
          }
        }
        const lr = problem.learningRate;
        if (!adam) {
          for (let l = 0; l < L; l++) {
            W[l]!.assign(tf.sub(W[l]!, tf.mul(grads[l]![0], lr)));
            b[l]!.assign(tf.sub(b[l]!, tf.mul(grads[l]![1], lr)));
          }
          return;
        }
        t++;
        const { beta1: b1, beta2: b2, epsilon: eps } = problem;
        const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
        [...W, ...b].forEach((w, i) => {
          const g = i < L ? grads[i]![0] : grads[i - L]![1];
          const [v, s] = moments[i]!;
          v.assign(tf.add(tf.mul(v, b1), tf.mul(g, 1 - b1)));
          s.assign(tf.add(tf.mul(s, b2), tf.mul(tf.square(g), 1 - b2)));
          w.assign(tf.sub(w, tf.mul(tf.div(tf.div(v, c1), tf.add(tf.sqrt(tf.div(s, c2)), eps)), lr)));
        });
      });
      return NaN;
    },
    dispose: () => {
      for (const v of [...W, ...b, x, y, ...moments.flat()]) v.dispose();
      xt?.dispose();
    },
  };
}

/** One example per call: upload, forward, read back — what an app calling model.predict on one input does. */
export async function tfjsPredictor(spec: NetSpec, backend: TfBackend): Promise<PredictContender> {
  await use(backend);
  const nX = spec.layers[0]!;
  const layers = denseLayers(spec);
  return {
    activate: () => use(backend),
    predictOne: (input) => {
      const out = tf.tidy(() => probabilities(spec, logits(layers, spec, tf.tensor2d(input, [1, nX], 'float32'))));
      const values = out.dataSync();
      out.dispose();
      return values;
    },
    dispose: () => {
      for (const l of layers) { l.kernel.dispose(); l.bias.dispose(); }
    },
  };
}

/** One GEMM contender: a call to time, its last result, and clean-up. */
export interface TfGemm {
  activate(): Promise<void>;
  /** C = op(A)·op(B) by tf.matMul, forced with dataSync (a copy of C out of the backend, m·n floats). */
  call(): void;
  /** C of the last call. */
  result(): Float32Array;
  dispose(): void;
}

/**
 * tf.matMul(A, B, transposeA, transposeB) on fixed A (aRows × aCols) and B (bRows × bCols), created
 * once on `backend` (so the WASM backend may keep B packed between calls, which favours it).
 */
export async function tfjsGemm(backend: TfBackend, transA: boolean, transB: boolean,
  a: Float32Array, aRows: number, aCols: number, b: Float32Array, bRows: number, bCols: number): Promise<TfGemm> {
  await use(backend);
  const A = tf.tensor2d(a, [aRows, aCols], 'float32');
  const B = tf.tensor2d(b, [bRows, bCols], 'float32');
  let last: Float32Array = new Float32Array(0);
  return {
    activate: () => use(backend),
    call: () => {
      const c = tf.matMul(A, B, transA, transB);
      last = c.dataSync() as Float32Array;
      c.dispose();
    },
    result: () => last,
    dispose: () => { A.dispose(); B.dispose(); },
  };
}
