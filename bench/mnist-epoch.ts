// A web-scale workload (issue 15): one epoch of a [784,128,64,10] relu/softmax MLP, cross-entropy, Adam
// (lr 1e-3, β 0.9/0.999, ε 1e-8), batch 128, shuffled every epoch, float32, on 60,000 generated MNIST-sized
// examples (469 steps, the last one of 96). Every peer trains on the same bytes, each written its usual way:
//   simdnet    Network.create + net.fit(X, Y, { epochs: 1, ... }), simd build, 1 thread and threads: 2
//   tfjs       tf.sequential + model.fit(xs, ys, { epochs: 1, batchSize: 128, shuffle: true }), wasm and cpu backends
//   numpy      bench/numpy/mnist_epoch.py, hand-written forward/backward/Adam, OPENBLAS_NUM_THREADS=1
//   PyTorch    bench/torch/mnist_epoch.py, nn.Sequential + torch.optim.Adam, torch.set_num_threads(1)
// numpy and PyTorch run twice: with glibc's malloc settled (their fastest: bench/numpy/common.py) and as the
// process starts (numpy-plain, torch-plain: their usual way).
// Each peer keeps its model between epochs (the python ones run as long-lived subprocesses answering one
// JSON line per command), so the peers alternate epoch by epoch in rounds that rotate their order: a burst
// of load on this shared VM hits every peer rather than one. One warm-up epoch each, then `rounds` timed
// epochs each; medians. Each peer uses its own default initialisation (He normal for simdnet and numpy,
// Glorot uniform for tfjs, Kaiming uniform for PyTorch), so losses agree in size, not in digits.
// Usage: npm run bench:mnist [-- --quick] [-- --rounds N] [-- --only simdnet,numpy,...]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { Network } from '../src/network.js';
import { initTfjs, tfjsInfo } from './peers/tfjs.js';
import { log, oneThreadEnv } from './lib/util.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds' || args[i] === '--only') i++;
  else if (args[i] !== '--quick') throw new Error(`bench:mnist: unknown argument '${args[i]}' (expected --quick, --rounds N, --only a,b)`);
}
const QUICK = args.includes('--quick');
const M = QUICK ? 6000 : 60000;
const ROUNDS = Number(arg('--rounds') ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`bench:mnist: --rounds must be a positive integer, got '${arg('--rounds')}'`);
const ONLY = arg('--only')?.split(',') ?? null;
const LAYERS = [784, 128, 64, 10];
const BATCH = 128;
const SEED = 1;
/** tfjs's cpu backend (plain JS) is optional: left out when an epoch is estimated slower than this. */
const CPU_LIMIT_S = 60;

/** mulberry32: a fixed-seed stream of uniforms in [0, 1), the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Class-conditional 28×28 images: each class has a prototype of five soft blobs; an example is its class's
 * prototype shifted by up to ±3 px at a random intensity, plus another class's prototype at up to 0.8 of full
 * strength and uniform noise, clipped to [0, 1]. Hard enough that 4 epochs end near 98 % training accuracy
 * (like MNIST), not 100 %, so a peer that learns worse shows.
 */
function makeData(m: number, seed: number): { X: Float32Array; y: Uint8Array } {
  const rand = mulberry32(seed);
  const protos = Array.from({ length: 10 }, () => {
    const blobs = Array.from({ length: 5 }, () => [6 + rand() * 16, 6 + rand() * 16] as const);
    const p = new Float32Array(784);
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
      p[r * 28 + c] = Math.max(...blobs.map(([br, bc]) => Math.exp(-((r - br) ** 2 + (c - bc) ** 2) / 12)));
    }
    return p;
  });
  const X = new Float32Array(m * 784);
  const y = new Uint8Array(m);
  for (let e = 0; e < m; e++) {
    const cls = Math.floor(rand() * 10);
    const other = protos[Math.floor(rand() * 10)]!, p = protos[cls]!;
    const dr = Math.floor(rand() * 7) - 3, dc = Math.floor(rand() * 7) - 3, a = 0.5 + 0.5 * rand(), b = 0.8 * rand();
    y[e] = cls;
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
      const sr = r - dr, sc = c - dc;
      const v = (sr >= 0 && sr < 28 && sc >= 0 && sc < 28 ? a * p[sr * 28 + sc]! : 0) + b * other[r * 28 + c]! + 0.5 * rand();
      X[e * 784 + r * 28 + c] = Math.min(1, v);
    }
  }
  return { X, y };
}

