// simdnet's public surface.
export { Kernels, ACTIVATION_CODE, activationCode, defaultEps, type Activation } from './kernels.js';
export { Arena, Tensor, checkDType, type DType, type FloatArray } from './runtime/arena.js';
export { loadModule, hostHasSimd, bundledUrl, type Build, type LoadOptions, type LoadedModule } from './runtime/load.js';
export type { KernelExports } from './runtime/abi.js';
