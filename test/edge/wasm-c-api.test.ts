// The documented wasm-c-api host, examples/edge/host.c, on a real engine: wasmtime's C library, built with gcc
// against the standard header vendored in examples/edge/include/wasm.h. Baked float and int8 modules (simd and
// scalar builds) give the same bits there as Network.predict (float) and as V8 running the same module and the
// TypeScript twin (int8), for m = 1, 7 and 256; unbaked, hostile and foreign modules give the documented codes
// and messages, and the host exits cleanly (no signal).
//
// libwasmtime comes from $SIMDNET_WASMTIME_LIB (a path to libwasmtime.so, e.g. from a wasmtime C API release),
// else from node_modules/.cache/simdnet-wasmtime/, where this file puts it: `pip download wasmtime==49.0.0`
// (the Python wheel carries the full C API as wasmtime/linux-x86_64/_libwasmtime.so, without headers). Without
// either (no pip, no index to download from, not linux-x86_64) or without gcc, the tests are skipped with the
// reason printed. Not run under WAMR or wasmer: their libraries are not available here.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakeEdgeModule, edgeLastError, exportEdgeWasm, type EdgeExports } from '../../src/io/edge.js';
import { decodeModel, quantizeModel } from '../../src/io/format.js';
import {
  BUILDS, CASE_OPTIONS, bits, craftModel, edgeTemplate, fixCrc, inputs, instantiateRaw, reference, runPredict, trainCase, withMemoryMaximum,
} from './helpers.js';
import { predictInt8 } from './int8-twin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOST_C = join(ROOT, 'examples/edge/host.c');
const INCLUDE = join(ROOT, 'examples/edge/include');
const WASMTIME_VERSION = '49.0.0';
const CACHE = join(ROOT, 'node_modules/.cache/simdnet-wasmtime', WASMTIME_VERSION);
const WHEEL_MEMBER = 'wasmtime/linux-x86_64/_libwasmtime.so';

const quiet = { stdio: 'pipe' as const, timeout: 180_000 };
const tryRun = (cmd: string, args: string[]): boolean => {
  try {
    execFileSync(cmd, args, quiet);
    return true;
  } catch {
    return false;
  }
};