interface EpochResult { seconds: number; loss: number }
interface Peer {
  name: string;
  key: string;
  /** One epoch; seconds as the peer's caller sees them (for the python peers: timed inside the process). */
  epoch(): Promise<EpochResult>;
  /** Loss and accuracy of one pass over the whole training set. */
  evaluate(): Promise<{ loss: number; accuracy: number }>;
  dispose(): Promise<void>;
  info?: string;
  /** simdnet only: what one fit call spends before its first step, in seconds. */
  setupSeconds?: () => number;
  /** tfjs: a full epoch's seconds estimated from a short probe, before committing to its warm-up. */
  estimateSeconds?: () => Promise<number>;
  times: number[];
  last?: EpochResult;
}

const { X, y } = makeData(M, SEED);
const labels = Array.from(y);

async function simdnetPeer(threads: number): Promise<Peer> {
  const net = await Network.create({ layers: LAYERS, hidden: 'relu', output: 'softmax', loss: 'crossEntropy', seed: SEED, kernels: { build: 'simd', threads } });
  const data = { data: X, shape: [M, 784] as [number, number] };
  const options = { epochs: 1, batchSize: BATCH, shuffle: true, optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
  const k = net.kernels;
  return {
    name: `simdnet, simd build, ${k.threads} thread${k.threads > 1 ? 's' : ''}`, key: threads > 1 ? 'simdnet-2t' : 'simdnet', times: [],
    info: k.threadsFallback === null ? undefined : `threads fell back: ${k.threadsFallback}`,
    epoch: async () => {
      const t0 = performance.now();
      const h = await net.fit(data, labels, options);
      return { seconds: (performance.now() - t0) / 1000, loss: h.costs.at(-1)!.cost };
    },
    evaluate: async () => { const ev = net.evaluate(data, labels); return { loss: ev.cost, accuracy: ev.accuracy }; },
    dispose: async () => { net.dispose(); await k.dispose(); },
    // What each fit call pays before its first step: the checks of X and Y and their copy into WASM memory.
    setupSeconds: () => {
      const t0 = performance.now();
      net.trainer(data, labels, { batchSize: BATCH, shuffle: true, optimizer: 'adam' }).dispose();
      return (performance.now() - t0) / 1000;
    },
  };
}

async function tfjsPeer(backend: 'wasm' | 'cpu'): Promise<Peer> {
  await initTfjs();
  await tf.setBackend(backend);
  // Each backend keeps its own copy of the data and its own model; activate() makes it current before use.
  const xs = tf.tensor2d(X, [M, 784], 'float32');
  const cls = tf.tensor1d(Int32Array.from(y), 'int32');
  const ys = tf.oneHot(cls, 10).toFloat();
  const build = (): tf.Sequential => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-8), loss: 'categoricalCrossentropy' });
    return model;
  };
  const model = build();
  const activate = async (): Promise<void> => { if (tf.getBackend() !== backend) await tf.setBackend(backend); };
  return {
    name: `tfjs ${tf.version_core}, ${backend} backend`, key: `tfjs-${backend}`, times: [],
    epoch: async () => {
      await activate();
      const t0 = performance.now();
      const h = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
      return { seconds: (performance.now() - t0) / 1000, loss: h.history.loss![0] as number };
    },
    // An epoch on a tenth of the data with a throwaway model (so the real one's training is untouched), scaled up.
    estimateSeconds: async () => {
      await activate();
      const probe = build(), part = Math.ceil(M / 10);
      const [px, py] = [xs.slice(0, part), ys.slice(0, part)];
      const t0 = performance.now();
      await probe.fit(px, py, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
      const seconds = ((performance.now() - t0) / 1000) * (M / part);
      probe.dispose(); tf.dispose([px, py]);
      return seconds;
    },
    evaluate: async () => {
      await activate();
      const [loss, accuracy] = tf.tidy(() => {
        const p = model.predict(xs, { batchSize: 10000 }) as tf.Tensor2D;
        return [tf.metrics.categoricalCrossentropy(ys, p).mean(), tf.equal(tf.argMax(p, 1), cls).toFloat().mean()];
      });
      const out = { loss: (await loss!.data())[0]!, accuracy: (await accuracy!.data())[0]! };
      tf.dispose([loss!, accuracy!]);
      return out;
    },
    dispose: async () => { model.dispose(); tf.dispose([xs, cls, ys]); },
  };
}

