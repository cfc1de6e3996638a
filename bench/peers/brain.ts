// brain.js contender, predict latency only.
//
// Version: brain.js 1.6.1 (npm's `latest` tag). Its only dependencies are gpu.js 1.10.4 (→ acorn)
// and thaw.js: pure JS, no native addon. The 2.0.0 betas declare gpu.js ^2.16 as a peer dependency,
// which npm ≥ 7 installs, and gpu.js 2.x depends on `gl` (headless-gl: node-gyp, needs a native
// build or a downloaded prebuilt binary) — not installable from the registry alone here.
//
// Limits that shape what it can be compared on:
// - brain.js applies ONE activation to every layer, output included, so it cannot express a tanh or
//   relu hidden layer with a sigmoid/softmax output; the brain.js rows use all-sigmoid versions of
//   the nets (matched by simdnet nets built with hidden: 'sigmoid', output: 'sigmoid').
// - Its NeuralNetwork trains one example at a time (online SGD with momentum, or its own per-example
//   Adam) on a squared-error delta; there is no full-batch BCE gradient-descent step or batched
//   cross-entropy Adam step, so it is not a contender on the training workloads.
import brain from 'brain.js';
import type { INeuralNetworkJSON } from 'brain.js';
import type { NetSpec, PredictContender } from './common.js';

/** brain.js's own JSON model format, filled with our parameters (weights[node] = row `node` of W). */
function toBrainJson(spec: NetSpec): INeuralNetworkJSON {
  const layers: Record<string, unknown>[] = [];
  layers.push(Object.fromEntries(Array.from({ length: spec.layers[0]! }, (_, k) => [String(k), {}])));
  spec.params.forEach((p, l) => {
    const units = spec.layers[l + 1]!;
    const inputs = spec.layers[l]!;
    const layer: Record<string, unknown> = {};
    for (let node = 0; node < units; node++) {
      const weights: Record<string, number> = {};
      for (let k = 0; k < inputs; k++) weights[String(k)] = p.W[node * inputs + k]!;
      layer[String(node)] = { bias: p.b[node]!, weights };
    }
    layers.push(layer);
  });
  return {
    sizes: [...spec.layers], layers, outputLookup: false, inputLookup: false, activation: 'sigmoid', trainOpts: {},
  } as unknown as INeuralNetworkJSON;
}

/** brain.js NeuralNetwork.run on one example; spec must be all-sigmoid. */
export function brainPredictor(spec: NetSpec): PredictContender {
  if (spec.hidden !== 'sigmoid' || spec.output !== 'sigmoid') throw new Error('brain.js: only all-sigmoid nets match brain.js (one activation for every layer)');
  const net = new brain.NeuralNetwork({ activation: 'sigmoid' });
  net.fromJSON(toBrainJson(spec));
  return {
    predictOne: (x) => net.run(x as unknown as number[]) as unknown as ArrayLike<number>,
    dispose: () => {},
  };
}
