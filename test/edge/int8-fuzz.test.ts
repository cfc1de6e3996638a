// 10,000 mutated int8 (format version 2) model files through every loader, with the mutations of
// test/reliability/loader-fuzz.ts (random bytes, bit flips, truncations, appended bytes, header fields, values
// overwritten with NaN/±Infinity/0/huge, splices, oversized inputs, valid files) over a pool of int8 models:
//   - decodeModel returns or throws an Error whose message starts with the model-file prefix (never a
//     TypeError/RangeError from a stray read);
//   - model_load in the simd and scalar kernel modules never traps, agrees with decodeModel on what is valid
//     (JSON-header reasons aside: model_load does not read the JSON), sets an ASCII message of ≤ 256 bytes, and
//     leaves a 64 KiB sentinel and a model loaded before the run untouched; accepted files predict the same bits
//     in both builds;
//   - every 20th input is also baked into the scalar edge template: its first call returns model_load's code, no trap.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bakeEdgeModule, type EdgeExports } from '../../src/io/edge.js';
import { decodeModel, quantizeModel } from '../../src/io/format.js';
import { fuzzInputs } from '../reliability/loader-fuzz.js';
import { BUILDS, craftModel, edgeTemplate, instantiateRaw, kernelBinary, lastError, type ModelAbi } from './helpers.js';

const PREFIX = 'simdnet: not a valid simdnet model file: ';
const TS_ONLY = /JSON header/;

function pool(): Uint8Array[] {
  const std = (n: number) => ({ kind: 'standardize' as const, shift: Float64Array.from({ length: n }, (_, i) => i - 1), scale: Float64Array.from({ length: n }, (_, i) => 1 + i) });
  return [
    craftModel([2, 3, 1], ['tanh', 'sigmoid'], 'float32', 1, std(2)),
    craftModel([2, 4, 3, 2], ['relu', 'leakyRelu', 'softmax'], 'float64', 2, null, 0.05),
    craftModel([5, 6, 6, 3], ['leakyRelu', 'linear', 'softmax'], 'float32', 5, std(5)),
    craftModel([17, 33, 8], ['relu', 'softmax'], 'float32', 6),
    craftModel([4, 1], ['sigmoid'], 'float64', 4),
  ].map(quantizeModel);
}

const probe = (n0: number): Float32Array => Float32Array.from({ length: 3 * n0 }, (_, i) => Math.fround(Math.sin(i * 1.7) * 3 + (i % n0)));