/** A python peer as a long-lived subprocess; returns the reason instead when it cannot run. */
async function pythonPeer(key: string, python: string, script: string, dir: string, env: Record<string, string> = {}): Promise<Peer | string> {
  const child = spawn(python, [script, '--data', dir, '--m', String(M), '--seed', String(SEED), '--batch', String(BATCH)],
    { env: { ...oneThreadEnv(), ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  let failure = '';
  child.on('error', (e) => { failure = e.message; });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (command?: string): Promise<Record<string, unknown>> => {
    if (command !== undefined) child.stdin.write(`${command}\n`);
    const next = await lines.next();
    if (next.done) throw new Error(`${key} ended ${failure || 'without answering'}`);
    return JSON.parse(next.value as string) as Record<string, unknown>;
  };
  try {
    const hello = await ask();
    if (typeof hello.skip === 'string') return hello.skip;
    return {
      name: String(hello.ready), key, times: [],
      epoch: async () => (await ask('epoch')) as unknown as EpochResult,
      evaluate: async () => (await ask('eval')) as unknown as { loss: number; accuracy: number },
      dispose: async () => { child.stdin.end('quit\n'); await new Promise((resolve) => child.once('close', resolve)); },
    };
  } catch (e) {
    child.kill();
    return (e as Error).message;
  }
}

const median = (a: number[]): number => { const s = [...a].sort((p, q) => p - q); return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const wanted = (key: string): boolean => ONLY === null || ONLY.includes(key);
const loadBefore = os.loadavg();
const dir = mkdtempSync(path.join(os.tmpdir(), 'simdnet-mnist-'));
const skipped: string[] = [];
const peers: Peer[] = [];
try {
  // The python peers read the very bytes the JS peers train on.
  writeFileSync(path.join(dir, 'X.f32'), new Uint8Array(X.buffer, X.byteOffset, X.byteLength));
  writeFileSync(path.join(dir, 'y.u8'), y);
  const makers: [string, () => Promise<Peer | string>][] = [
    ['simdnet', () => simdnetPeer(1)],
    ['simdnet-2t', () => simdnetPeer(2)],
    ['tfjs-wasm', () => tfjsPeer('wasm')],
    ['tfjs-cpu', () => tfjsPeer('cpu')],
    ['numpy', () => pythonPeer('numpy', 'python3', 'bench/numpy/mnist_epoch.py', dir)],
    // numpy the usual way: glibc's malloc as the process starts (bench/numpy/common.py says why that is slower).
    ['numpy-plain', () => pythonPeer('numpy-plain', 'python3', 'bench/numpy/mnist_epoch.py', dir, { SIMDNET_NUMPY_SETTLE: '0' })],
    ['torch', () => pythonPeer('torch', '/usr/bin/python3', 'bench/torch/mnist_epoch.py', dir)],
    ['torch-plain', () => pythonPeer('torch-plain', '/usr/bin/python3', 'bench/torch/mnist_epoch.py', dir, { SIMDNET_NUMPY_SETTLE: '0' })],
  ];
  const unknown = (ONLY ?? []).filter((k) => !makers.some(([key]) => key === k));
  if (unknown.length > 0) throw new Error(`bench:mnist: --only: unknown peer '${unknown.join("', '")}' (expected ${makers.map(([k]) => k).join(', ')})`);
  for (const [key, make] of makers) {
    if (!wanted(key)) continue;
    const peer = await make();
    if (typeof peer === 'string') { skipped.push(`${key}: skipped, ${peer}`); continue; }
    // tfjs's cpu backend (plain JS) is optional: left out when an epoch would take more than CPU_LIMIT_S.
    const estimate = key === 'tfjs-cpu' ? await peer.estimateSeconds!() : 0;
    if (estimate > CPU_LIMIT_S) {
      skipped.push(`tfjs-cpu: left out, an epoch would take ≈ ${estimate.toFixed(0)} s (> ${CPU_LIMIT_S} s; timed on a tenth of the data)`);
      await peer.dispose();
    } else peers.push(peer);
  }
  // Warm-up: JIT and wasm tier-up, tfjs's first kernels, the python peers' first allocations.
  for (const peer of peers) {
    const w = await peer.epoch();
    log(`warm-up  ${peer.key.padEnd(11)} ${w.seconds.toFixed(2)} s  loss ${w.loss.toFixed(4)}`);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[(i + r) % peers.length]!;
      peer.last = await peer.epoch();
      peer.times.push(peer.last.seconds);
      log(`round ${r + 1}  ${peer.key.padEnd(11)} ${peer.last.seconds.toFixed(2)} s  loss ${peer.last.loss.toFixed(4)}`);
    }
  }
  const base = median(peers.find((p) => p.key === 'simdnet')?.times ?? [NaN]);
  const loadAfter = os.loadavg();
  const tfi = peers.some((p) => p.key.startsWith('tfjs')) ? await tfjsInfo() : null;
  console.log(`\n## One epoch, [${LAYERS.join(',')}] relu/softmax, Adam, batch ${BATCH}, ${M.toLocaleString('en')} examples (${Math.ceil(M / BATCH)} steps)\n`);
  console.log(`${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} · load average ${loadBefore.map((v) => v.toFixed(2)).join(' ')} → ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`);
  console.log(`1 warm-up + ${ROUNDS} timed epochs per peer, alternating in rounds${tfi ? ` · tfjs wasm: ${tfi.wasmThreads} thread, SIMD ${tfi.wasmSimd}` : ''}\n`);
  console.log('| peer | median s/epoch | min–max | ratio to simdnet | last epoch loss | train loss | train accuracy |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const peer of peers) {
    const ev = await peer.evaluate();
    const t = peer.times;
    console.log(`| ${peer.name} | ${median(t).toFixed(2)} | ${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)} | ${Number.isFinite(base) ? `${(median(t) / base).toFixed(2)}×` : '—'} | ${peer.last!.loss.toFixed(4)} | ${ev.loss.toFixed(4)} | ${(ev.accuracy * 100).toFixed(2)} % |`);
  }
  console.log('\nlast epoch loss: the mean of its batch losses, as each fit reports it; train loss and accuracy: one pass over all the examples after the last epoch.');
  for (const peer of peers) if (peer.info) console.log(`${peer.key}: ${peer.info}`);
  for (const s of skipped) console.log(s);
  const first = peers.find((p) => p.key === 'simdnet');
  if (first?.setupSeconds) {
    const setup = median([first.setupSeconds(), first.setupSeconds(), first.setupSeconds()]);
    console.log(`simdnet: each fit call spends ${(setup * 1000).toFixed(0)} ms before its first step (checks of X and Y, copy into WASM memory), ${((setup / base) * 100).toFixed(1)} % of its epoch.`);
  }
} finally {
  for (const peer of peers) await peer.dispose();
  rmSync(dir, { recursive: true, force: true });
}
