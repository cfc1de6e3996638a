// Serving on Cloudflare's workerd: a baked edge module behind test/serving/worker.js, `workerd serve` on
// 127.0.0.1 (a free port), rows POSTed over HTTP; the answers must equal net.predict. workerd is stopped after.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- the workerd package ships no type declarations
import * as workerdPackage from 'workerd';
import { Network } from '../../src/network.js';
import { exportEdgeWasm } from '../../src/io/edge.js';

const HERE = new URL('./', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'simdnet-workerd-'));
let child: ChildProcess | null = null;
let stderr = '';
let url = '';
let net: Network;

/** The workerd binary's path: the package's default export (CommonJS interop nests it one level under Node). */
function workerdBinary(): string {
  const d = (workerdPackage as { default?: unknown }).default;
  const path = typeof d === 'string' ? d : (d as { default?: unknown } | undefined)?.default;
  if (typeof path !== 'string') throw new Error('the workerd package did not give its binary path');
  return path;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function rows(m: number, seed: number): number[][] {
  let s = seed;
  const u = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: m }, () => [Math.fround(20 * u() - 10), Math.fround(3 * u() + 100)]);
}

async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  net = await Network.create({ layers: [2, 8, 3], hidden: 'tanh', output: 'softmax', normalize: 'standardize', seed: 3, labels: ['a', 'b', 'c'] });
  const X = rows(300, 1);
  await net.fit(X, X.map(([x, y]) => [0, 1, 2].map((c) => (c === (x! > 0 ? 1 : 0) + (y! > 101.5 ? 1 : 0) ? 1 : 0))), { iterations: 200, learningRate: 0.05, optimizer: 'adam' });
  writeFileSync(join(dir, 'model.wasm'), await exportEdgeWasm(net.save(), { build: 'simd' }));
  for (const f of ['worker.js', 'config.capnp']) copyFileSync(new URL(f, HERE), join(dir, f));
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  child = spawn(workerdBinary(), ['serve', 'config.capnp', '--socket-addr', `http=127.0.0.1:${port}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 405, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`workerd did not answer on ${url} within 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  net?.dispose();
  if (child !== null && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child!.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('workerd serves the baked edge module', () => {
  it('answers POSTed rows with what net.predict returns (batches 1, 7, 300)', async () => {
    for (const m of [1, 7, 300]) {
      const X = rows(m, 50 + m);
      const { status, json } = await post({ rows: X });
      expect(status, JSON.stringify(json)).toBe(200);
      const got = (json.predictions as number[][]).flat();
      const want = net.predict(X).data;
      expect(got).toHaveLength(want.length);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `batch ${m}, value ${i}`).toBeLessThanOrEqual(1e-6);
    }
  });
  it('answers concurrent requests', async () => {
    const batches = Array.from({ length: 16 }, (_, k) => rows(5 + k, 900 + k));
    const answers = await Promise.all(batches.map((X) => post({ rows: X })));
    answers.forEach(({ status, json }, k) => {
      expect(status).toBe(200);
      const want = net.predict(batches[k]!).data;
      (json.predictions as number[][]).flat().forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-6));
    });
  });
  it('refuses bad requests with a message', async () => {
    expect(await post('not json')).toEqual({ status: 400, json: { error: 'the body is not JSON' } });
    expect(await post({ rows: [[1, 2, 3]] })).toEqual({ status: 400, json: { error: 'row 0 must be 2 finite numbers' } });
    expect((await post({ rows: [] })).status).toBe(400);
    const get = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    expect(get.status).toBe(405);
    expect(((await get.json()) as { error: string }).error).toMatch(/POST \{"rows": \[\[2 numbers\], \.\.\.\]\}; this model answers 3 values per row/);
  });
});
