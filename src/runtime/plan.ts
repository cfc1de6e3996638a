// The host's mirror of assembly/plan.ts: the plan memory layout and the codes stored in it.
// test/network/plan-layout.test.ts checks every number here against the module's plan_layout export.

/** Bytes of the plan header and of each layer record. */
export const PLAN_HEADER_BYTES = 64;
export const PLAN_LAYER_BYTES = 64;

/** Byte offsets of the header fields (PlanHeader). */
export const HEADER = { layers: 0, dtype: 4, capacity: 8, loss: 12, slope: 16, rng: 24, status: 40, ready: 44 } as const;

/** The i32 fields of a layer record (LayerRecord), in order: field k sits at byte 4k. */
export const LAYER_FIELDS = ['units', 'inputs', 'act', 'w', 'b', 'dw', 'db', 'z', 'a', 'dz', 'd', 'ad', 'vw', 'vb', 'sw', 'sb'] as const;
export type LayerField = (typeof LAYER_FIELDS)[number];

/** Element type codes. */
export const DTYPE_CODE = { float32: 1, float64: 2 } as const;

/** Activation codes of every layer (softmax only on the output). The .snet format stores the same codes. */
export const ACTIVATION_CODE = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4, softmax: 5 } as const;

/** Loss codes. */
export const LOSS_CODE = { bce: 0, crossEntropy: 1, mse: 2 } as const;

/** Optimiser codes (optim_step, net_update, net_train_step). */
export const OPTIMIZER_CODE = { gd: 0, momentum: 1, rmsprop: 2, adam: 3 } as const;

/** What the last update did (the header's status field). */
export const STATUS = { ok: 0, nonFinite: 1, badKind: 2 } as const;

/**
 * net_train_step flags. usePrepared: the forward pass may take layer 1's z as prepared by the previous call
 * (the kernel also checks the header's ready, x and m). prepare: the next call is a step on the same,
 * unchanged x with no other call in between, so this one may compute the next W¹·x in the same pass over x.
 */
export const STEP_FLAG = { usePrepared: 1, prepare: 2 } as const;

/** The indices of assembly/plan.ts planLayout, by meaning. */
export const PLAN_LAYOUT_QUERY = {
  headerBytes: 0, layerBytes: 1, layers: 2, dtype: 3, capacity: 4, loss: 5, slope: 6, rng: 7, status: 8,
  units: 9, w: 10, vw: 11, sb: 12, headerSize: 13, layerSize: 14, ready: 15, usePrepared: 16, prepare: 17,
} as const;
