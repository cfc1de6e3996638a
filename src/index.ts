// simdnet's public surface.
export {
  Network, defaultKernels,
  type NetworkOptions, type HiddenActivation, type OutputActivation, type LossKind, type CostRecord, type History,
  type Prediction, type Evaluation, type GradientCheckResult,
} from './network.js';
export type { FitOptions, ProgressInfo, DecayOptions, EarlyStoppingOptions } from './train/options.js';
export type { Inputs, Targets, Layout, MatrixLike } from './data/input.js';
export type { NormalizeKind, Normalizer } from './data/normalize.js';
export type { InitKind } from './init.js';
export { createRandom, NumpyRandom, FastRandom, type Random, type RandomKind } from './rng.js';
export { loadPlanarDataset } from './data/planar.js';
export { readHdf5Datasets, loadCatDataset } from './data/hdf5.js';
export { encodeModel, decodeModel, type ModelRecord } from './io/format.js';
export { exportEdgeWasm, edgeLastError, type EdgeExportOptions, type EdgeExports } from './io/edge.js';
export { Kernels, ACTIVATION_CODE, OPTIMIZER_CODE, activationCode, defaultEps, type Activation, type OptimizerKind, type OptimizerHyper } from './kernels.js';
export { Arena, Tensor, checkDType, type DType, type FloatArray } from './runtime/arena.js';
export { loadModule, hostHasSimd, bundledUrl, type Build, type LoadOptions, type LoadedModule } from './runtime/load.js';
export type { KernelExports } from './runtime/abi.js';
