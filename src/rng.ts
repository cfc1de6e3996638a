/**
 * Seeded random number generators.
 *
 * `NumpyRandom` reproduces numpy's legacy global generator (`np.random.seed`,
 * `rand`, `randn`, `randint`, `permutation`) bit for bit, so that weight
 * initialisations and data sets from the deeplearning.ai course notebooks can be
 * regenerated exactly. The one exception: a normal pair can differ in the last
 * bit where glibc's log (which numpy calls) is not correctly rounded, about one
 * pair in 1,600 (see `correctlyRoundedLog`). `FastRandom` is a small, fast
 * generator (xoshiro128**) for everything that does not need to match numpy.
 *
 * Both draw doubles, normals, integers and permutations with the same algorithms
 * (those of numpy's legacy RandomState); they differ in the 32-bit source and in
 * the log used by the polar method (correctly rounded vs. the faster Math.log).
 */

/** Largest seed accepted (numpy's legacy `seed()` accepts 0 .. 2**32 - 1). */
export const MAX_SEED = 0xffff_ffff;

/** A seeded source of uniform, normal and integer samples. */
export interface Random {
  /** Next raw 32-bit word, as an unsigned integer in [0, 2**32). */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number;
  /** Standard normal sample (mean 0, variance 1). */
  randn(): number;
  /** Fills `out` with standard normal samples in index order and returns it. */
  randnFill<T extends Float64Array | Float32Array>(out: T): T;
  /** Uniform integer in [low, high), or in [0, low) when `high` is omitted (numpy's convention). */
  randint(low: number, high?: number): number;
  /** A uniformly random permutation of 0 .. n-1. */
  permutation(n: number): Uint32Array;
}

/** Kinds of generator that `createRandom` can build. */
export type RandomKind = 'numpy' | 'fast';

/** Throws unless `seed` is an integer in [0, 2**32). */
export function assertValidSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`simdnet: invalid seed ${String(seed)}: expected an integer in [0, 2**32)`);
  }
}

/** Builds a generator of the given kind; throws on an unknown kind or an invalid seed. */
export function createRandom(kind: RandomKind, seed: number): Random {
  switch (kind) {
    case 'numpy':
      return new NumpyRandom(seed);
    case 'fast':
      return new FastRandom(seed);
    default:
      // Reachable from untyped callers only.
      throw new Error(`unknown random generator kind ${JSON.stringify(kind as unknown)}: expected 'numpy' or 'fast'`);
  }
}

/** 2**26: shifts the 27 high bits of the first word above the 26 bits of the second. */
const TWO_POW_26 = 67108864;
/** 2**53: scales a 53-bit integer into [0, 1). */
const TWO_POW_53 = 9007199254740992;

/** Smallest all-ones bit mask (2**k - 1) that is >= `max`, for max < 2**32. */
function bitMaskCovering(max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

/**
 * The sampling algorithms of numpy's legacy RandomState, written once over an
 * abstract 32-bit source; subclasses supply the bit generator and seeding.
 */
abstract class Uint32Sampler implements Random {
  /** Whether the polar method's second normal is waiting in `cachedGauss`. */
  private hasCachedGauss = false;
  private cachedGauss = 0;

  /** @param naturalLog the log used by the polar method: exact rounding costs ~10x Math.log. */
  constructor(private readonly naturalLog: (x: number) => number) {}

  abstract nextUint32(): number;

  /** Forgets the cached normal; subclasses call this when they reseed (numpy does too). */
  protected resetGaussCache(): void {
    this.hasCachedGauss = false;
    this.cachedGauss = 0;
  }

  random(): number {
    // numpy's legacy random_sample: 27 + 26 bits from two consecutive words.
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  }

  randn(): number {
    // numpy's legacy_gauss: Marsaglia's polar method, keeping the second value.
    if (this.hasCachedGauss) {
      this.hasCachedGauss = false;
      const cached = this.cachedGauss;
      this.cachedGauss = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2.0 * this.random() - 1.0;
      x2 = 2.0 * this.random() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * this.naturalLog(r2)) / r2);
    this.cachedGauss = f * x1;
    this.hasCachedGauss = true;
    return f * x2;
  }

  randnFill<T extends Float64Array | Float32Array>(out: T): T {
    for (let i = 0; i < out.length; i++) out[i] = this.randn();
    return out;
  }

  randint(low: number, high?: number): number {
    const [lo, hi] = high === undefined ? [0, low] : [low, high];
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) {
      throw new RangeError(`randint bounds must be safe integers, got low=${lo}, high=${hi}`);
    }
    if (hi <= lo) throw new RangeError(`randint needs low < high, got low=${lo}, high=${hi}`);
    const span = hi - 1 - lo;
    if (span > MAX_SEED) {
      throw new RangeError(`randint range ${hi - lo} exceeds 2**32 values`);
    }
    // numpy returns `low` for a single-value range without drawing a word.
    if (span === 0) return lo;
    return lo + this.boundedUint32(span);
  }

  permutation(n: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0 || n > MAX_SEED) {
      throw new RangeError(`permutation size must be an integer in [0, 2**32), got ${n}`);
    }
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    // numpy's legacy shuffle: Fisher–Yates from the end, index from random_interval.
    for (let i = n - 1; i >= 1; i--) {
      const j = this.boundedUint32(i);
      const swap = out[i]!;
      out[i] = out[j]!;
      out[j] = swap;
    }
    return out;
  }

  /**
   * Uniform integer in [0, max] for 0 < max < 2**32 by masked rejection, the
   * method of numpy's legacy `random_interval` and masked bounded integers.
   */
  private boundedUint32(max: number): number {
    const mask = bitMaskCovering(max);
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }
}

