// End to end: the playground (examples/playground) built by Vite, in headless Chromium. Clicks Train
// on the planar set, waits for ≥ 85 % accuracy and saves a screenshot.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { buildProject, launchChromium, missingPrerequisite, ROOT, serveStatic } from './harness.js';

const missing = missingPrerequisite();
if (missing !== null) {
  if (process.env.CI) throw new Error(`browser tests cannot run: ${missing}`);
  console.warn(`playground test skipped: ${missing}`);
}

const SCREENSHOT = join(ROOT, 'test', 'browser', '__screenshots__', 'playground.png');

describe.skipIf(missing !== null)('playground', () => {
  let outDir = '';
  let url = '';
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    outDir = await buildProject(join(ROOT, 'examples', 'playground', 'vite.config.ts'));
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    const server = await serveStatic(outDir);
    cleanups.push(server.close);
    url = server.url;
    const browser = await launchChromium();
    cleanups.push(browser.close);
    context = browser.context;
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('bundles the worker and the SIMD kernels', () => {
    const assets = readdirSync(join(outDir, 'assets'));
    expect(assets.some((f) => /^web-main-.*\.js$/.test(f))).toBe(true); // simdnet/worker's module worker
    expect(assets.some((f) => /^simdnet\.simd-.*\.wasm$/.test(f))).toBe(true);
  });

  it('trains the planar set in a worker to ≥ 85 %, drawing the boundary and the cost curve', async () => {
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('build')?.textContent !== 'loading…', undefined, { timeout: 30_000 });
    const build = await page.textContent('#build');
    expect(['simd', 'relaxed']).toContain(build);
    await page.click('#train');
    // While training, the main thread stays responsive and progress arrives.
    await page.waitForFunction(() => document.getElementById('status')?.dataset.accuracy !== undefined, undefined, { timeout: 60_000 });
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
    const accuracy = Number(await page.getAttribute('#status', 'data-accuracy'));
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
    expect(await page.textContent('#status')).toMatch(/^done: iteration 10000 \/ 10000 · cost 0\.2\d+ · accuracy \d+\.\d\d %/);
    // The boundary canvas holds both class tints; the cost canvas holds the blue curve.
    const colours = await page.evaluate(() => {
      const count = (id: string, test: (r: number, g: number, b: number) => boolean): number => {
        const c = document.getElementById(id) as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (test(d[i]!, d[i + 1]!, d[i + 2]!)) n++;
        return n;
      };
      return {
        reddish: count('boundary', (r, g, b) => r > b + 30 && r > g + 20),
        bluish: count('boundary', (r, g, b) => b > r + 30),
        curve: count('cost', (r, g, b) => b > 150 && r < 80),
      };
    });
    expect(colours.reddish).toBeGreaterThan(10_000);
    expect(colours.bluish).toBeGreaterThan(10_000);
    expect(colours.curve).toBeGreaterThan(200);
    mkdirSync(join(ROOT, 'test', 'browser', '__screenshots__'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(errors).toEqual([]);
  });

  it('rejects a bad field with a message instead of training', async () => {
    await page.fill('#layers', '4,x');
    await page.click('#train');
    expect(await page.textContent('#error')).toMatch(/Hidden layers/);
    await page.fill('#layers', '4');
  });

  it('trains a generated set (moons, Adam, relu) with a 3-class variant (blobs, softmax)', async () => {
    await page.selectOption('#dataset', 'moons');
    await page.selectOption('#activation', 'relu');
    await page.selectOption('#init', 'he');
    await page.selectOption('#optimizer', 'adam');
    await page.fill('#layers', '16,8');
    await page.fill('#lr', '0.01');
    await page.fill('#iterations', '2000');
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
    expect(Number(await page.getAttribute('#status', 'data-accuracy'))).toBeGreaterThan(0.95);
    await page.selectOption('#dataset', 'blobs');
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
    expect(Number(await page.getAttribute('#status', 'data-accuracy'))).toBeGreaterThan(0.9);
    expect(errors).toEqual([]);
  });

  it("draws the second course's Initialization pictures on the notebook's circles: zeros 50 %, He ≥ 98 %", async () => {
    for (const [preset, check] of [['init-zeros', (a: number) => expect(a).toBe(0.5)], ['init-he', (a: number) => expect(a).toBeGreaterThanOrEqual(0.98)]] as const) {
      await page.selectOption('#preset', preset);
      expect(await page.inputValue('#dataset')).toBe('circles2');
      await page.click('#train');
      await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
      check(Number(await page.getAttribute('#status', 'data-accuracy')));
    }
    // The Regularization pictures need the user's copy of the football data (never shipped): ../shared when present.
    const football = join(ROOT, '..', 'shared', 'data', 'course2', 'football.json');
    if (existsSync(football)) {
      await page.selectOption('#preset', 'reg-l2');
      await page.click('#train');
      expect(await page.textContent('#error')).toMatch(/choose your copy of the Regularization notebook's football.json/);
      await page.setInputFiles('#football', football);
      await page.waitForFunction(() => document.getElementById('football-status')?.textContent === '211 training points loaded');
      await page.click('#train');
      await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
      expect(Number(await page.getAttribute('#status', 'data-accuracy'))).toBeGreaterThan(0.92); // float32; float64 gives the published 0.9384
      await page.screenshot({ path: join(ROOT, 'test', 'browser', '__screenshots__', 'playground-l2.png'), fullPage: true });
    }
    expect(errors).toEqual([]);
  });
});
