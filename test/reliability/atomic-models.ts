// Two valid model files of about 8 MB each, different in every weight (shared by the atomic-save test and its child).
import { encodeModel } from '../../src/io/format.js';

export function bigModels(): [Uint8Array, Uint8Array] {
  const make = (v: number) => {
    const W = new Float32Array(1024 * 2048).fill(v);
    return encodeModel({
      dtype: 'float32', layers: [1024, 2048, 1], activations: ['relu', 'sigmoid'], leakySlope: 0.01, normalizer: null, meta: { loss: 'bce' },
      weights: [{ W, b: new Float32Array(2048).fill(v) }, { W: new Float32Array(2048).fill(v), b: new Float32Array(1).fill(v) }],
    });
  };
  return [make(0.25), make(-0.5)];
}
