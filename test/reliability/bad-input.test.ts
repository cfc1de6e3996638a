// The bad-input matrix (issue 7): every kind of user mistake, one row each, in one table.
//
// Each row is an input, the message it must be rejected with, and then the proof that nothing was lost:
//   1. the call throws an Error (never a TypeError/ReferenceError from deep inside) whose message starts with
//      "simdnet: " (or "CSV: " for the CSV reader) and names the problem (the row's regex);
//   2. no WASM tensor leaked (the shared module's liveTensors is what it was before the row);
//   3. the two long-lived networks (a standardising sigmoid net and a softmax net, both on the process's
//      shared kernel module) then fit and predict, and their weights, save() bytes and predictions are
//      bit-identical to those of twin networks that never saw any bad input: a rejected call leaves no trace.
// test/network/api.test.ts checks individual messages in context; this file is the systematic sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network, defaultKernels, type NetworkOptions } from '../../src/network.js';
import type { Kernels } from '../../src/kernels.js';
import type { FitOptions } from '../../src/train/options.js';
import { csvDataset } from '../../src/data/csv.js';
import { mulberry32, randomRows, sameBits } from '../network/helpers.js';

const rng = mulberry32(7007);
const X = randomRows(rng, 48, 3, -2, 2);
const Y = X.map((x) => (x[0]! - x[1]! + 0.5 * x[2]! > 0 ? 1 : 0));
const Y3 = X.map((x) => (x[0]! > 0.5 ? 2 : x[1]! > 0 ? 1 : 0));
const oneHot = Y3.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));

const BIN: NetworkOptions = { layers: [3, 6, 1], hidden: 'tanh', dtype: 'float64', seed: 7, normalize: 'standardize' };
const SOFT: NetworkOptions = { layers: [3, 5, 3], hidden: 'relu', dtype: 'float32', seed: 8 };
/** The step every row is followed by: mini-batches, Adam and dropout, so every kind of buffer is in play. */
const STEP: FitOptions = { epochs: 1, batchSize: 16, optimizer: 'adam', learningRate: 0.01, keepProb: 0.9 };

interface Ctx {
  bin: Network;
  soft: Network;
  disposed: Network;
  kernels: Kernels;
}

interface Row {
  /** What part of the matrix the row belongs to. */
  area: string;
  /** The input, in words. */
  input: string;
  call: (c: Ctx) => unknown;
  error: RegExp;
}

const rows = (area: string, list: [string, (c: Ctx) => unknown, RegExp][]): Row[] =>
  list.map(([input, call, error]) => ({ area, input, call, error }));

const tweak = (i: number, f: (r: number[]) => number[]) => X.map((r, e) => (e === i ? f(r) : r));
const fit = (net: 'bin' | 'soft', x: unknown, y: unknown, o: FitOptions = {}) => (c: Ctx) => c[net].fit(x as never, y as never, { iterations: 2, ...o });
const binFit = (o: FitOptions) => fit('bin', X, Y, o);
const create = (o: Record<string, unknown>) => () => Network.create({ ...BIN, ...o } as NetworkOptions);
/** A call on a tensor of the shared kernels, disposed afterwards. */
const onTensor = (f: (k: Kernels, t: ReturnType<Kernels['tensor']>) => unknown) => (c: Ctx) => {
  const t = c.kernels.tensor(2, 2);
  try {
    return f(c.kernels, t);
  } finally {
    t.dispose();
  }
};

