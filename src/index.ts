// simdnet's public surface: the network, its option and result types, data helpers, model files and the kernels.
export {
  Network, defaultKernels,
  type NetworkOptions, type HiddenActivation, type OutputActivation, type LossKind, type CostRecord, type History,
  type Prediction, type ClassPrediction, type Evaluation, type GradientCheckResult, type Trainer, type LayerWeights, type LayerActivation,
  type ModelSource, type DatasetSource, type DatasetChunk, type DatasetOptions, type ChunkIterable,
} from './network.js';
export type { FitOptions, ProgressInfo, DecayOptions, EarlyStoppingOptions } from './train/options.js';
export type { Inputs, Targets, Layout, MatrixLike, LabelArray } from './data/input.js';
export type { NormalizeKind, Normalizer } from './data/normalize.js';
export type { InitKind, InitName } from './init.js';
export { createRandom, NumpyRandom, FastRandom, type Random, type RandomKind } from './rng.js';
export { loadPlanarDataset } from './data/planar.js';
export { loadCircles, loadMoons, loadFootball, type CourseDataset } from './data/course2.js';
export { readHdf5Datasets, loadCatDataset } from './data/hdf5.js';
export { encodeModel, decodeModel, quantizeModel, FORMAT_VERSION_INT8, type ModelRecord } from './io/format.js';
export { exportEdgeWasm, edgeLastError, edgeModelInfo, MODEL_INFO_SECTION, type EdgeExportOptions, type EdgeExports } from './io/edge.js';
export type { OnnxExportOptions } from './io/onnx.js';
export type { ModelExports } from './runtime/abi.js';
export { Kernels, type Activation, type OptimizerKind, type OptimizerHyper } from './kernels.js';
export type { Tensor, DType, FloatArray } from './runtime/arena.js';
export { hostHasSimd, type Build, type LoadOptions } from './runtime/load.js';
