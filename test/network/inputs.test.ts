// What users hand to the network: near-constant features, float32 overflow, typed labels, unknown and null
// options, layout slips; and what comes back: class decisions and the confusion matrix's orientation.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { fitNormalizer } from '../../src/data/normalize.js';
import { mulberry32, randomRows } from './helpers.js';

const rng = mulberry32(5);
const X = randomRows(rng, 40, 3);
const Y = X.map(([a]) => (a! > 0 ? 1 : 0));

describe('inputs', () => {
  it('standardize treats a feature that is constant up to rounding as constant (scale 1), like sklearn', () => {
    const m = 1000;
    const data = new Float64Array(2 * m);
    for (let e = 0; e < m; e++) { data[e] = 0.1; data[m + e] = e % 2; }
    const n = fitNormalizer('standardize', data, 2, m);
    expect(n.scale[0]).toBe(1);
    // 0.2 then maps to about 0.1, not 7e13.
    expect(Math.abs((0.2 - n.shift[0]!) / n.scale[0]!)).toBeLessThan(0.2);
    expect(n.scale[1]).toBeCloseTo(0.5, 12);
  });

  it('rejects float32 overflow naming the example and feature; float64 nets take it', async () => {
    const f32 = await Network.create({ layers: [3, 2, 1], dtype: 'float32' });
    const f64 = await Network.create({ layers: [3, 2, 1], dtype: 'float64' });
    try {
      const big = X.map((r, i) => (i === 7 ? [r[0]!, 1e39, r[2]!] : r));
      await expect(f32.fit(big, Y, { iterations: 1 })).rejects.toThrow(/X example 7 feature 1 is 1e\+39, beyond the float32 range/);
      expect(() => f32.predict(big)).toThrow(/X example 7 feature 1 is 1e\+39/);
      expect(() => f64.predict(big)).not.toThrow();
    } finally {
      f32.dispose();
      f64.dispose();
    }
  });

  it('takes labels as Int32Array, Float64Array, Uint8Array and gives the same training as number[]', async () => {
    const nets = await Promise.all([0, 1, 2, 3].map(() => Network.create({ layers: [3, 4, 3], seed: 2 })));
    const labels = X.map(([a, b]) => (a! > 0.3 ? 2 : b! > 0 ? 1 : 0));
    try {
      await nets[0]!.fit(X, labels, { iterations: 5 });
      await nets[1]!.fit(X, Int32Array.from(labels), { iterations: 5 });
      await nets[2]!.fit(X, Float64Array.from(labels), { iterations: 5 });
      await nets[3]!.fit(X, Uint8Array.from(labels), { iterations: 5 });
      const ref = Buffer.from(nets[0]!.save());
      for (const n of nets.slice(1)) expect(Buffer.from(n.save()).equals(ref)).toBe(true);
      expect(() => nets[0]!.evaluate(X, Int32Array.from(labels).map((l, i) => (i === 3 ? 5 : l)))).toThrow(/Y label 3 is 5/);
    } finally {
      for (const n of nets) n.dispose();
    }
  });

  it('every public method rejects unknown and null options by name', async () => {
    const net = await Network.create({ layers: [3, 2, 1] });
    try {
      expect(() => net.predict(X, { layuot: 'features-first' } as never)).toThrow(/unknown predict option 'layuot'/);
      expect(() => net.evaluate(X, Y, { layuot: 'features-first' } as never)).toThrow(/unknown evaluate option 'layuot'/);
      expect(() => net.predictClasses(X, { foo: 1 } as never)).toThrow(/unknown predictClasses option 'foo'/);
      expect(() => net.gradientCheck(X, Y, null as never)).toThrow(/gradientCheck options must be an object, got null/);
      expect(() => net.gradientCheck(X, Y, { eps: 1 } as never)).toThrow(/unknown gradientCheck option 'eps'/);
      expect(() => net.predict(X, null as never)).toThrow(/predict options must be an object/);
      expect(() => net.trainer(X, Y, null as never)).toThrow(/trainer options must be an object/);
      await expect(net.fit(X, Y, { iterations: 1, reset: 'yes' } as never)).rejects.toThrow(/reset must be true or false/);
      await expect(Network.load(net.save(), { kernel: 1 } as never)).rejects.toThrow(/unknown Network.load option 'kernel'/);
    } finally {
      net.dispose();
    }
  });

  it("a layout slip says which layout would fit", async () => {
    const net = await Network.create({ layers: [2, 3, 1] });
    try {
      const featuresFirst = [Array.from({ length: 400 }, (_, i) => i / 400), Array.from({ length: 400 }, (_, i) => 1 - i / 400)];
      expect(() => net.predict(featuresFirst)).toThrow(/X has 400 features per example but the network expects 2; .*did you mean layout: 'features-first'\?/);
      expect(() => net.predict(featuresFirst, { layout: 'features-first' })).not.toThrow();
    } finally {
      net.dispose();
    }
  });
});

