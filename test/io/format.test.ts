// The model file: round trips are bit-exact, and every damaged or foreign input is rejected with an
// Error whose message says what is wrong (never a crash, a hang or an absurd allocation).
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { crc32, decodeModel, encodeModel, FORMAT_VERSION, MAX_LAYERS } from '../../src/io/format.js';
import { mulberry32, randomRows, sameBits } from '../network/helpers.js';

const rng = mulberry32(8);
const X = randomRows(rng, 30, 4, -3, 3).map((r) => [r[0]! * 50, r[1]!, r[2]! + 10, r[3]!]);
const Y3 = X.map((x, e) => e % 3);
const INVALID = /^simdnet: not a valid simdnet model file: /;

async function trainedNet(dtype: 'float32' | 'float64', normalize: 'standardize' | 'minmax' | 'none' = 'standardize') {
  const net = await Network.create({
    layers: [4, 5, 3], hidden: 'leakyRelu', leakySlope: 0.05, dtype, seed: 4, normalize, labels: ['cat', 'dog', 'bird'],
  });
  await net.fit(X, Y3, { iterations: 20, learningRate: 0.1, optimizer: 'adam' });
  return net;
}

/** Recomputes the trailing CRC, so that a deliberately edited header reaches the later checks. */
function withCrc(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** The Error thrown by decodeModel (the test fails if it returns or throws a non-Error). */
function rejection(bytes: Uint8Array | ArrayBuffer): Error {
  try {
    decodeModel(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error(`decodeModel accepted ${bytes.byteLength} bad bytes`);
}

describe('save → load round trip', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const normalize of ['standardize', 'minmax', 'none'] as const) {
      it(`${dtype}, normalize ${normalize}: architecture, labels, normaliser, weights and predictions are bit-identical`, async () => {
        const net = await trainedNet(dtype, normalize);
        try {
          const bytes = net.save();
          const loaded = await Network.load(bytes);
          try {
            expect(loaded.dtype).toBe(dtype);
            expect(loaded.layerSizes).toEqual([4, 5, 3]);
            expect(loaded.activations).toEqual(['leakyRelu', 'softmax']);
            expect(loaded.loss).toBe('crossEntropy');
            expect(loaded.leakySlope).toBe(0.05);
            expect(loaded.labels).toEqual(['cat', 'dog', 'bird']);
            expect(loaded.seed).toBe(4);
            if (normalize === 'none') expect(loaded.normalizer).toBeNull();
            else {
              expect(loaded.normalizer!.kind).toBe(normalize);
              expect(sameBits(loaded.normalizer!.shift, net.normalizer!.shift)).toBe(true);
              expect(sameBits(loaded.normalizer!.scale, net.normalizer!.scale)).toBe(true);
            }
            const a = net.getWeights();
            const b = loaded.getWeights();
            a.forEach((l, i) => {
              expect(b[i]!.W.constructor).toBe(dtype === 'float32' ? Float32Array : Float64Array);
              expect(sameBits(l.W, b[i]!.W) && sameBits(l.b, b[i]!.b)).toBe(true);
            });
            const p = net.predict(X);
            const q = loaded.predict(X);
            expect(q.data.constructor).toBe(p.data.constructor);
            expect(sameBits(p.data, q.data)).toBe(true);
            // Saving the loaded model reproduces the file byte for byte; an ArrayBuffer loads too.
            expect(loaded.save()).toEqual(bytes);
            const fromBuffer = await Network.load(bytes.slice().buffer);
            expect(sameBits(fromBuffer.predict(X).data, p.data)).toBe(true);
            fromBuffer.dispose();
          } finally {
            loaded.dispose();
          }
        } finally {
          net.dispose();
        }
      });
    }
  }

  it('loads from a Uint8Array that is a view into a larger buffer', async () => {
    const net = await trainedNet('float64');
    try {
      const bytes = net.save();
      const big = new Uint8Array(bytes.length + 13);
      big.set(bytes, 5);
      const view = big.subarray(5, 5 + bytes.length);
      const loaded = await Network.load(view);
      expect(sameBits(loaded.predict(X).data, net.predict(X).data)).toBe(true);
      loaded.dispose();
    } finally {
      net.dispose();
    }
  });

  it('crc32 is the standard CRC-32 (check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('damaged and foreign bytes', () => {
  it('every single flipped bit is rejected: magic, version or checksum', async () => {
    const net = await trainedNet('float32');
    const bytes = net.save();
    net.dispose();
    let checked = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = bytes.slice();
        bad[i]! ^= 1 << bit;
        const e = rejection(bad);
        expect(e.message).toMatch(INVALID);
        const expected = i < 4 ? /wrong magic number/ : i < 6 ? /format version \d+ is not supported/ : /checksum mismatch/;
        expect(e.message, `byte ${i} bit ${bit}`).toMatch(expected);
        checked++;
      }
    }
    console.log(`format: ${checked} single-bit flips of a ${bytes.length}-byte model, all rejected`);
  });

  it('every truncation is rejected with a clear message, by decodeModel and Network.load', async () => {
    const net = await trainedNet('float64');
    const bytes = net.save();
    net.dispose();
    const cuts = [...Array.from({ length: 65 }, (_, n) => n), 100, 200, Math.floor(bytes.length / 2), bytes.length - 5, bytes.length - 4, bytes.length - 1];
    for (const n of cuts) {
      const e = rejection(bytes.subarray(0, n));
      expect(e.message, `length ${n}`).toMatch(n < 28 ? new RegExp(`only ${n} bytes \\(truncated or empty\\)`) : /checksum mismatch|describes \d+ bytes/);
      await expect(Network.load(bytes.slice(0, n))).rejects.toThrow(INVALID);
    }
    // One byte too many (with a valid checksum) is caught by the length check.
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes.subarray(0, bytes.length - 4));
    expect(rejection(withCrc(longer)).message).toMatch(/the header describes \d+ bytes but there are \d+/);
  });

  it('foreign bytes: PNG, HDF5, JSON, zeros and seeded random noise', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);
    const hdf5 = new Uint8Array(96);
    hdf5.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    const json = new TextEncoder().encode(JSON.stringify({ format: 'simdnet-model', layers: [4, 1], weights: [1, 2, 3, 4, 5] }));
    for (const bytes of [png, hdf5, json, new Uint8Array(64), new Uint8Array(4096)]) {
      expect(rejection(bytes).message).toMatch(/wrong magic number/);
    }
    const r = mulberry32(123);
    for (let trial = 0; trial < 200; trial++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(r() * 2000) }, () => Math.floor(r() * 256));
      // Half of them get the right magic and version, so they reach the checksum.
      if (trial % 2 === 0 && bytes.length >= 8) bytes.set([0x53, 0x4e, 0x45, 0x54, FORMAT_VERSION, 0]);
      expect(rejection(bytes).message).toMatch(INVALID);
    }
    for (const notBytes of [null, undefined, 'SNET', [0x53, 0x4e, 0x45, 0x54], new Float64Array(8), { length: 10 }]) {
      expect(() => decodeModel(notBytes as never)).toThrow(/must be loaded from a Uint8Array or ArrayBuffer/);
    }
  });

  describe('edited headers with a correct checksum', () => {
    let bytes: Uint8Array;
    const edit = (fn: (dv: DataView, b: Uint8Array) => void, base?: Uint8Array): Uint8Array => {
      const b = (base ?? bytes).slice();
      fn(new DataView(b.buffer), b);
      return withCrc(b);
    };

    it('wrong version, dtype, normaliser code, activation code, layer counts and sizes', async () => {
      const net = await trainedNet('float64');
      bytes = net.save();
      net.dispose();
      const L = 2;
      const cases: [Uint8Array, RegExp][] = [
        [edit((dv) => dv.setUint16(4, FORMAT_VERSION + 2, true)), new RegExp(`format version ${FORMAT_VERSION + 2} is not supported \\(this simdnet reads versions ${FORMAT_VERSION} and ${FORMAT_VERSION + 1}\\)`)],
        [edit((dv) => dv.setUint16(4, FORMAT_VERSION + 1, true)), /unknown dtype code 2 \(format version 2 holds 3 int8\)/],
        [edit((dv) => dv.setUint16(4, 0, true)), /format version 0 is not supported/],
        [edit((dv) => dv.setUint8(6, 3)), /unknown dtype code 3/],
        [edit((dv) => dv.setUint8(6, 1)), /the header describes \d+ bytes but there are \d+/],
        [edit((dv) => dv.setUint8(7, 9)), /unknown normaliser code 9/],
        [edit((dv) => dv.setUint32(8, 0, true)), /0 layers \(expected 1\.\.256\)/],
        [edit((dv) => dv.setUint32(8, MAX_LAYERS + 1, true)), /257 layers \(expected 1\.\.256\)/],
        [edit((dv) => dv.setUint32(8, 0xffffffff, true)), /4294967295 layers/],
        [edit((dv) => dv.setUint32(8, 200, true)), /architecture block runs past the end/],
        [edit((dv) => dv.setUint32(24, 0, true)), /layer 0 has 0 units/],
        [edit((dv) => dv.setUint32(28, 0xffffffff, true)), /layer 1 has 4294967295 units \(expected 1\.\.16777216\)/],
        [edit((dv) => { dv.setUint32(24, 1 << 24, true); dv.setUint32(28, 1 << 24, true); }), /parameters exceed the limit of 268435456/],
        [edit((dv) => dv.setUint32(24, 5, true)), /describes \d+ bytes but there are \d+/],
        [edit((dv) => dv.setUint8(24 + 4 * (L + 1), 17)), /layer 1 has unknown activation code 17/],
        [edit((dv) => dv.setUint8(24 + 4 * (L + 1), 5)), /softmax is only allowed on the output layer/],
        [edit((dv) => dv.setUint8(24 + 4 * (L + 1) + 1, 2)), /disagrees with the binary architecture/],
        [edit((dv) => dv.setFloat64(16, NaN, true)), /leaky relu slope is not finite/],
        // A huge JSON length must not wrap around in the size arithmetic (it once did, at 2^31).
        [edit((dv) => dv.setUint32(12, 0xfffffff0, true)), /the header describes 429496\d{4} bytes but there are \d+/],
        [edit((dv) => dv.setUint32(12, 0x80000000, true)), /the header describes 21474\d{5} bytes but there are \d+/],
        [edit((dv) => dv.setUint32(12, 3, true)), /the header describes \d+ bytes but there are \d+/],
      ];
      for (const [b, re] of cases) {
        const e = rejection(b);
        expect(e.message).toMatch(INVALID);
        expect(e.message).toMatch(re);
        await expect(Network.load(b)).rejects.toThrow(re);
      }
    });

    it('a non-finite weight, a zero normaliser scale and a broken JSON header', async () => {
      const net = await trainedNet('float64');
      const b = net.save();
      net.dispose();
      const dv = new DataView(b.buffer);
      const L = 2;
      const archEnd = (24 + 4 * (L + 1) + L + 7) & ~7;
      const jsonLength = dv.getUint32(12, true);
      const jsonEnd = (archEnd + jsonLength + 7) & ~7;
      const lastWeight = b.length - 4 - 8;
      expect(rejection(edit((d) => d.setFloat64(lastWeight, Infinity, true), b)).message).toMatch(/layer 2 holds a non-finite weight/);
      expect(rejection(edit((d) => d.setFloat64(jsonEnd + 8 * 4, 0, true), b)).message).toMatch(/normaliser values are not finite/);
      expect(rejection(edit((d) => d.setFloat64(jsonEnd, NaN, true), b)).message).toMatch(/normaliser values are not finite/);
      expect(rejection(edit((_, x) => { x[archEnd] = 0x5b; }, b)).message).toMatch(/JSON header does not parse/); // '{' → '['
      expect(rejection(edit((_, x) => { x[archEnd + 1] = 0xff; }, b)).message).toMatch(/JSON header does not parse/); // invalid UTF-8
    });
  });

  it('encodeModel → decodeModel keeps free-form metadata', () => {
    const rec = {
      dtype: 'float64' as const, layers: [2, 1], activations: ['sigmoid' as const], leakySlope: 0.01, normalizer: null,
      meta: { loss: 'bce', note: 'hello ✓', nested: { a: [1, 2] } },
      weights: [{ W: new Float64Array([0.5, -0.25]), b: new Float64Array([1e-300]) }],
    };
    const back = decodeModel(encodeModel(rec));
    expect(back.meta).toEqual(rec.meta);
    expect(Array.from(back.weights[0]!.W)).toEqual([0.5, -0.25]);
    expect(back.weights[0]!.b[0]).toBe(1e-300);
  });
});
