import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { linspace, loadPlanarDataset } from '../../src/data/planar.js';

// shared/ sits beside the repository root (test/data/ -> repo root -> its parent).
const referenceUrl = new URL('../../../shared/data/planar/planar_flower.json', import.meta.url);
const referenceExists = existsSync(referenceUrl);
if (!referenceExists) {
  console.warn(`planar tests against numpy skipped: ${fileURLToPath(referenceUrl)} not found (shared data absent)`);
}

/** numpy's pairwise summation (8 accumulators, blocks of 128), so sums compare exactly. */
function numpyPairwiseSum(values: ArrayLike<number>, start = 0, count = values.length): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  if (count <= 128) {
    const acc = Array.from({ length: 8 }, (_, k) => values[start + k]!);
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let k = 0; k < 8; k++) acc[k]! += values[start + i + k]!;
    }
    let sum = acc[0]! + acc[1]! + (acc[2]! + acc[3]!) + (acc[4]! + acc[5]! + (acc[6]! + acc[7]!));
    for (; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return numpyPairwiseSum(values, start, half) + numpyPairwiseSum(values, start + half, count - half);
}

describe('linspace', () => {
  it('matches numpy: start + i*step, last element exactly stop', () => {
    // np.linspace(3.12, 6.24, 200)[[1, 100, 198, 199]]
    const values = linspace(3.12, 6.24, 200);
    expect(values[0]).toBe(3.12);
    expect(values[1]).toBe(3.1356783919597992);
    expect(values[100]).toBe(4.687839195979899);
    expect(values[198]).toBe(6.224321608040201);
    expect(values[199]).toBe(6.24);
  });

  it('handles 0 and 1 points like numpy', () => {
    expect(Array.from(linspace(2, 5, 0))).toEqual([]);
    expect(Array.from(linspace(2, 5, 1))).toEqual([2]);
  });
});

describe('loadPlanarDataset', () => {
  const { X, Y } = loadPlanarDataset();

  it('has the course layout: X (2, 400) features-first, Y (1, 400)', () => {
    expect(X.shape).toEqual([2, 400]);
    expect(Y.shape).toEqual([1, 400]);
    expect(X.data).toBeInstanceOf(Float64Array);
    expect(X.data.length).toBe(800);
    expect(Y.data.length).toBe(400);
  });

  it('labels columns 0-199 as 0 and 200-399 as 1', () => {
    expect(Array.from(Y.data.subarray(0, 200)).every((y) => y === 0)).toBe(true);
    expect(Array.from(Y.data.subarray(200)).every((y) => y === 1)).toBe(true);
  });

  it('reproduces the published checks exactly', () => {
    // X[:, 0] and X[:, 399]: row 0 is x1 of every point, row 1 is x2.
    expect([X.data[0], X.data[400]]).toEqual([1.204442292254319, 3.5761141481288448]);
    expect([X.data[399], X.data[799]]).toEqual([0.7307808250007513, 3.0683292081876545]);
    expect(numpyPairwiseSum(X.data)).toBe(10.087983277441666);
  });

  it('is deterministic', () => {
    expect(loadPlanarDataset().X.data).toEqual(X.data);
  });

  it.skipIf(!referenceExists)('equals numpy\'s data set bit for bit', () => {
    const reference = JSON.parse(readFileSync(referenceUrl, 'utf8')) as { X: number[][]; Y: number[][] };
    const expectedX = reference.X.flat();
    const expectedY = reference.Y.flat();
    expect(expectedX.length).toBe(800);
    // Bit for bit: randn, sin and cos are all correctly rounded here, and
    // glibc (which numpy calls) happens to round correctly on all 1,200 sin/cos
    // and 400 log arguments of this data set.
    const differing = expectedX.flatMap((value, i) => (Object.is(X.data[i], value) ? [] : [i]));
    expect(differing).toEqual([]);
    expect(Array.from(Y.data)).toEqual(expectedY);
  });
});