/** libwasmtime.so: the env override, the cache, or a fresh download of the wheel into the cache; else why not. */
function findLibwasmtime(): { lib: string } | { reason: string } {
  const env = process.env.SIMDNET_WASMTIME_LIB;
  if (env) return existsSync(env) ? { lib: env } : { reason: `SIMDNET_WASMTIME_LIB=${env} does not exist` };
  const lib = join(CACHE, 'libwasmtime.so');
  if (existsSync(lib)) return { lib };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { reason: `the wasmtime wheel used here is linux-x86_64 (this is ${process.platform}-${process.arch}); set SIMDNET_WASMTIME_LIB` };
  const work = join(CACHE, `download.${process.pid}`);
  try {
    mkdirSync(work, { recursive: true });
    // One attempt with the first pip there is, with short network timeouts: without an index this costs seconds.
    const pip = [['pip'], ['pip3'], ['python3', '-m', 'pip']].find(([cmd, ...pre]) => tryRun(cmd!, [...pre, '--version']));
    const fetched = pip !== undefined && tryRun(pip[0]!, [...pip.slice(1), 'download', `wasmtime==${WASMTIME_VERSION}`, '--no-deps',
      '--only-binary=:all:', '--disable-pip-version-check', '--timeout', '10', '--retries', '1', '-d', work]);
    const wheel = readdirSync(work).find((f) => /^wasmtime-.*manylinux.*x86_64\.whl$/.test(f));
    if (!fetched || wheel === undefined) return { reason: `pip download wasmtime==${WASMTIME_VERSION} failed (${pip === undefined ? 'no pip' : 'no package index with it?'}); set SIMDNET_WASMTIME_LIB to a libwasmtime.so` };
    // The one member, by Python's zipfile (there whenever pip is), written under a private name and renamed.
    const tmp = `${lib}.${process.pid}.tmp`;
    execFileSync('python3', ['-c', 'import shutil,sys,zipfile\nwith zipfile.ZipFile(sys.argv[1]).open(sys.argv[2]) as s, open(sys.argv[3], "wb") as d: shutil.copyfileobj(s, d)',
      join(work, wheel), WHEEL_MEMBER, tmp], quiet);
    renameSync(tmp, lib);
    return { lib };
  } catch (e) {
    return { reason: `could not unpack libwasmtime from the wheel: ${String(e).split('\n')[0]}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const hasGcc = tryRun('sh', ['-c', 'command -v gcc']);
const found = hasGcc ? findLibwasmtime() : { reason: 'gcc is missing' };
const reason = 'reason' in found ? found.reason : null;
if (reason !== null) console.warn(`wasm-c-api host test skipped: ${reason}`);

interface Run { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

describe.skipIf(reason !== null)('examples/edge/host.c on wasmtime (wasm-c-api)', () => {
  let dir = '';
  let host = '';
  let n = 0;
  /** Runs the host; never throws (a signal or a status is for the test to check). */
  const run = (args: string[]): Run => {
    const r = spawnSync(host, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
    if (r.error) throw r.error;
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  };
  /** Writes bytes to a fresh file in the work directory and returns its name. */
  const file = (bytes: Uint8Array, ext: string): string => {
    const name = `f${n++}.${ext}`;
    writeFileSync(join(dir, name), bytes);
    return name;
  };
  /** The host's outputs for m examples (the -f mode: a file of m × n0 f32, one printed line per example). */
  const predict = (wasm: Uint8Array, X: Float32Array, m: number, ny: number): Float32Array => {
    const r = run([file(wasm, 'wasm'), '-f', file(new Uint8Array(X.buffer, X.byteOffset, X.byteLength), 'f32')]);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(m);
    const got = Float32Array.from(lines.flatMap((l) => l.split(' ')), Number); // %.9g: each f32 exactly
    expect(got).toHaveLength(m * ny);
    return got;
  };
  const maxAbs = (a: Float32Array, b: Float32Array): number => a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i]!)), 0);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'simdnet-wasm-c-api-'));
    host = join(dir, 'host');
    const lib = (found as { lib: string }).lib;
    // As documented: the standard header, the library by -L/-l, found at run time through the rpath.
    execFileSync('gcc', ['-O2', '-std=c11', '-Wall', '-Wextra', '-pedantic', '-Werror', `-I${INCLUDE}`, HOST_C, '-o', host,
      `-L${dirname(lib)}`, `-l:${basename(lib)}`, `-Wl,-rpath,${dirname(lib)}`], quiet);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('float models: the same bits as Network.predict, simd and scalar builds, m = 1, 7, 256', async () => {
    for (const index of [0, 1, 2, 6]) { // tanh→softmax, f64 relu→sigmoid, leakyRelu→linear, [37, 70, 33, 10] relu→softmax
      const c = CASE_OPTIONS[index]!;
      const model = await trainCase(c.options, index);
      const n0 = c.options.layers[0]!;
      const ny = c.options.layers.at(-1)!;
      for (const build of BUILDS) {
        edgeTemplate(build);
        const wasm = await exportEdgeWasm(model, { build });
        for (const m of [1, 7, 256]) {
          const { rows, flat } = inputs(m, n0, 90 + index + m);
          const got = predict(wasm, flat, m, ny);
          const want = await reference(model, build, rows);
          expect(bits(got), `${c.name}, ${build}, m = ${m}: max abs diff ${maxAbs(got, want)}`).toEqual(bits(want));
        }
      }
    }
  });

  it('int8 models: the same bits as V8 running the module and as the TypeScript twin, m = 1, 7, 256', async () => {
    const std = { kind: 'standardize' as const, shift: Float64Array.from({ length: 37 }, (_, i) => i * 0.1), scale: Float64Array.from({ length: 37 }, (_, i) => 1 + i / 8) };
    for (const [i, model] of [
      craftModel([37, 70, 33, 10], ['relu', 'leakyRelu', 'linear'], 'float32', 31, std),
      craftModel([37, 20, 10], ['tanh', 'softmax'], 'float32', 32),
    ].entries()) {
      for (const build of BUILDS) {
        const wasm = await exportEdgeWasm(model, { build, quantize: 'int8' });
        const ex = await instantiateRaw<EdgeExports>(wasm);
        for (const m of [1, 7, 256]) {
          const { flat } = inputs(m, 37, 60 + i + m);
          const got = predict(wasm, flat, m, 10);
          expect(bits(got), `wasmtime vs V8 (${build}, m = ${m})`).toEqual(bits(runPredict(ex, ex.predict, flat, m, 10)));
          // The twin uses Math.exp where the module uses AssemblyScript's exp: compared on the relu/linear model only.
          if (i === 0) expect(bits(got), `wasmtime vs the TS twin (${build}, m = ${m})`).toEqual(bits(predictInt8(decodeModel(quantizeModel(model)), flat, m)));
        }
      }
    }
  });

  it('one example from the command line, and the timing flag', async () => {
    const c = CASE_OPTIONS[6]!;
    const model = await trainCase(c.options, 6);
    const wasm = file(await exportEdgeWasm(model, { build: 'simd' }), 'wasm');
    const { rows, flat } = inputs(1, 37, 77);
    const r = run([wasm, ...Array.from(flat, (v) => v.toPrecision(9))]); // strtof reads %.9g back exactly
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('model: {"format":"simdnet-model"'); // model_info, printed to stderr
    expect(bits(Float32Array.from(r.stdout.trim().split(' '), Number))).toEqual(bits(await reference(model, 'simd', rows)));
    const wrong = run([wasm, '1', '2']);
    expect([wrong.status, wrong.signal]).toEqual([2, null]);
    expect(wrong.stderr).toContain('the model wants 37 features, got 2');
    const timed = run([wasm, '-f', file(new Uint8Array(inputs(4, 37, 78).flat.buffer), 'f32'), '-t', '50']);
    expect(timed.status, timed.stderr).toBe(0);
    expect(timed.stderr).toMatch(/time m=1: [\d.]+ us per example \(median of 7 rounds of 50 calls\), fastest [\d.]+ us/);
    expect(timed.stderr).toMatch(/time m=4: [\d.]+ us per example \(median of 7 rounds of 12 calls\)/);
    const ragged = run([wasm, '-f', file(new Uint8Array(37 * 4 + 2), 'f32')]);
    expect([ragged.status, ragged.signal]).toEqual([2, null]);
    expect(ragged.stderr).toContain('not a whole number of examples of 37 f32 features');
  });

  it.each(BUILDS)('unbaked and hostile modules (%s build): the documented code and message, the same as in V8, no crash', async (build) => {
    /** What V8 says about a module's model (input_size's code and last_error), and what the host says. */
    const compare = async (wasm: Uint8Array, what: string): Promise<number> => {
      const ex = await instantiateRaw<EdgeExports>(wasm);
      const code = ex.input_size();
      expect(code, what).toBeLessThan(0);
      const r = run([file(wasm, 'wasm'), '0']);
      expect([r.status, r.signal], `${what}: ${r.stderr}`).toEqual([1, null]);
      expect(r.stderr, what).toContain(`loading the baked model failed (${code}): ${edgeLastError(ex)}\n`);
      return code;
    };
    const template = edgeTemplate(build);
    expect(await compare(template, 'the template')).toBe(-20); // E_NO_MODEL
    const model = craftModel([3, 4, 2], ['tanh', 'softmax'], 'float32', 21, { kind: 'standardize', shift: Float64Array.of(0, 1, 2), scale: Float64Array.of(1, 2, 3) });
    const flipped = model.slice();
    flipped[40]! ^= 4;
    const infinite = model.slice();
    new DataView(infinite.buffer).setFloat32(infinite.length - 8, Infinity, true);
    expect(await compare(await bakeEdgeModule(template, flipped), 'a flipped bit')).toBe(-13); // E_CHECKSUM
    expect(await compare(await bakeEdgeModule(template, model.subarray(0, 20)), 'truncated')).toBe(-2); // E_TRUNCATED
    expect(await compare(await bakeEdgeModule(template, fixCrc(infinite)), 'an infinite weight')).toBe(-15); // E_WEIGHTS
    expect(await compare(await bakeEdgeModule(template, Uint8Array.of(0x89, 0x50, 0x4e, 0x47, ...new Uint8Array(60))), 'a PNG')).toBe(-3); // E_MAGIC

    // Memory that cannot grow (a maximum at the baked minimum): a model whose workspace does not fit gets
    // E_OUT_OF_MEMORY; with a small model, alloc returns 0 for a batch that does not fit, and the host says so.
    const pages = async (wasm: Uint8Array): Promise<number> => (await instantiateRaw<EdgeExports>(wasm)).memory.buffer.byteLength >> 16;
    const wide = await exportEdgeWasm(craftModel([2, 40000, 1], ['relu', 'linear'], 'float32', 5), { build });
    expect(await compare(withMemoryMaximum(wide, await pages(wide)), 'a workspace that does not fit')).toBe(-16);
    const small = await exportEdgeWasm(craftModel([37, 70, 33, 10], ['relu', 'relu', 'softmax'], 'float32', 5), { build });
    const r = run([file(withMemoryMaximum(small, await pages(small)), 'wasm'), '-f', file(new Uint8Array(inputs(256, 37, 3).flat.buffer), 'f32')]);
    expect([r.status, r.signal], r.stderr).toEqual([1, null]);
    expect(r.stderr).toContain('out of memory');
  });

  it('foreign files: the engine rejects them, the host says so and exits with 1', async () => {
    const baked = await exportEdgeWasm(craftModel([3, 4, 2], ['tanh', 'softmax'], 'float32', 21), { build: 'scalar' });
    for (const [what, bytes] of [
      ['a truncated module', baked.subarray(0, baked.length >> 1)],
      ['text', new TextEncoder().encode('not a module\n')],
      ['a bad section id', Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x7f, 0)],
    ] as const) {
      const r = run([file(bytes, 'wasm'), '1']);
      expect([r.status, r.signal], `${what}: ${r.stderr}`).toEqual([1, null]);
      expect(r.stderr, what).toContain('the engine rejected');
    }
    const empty = run([file(new Uint8Array(0), 'wasm')]);
    expect([empty.status, empty.signal]).toEqual([1, null]);
    expect(empty.stderr).toContain('is empty');
    const missing = run(['no-such-file.wasm']);
    expect([missing.status, missing.signal]).toEqual([1, null]);
  });
});