/** MT19937 state size in 32-bit words. */
const MT_N = 624;
/** MT19937 twist offset. */
const MT_M = 397;
const MT_MATRIX_A = 0x9908b0df;
const MT_UPPER_MASK = 0x80000000;
const MT_LOWER_MASK = 0x7fffffff;

/** Bit-compatible with numpy's legacy `np.random.seed` / `RandomState` (MT19937). */
export class NumpyRandom extends Uint32Sampler {
  private readonly state = new Uint32Array(MT_N);
  /** Next word of `state` to temper; MT_N means a twist is due. */
  private index = MT_N;

  /** Seeds like `np.random.seed(seed)`. */
  constructor(seed: number) {
    // Not Math.log: V8's log is off by an ulp far more often than glibc's, whose
    // results numpy returns; a correctly rounded log agrees with glibc far better.
    super(correctlyRoundedLog);
    this.seed(seed);
  }

  /**
   * Reseeds like `np.random.seed(seed)` for an integer seed. numpy seeds an
   * integer with MT19937's `init_genrand` (not `init_by_array`, which Python's
   * `random.seed` uses); use `seedArray` for numpy's array-seed path.
   */
  seed(seed: number): void {
    assertValidSeed(seed);
    this.initGenrand(seed);
    this.resetGaussCache();
  }

  /** Reseeds like `np.random.seed([k0, k1, ...])` (MT19937 `init_by_array`). */
  seedArray(key: ArrayLike<number>): void {
    if (key.length === 0) throw new RangeError('seedArray needs at least one key word');
    for (let i = 0; i < key.length; i++) assertValidSeed(key[i]!);
    const mt = this.state;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(MT_N, key.length); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j]! + j;
      i++;
      j++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = MT_N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i;
      i++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1]!;
        i = 1;
      }
    }
    // Guarantees a non-zero state whatever the key.
    mt[0] = 0x80000000;
    this.index = MT_N;
    this.resetGaussCache();
  }

  /** Uniform double in [0, 1), numpy's `random_sample()`. */
  randomSample(): number {
    return this.random();
  }

  /** Uniform double in [0, 1), numpy's `rand()`. */
  rand(): number {
    return this.random();
  }

  nextUint32(): number {
    if (this.index >= MT_N) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed;
    for (let i = 1; i < MT_N; i++) {
      const prev = mt[i - 1]!;
      // Uint32Array stores modulo 2**32, which is the reference's `& 0xffffffff`.
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
    this.index = MT_N;
  }

  private twist(): void {
    const mt = this.state;
    let k = 0;
    for (; k < MT_N - MT_M; k++) {
      const y = (mt[k]! & MT_UPPER_MASK) | (mt[k + 1]! & MT_LOWER_MASK);
      mt[k] = mt[k + MT_M]! ^ (y >>> 1) ^ (y & 1 ? MT_MATRIX_A : 0);
    }
    for (; k < MT_N - 1; k++) {
      const y = (mt[k]! & MT_UPPER_MASK) | (mt[k + 1]! & MT_LOWER_MASK);
      mt[k] = mt[k + MT_M - MT_N]! ^ (y >>> 1) ^ (y & 1 ? MT_MATRIX_A : 0);
    }
    const y = (mt[MT_N - 1]! & MT_UPPER_MASK) | (mt[0]! & MT_LOWER_MASK);
    mt[MT_N - 1] = mt[MT_M - 1]! ^ (y >>> 1) ^ (y & 1 ? MT_MATRIX_A : 0);
    this.index = 0;
  }
}

