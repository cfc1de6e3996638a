// The plan: a whole network laid out in linear memory, so a forward pass or a training step is one call.
// This file is the one source of the layout and of the codes stored in it; src/network/plan-layout.ts
// mirrors it and test/network/plan-layout.test.ts compares the two through the exported constants.

/** Plan header (64 bytes). */
@unmanaged export class PlanHeader {
  /** Weight layers L. */
  layers: i32;
  /** DTYPE_F32 or DTYPE_F64. */
  dtype: i32;
  /** Examples the workspace holds (m ≤ capacity). */
  capacity: i32;
  /** LOSS_BCE, LOSS_CE or LOSS_MSE. */
  loss: i32;
  /** Slope of leakyRelu for negative inputs. */
  slope: f64;
  /** xoshiro128** state of the dropout masks. */
  rng0: u32;
  rng1: u32;
  rng2: u32;
  rng3: u32;
  /** STATUS_* of the last update: set by every net_update / net_train_step. */
  status: i32;
  /**
   * 1 when layer 1's z holds W¹·x for the next step: set by a net_train_step asked to prepare it
   * (STEP_PREPARE) whose update was applied, cleared by every forward pass.
   */
  ready: i32;
  /** The x and m that z was prepared for. */
  readyX: u32;
  readyM: i32;
}

/** One layer's record (64 bytes): sizes, activation code and the addresses of its buffers (0 when absent). */
@unmanaged export class LayerRecord {
  units: i32;
  inputs: i32;
  /** ACT_* code. */
  act: i32;
  w: u32;
  b: u32;
  dw: u32;
  db: u32;
  z: u32;
  a: u32;
  dz: u32;
  /** Dropout mask (hidden layers with dropout). */
  d: u32;
  /** Dropped activations A·D. */
  ad: u32;
  /** First moments of W and b (momentum, Adam). */
  vw: u32;
  vb: u32;
  /** Second moments of W and b (RMSprop, Adam). */
  sw: u32;
  sb: u32;
}

export const HEADER_BYTES: usize = 64;
export const LAYER_BYTES: usize = 64;

export const DTYPE_F32: i32 = 1;
export const DTYPE_F64: i32 = 2;

export const ACT_LINEAR: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4;
export const ACT_SOFTMAX: i32 = 5;

export const LOSS_BCE: i32 = 0;
export const LOSS_CE: i32 = 1;
export const LOSS_MSE: i32 = 2;

export const OPT_GD: i32 = 0;
export const OPT_MOMENTUM: i32 = 1;
export const OPT_RMSPROP: i32 = 2;
export const OPT_ADAM: i32 = 3;

/** The update was applied. */
export const STATUS_OK: i32 = 0;
/** A gradient was NaN, ±Infinity or too large to update with: nothing was changed. */
export const STATUS_NONFINITE: i32 = 1;
/** Unknown optimiser code: nothing was changed. */
export const STATUS_BAD_KIND: i32 = 2;

/** net_train_step flags: the forward pass may take layer 1's z as prepared by the previous step (header.ready, same x and m). */
export const STEP_USE_PREPARED: i32 = 1;
/** net_train_step flags: the next call is a step on the same x with nothing in between, so this one may prepare its W¹·x. */
export const STEP_PREPARE: i32 = 2;

/** The header of the plan at `plan`. */
@inline export function header(plan: usize): PlanHeader { return changetype<PlanHeader>(plan); }

/** Address of layer l's record. */
@inline export function layerAt(plan: usize, l: i32): usize {
  return plan + HEADER_BYTES + <usize>l * LAYER_BYTES;
}

/** Layer l's record. */
@inline export function layer(plan: usize, l: i32): LayerRecord {
  return changetype<LayerRecord>(layerAt(plan, l));
}

/** Byte offsets and codes for the host's mirror (exported through index.ts as plan_layout). */
export function planLayout(i: i32): i32 {
  switch (i) {
    case 0: return <i32>HEADER_BYTES;
    case 1: return <i32>LAYER_BYTES;
    case 2: return <i32>offsetof<PlanHeader>("layers");
    case 3: return <i32>offsetof<PlanHeader>("dtype");
    case 4: return <i32>offsetof<PlanHeader>("capacity");
    case 5: return <i32>offsetof<PlanHeader>("loss");
    case 6: return <i32>offsetof<PlanHeader>("slope");
    case 7: return <i32>offsetof<PlanHeader>("rng0");
    case 8: return <i32>offsetof<PlanHeader>("status");
    case 9: return <i32>offsetof<LayerRecord>("units");
    case 10: return <i32>offsetof<LayerRecord>("w");
    case 11: return <i32>offsetof<LayerRecord>("vw");
    case 12: return <i32>offsetof<LayerRecord>("sb");
    case 13: return <i32>offsetof<PlanHeader>();
    case 14: return <i32>offsetof<LayerRecord>();
    case 15: return <i32>offsetof<PlanHeader>("ready");
    case 16: return STEP_USE_PREPARED;
    case 17: return STEP_PREPARE;
    default: return -1;
  }
}