const MATRIX: Row[] = [
  ...rows('shapes', [
    ['X with 2 features for a 3-input net', fit('bin', X.map((r) => r.slice(0, 2)), Y), /X has 2 features per example but the network expects 3/],
    ['X with 4 features (predict)', (c) => c.bin.predict(X.map((r) => [...r, 0])), /X has 4 features per example but the network expects 3/],
    ['X features-first with the wrong row count', fit('bin', [X.map((r) => r[0]!)], [Y], { layout: 'features-first' }), /X has 1 features per example but the network expects 3/],
    ['Y with one label fewer than X', fit('bin', X, Y.slice(1)), /Y has 47 labels but X has 48 examples/],
    ['Y rows: one more example than X', fit('bin', X, [...Y, 0].map((y) => [y])), /Y has 49 examples but X has 48/],
    ['Y with 2 targets per example for 1 output', fit('bin', X, Y.map((y) => [y, 1 - y])), /Y has 2 values per example but the network has 1 outputs/],
    ['one-hot Y 2 wide for 3 classes', fit('soft', X, oneHot.map((r) => r.slice(0, 2))), /Y has 2 values per example but the network has 3 outputs/],
    ['plain labels for a 3-output linear-style target', fit('soft', X, Y.map((y) => [y])), /Y has 1 values per example but the network has 3 outputs/],
    ['{ data, shape } whose data is too short', fit('bin', { data: X.flat().slice(1), shape: [48, 3] }, Y), /X\.data has 143 values but shape \[48, 3\] needs 144/],
    ['{ data, shape } with a 3-D shape', fit('bin', { data: X.flat(), shape: [48, 3, 1] }, Y), /X\.shape must be two positive integers, got \[48, 3, 1\]/],
    ['{ data, shape } with a negative shape', fit('bin', { data: X.flat(), shape: [-48, -3] }, Y), /X\.shape must be two positive integers/],
    ['{ data, shape } with shape as a string', fit('bin', { data: X.flat(), shape: '48,3' }, Y), /X\.shape must be \[rows, cols\]/],
    ['{ data } as an Int32Array', fit('bin', { data: new Int32Array(144), shape: [48, 3] }, Y), /X\.data must be a Float32Array, Float64Array or number\[\]/],
    ['X as a string', fit('bin', 'X', Y), /X must be number\[\]\[\] or \{ data, shape \}/],
    ['X as null', fit('bin', null, Y), /X must be number\[\]\[\] or \{ data, shape \}/],
    ['X as a flat number[]', fit('bin', X.flat(), Y), /X must be an array of rows/],
    ['Y as null', fit('bin', X, null), /Y must be number\[\]\[\] or \{ data, shape \}/],
    ['validation X with the wrong width', binFit({ validation: { X: [[1, 2]], Y: [1] } }), /X has 2 features per example but the network expects 3/],
    ['evaluate with too few labels', (c) => c.bin.evaluate(X, Y.slice(2)), /Y has 46 labels but X has 48/],
    ['predictOne with 2 values', (c) => c.bin.predictOne([1, 2]), /predictOne needs 3 input values, got 2/],
    ['predictOne with an out array too short', (c) => c.bin.predictOne([1, 2, 3], new Float64Array(0)), /predictOne's out has 0 values, needs 1/],
    ['setWeights with one layer for two', (c) => c.bin.setWeights([c.bin.getWeights()[0]!]), /setWeights needs 2 layers/],
    ['setWeights with a short W', (c) => c.bin.setWeights(c.bin.getWeights().map((w) => ({ W: w.W.slice(1), b: w.b }))), /setWeights layer 1 W has 17 values, expected 18/],
  ]),
  ...rows('ragged rows', [
    ['X row 5 shorter', fit('bin', tweak(5, (r) => r.slice(0, 2)), Y), /X is ragged: row 5 has 2 values, row 0 has 3/],
    ['X row 0 longer than the rest', fit('bin', tweak(0, (r) => [...r, 1]), Y), /X is ragged: row 1 has 3 values, row 0 has 4/],
    ['X row 1 not an array', fit('bin', X.map((r, e) => (e === 1 ? 5 : r)), Y), /X row 1 is not an array/],
    ['Y rows ragged', fit('bin', X, Y.map((y, e) => (e === 2 ? [y, y] : [y]))), /Y is ragged: row 2 has 2 values, row 0 has 1/],
    ['predict on ragged rows', (c) => c.bin.predict(tweak(40, (r) => r.slice(1))), /X is ragged: row 40 has 2 values/],
  ]),
  ...rows('empty data', [
    ['X = []', fit('bin', [], []), /X is empty/],
    ['X = [[]]', fit('bin', [[]], [0]), /X row 0 is empty/],
    ['{ data: [], shape: [0, 3] }', fit('bin', { data: [], shape: [0, 3] }, []), /X\.shape must be two positive integers, got \[0, 3\]/],
    ['Y = []', fit('bin', X, []), /Y has 0 labels but X has 48 examples/],
    ['predict([])', (c) => c.bin.predict([]), /X is empty/],
    ['validation set empty', binFit({ validation: { X: [], Y: [] } }), /X is empty/],
  ]),
  ...rows('NaN and Infinity', [
    ['X NaN', fit('bin', tweak(17, (r) => [r[0]!, NaN, r[2]!]), Y), /X example 17 feature 1 is NaN; values must be finite numbers/],
    ['X Infinity', fit('bin', tweak(30, (r) => [Infinity, r[1]!, r[2]!]), Y), /X example 30 feature 0 is Infinity/],
    ['X −Infinity (features-first)', fit('bin', [X.map((r) => r[0]!), X.map((r, e) => (e === 3 ? -Infinity : r[1]!)), X.map((r) => r[2]!)], [Y], { layout: 'features-first' }), /X example 3 feature 1 is -Infinity/],
    ['X NaN in a Float64Array', fit('bin', { data: Float64Array.from(X.flat(), (v, q) => (q === 10 ? NaN : v)), shape: [48, 3] }, Y), /X example 3 feature 1 is NaN/],
    ['X a string value', fit('bin', tweak(0, (r) => [r[0]!, 'a' as never, r[2]!]), Y), /X example 0 feature 1 is string/],
    ['X a null value', fit('bin', tweak(2, (r) => [null as never, r[1]!, r[2]!]), Y), /X example 2 feature 0 is object/],
    ['Y label NaN', fit('bin', X, Y.map((y, e) => (e === 3 ? NaN : y))), /Y label 3 is NaN; labels must be finite numbers/],
    ['Y label Infinity', fit('soft', X, Y3.map((y, e) => (e === 4 ? Infinity : y))), /Y label 4 is Infinity/],
    ['Y row NaN', fit('bin', X, Y.map((y, e) => [e === 6 ? NaN : y])), /Y example 6 feature 0 is NaN/],
    ['predict NaN', (c) => c.bin.predict(tweak(11, (r) => [r[0]!, r[1]!, NaN])), /X example 11 feature 2 is NaN/],
    ['predictOne Infinity', (c) => c.bin.predictOne([1, Infinity, 2]), /predictOne input 1 is Infinity/],
    ['validation Y NaN', binFit({ validation: { X: X.slice(0, 4), Y: [0, 1, NaN, 0] } }), /Y label 2 is NaN/],
    ['setWeights NaN', (c) => c.bin.setWeights(c.bin.getWeights().map((w, l) => ({ W: l === 1 ? w.W.map(() => NaN) : w.W, b: w.b }))), /setWeights layer 2 W\[0\] is not finite/],
  ]),
  ...rows('labels outside the classes', [
    ['softmax label 3 of 0..2', fit('soft', X, Y3.map((c, e) => (e === 11 ? 3 : c))), /Y label 11 is 3; class labels must be integers in 0\.\.2/],
    ['softmax label −1', fit('soft', X, Y3.map((c, e) => (e === 13 ? -1 : c))), /Y label 13 is -1; class labels must be integers/],
    ['softmax label 1.5', fit('soft', X, Y3.map((c, e) => (e === 12 ? 1.5 : c))), /Y label 12 is 1\.5/],
    ['softmax one-hot with a 2', fit('soft', X, oneHot.map((r, e) => (e === 1 ? [0, 2, 0] : r))), /Y example 1 has target 2; crossEntropy targets must be in \[0, 1\]/],
    ['sigmoid target 2', fit('bin', X, Y.map((y, e) => (e === 9 ? 2 : y))), /Y example 9 has target 2; bce targets must be in \[0, 1\]/],
    ['sigmoid target −0.5', fit('bin', X, Y.map((y, e) => (e === 4 ? -0.5 : y))), /Y example 4 has target -0\.5/],
    ['evaluate with label 7', (c) => c.soft.evaluate(X, Y3.map((y, e) => (e === 0 ? 7 : y))), /Y label 0 is 7; class labels must be integers in 0\.\.2/],
    ['Y label a string', fit('bin', X, Y.map((y, e) => (e === 1 ? ('1' as never) : y))), /Y label 1 is 1; labels must be finite numbers/],
  ]),
  ...rows('non-numeric CSV cells', [
    ['a word', () => csvDataset('a,b,y\n1,2,0\n1,x,0\n', { label: 'y' }), /^CSV: line 3, column "b": "x" is not a number$/],
    ['an empty cell', () => csvDataset('a,b,y\n1,,0\n', { label: 'y' }), /^CSV: line 2, column "b": empty value$/],
    ['NaN', () => csvDataset('a,b,y\n1,NaN,0\n', { label: 'y' }), /"NaN" is not a number/],
    ['Infinity', () => csvDataset('a,b,y\nInfinity,1,0\n', { label: 'y' }), /column "a": "Infinity" is not a number/],
    ['1e999 (overflows)', () => csvDataset('a,b,y\n1,1e999,0\n', { label: 'y' }), /"1e999" is not a number/],
    ['a hex literal', () => csvDataset('a,b,y\n1,0x10,0\n', { label: 'y' }), /"0x10" is not a number/],
    ['a binary literal', () => csvDataset('a,b,y\n0b11,1,0\n', { label: 'y' }), /"0b11" is not a number/],
    ['a number with a unit', () => csvDataset('a,b,y\n1,2kg,0\n', { label: 'y' }), /"2kg" is not a number/],
    ['a thousands separator', () => csvDataset('a,b,y\n"1,000",2,0\n', { label: 'y' }), /"1,000" is not a number/],
    ['a ragged row', () => csvDataset('a,b,y\n1,2,0\n1,2\n', { label: 'y' }), /^CSV: Invalid Record Length/],
    ['an unclosed quote', () => csvDataset('a,b,y\n1,"2,0\n', { label: 'y' }), /^CSV: Quote Not Closed/],
    ['an empty file', () => csvDataset('', { label: 'y' }), /^CSV: the file is empty$/],
    ['a header only', () => csvDataset('a,b,y\n', { label: 'y' }), /the file has a header but no data rows/],
    ['a column named twice', () => csvDataset('a,a,y\n1,2,0\n', { label: 'y' }), /the header names column "a" twice/],
    ['an empty label', () => csvDataset('a,b,y\n1,2,\n', { label: 'y' }), /line 2: the label column "y" is empty/],
    ['no such label column', () => csvDataset('a,b,y\n1,2,0\n', { label: 'z' }), /no label column "z" \(columns: a, b, y\)/],
  ]),
  ...rows('unknown names', [
    ['hidden activation swish', create({ hidden: 'swish' }), /unknown hidden activation 'swish'; expected linear, sigmoid, tanh, relu, leakyRelu/],
    ['hidden activation softmax', create({ hidden: 'softmax' }), /unknown hidden activation 'softmax'/],
    ['hidden activation toString (a prototype key)', create({ hidden: 'toString' }), /unknown hidden activation 'toString'/],
    ['one hidden activation per layer, misspelt', create({ layers: [3, 4, 4, 1], hidden: ['relu', 'Relu'] }), /unknown hidden activation 'Relu'/],
    ['output activation tanh', create({ output: 'tanh' }), /unknown output activation 'tanh'; expected sigmoid, softmax, linear/],
    ['init glorot', create({ init: 'glorot' }), /unknown init 'glorot'; expected one of zeros, small, course, he, xavier/],
    ['init constructor (a prototype key)', create({ init: 'constructor' }), /unknown init 'constructor'/],
    ['loss hinge', create({ loss: 'hinge' }), /unknown loss 'hinge'/],
    ['rng mt19937', create({ rng: 'mt19937' }), /unknown rng 'mt19937'/],
    ['dtype float16', create({ dtype: 'float16' }), /unknown dtype 'float16'/],
    ['normalize zscore', create({ normalize: 'zscore' }), /unknown normalize 'zscore'/],
    ['kernel build gpu', create({ kernels: { build: 'gpu' } }), /unknown build 'gpu'/],
    ['network option typo', create({ activation: 'relu' }), /unknown network option 'activation'/],
    ['optimizer sgd', binFit({ optimizer: 'sgd' as never }), /unknown optimizer 'sgd'; expected gd, momentum, rmsprop or adam/],
    ['optimizer toString (a prototype key)', binFit({ optimizer: 'toString' as never }), /unknown optimizer 'toString'/],
    ['decay type exp', binFit({ decay: { type: 'exp' as never, rate: 1 } }), /unknown decay type 'exp'/],
    ['layout rows', binFit({ layout: 'rows' as never }), /unknown layout 'rows'/],
    ['fit option typo', binFit({ lr: 0.1 } as never), /unknown fit option 'lr'/],
    ['kernel activation swish', onTensor((k, t) => k.activationForward('swish' as never, t, null, t)), /unknown activation 'swish'/],
    ['kernel optimizer sgd', onTensor((k, t) => k.optimizerStep('sgd' as never, t, t, null, null, { learningRate: 1, beta1: 0.9, beta2: 0.9, epsilon: 1e-8, c1: 1, c2: 1 })), /unknown optimizer 'sgd'/],
    ['kernel tensor dtype int8', (c) => c.kernels.tensor(2, 2, 'int8' as never), /unknown dtype 'int8'/],
  ]),
  ...rows('negative or zero sizes', [
    ['layers [3]', create({ layers: [3] }), /layers must list at least \[n_x, n_y\]/],
    ['layers [3, 0, 1]', create({ layers: [3, 0, 1] }), /layers\[1\] must be a positive integer \(≤ 2\^24\), got 0/],
    ['layers [3, −2, 1]', create({ layers: [3, -2, 1] }), /layers\[1\] must be a positive integer \(≤ 2\^24\), got -2/],
    ['layers [0, 1]', create({ layers: [0, 1] }), /layers\[0\] must be a positive integer/],
    ['layers [3, 2.5, 1]', create({ layers: [3, 2.5, 1] }), /layers\[1\] must be a positive integer \(≤ 2\^24\), got 2\.5/],
    ['layers [3, NaN, 1]', create({ layers: [3, NaN, 1] }), /layers\[1\] must be a positive integer \(≤ 2\^24\), got NaN/],
    ['layers [3, 2^25, 1]', create({ layers: [3, 2 ** 25, 1] }), /got 33554432/],
    ['layers too big for memory', create({ layers: [1 << 24, 1 << 24, 1] }), /tensor \(\d+ bytes\) exceeds the 2 GiB WASM address space/],
    ['iterations 0', binFit({ iterations: 0 }), /iterations must be a positive integer, got 0/],
    ['iterations −5', binFit({ iterations: -5 }), /iterations must be a positive integer, got -5/],
    ['iterations 1.5', binFit({ iterations: 1.5 }), /iterations must be a positive integer, got 1\.5/],
    ['iterations Infinity', binFit({ iterations: Infinity }), /iterations must be a positive integer, got Infinity/],
    ['epochs 0', fit('bin', X, Y, { iterations: undefined, epochs: 0 }), /epochs must be a positive integer, got 0/],
    ['batchSize 0', binFit({ batchSize: 0 }), /batchSize must be a positive integer, got 0/],
    ['batchSize −3', binFit({ batchSize: -3 }), /batchSize must be a positive integer, got -3/],
    ['costEvery 0', binFit({ costEvery: 0 }), /costEvery must be a positive integer, got 0/],
    ['decay.interval 0', binFit({ decay: { type: 'staircase', rate: 1, interval: 0 } }), /decay\.interval must be a positive integer, got 0/],
    ['earlyStopping.patience 0', binFit({ validation: 0.25, earlyStopping: { patience: 0 } }), /earlyStopping\.patience must be a positive integer, got 0/],
    ['validation split 0', binFit({ validation: 0 }), /a validation split must be in \(0, 1\), got 0/],
    ['validation split leaving nothing', binFit({ validation: 0.001 }), /leaves no training or no validation examples/],
    ['kernel tensor 0×3', (c) => c.kernels.tensor(0, 3), /a tensor needs positive integer dimensions, got 0×3/],
    ['kernel tensor −1×3', (c) => c.kernels.tensor(-1, 3), /a tensor needs positive integer dimensions, got -1×3/],
  ]),
  ...rows('negative, zero or non-finite rates', [
    ...[0, -0.1, NaN, Infinity].map((lr): [string, (c: Ctx) => unknown, RegExp] =>
      [`learningRate ${lr}`, binFit({ learningRate: lr }), new RegExp(`learningRate must be in \\(0, Infinity\\), got ${lr}`)]),
    ['l2 −1', binFit({ l2: -1 }), /l2 must be in \[0, Infinity\), got -1/],
    ['l2 NaN', binFit({ l2: NaN }), /l2 must be in \[0, Infinity\), got NaN/],
    ['beta1 1', binFit({ optimizer: 'adam', beta1: 1 }), /beta1 must be in \[0, 1\), got 1/],
    ['beta1 −0.1', binFit({ optimizer: 'momentum', beta1: -0.1 }), /beta1 must be in \[0, 1\), got -0\.1/],
    ['beta2 1', binFit({ optimizer: 'rmsprop', beta2: 1 }), /beta2 must be in \[0, 1\), got 1/],
    ['epsilon 0', binFit({ optimizer: 'adam', epsilon: 0 }), /epsilon must be in \(0, Infinity\), got 0/],
    ['decay.rate −1', binFit({ decay: { type: 'inverseTime', rate: -1 } }), /decay\.rate must be in \[0, Infinity\), got -1/],
    ['earlyStopping.minDelta −1', binFit({ validation: 0.25, earlyStopping: { patience: 2, minDelta: -1 } }), /earlyStopping\.minDelta must be in \[0, Infinity\)/],
    ['leakySlope NaN', create({ leakySlope: NaN }), /leakySlope must be a finite number, got NaN/],
    ['gradientCheck epsilon 0', (c) => c.bin.gradientCheck(X.slice(0, 4), Y.slice(0, 4), { epsilon: 0 }), /gradientCheck epsilon must be in \(0, 1\), got 0/],
    ['gradientCheck l2 −1', (c) => c.bin.gradientCheck(X.slice(0, 4), Y.slice(0, 4), { l2: -1 }), /gradientCheck l2 must be ≥ 0, got -1/],
    ['kernel axpy alpha NaN', onTensor((k, t) => k.axpy(NaN, t, t)), /axpy alpha must be a finite number, got NaN/],
  ]),
  ...rows('keepProb outside (0, 1]', [0, -0.2, 1.0000001, 1.5, NaN, Infinity].map((kp): [string, (c: Ctx) => unknown, RegExp] =>
    [`keepProb ${kp}`, binFit({ keepProb: kp }), new RegExp(`keepProb must be in \\(0, 1\\], got ${String(kp).replace('.', '\\.')}`)])),
  ...rows('other option values', [
    ['seed −1', create({ seed: -1 }), /invalid seed -1: expected an integer in \[0, 2\*\*32\)/],
    ['seed 1.5', create({ seed: 1.5 }), /invalid seed 1\.5/],
    ['fit seed 2^32', binFit({ seed: 2 ** 32 }), /seed must be an integer in \[0, 2\*\*32\), got 4294967296/],
    ['labels: one for two classes', create({ labels: ['a'] }), /labels must be 2 strings \(one per class\)/],
    ['loss crossEntropy with a sigmoid output', create({ loss: 'crossEntropy' }), /loss 'crossEntropy' needs a softmax output, not sigmoid/],
    ['softmax output with one unit', create({ layers: [3, 1], output: 'softmax' }), /a softmax output needs at least 2 units/],
    ['hidden lists too many activations', create({ hidden: ['relu', 'tanh'] }), /hidden lists 2 activations but there are 1 hidden layers/],
    ['options not an object', () => Network.create(null as never), /Network\.create needs an options object/],
    ['iterations and epochs', binFit({ iterations: 3, epochs: 2 }), /either iterations or epochs, not both/],
    ['shuffle "yes"', binFit({ shuffle: 'yes' as never, batchSize: 8 }), /shuffle must be true or false, got yes/],
    ['decay null', binFit({ decay: null as never }), /decay must be \{ type, rate, interval\?, lag\? \}, got null/],
    ['earlyStopping null', binFit({ validation: 0.25, earlyStopping: null as never }), /earlyStopping must be \{ patience, minDelta\?, restoreBest\? \}, got null/],
    ['earlyStopping without validation', binFit({ earlyStopping: { patience: 3 } }), /earlyStopping needs validation data or a validation split/],
    ['validation null', binFit({ validation: null as never }), /validation must be \{ X, Y \} or a split fraction/],
    ['onProgress not a function', binFit({ onProgress: 3 as never }), /onProgress must be a function/],
    ['trainer with validation', (c) => c.soft.trainer(X, Y3, { validation: 0.5 }), /trainer\(\) does not take 'validation'; use fit\(\)/],
    ['Network.load of a string', () => Network.load('SNET' as never), /a model must be loaded from a Uint8Array or ArrayBuffer/],
    ['Network.load of 3 bytes', () => Network.load(new Uint8Array(3)), /not a valid simdnet model file: only 3 bytes/],
  ]),
  ...rows('after dispose', [
    ['predict', (c) => c.disposed.predict(X), /this network was disposed/],
    ['predictOne', (c) => c.disposed.predictOne([1, 2, 3]), /this network was disposed/],
    ['fit', (c) => c.disposed.fit(X, Y, { iterations: 1 }), /this network was disposed/],
    ['evaluate', (c) => c.disposed.evaluate(X, Y), /this network was disposed/],
    ['trainer', (c) => c.disposed.trainer(X, Y), /this network was disposed/],
    ['gradientCheck', (c) => c.disposed.gradientCheck(X, Y), /this network was disposed/],
    ['save', (c) => c.disposed.save(), /this network was disposed/],
    ['getWeights', (c) => c.disposed.getWeights(), /this network was disposed/],
    ['setWeights', (c) => c.disposed.setWeights([]), /this network was disposed/],
    ['a trainer stepped after its dispose', (c) => { const t = c.soft.trainer(X, Y3, { batchSize: 8 }); t.dispose(); t.step(); }, /this trainer was disposed/],
    ['a trainer stepped after its network was disposed', async () => {
      const net = await Network.create(SOFT);
      const t = net.trainer(X, Y3, { batchSize: 8 });
      t.step();
      net.dispose();
      try {
        t.step();
      } finally {
        t.dispose();
      }
    }, /this network was disposed/],
    ['a tensor used after dispose', (c) => { const t = c.kernels.tensor(2, 2); t.dispose(); c.kernels.scale(2, t); }, /this tensor was disposed/],
  ]),
];

/** Runs call and returns what it threw (sync or async); fails when it does not throw. */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw, it returned');
}