describe('outputs', () => {
  it('confusion[true][predicted] on an asymmetric case, and predictClasses with label names', async () => {
    // One linear unit per class with W = I and b = 0: the predicted class is the argmax of the input itself.
    const net = await Network.create({ layers: [3, 3], output: 'softmax', labels: ['cat', 'dog', 'eel'] });
    try {
      net.setWeights([{ W: [1, 0, 0, 0, 1, 0, 0, 0, 1], b: [0, 0, 0] }]);
      const inputs = [[5, 0, 0], [5, 0, 0], [0, 5, 0], [0, 0, 5], [0, 0, 5], [0, 0, 5]];
      const predicted = [0, 0, 1, 2, 2, 2];
      const truth = [0, 1, 1, 2, 0, 0];
      expect(Array.from(net.predictClasses(inputs).classes)).toEqual(predicted);
      expect(net.predictClasses(inputs).labels).toEqual(['cat', 'cat', 'dog', 'eel', 'eel', 'eel']);
      const ev = net.evaluate(inputs, truth);
      // Rows are the true class, columns the predicted one: true 0 was predicted 0 once and 2 twice.
      expect(ev.confusion).toEqual([[1, 0, 2], [1, 1, 0], [0, 0, 1]]);
      expect(ev.accuracy).toBeCloseTo(3 / 6, 15);
    } finally {
      net.dispose();
    }
  });

  it('predict of 1025 rows: no one-example tail chunk, every row as in a batch', async () => {
    const net = await Network.create({ layers: [64, 300, 10], dtype: 'float32', seed: 1 });
    try {
      const big = randomRows(mulberry32(9), 1025, 64);
      const all = net.predict(big).data;
      // Fresh networks with the same weights, so the chunking starts from the same (small) workspace.
      const twin = await Network.load(net.save());
      const head = twin.predict(big.slice(0, 1023)).data;
      const tail = twin.predict(big.slice(1023)).data;
      twin.dispose();
      expect(Buffer.from(all.buffer).equals(Buffer.concat([Buffer.from(head.buffer), Buffer.from(tail.buffer)]))).toBe(true);
      // And every row agrees with predictOne to float32 rounding.
      const one = new Float32Array(10);
      for (const e of [0, 511, 1023, 1024]) {
        net.predictOne(big[e]!, one);
        for (let r = 0; r < 10; r++) expect(Math.abs(one[r]! - all[e * 10 + r]!)).toBeLessThan(1e-6);
      }
    } finally {
      net.dispose();
    }
  });

  it('a model loads from a Blob, a Response and a file URL', async () => {
    const net = await Network.create({ layers: [3, 2, 1], seed: 3 });
    try {
      const bytes = net.save();
      const fromBlob = await Network.load(new Blob([bytes]));
      const fromResponse = await Network.load(new Response(bytes));
      const { writeFile, mkdtemp } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const { pathToFileURL } = await import('node:url');
      const file = join(await mkdtemp(join(tmpdir(), 'simdnet-')), 'm.snet');
      await writeFile(file, bytes);
      const fromUrl = await Network.load(pathToFileURL(file));
      for (const n of [fromBlob, fromResponse, fromUrl]) {
        expect(Buffer.from(n.save()).equals(Buffer.from(bytes))).toBe(true);
        n.dispose();
      }
      await expect(Network.load(new Response('nope', { status: 404, statusText: 'Not Found' }))).rejects.toThrow(/404 Not Found/);
    } finally {
      net.dispose();
    }
  });
});
