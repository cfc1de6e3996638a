// Network's module path kept for imports that predate src/network/: everything lives there now.
export { Network } from './network/network.js';
export { defaultKernels, type ModelSource } from './network/resources.js';
export { sessionInternals } from './network/session.js';
export type {
  NetworkOptions, HiddenActivation, OutputActivation, LossKind, CostRecord, History, Prediction, ClassPrediction, Evaluation,
  GradientCheckResult, Trainer, LayerWeights, LayerActivation,
} from './network/types.js';
export type { DatasetSource, DatasetChunk, DatasetOptions, ChunkIterable } from './network/dataset.js';
