// simdnet/worker in headless Chromium: fitInWorker trains the planar set in a module Web Worker (bundled by
// Vite from dist/worker/index.js), reports progress, returns the same bytes as a fit on the page's thread,
// keeps the page's timers running, and stops on an AbortSignal with the weights so far.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage, launchChromium, missingPrerequisite, ROOT, serveStatic, simdnetAlias } from './harness.js';

const missing = missingPrerequisite();
if (missing !== null) {
  if (process.env.CI) throw new Error(`browser tests cannot run: ${missing}`);
  console.warn(`worker browser test skipped: ${missing}`);
}

describe.skipIf(missing !== null)('fitInWorker in Chromium', () => {
  let result: Record<string, unknown> = {};
  const errors: string[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    const alias = [{ find: /^simdnet\/worker$/, replacement: join(ROOT, 'dist', 'worker', 'index.js') }, ...simdnetAlias()];
    const outDir = await buildPage({ root: join(ROOT, 'test', 'browser', 'worker'), resolve: { alias }, worker: { format: 'es' } });
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    const server = await serveStatic(outDir);
    cleanups.push(server.close);
    const browser = await launchChromium();
    cleanups.push(browser.close);
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // A failed fetch is reported by its URL (the browser's own favicon request is not the page's).
    page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as { __worker?: unknown }).__worker !== undefined, undefined, { timeout: 150_000 });
    result = await page.evaluate(() => (window as unknown as { __worker: Record<string, unknown> }).__worker);
    console.log('  [chromium] fitInWorker:', JSON.stringify(result));
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('trains the planar set in the worker: progress at each check, ≥ 90 %, the same bytes as the page thread', () => {
    expect(result.error).toBeUndefined();
    expect(result.progress).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.same).toBe(true);
    expect(['simd', 'relaxed']).toContain(result.build);
    expect(result.stopped).toBeNull();
    expect(errors).toEqual([]);
  });

  it('the page thread keeps running while the worker trains', () => {
    // A 10 ms interval: a blocked main thread would tick ~0 times during training.
    expect(result.ticks as number).toBeGreaterThan((result.ms as number) / 10 / 4);
  });

  it('an AbortSignal stops the worker; the weights so far come back', () => {
    expect(result.abortedStopped).toBe('aborted');
    expect(result.abortedIterations as number).toBeGreaterThanOrEqual(1000);
    expect(result.abortedIterations as number).toBeLessThan(50_000_000);
    expect(result.abortedAccuracy as number).toBeGreaterThan(0.5);
  });
});
