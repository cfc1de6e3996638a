// The kernel and model checks of test/browser/suite/ in headless Chromium.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage, launchChromium, missingPrerequisite, ROOT, serveStatic, simdnetAlias } from './harness.js';

const missing = missingPrerequisite();
if (missing !== null) {
  // CI must not pass by skipping: there the prerequisites are installed by .ci/run.
  if (process.env.CI) throw new Error(`browser tests cannot run: ${missing}`);
  console.warn(`browser tests skipped: ${missing}`);
}

interface Result { name: string; ok: boolean; detail: string; ms: number }

describe.skipIf(missing !== null)('simdnet in Chromium (ESM build bundled by Vite)', () => {
  let results: Result[] = [];
  let outDir = '';
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    outDir = await buildPage({ root: join(ROOT, 'test', 'browser', 'suite'), resolve: { alias: simdnetAlias() } });
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    const server = await serveStatic(outDir);
    cleanups.push(server.close);
    const browser = await launchChromium();
    cleanups.push(browser.close);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.__simdnet?.done === true, undefined, { timeout: 150_000 });
    const state = await page.evaluate(() => window.__simdnet!);
    if (state.error) throw new Error(`the suite crashed: ${state.error}`);
    expect(errors).toEqual([]);
    results = state.results;
    for (const r of results) console.log(`  [chromium] ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`);
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('emits the .wasm files as assets of the bundle (no path configuration)', async () => {
    const { readdirSync } = await import('node:fs');
    const assets = readdirSync(join(outDir, 'assets'));
    expect(assets.some((f) => /^simdnet\.simd-.*\.wasm$/.test(f))).toBe(true);
  });

  const names = [
    'the simd kernel module loads from the bundled .wasm',
    'gemm matches the TS reference on tail sizes, every transpose, both dtypes',
    'activations forward and backward match the TS reference on tail sizes',
    "the course's planar net trains to ≥ 90 % (float32, simd)",
    'save / load round-trip gives identical predictions',
  ];
  it.each(names)('%s', (name) => {
    const r = results.find((x) => x.name === name);
    expect(r, `no result for "${name}"`).toBeDefined();
    expect(r!.ok, r!.detail).toBe(true);
  });
});