describe('int8 model loaders under fuzzing', () => {
  const instances: { build: string; ex: ModelAbi; sentinel: number; good: number; goodIn: number; goodOut: number; want: Uint32Array }[] = [];
  beforeAll(async () => {
    const good = pool()[0]!;
    for (const build of BUILDS) {
      const ex = await instantiateRaw<ModelAbi>(kernelBinary(build));
      const p = ex.alloc(good.length);
      new Uint8Array(ex.memory.buffer, p, good.length).set(good);
      const h = ex.model_load(p, good.length);
      ex.free(p);
      const x = probe(2);
      const goodIn = ex.alloc(x.length * 4);
      const goodOut = ex.alloc(12);
      new Float32Array(ex.memory.buffer, goodIn, x.length).set(x);
      expect(ex.model_predict(h, goodIn, 3, goodOut)).toBe(0);
      const want = new Uint32Array(new Uint32Array(ex.memory.buffer, goodOut, 3));
      const sentinel = ex.alloc(1 << 16);
      new Uint8Array(ex.memory.buffer, sentinel, 1 << 16).fill(0xa5);
      instances.push({ build, ex, sentinel, good: h, goodIn, goodOut, want });
    }
    edgeTemplate('scalar');
  });

  it('10,000 mutated int8 files: no trap, agreement, nothing stray', async () => {
    const template = edgeTemplate('scalar');
    const stats = { cases: 0, accepted: 0, codes: {} as Record<string, number>, baked: 0 };
    const property = fc.asyncProperty(fuzzInputs(pool()), async ({ kind, bytes }) => {
      stats.cases++;
      let tsError: string | null = null;
      try {
        decodeModel(bytes);
      } catch (e) {
        if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw new Error(`decodeModel threw ${String(e)}`);
        if (!e.message.startsWith(PREFIX)) throw new Error(`decodeModel: ${e.message}`);
        tsError = e.message;
      }
      if (kind === 'valid' && tsError !== null) throw new Error(`a valid int8 file was refused: ${tsError}`);
      const outputs: Uint32Array[] = [];
      let rawCode = 0;
      for (const inst of instances) {
        const { ex } = inst;
        const p = ex.alloc(Math.max(1, bytes.length));
        new Uint8Array(ex.memory.buffer, p, bytes.length).set(bytes);
        let h: number;
        try {
          h = ex.model_load(p, bytes.length);
        } catch (e) {
          throw new Error(`${inst.build}: model_load trapped on a ${kind} input of ${bytes.length} bytes: ${(e as Error).message}`);
        }
        ex.free(p);
        rawCode = h < 0 ? h : 1;
        if (h < 0) {
          if (inst.build === 'simd') stats.codes[h] = (stats.codes[h] ?? 0) + 1;
          const message = lastError(ex);
          if (message.length > 256 || !/^[\x20-\x7e]*$/.test(message)) throw new Error(`bad message ${JSON.stringify(message)}`);
          if (h !== -16 && !message.startsWith(PREFIX)) throw new Error(`${inst.build}: code ${h}: ${message}`);
          if (tsError === null) throw new Error(`${inst.build}: model_load refused (${h}: ${message}) what decodeModel accepted`);
        } else {
          if (tsError !== null && !TS_ONLY.test(tsError)) throw new Error(`${inst.build}: model_load accepted what decodeModel refused: ${tsError}`);
          const n0 = ex.model_input_size(h);
          const ny = ex.model_output_size(h);
          const x = probe(n0);
          const pi = ex.alloc(x.length * 4);
          const po = ex.alloc(3 * ny * 4);
          new Float32Array(ex.memory.buffer, pi, x.length).set(x);
          if (ex.model_predict(h, pi, 3, po) !== 0) throw new Error(`${inst.build}: model_predict failed: ${lastError(ex)}`);
          outputs.push(new Uint32Array(new Uint32Array(ex.memory.buffer, po, 3 * ny)));
          ex.free(pi);
          ex.free(po);
          if (ex.model_free(h) !== 0) throw new Error('model_free failed');
          if (inst.build === 'simd') stats.accepted++;
        }
        if (!new Uint8Array(ex.memory.buffer, inst.sentinel, 1 << 16).every((b) => b === 0xa5)) throw new Error(`${inst.build}: the sentinel changed`);
        new Uint32Array(ex.memory.buffer, inst.goodOut, 3).fill(0);
        if (ex.model_predict(inst.good, inst.goodIn, 3, inst.goodOut) !== 0) throw new Error('the reference model stopped predicting');
        const now = new Uint32Array(ex.memory.buffer, inst.goodOut, 3);
        if (!now.every((v, i) => v === inst.want[i])) throw new Error(`${inst.build}: the reference model's predictions changed`);
      }
      if (outputs.length === 2) {
        const [a, b] = outputs as [Uint32Array, Uint32Array];
        const nan = (v: number): boolean => (v & 0x7f800000) === 0x7f800000 && (v & 0x7fffff) !== 0;
        if (!a.every((v, i) => v === b[i] || (nan(v) && nan(b[i]!)))) throw new Error(`simd and scalar builds predict different bits on a ${kind} file`);
      }
      if (stats.cases % 20 === 0) {
        const ex = await instantiateRaw<EdgeExports>(await bakeEdgeModule(template, bytes));
        let code: number;
        try {
          code = ex.input_size();
        } catch (e) {
          throw new Error(`a baked ${kind} input trapped: ${(e as Error).message}`);
        }
        if ((code < 0 ? code : 1) !== (bytes.length === 0 ? -20 : rawCode)) throw new Error(`baked module: code ${code} vs model_load ${rawCode}`);
        stats.baked++;
      }
    });
    await fc.assert(property, { numRuns: 10_000, seed: 20261202, endOnFailure: false });
    console.log(`int8 loader fuzz: ${stats.cases} inputs, ${stats.accepted} accepted, ${stats.baked} baked; model_load codes (simd): ${Object.entries(stats.codes).map(([c, n]) => `${c}:${n}`).join(' ')}`);
    expect(stats.cases).toBe(10_000);
    expect(stats.accepted).toBeGreaterThan(0);
  }, 300_000);
});
