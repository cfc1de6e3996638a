// The kernel and model checks, run inside a real browser page against the ESM build (dist/) as a
// bundler sees it: `simdnet` and `simdnet/reference`, with the .wasm located by Vite from
// `new URL('../../build/simdnet.<build>.wasm', import.meta.url)`. Results go to window.__simdnet.
import { Kernels, Network, loadPlanarDataset, type DType, type Activation } from 'simdnet';
import * as ref from 'simdnet/reference';

interface Result { name: string; ok: boolean; detail: string; ms: number }
declare global {
  interface Window { __simdnet?: { done: boolean; results: Result[]; error?: string } }
}

const state: NonNullable<Window['__simdnet']> = { done: false, results: [] };
window.__simdnet = state;
const log = document.getElementById('log')!;

async function check(name: string, body: () => Promise<string> | string): Promise<void> {
  const t0 = performance.now();
  let ok = true;
  let detail: string;
  try {
    detail = await body();
  } catch (e) {
    ok = false;
    detail = e instanceof Error ? `${e.message}` : String(e);
  }
  const r = { name, ok, detail, ms: Math.round(performance.now() - t0) };
  state.results.push(r);
  log.textContent = state.results.map((x) => `${x.ok ? 'ok  ' : 'FAIL'} ${x.name} (${x.ms} ms): ${x.detail}`).join('\n');
}

// Tolerances as in test/kernels/helpers.ts: accumulations |got − ref| ≤ 4·u·√(k+2)·Σ|terms|,
// elementwise |got − ref| ≤ ELEM_TOL·|ref| + TINY.
const U: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };
const ELEM_TOL: Record<DType, number> = { float32: 1e-6, float64: 1e-14 };
const TINY: Record<DType, number> = { float32: 2 ** -126, float64: 2 ** -1022 };
/** Tail sizes: the SIMD main loops and every scalar remainder of the 4×8 / 4×4 tiles. */
const SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];
const DTYPES: DType[] = ['float32', 'float64'];

let seed = 12345;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
function uniform(n: number, dtype: DType): Float32Array | Float64Array {
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * (rand() + rand() * 2 ** -32) - 1;
  return out;
}