describe('bad-input matrix: a clear Error, nothing leaked, the networks still train and predict exactly', () => {
  const ctx = {} as Ctx;
  let twinBin: Network;
  let twinSoft: Network;
  const areas = new Map<string, number>();

  beforeAll(async () => {
    ctx.kernels = await defaultKernels();
    [ctx.bin, ctx.soft, twinBin, twinSoft, ctx.disposed] = await Promise.all([
      Network.create(BIN), Network.create(SOFT), Network.create(BIN), Network.create(SOFT), Network.create(BIN),
    ]);
    ctx.disposed.dispose();
  });

  afterAll(() => {
    console.log(`bad-input matrix: ${MATRIX.length} rows (${[...areas].map(([a, n]) => `${a} ${n}`).join(', ')}), ` +
      `each followed by a fit + predict on the same networks, bit-identical to twins that never saw bad input`);
    for (const n of [ctx.bin, ctx.soft, twinBin, twinSoft]) n?.dispose();
  });

  it.each(MATRIX.map((r) => [r.area, r.input, r] as const))('%s: %s', async (area, _input, row) => {
    areas.set(area, (areas.get(area) ?? 0) + 1);
    const live = ctx.kernels.liveTensors;
    const e = await thrown(() => row.call(ctx));
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(TypeError);
    expect(e).not.toBeInstanceOf(ReferenceError);
    const message = (e as Error).message;
    expect(message).toMatch(/^(simdnet|CSV): /);
    expect(message).toMatch(row.error);
    expect(message).not.toMatch(/\n/);
    expect(ctx.kernels.liveTensors, 'WASM tensors leaked by the rejected call').toBe(live);

    // Still usable, and as if the call never happened: the same step on the twins gives the same bytes.
    await ctx.bin.fit(X, Y, STEP);
    await twinBin.fit(X, Y, STEP);
    await ctx.soft.fit(X, Y3, STEP);
    await twinSoft.fit(X, Y3, STEP);
    for (const [net, twin] of [[ctx.bin, twinBin], [ctx.soft, twinSoft]] as const) {
      expect(sameBits(net.predict(X).data, twin.predict(X).data)).toBe(true);
      expect(Buffer.from(net.save()).equals(Buffer.from(twin.save()))).toBe(true);
    }
  });

  it('a CSV file that parses trains the same networks', async () => {
    const text = ['a,b,c,y', ...X.map((r, e) => `${r.join(',')},${Y[e]}`)].join('\n');
    const d = csvDataset(text, { label: 'y' });
    expect(d.X.shape).toEqual([48, 3]);
    expect(sameBits(d.X.data, X.flat())).toBe(true);
    await ctx.bin.fit(d.X, d.labels!.map(Number), STEP);
    await twinBin.fit(X, Y, STEP);
    expect(Buffer.from(ctx.bin.save()).equals(Buffer.from(twinBin.save()))).toBe(true);
  });
});

