// Type-checked by TypeScript 5.0 and the current release with skipLibCheck off (test/package/matrix.ts).
import { Network, Kernels, exportEdgeWasm, type NetworkOptions, type FitOptions, type History, type Prediction, type LoadOptions } from 'simdnet';
import * as inline from 'simdnet/inline';
import * as reference from 'simdnet/reference';
import * as course from 'simdnet/course';
import { fitInWorker, type FitInWorkerResult } from 'simdnet/worker';

export async function run(): Promise<number> {
  const options: NetworkOptions = { layers: [2, 3, 1], hidden: 'tanh', seed: 1 };
  const load: LoadOptions = { build: 'auto', wasmUrl: (build) => `/wasm/simdnet.${build}.wasm` };
  const net = await Network.create({ ...options, kernels: load });
  const fit: FitOptions = { iterations: 10, learningRate: 0.5 };
  const X = { data: new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), shape: [4, 2] as [number, number] };
  const history: History = await net.fit(X, { data: new Float32Array([0, 1, 1, 0]), shape: [4, 1] }, fit);
  const p: Prediction = net.predict(X);
  const bytes: Uint8Array = net.save();
  const edge = await exportEdgeWasm(bytes);
  await WebAssembly.compile(edge);
  const k: Kernels = await inline.Kernels.load({ build: 'scalar' });
  const controller = new AbortController();
  const trained: FitInWorkerResult = await fitInWorker(options, X, [0, 1, 1, 0], {
    iterations: 10, signal: controller.signal, snapshots: true, onProgress: (info, model) => { void info.cost; void model?.length; },
  });
  const back: Network = await Network.load(trained.bytes);
  void reference; void course; void back;
  return history.costs.length + p.data.length + k.build.length;
}
