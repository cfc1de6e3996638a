// fitInWorker in a page (test/browser/worker.e2e.ts): a full run with progress, and an aborted run.
// The main thread's responsiveness is measured by a timer that ticks while the worker trains.
import { Network, loadPlanarDataset } from 'simdnet';
import { fitInWorker } from 'simdnet/worker';

declare global { interface Window { __worker?: Record<string, unknown> } }

const spec = { layers: [2, 4, 1], hidden: 'tanh', init: 'small', rng: 'numpy', seed: 2 } as const;

async function main(): Promise<Record<string, unknown>> {
  const { X, Y } = loadPlanarDataset();
  const progress: number[] = [];
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 10);
  const t0 = performance.now();
  const full = await fitInWorker(spec, X, Y, {
    iterations: 10000, learningRate: 1.2, layout: 'features-first', costEvery: 1000,
    onProgress: (info) => { progress.push(info.iteration); },
  });
  const ms = performance.now() - t0;
  clearInterval(timer);
  const net = await Network.load(full.bytes);
  const accuracy = net.evaluate(X, Y, { layout: 'features-first' }).accuracy;
  // The same spec on the page's thread: the worker's bytes must equal these.
  const here = await Network.create(spec);
  await here.fit(X, Y, { iterations: 10000, learningRate: 1.2, layout: 'features-first', costEvery: 1000 });
  const mine = here.save();
  const same = mine.length === full.bytes.length && mine.every((b, i) => b === full.bytes[i]);

  const controller = new AbortController();
  let seen = 0;
  const aborted = await fitInWorker(spec, X, Y, {
    iterations: 50_000_000, learningRate: 1.2, layout: 'features-first', costEvery: 1000,
    signal: controller.signal,
    onProgress: () => { if (++seen === 2) controller.abort(); },
  });
  const abortedNet = await Network.load(aborted.bytes);
  return {
    progress, accuracy, same, build: full.build, ms, ticks, stopped: full.history.stopped,
    abortedStopped: aborted.history.stopped, abortedIterations: aborted.history.iterations,
    abortedAccuracy: abortedNet.evaluate(X, Y, { layout: 'features-first' }).accuracy,
  };
}

main().then((r) => { window.__worker = r; }, (e: unknown) => { window.__worker = { error: e instanceof Error ? e.message : String(e) }; });