async function main(): Promise<void> {
  const k = await Kernels.load({ build: 'simd' });

  await check('the simd kernel module loads from the bundled .wasm', async () => {
    if (k.build !== 'simd') throw new Error(`got the ${k.build} build`);
    const auto = await Kernels.load();
    const scalar = await Kernels.load({ build: 'scalar' });
    return `simd; auto picks ${auto.build}; scalar loads as ${scalar.build}`;
  });

  await check('gemm matches the TS reference on tail sizes, every transpose, both dtypes', () => {
    let count = 0;
    let worst = 0;
    for (const dtype of DTYPES) {
      for (const m of SIZES) for (const n of SIZES) for (const kk of [1, 4, 7, 9, 17, 33, 257]) {
        for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          const a = uniform(m * kk, dtype), b = uniform(kk * n, dtype), c0 = uniform(m * n, dtype);
          const A = tA ? k.tensor(kk, m, dtype, a) : k.tensor(m, kk, dtype, a);
          const B = tB ? k.tensor(n, kk, dtype, b) : k.tensor(kk, n, dtype, b);
          const C = k.tensor(m, n, dtype, c0);
          const alpha = 0.75, beta = 0.5;
          k.gemm(tA, tB, alpha, A, B, beta, C);
          const got = C.toArray();
          const want = Float64Array.from(c0);
          ref.gemm(tA, tB, m, n, kk, alpha, Float64Array.from(a), tA ? m : kk, Float64Array.from(b), tB ? kk : n, beta, want, n);
          const mag = Float64Array.from(c0, Math.abs);
          ref.gemm(tA, tB, m, n, kk, Math.abs(alpha), Float64Array.from(a, Math.abs), tA ? m : kk, Float64Array.from(b, Math.abs), tB ? kk : n, beta, mag, n);
          const tol = 4 * U[dtype] * Math.sqrt(kk + 2);
          for (let i = 0; i < m * n; i++) {
            const ratio = Math.abs(got[i]! - want[i]!) / (tol * (mag[i]! + TINY[dtype]));
            worst = Math.max(worst, ratio);
            if (!(ratio <= 1)) throw new Error(`${dtype} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} m=${m} n=${n} k=${kk} [${i}]: ${got[i]} vs ${want[i]}`);
          }
          A.dispose(); B.dispose(); C.dispose();
          count++;
        }
      }
    }
    return `${count} products, worst error ${worst.toFixed(3)} of the bound`;
  });

  await check('activations forward and backward match the TS reference on tail sizes', () => {
    const acts: Activation[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'];
    let count = 0;
    for (const dtype of DTYPES) for (const act of acts) for (const rows of [1, 3, 4, 5]) for (const cols of SIZES) {
      const n = rows * cols;
      const z = Float64Array.from(uniform(n, dtype), (v) => 6 * v);
      const bias = uniform(rows, dtype);
      const Z = k.tensor(rows, cols, dtype, z), A = k.tensor(rows, cols, dtype), b = k.tensor(rows, 1, dtype, bias);
      k.activationForward(act, Z, b, A);
      const zr = dtype === 'float32' ? Float32Array.from(z) : Float64Array.from(z);
      const ar = new Float64Array(n);
      ref.activationForward(act, zr, dtype === 'float32' ? Float32Array.from(bias) : Float64Array.from(bias), ar, rows, cols);
      const dA = uniform(n, dtype);
      const dAt = k.tensor(rows, cols, dtype, dA), dZ = k.tensor(rows, cols, dtype);
      k.activationBackward(act, Z, A, dAt, dZ);
      const dzr = new Float64Array(n);
      ref.activationBackward(act, Float64Array.from(Z.data), Float64Array.from(A.data), Float64Array.from(dA), dzr);
      const got = A.toArray(), gotDz = dZ.toArray();
      for (let i = 0; i < n; i++) {
        if (!(Math.abs(got[i]! - ar[i]!) <= ELEM_TOL[dtype] * Math.abs(ar[i]!) + TINY[dtype])) {
          throw new Error(`${act} forward ${dtype} ${rows}×${cols} [${i}]: ${got[i]} vs ${ar[i]}`);
        }
        if (!(Math.abs(gotDz[i]! - dzr[i]!) <= 4 * ELEM_TOL[dtype] * Math.abs(dzr[i]!) + TINY[dtype])) {
          throw new Error(`${act} backward ${dtype} ${rows}×${cols} [${i}]: ${gotDz[i]} vs ${dzr[i]}`);
        }
      }
      for (const t of [Z, A, b, dAt, dZ]) t.dispose();
      count++;
    }
    return `${count} shapes × forward/backward`;
  });

  let saved: Uint8Array | null = null;
  let expected: Float32Array | Float64Array | null = null;
  const { X, Y } = loadPlanarDataset();
  await check("the course's planar net trains to ≥ 90 % (float32, simd)", async () => {
    const net = await Network.create({ layers: [2, 4, 1], hidden: 'tanh', output: 'sigmoid', init: 'small', rng: 'numpy', seed: 2, kernels: k });
    const history = await net.fit(X, Array.from(Y.data), { iterations: 10000, learningRate: 1.2, layout: 'features-first' });
    const { accuracy } = net.evaluate(X, Array.from(Y.data), { layout: 'features-first' });
    const cost0 = history.costs[0]!.cost;
    if (Math.abs(cost0 - 0.693048) > 1e-6) throw new Error(`cost₀ ${cost0}, the course prints 0.693048`);
    if (!(accuracy >= 0.9)) throw new Error(`accuracy ${accuracy}`);
    saved = net.save();
    expected = net.predict(X, { layout: 'features-first' }).data;
    net.dispose();
    return `cost₀ ${cost0.toFixed(6)}, accuracy ${(accuracy * 100).toFixed(2)} % in ${history.timeMs.toFixed(0)} ms`;
  });

  await check('save / load round-trip gives identical predictions', async () => {
    if (saved === null || expected === null) throw new Error('no trained model');
    // Same kernel build: bit-identical. The default (auto) build may be relaxed SIMD, whose fused
    // multiply-add rounds differently, so there the predictions agree to float32 precision.
    const again = await Network.load(saved, { kernels: k });
    const got = again.predict(X, { layout: 'features-first' }).data;
    again.dispose();
    for (let i = 0; i < got.length; i++) if (!Object.is(got[i], expected[i])) throw new Error(`prediction ${i}: ${got[i]} vs ${expected[i]}`);
    const auto = await Network.load(saved);
    const other = auto.predict(X, { layout: 'features-first' }).data;
    let worst = 0;
    for (let i = 0; i < other.length; i++) worst = Math.max(worst, Math.abs(other[i]! - expected[i]!));
    const build = auto.kernels.build;
    auto.dispose();
    if (!(worst <= 1e-5)) throw new Error(`the ${build} build's predictions differ by ${worst}`);
    return `${saved.length} bytes, ${got.length} identical predictions; the ${build} build agrees to ${worst.toExponential(1)}`;
  });
}

main().catch((e: unknown) => {
  state.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
}).finally(() => {
  state.done = true;
});