/**
 * Fast seeded generator: xoshiro128** 1.1 (Blackman & Vigna) on 32-bit integer
 * ops, its 128-bit state expanded from the seed by splitmix32. Not numpy-compatible.
 * Integers, uniforms and permutations are identical on every platform; normals
 * use Math.log, so another JS engine's log could change a last bit.
 */
export class FastRandom extends Uint32Sampler {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** Seeds the generator; the same seed always gives the same sequence. */
  constructor(seed: number) {
    super(Math.log);
    this.seed(seed);
  }

  /** Restarts the sequence for `seed`. */
  seed(seed: number): void {
    assertValidSeed(seed);
    // splitmix32 (golden-ratio increment, then a bijective mixer) turns similar
    // seeds into unrelated states. Being a bijection on distinct counters, at
    // most one of the four words can be zero, so the forbidden all-zero state
    // of xoshiro cannot occur.
    let counter = seed | 0;
    const next = (): number => {
      counter = (counter + 0x9e3779b9) | 0;
      let z = counter;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.resetGaussCache();
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl32(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl32(this.s3, 11);
    return result >>> 0;
  }
}

/** 32-bit left rotation. */
function rotl32(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ---------------------------------------------------------------------------
// Correctly rounded log, sin and cos.
//
// numpy's legacy normals call the C library's log, and numpy's sin/cos call its
// sin/cos. glibc's versions round correctly for all but roughly 1 argument in
// 700-1,600 (measured against 200-bit mpmath), while V8's fdlibm-derived
// Math.log/sin/cos miss an ulp far more often. Evaluating in double-double
// (about 2**-100 relative error) and rounding once reproduces numpy's values
// except where glibc itself misrounds. Speed is secondary: ~0.25 us per call.
// ---------------------------------------------------------------------------

/** Exact a + b as [sum, rounding error] (Knuth's TwoSum). */
function twoSum(a: number, b: number): [number, number] {
  const sum = a + b;
  const bVirtual = sum - a;
  const aVirtual = sum - bVirtual;
  return [sum, a - aVirtual + (b - bVirtual)];
}

/** Splits a double into two 26-bit halves (Veltkamp), so that their products are exact. */
function split(a: number): [number, number] {
  const c = 134217729 * a; // 2**27 + 1
  const high = c - (c - a);
  return [high, a - high];
}

/** Exact a * b as [product, rounding error] (Dekker's TwoProduct: JS has no FMA). */
function twoProduct(a: number, b: number): [number, number] {
  const product = a * b;
  const [aHigh, aLow] = split(a);
  const [bHigh, bLow] = split(b);
  return [product, aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow];
}

/** Double-double product (ah + al)(bh + bl), normalised. */
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [p, e] = twoProduct(ah, bh);
  const low = e + (ah * bl + al * bh);
  const hi = p + low;
  return [hi, low - (hi - p)];
}

/** Double-double sum (ah + al) + (bh + bl), normalised. */
function ddAdd(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [s, e] = twoSum(ah, bh);
  const low = e + (al + bl);
  const hi = s + low;
  return [hi, low - (hi - s)];
}

/** Double-double quotient (nh + nl) / (dh + dl), one correction step. */
function ddDiv(nh: number, nl: number, dh: number, dl: number): [number, number] {
  const q = nh / dh;
  const [ph, pl] = twoProduct(q, dh);
  const correction = (nh - ph - pl + nl - q * dl) / dh;
  const hi = q + correction;
  return [hi, correction - (hi - q)];
}

/** Double-double coefficients (hi, lo interleaved) of a power series. */
function coefficientTable(count: number, coefficient: (j: number) => [number, number]): Float64Array {
  const table = new Float64Array(2 * count);
  for (let j = 0; j < count; j++) [table[2 * j], table[2 * j + 1]] = coefficient(j);
  return table;
}

/** 1/(2j+1): the atanh series. */
function oddReciprocals(count: number): Float64Array {
  return coefficientTable(count, (j) => ddDiv(1, 0, 2 * j + 1, 0));
}

/** 1/n! for n = offset, offset + 2, ...: the sin (offset 1) and cos (offset 0) series. */
function alternateFactorialReciprocals(count: number, offset: 0 | 1): Float64Array {
  let hi = 1;
  let lo = 0;
  let n = 0;
  return coefficientTable(count, (j) => {
    for (; n < 2 * j + offset; ) {
      n++;
      [hi, lo] = ddDiv(hi, lo, n, 0);
    }
    return [hi, lo];
  });
}

/**
 * Sum of c_j z**j for j < `terms` by Horner's rule, as a double-double. The high
 * terms, whose size makes a double's rounding error negligible, are summed in
 * plain doubles; the first `doubleDoubleTerms` in double-double.
 */
function ddPolynomial(
  zh: number,
  zl: number,
  coefficients: Float64Array,
  terms: number,
  doubleDoubleTerms: number,
): [number, number] {
  let tail = 0;
  for (let j = terms - 1; j >= doubleDoubleTerms; j--) tail = tail * zh + coefficients[2 * j]!;
  let hi = tail;
  let lo = 0;
  for (let j = doubleDoubleTerms - 1; j >= 0; j--) {
    [hi, lo] = ddMul(hi, lo, zh, zl);
    [hi, lo] = ddAdd(hi, lo, coefficients[2 * j]!, coefficients[2 * j + 1]!);
  }
  return [hi, lo];
}

/**
 * log(m / c) = 2 atanh(s), s = (m - c)/(m + c), as a double-double. m - c is
 * exact (Sterbenz) because c/2 <= m <= 2c.
 */
function logRatio(
  m: number,
  c: number,
  reciprocals: Float64Array,
  terms: number,
  doubleDoubleTerms: number,
): [number, number] {
  const [dh, dl] = twoSum(m, c);
  const [sh, sl] = ddDiv(m - c, 0, dh, dl);
  const [s2h, s2l] = ddMul(sh, sl, sh, sl);
  const [th, tl] = ddPolynomial(s2h, s2l, reciprocals, terms, doubleDoubleTerms);
  const [hi, lo] = ddMul(th, tl, sh, sl);
  return [2 * hi, 2 * lo];
}

/** 2**54, to lift subnormals into the normal range before reading the exponent. */
const TWO_POW_54 = 18014398509481984;
/** Smallest positive normal double. */
const MIN_NORMAL = 2.2250738585072014e-308;
/** ln 2 as a double-double: LN2_HI + LN2_LO carries about 106 bits. */
const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
/** Table spacing: log x is reduced around centres c = 1 + i/64. */
const CENTRES_PER_UNIT = 64;
/** Centres cover m in [sqrt(1/2), sqrt(2)]: i from -19 (c = 0.703) to 27 (c = 1.422). */
const MIN_CENTRE_INDEX = -19;
const MAX_CENTRE_INDEX = 27;
/** Series terms around a centre: |s| <= 1/256 makes s**14 / 15 < 2**-113. */
const LOG_TERMS = 7;
/** From s**8 on (< 2**-64) a double's 2**-53 relative error no longer matters. */
const LOG_DOUBLE_DOUBLE_TERMS = 4;
const LOG_RECIPROCALS = oddReciprocals(LOG_TERMS);

/**
 * log c for every centre c = 1 + i/64 as double-doubles (hi, lo interleaved),
 * from the series around 1 (|s| <= 0.18 needs 24 terms for 2**-106).
 */
const LOG_CENTRES = (() => {
  const slowTerms = 24;
  const reciprocals = oddReciprocals(slowTerms);
  const table = new Float64Array(2 * (MAX_CENTRE_INDEX - MIN_CENTRE_INDEX + 1));
  for (let i = MIN_CENTRE_INDEX; i <= MAX_CENTRE_INDEX; i++) {
    const slot = 2 * (i - MIN_CENTRE_INDEX);
    [table[slot], table[slot + 1]] = logRatio(1 + i / CENTRES_PER_UNIT, 1, reciprocals, slowTerms, slowTerms);
  }
  return table;
})();

/** Scratch view for reading a double's bits without allocating. */
const bitsView = new DataView(new ArrayBuffer(8));

/**
 * Natural log rounded to the nearest double (what glibc's log gives for all
 * but ~1 argument in 1,600). Non-positive, infinite and NaN inputs go to Math.log.
 * Method: x = m * 2**k with m in [sqrt(1/2), sqrt(2)) near a centre c,
 * log x = k ln2 + log c + 2 atanh((m - c)/(m + c)), in double-double.
 */
export function correctlyRoundedLog(x: number): number {
  if (!(x > 0) || x === Number.POSITIVE_INFINITY) return Math.log(x);
  let scaled = x;
  let k = 0;
  if (scaled < MIN_NORMAL) {
    scaled *= TWO_POW_54;
    k = -54;
  }
  bitsView.setFloat64(0, scaled);
  const highWord = bitsView.getUint32(0);
  k += ((highWord >>> 20) & 0x7ff) - 1023;
  // m in [1, 2): keep the mantissa bits, set the biased exponent to 1023.
  bitsView.setUint32(0, (highWord & 0x000fffff) | 0x3ff00000);
  let m = bitsView.getFloat64(0);
  if (m > Math.SQRT2) {
    m /= 2; // exact
    k += 1;
  }
  const centreIndex = Math.round((m - 1) * CENTRES_PER_UNIT);
  const c = 1 + centreIndex / CENTRES_PER_UNIT;
  let [hi, lo] = logRatio(m, c, LOG_RECIPROCALS, LOG_TERMS, LOG_DOUBLE_DOUBLE_TERMS);
  const slot = 2 * (centreIndex - MIN_CENTRE_INDEX);
  [hi, lo] = ddAdd(hi, lo, LOG_CENTRES[slot]!, LOG_CENTRES[slot + 1]!);
  if (k !== 0) {
    const [kh, kl] = twoProduct(k, LN2_HI);
    [hi, lo] = ddAdd(hi, lo, kh, kl + k * LN2_LO);
  }
  return hi + lo;
}

/** pi/2 as a sum of three doubles (about 160 bits), for argument reduction. */
const HALF_PI_1 = 1.5707963267948966;
const HALF_PI_2 = 6.123233995736766e-17;
const HALF_PI_3 = -1.4973849048591698e-33;
const TWO_OVER_PI = 0.6366197723675814;
/**
 * Beyond this |x| the three-part pi/2 no longer leaves ~100 good bits after
 * cancellation, so sin/cos fall back to Math.sin/Math.cos there.
 */
const MAX_REDUCIBLE = 2 ** 20;
/** Series terms: |r| <= pi/4 (+ a little) makes r**30 / 30! < 2**-115. */
const TRIG_TERMS = 15;
/** From r**18/18! on (< 2**-58) plain doubles are accurate enough. */
const TRIG_DOUBLE_DOUBLE_TERMS = 9;
const SIN_COEFFICIENTS = alternateFactorialReciprocals(TRIG_TERMS, 1);
const COS_COEFFICIENTS = alternateFactorialReciprocals(TRIG_TERMS, 0);

/** sin(x) or cos(x) rounded to the nearest double, for |x| <= 2**20. */
function correctlyRoundedSinCos(x: number, wantCos: boolean): number {
  // r = x - n pi/2 with |r| <~ pi/4, exactly enough: every n * HALF_PI_i is an exact double-double.
  const n = Math.round(x * TWO_OVER_PI);
  const [p1h, p1l] = twoProduct(n, HALF_PI_1);
  const [p2h, p2l] = twoProduct(n, HALF_PI_2);
  let [rh, rl] = twoSum(x, -p1h);
  [rh, rl] = ddAdd(rh, rl, -p1l, -p2h);
  [rh, rl] = ddAdd(rh, rl, -p2l, -n * HALF_PI_3);
  // The series are in z = -r**2, all coefficients positive.
  const [r2h, r2l] = ddMul(rh, rl, rh, rl);
  // Quadrant: sin(r + n pi/2) cycles sin r, cos r, -sin r, -cos r.
  const quadrant = (((n % 4) + 4) % 4) + (wantCos ? 1 : 0);
  const useCosSeries = quadrant % 2 === 1;
  let [hi, lo] = ddPolynomial(
    -r2h,
    -r2l,
    useCosSeries ? COS_COEFFICIENTS : SIN_COEFFICIENTS,
    TRIG_TERMS,
    TRIG_DOUBLE_DOUBLE_TERMS,
  );
  if (!useCosSeries) [hi, lo] = ddMul(hi, lo, rh, rl);
  const sign = quadrant % 4 >= 2 ? -1 : 1;
  return sign * (hi + lo);
}

/** sin(x) rounded to the nearest double for |x| <= 2**20 (Math.sin beyond), as numpy gives with glibc. */
export function correctlyRoundedSin(x: number): number {
  if (x === 0 || !(Math.abs(x) <= MAX_REDUCIBLE)) return Math.sin(x); // keeps -0, NaN, huge x
  return correctlyRoundedSinCos(x, false);
}

/** cos(x) rounded to the nearest double for |x| <= 2**20 (Math.cos beyond), as numpy gives with glibc. */
export function correctlyRoundedCos(x: number): number {
  if (!(Math.abs(x) <= MAX_REDUCIBLE)) return Math.cos(x);
  return correctlyRoundedSinCos(x, true);
}