describe('defects found by this matrix, fixed in src/network.ts', () => {
  it('fit(X, Y, null) throws a clear Error, not a TypeError (open() reads options.layout first)', async () => {
    const net = await Network.create(BIN);
    try {
      const e = await thrown(() => net.fit(X, Y, null as never));
      expect(e).not.toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/^simdnet: fit options must be an object/);
    } finally {
      net.dispose();
    }
  });

  it('predict(X, null) / evaluate(X, Y, null) throw a clear Error, not a TypeError', async () => {
    const net = await Network.create(SOFT);
    try {
      for (const call of [() => net.predict(X, null as never), () => net.evaluate(X, Y3, null as never)]) {
        const e = await thrown(call);
        expect(e).not.toBeInstanceOf(TypeError);
        expect((e as Error).message).toMatch(/^simdnet: /);
      }
    } finally {
      net.dispose();
    }
  });

  it('setWeights with a null layer or a missing b throws a clear Error, not a TypeError', async () => {
    const net = await Network.create(BIN);
    try {
      const w = net.getWeights();
      for (const bad of [[null, null], [{ W: w[0]!.W }, w[1]]]) {
        const e = await thrown(() => net.setWeights(bad as never));
        expect(e).not.toBeInstanceOf(TypeError);
        expect((e as Error).message).toMatch(/^simdnet: setWeights layer 1/);
      }
    } finally {
      net.dispose();
    }
  });

  it('a rejected setWeights changes nothing (today layer 1 is written before layer 2 is checked)', async () => {
    const net = await Network.create(BIN);
    try {
      const before = net.save();
      const w = net.getWeights();
      const bad = [{ W: w[0]!.W.map(() => 0.5), b: w[0]!.b }, { W: w[1]!.W.slice(1), b: w[1]!.b }];
      expect(() => net.setWeights(bad)).toThrow(/setWeights layer 2 W has 5 values, expected 6/);
      expect(Buffer.from(net.save()).equals(Buffer.from(before))).toBe(true);
    } finally {
      net.dispose();
    }
  });
});
