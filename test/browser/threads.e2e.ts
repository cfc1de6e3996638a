// The opt-in threads build in headless Chromium: test/browser/threads/ built by Vite from the ESM build,
// served once with the COOP/COEP headers (cross-origin isolated: SharedArrayBuffer, Web Workers on one
// shared memory) and once without (threads: 2 must fall back to one thread and say why). Either way the
// GEMMs and the training steps must give the bytes a single-thread simd Kernels gives.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Worker } from 'playwright-core';
import { buildPage, CROSS_ORIGIN_ISOLATION, launchChromium, missingPrerequisite, ROOT, serveStatic, simdnetAlias } from './harness.js';
import type { ThreadsReport } from './threads/threads.js';

const missing = missingPrerequisite();
if (missing !== null) {
  // CI must not pass by skipping: there the prerequisites are installed by .ci/run.
  if (process.env.CI) throw new Error(`browser tests cannot run: ${missing}`);
  console.warn(`threads browser tests skipped: ${missing}`);
}

/** Opens the page at url, waits for its report and follows the Web Workers it starts. */
async function run(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const workers: Worker[] = [];
  const closed = new Set<Worker>();
  page.on('worker', (w) => {
    workers.push(w);
    w.on('close', () => closed.add(w));
  });
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => window.__threads?.done === true, undefined, { timeout: 60_000 });
  const state = await page.evaluate(() => window.__threads!);
  if (state.error) throw new Error(`the page failed: ${state.error}`);
  const report = state.report!;
  console.log(`  [chromium] ${url}: ${Date.now() - t0} ms in all, ${report.ms} ms in the page; ${workers.length} workers; `
    + `GEMMs (single / 2 threads, ms): ${report.products.map((p) => `${p.ms.single} / ${p.ms.threads}`).join(', ')}; `
    + `blocks by workers: gemm ${report.threaded.workerParts}, fit ${report.training.map((t) => t.workerParts).join(' and ')}; `
    + `dispose ms: ${report.disposal.map((d) => d.ms).join(', ')}`
    + (report.threaded.threadsFallback ? `; fallback: "${report.threaded.threadsFallback}"` : ''));
  return { page, report, errors, workers, closed };
}

/** Every result equals the single-thread one, byte for byte. */
function expectSingleThreadBytes(report: ThreadsReport): void {
  expect(report.products).toHaveLength(3);
  for (const p of report.products) {
    expect(p.firstDifference, `${p.name}: first differing byte, threads: 2 vs one thread`).toBe(-1);
    expect(p.firstDifferenceWorkersOnly, `${p.name}: first differing byte, workers-only pool vs one thread`).toBe(-1);
  }
  expect(report.training).toHaveLength(2);
  for (const t of report.training) {
    expect(t.firstDifference, `${t.name}: first differing byte of W1, b1, W2, b2, W3, b3`).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(t.sameCosts, `${t.name}: costs ${t.costs.join(', ')}`).toBe(true);
    expect(t.costs).toHaveLength(6);
    expect(t.costs.every(Number.isFinite)).toBe(true);
    expect(t.costs.at(-1)!).toBeLessThan(t.costs[0]!); // it did train
  }
  expect(report.afterDisposeFirstDifference).toBe(-1);
  // Every dispose() resolved (none hung).
  expect(report.disposal.map((d) => d.ms === null ? `${d.name}: no end after 5 s` : 'ended')).toEqual(['ended', 'ended', 'ended']);
  for (const d of report.disposal) expect(d.threadsAfter, d.name).toBe(1);
}

describe.skipIf(missing !== null)('the threads build in Chromium (ESM build bundled by Vite)', () => {
  let outDir = '';
  let context: BrowserContext;
  let isolatedUrl = '';
  let plainUrl = '';
  const cleanups: (() => Promise<void> | void)[] = [];
  const digests: Record<string, string[]> = {};

  beforeAll(async () => {
    outDir = await buildPage({ root: join(ROOT, 'test', 'browser', 'threads'), resolve: { alias: simdnetAlias() } });
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    const isolated = await serveStatic(outDir, CROSS_ORIGIN_ISOLATION);
    cleanups.push(isolated.close);
    isolatedUrl = isolated.url;
    const plain = await serveStatic(outDir);
    cleanups.push(plain.close);
    plainUrl = plain.url;
    const browser = await launchChromium();
    cleanups.push(browser.close);
    context = browser.context;
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('with COOP/COEP: two threads on Web Workers, the same bytes as one thread, and dispose() ends the workers', async () => {
    const { page, report, errors, workers, closed } = await run(context, isolatedUrl);
    expect(errors).toEqual([]);
    expect(report.crossOriginIsolated).toBe(true);
    expect(report.sharedArrayBuffer).toBe(true);
    // Chromium validates relaxed SIMD, so build 'auto' takes the relaxed threads build, like the single-thread reference.
    expect(report.singleBuild).toBe('relaxed');
    expect(report.threaded).toMatchObject({ build: report.singleBuild, threads: 2, threadsFallback: null });
    expect(report.workersOnly).toMatchObject({ threads: 2, threadsFallback: null });
    for (const t of report.training) expect(t, t.name).toMatchObject({ threads: 2, threadsFallback: null });
    // The workers took part: in the workers-only pool they computed every block (gemm and fit), and the
    // default pool, where the page's thread computes its half first, still got some of the GEMM blocks.
    expect(report.workersOnly.workerParts).toBeGreaterThan(0);
    expect(report.training[1]!.workerParts).toBeGreaterThan(0);
    expect(report.threaded.workerParts + report.training[0]!.workerParts, 'blocks computed by the default pools\' workers').toBeGreaterThan(0);
    expectSingleThreadBytes(report);
    // One Web Worker per pool (threads − 1): Kernels.load twice plus the network's own kernels; all ended.
    expect(workers.length).toBe(3);
    await expect.poll(() => closed.size, { timeout: 5000 }).toBe(3);
    digests.isolated = [...report.products.map((p) => p.digest), ...report.training.map((t) => t.digest)];
    await page.close();
  });

  it('without COOP/COEP: threads: 2 falls back to one thread, says why, and gives the same bytes', async () => {
    const { page, report, errors, workers } = await run(context, plainUrl);
    expect(errors).toEqual([]);
    expect(report.crossOriginIsolated).toBe(false);
    const reasons = [report.threaded.threadsFallback, report.workersOnly.threadsFallback, ...report.training.map((t) => t.threadsFallback)];
    for (const reason of reasons) {
      expect(reason).toBeTypeOf('string');
      expect(reason).toMatch(/SharedArrayBuffer|cross-origin isolat/);
      expect(reason).toMatch(/COOP\/COEP/); // what to do about it
    }
    expect(report.threaded).toMatchObject({ build: report.singleBuild, threads: 1, workerParts: 0 });
    expect(report.workersOnly).toMatchObject({ threads: 1, workerParts: 0 });
    for (const t of report.training) expect(t, t.name).toMatchObject({ threads: 1, workerParts: 0 });
    expectSingleThreadBytes(report);
    expect(workers).toHaveLength(0);
    // And the same bytes as the threaded page (when it ran first).
    if (digests.isolated) {
      expect([...report.products.map((p) => p.digest), ...report.training.map((t) => t.digest)]).toEqual(digests.isolated);
    }
    await page.close();
  });
});
