// The plan layout and codes exist twice, in assembly/plan.ts (what the kernels read) and src/runtime/plan.ts
// (what the host writes); the module reports its numbers through plan_layout and they must agree.
import { describe, expect, it } from 'vitest';
import { loadBuilds } from '../kernels/helpers.js';
import { HEADER, LAYER_FIELDS, PLAN_HEADER_BYTES, PLAN_LAYER_BYTES, PLAN_LAYOUT_QUERY as Q, ACTIVATION_CODE, STATUS, STEP_FLAG } from '../../src/runtime/plan.js';
import { LAYER_CODE } from '../../src/io/format.js';
import { ACTIVATION_CODE as KERNEL_ACTIVATION_CODE, OPTIMIZER_CODE } from '../../src/kernels.js';

describe('plan layout: assembly/plan.ts and src/runtime/plan.ts agree', () => {
  it('in every build', async () => {
    const builds = await loadBuilds();
    for (const [name, k] of Object.entries(builds)) {
      const at = (i: number): number => k.exports.plan_layout(i);
      expect(at(Q.headerBytes), name).toBe(PLAN_HEADER_BYTES);
      expect(at(Q.layerBytes), name).toBe(PLAN_LAYER_BYTES);
      for (const f of ['layers', 'dtype', 'capacity', 'loss', 'slope', 'rng', 'status', 'ready'] as const) expect(at(Q[f]), `${name} header.${f}`).toBe(HEADER[f]);
      for (const f of ['units', 'w', 'vw', 'sb'] as const) expect(at(Q[f]), `${name} layer.${f}`).toBe(4 * LAYER_FIELDS.indexOf(f));
      // The records fit their slots: the header class ends before the first layer, a layer fills its 64 bytes.
      expect(at(Q.headerSize)).toBeLessThanOrEqual(PLAN_HEADER_BYTES);
      expect(at(Q.layerSize)).toBe(PLAN_LAYER_BYTES);
      expect(at(Q.layerSize)).toBe(4 * LAYER_FIELDS.length);
      expect(at(Q.usePrepared), name).toBe(STEP_FLAG.usePrepared);
      expect(at(Q.prepare), name).toBe(STEP_FLAG.prepare);
      expect(at(99)).toBe(-1);
    }
  });

  it('one table of codes: the file format, the kernels and the plan use the same activation codes', () => {
    expect(LAYER_CODE).toEqual(ACTIVATION_CODE);
    for (const [name, code] of Object.entries(KERNEL_ACTIVATION_CODE)) expect(ACTIVATION_CODE[name as keyof typeof ACTIVATION_CODE]).toBe(code);
    expect(OPTIMIZER_CODE).toEqual({ gd: 0, momentum: 1, rmsprop: 2, adam: 3 });
    expect(STATUS.ok).toBe(0);
  });
});
