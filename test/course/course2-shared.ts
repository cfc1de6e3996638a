// The second course's data live outside the repository (../shared/data/course2/): the tests on them are skipped,
// with a message, when that folder is absent. Helpers shared by the course2-*.test.ts files.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Network, type CostRecord } from '../../src/network.js';
import type { InitKind } from '../../src/init.js';
import type { Matrix } from '../../src/course.js';

export const course2Dir = new URL('../../../shared/data/course2/', import.meta.url);
export const haveCourse2 = ['circles.json', 'moons.json', 'football.json'].every((f) => existsSync(new URL(f, course2Dir)));

/** Warns once per file why its tests are skipped. */
export function warnIfMissing(file: string): void {
  if (!haveCourse2) console.warn(`${file}: skipped: circles.json / moons.json / football.json not found in ${fileURLToPath(course2Dir)}`);
}

/** The shared JSON (nested (2, m) / (1, m) rows). */
export function readShared(name: string): Record<string, number[][]> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, course2Dir), 'utf8')) as Record<string, number[][]>;
}

export const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

export function costAt(costs: CostRecord[], iteration: number, by: 'iteration' | 'epoch' = 'iteration'): number {
  const r = costs.find((c) => c[by] === iteration);
  if (r === undefined) throw new Error(`no cost recorded at ${by} ${iteration}`);
  return r.cost;
}

export const ff = { layout: 'features-first' as const };

/** A float64 network with numpy's stream and the given init: the notebooks' nets through the public API. */
export async function courseNet(layers: number[], init: InitKind, seed: number): Promise<Network> {
  return Network.create({ layers, hidden: 'relu', output: 'sigmoid', init, rng: 'numpy', seed, dtype: 'float64' });
}

/** Asserts every published cost to `tol` relative, naming the first miss. */
export function expectCosts(ours: number[], published: number[], tol: number, what: string): void {
  expect(ours.length).toBe(published.length);
  ours.forEach((c, i) => expect(rel(c, published[i]!), `${what}: cost ${i}: ${c} vs published ${published[i]}`).toBeLessThanOrEqual(tol));
}

export type { Matrix };
