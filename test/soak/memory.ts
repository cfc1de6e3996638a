// Heap and WASM memory sampling for the soak runs.
import { expect } from 'vitest';

/** process.memoryUsage().heapUsed after a full garbage collection (global.gc needs node --expose-gc). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  expect(gc, 'run the soak with node --expose-gc (test/soak/vitest.config.ts does)').toBeTypeOf('function');
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

export const MiB = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MiB`;

/** Samples of one run: label → { wasm, heap }. */
export class MemoryLog {
  readonly samples: { at: string; wasm: number; heap: number }[] = [];

  sample(at: string, wasm: number): { wasm: number; heap: number } {
    const s = { at, wasm, heap: heapAfterGc() };
    this.samples.push(s);
    return s;
  }

  table(title: string): string {
    return `${title}\n${this.samples.map((s) => `  ${s.at.padEnd(28)} WASM ${MiB(s.wasm).padStart(10)}   JS heap ${MiB(s.heap).padStart(10)}`).join('\n')}`;
  }
}
