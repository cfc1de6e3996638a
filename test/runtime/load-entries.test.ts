// The package's entry points: no `node:` module reachable from the browser entry, one literal
// `new URL('….wasm', import.meta.url)` per binary, the wasmUrl option, embedded binaries (simdnet/inline),
// the host split, and a 404 message that says how to fix it.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { HttpError, host, setHost, universalHost, type Host } from '../../src/runtime/host.js';
import { bundledUrl, embedWasm, readBundled } from '../../src/runtime/load.js';
import { nodeHost } from '../../src/runtime/host-node.js';
import { isMissingPackage, optionalImportFailed } from '../../src/runtime/optional.js';

const SRC = new URL('../../src/', import.meta.url);
const DEPENDENCIES = Object.keys((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
const wasm = (file: string) => readFileSync(new URL(`../../build/simdnet.${file}.wasm`, import.meta.url));

/** Every module the entry reaches through relative imports (static or dynamic), as [path, text]. */
function moduleGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (url: URL) => {
    if (seen.has(url.pathname)) return;
    // Generated into dist/ by bin/build-inline.js (checked below when built).
    if (url.pathname.endsWith('/src/inline-wasm.ts')) return;
    const text = readFileSync(url, 'utf8');
    seen.set(url.pathname, text);
    for (const m of jsOf(text).matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)\.js['"]/g)) {
      visit(new URL(`${m[1]}.ts`, url));
    }
  };
  visit(new URL(entry, SRC));
  return seen;
}

/** What of a module's text survives into JS: comments, `import type` / `export type` and `typeof import('x')` go. */
function jsOf(text: string): string {
  return text.replace(/^\s*(\/\/|\*|\/\*).*$/gm, '').replace(/typeof import\(\s*['"][^'"]*['"]\s*\)/g, '')
    .replace(/(import|export)\s+type\s[^;]*;/g, '');
}

/** Bare specifiers imported (statically or dynamically) by a module's text. */
function bareImports(text: string): string[] {
  const code = jsOf(text);
  return [...code.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^.'"][^'"]*)['"]/g)].map((m) => m[1]!);
}

describe('entries', () => {
  it('the browser entry (index.ts) and the inline entry reach no node: module and no optional CLI dependency', () => {
    for (const entry of ['index.ts', 'inline.ts']) {
      const graph = moduleGraph(entry);
      expect(graph.size).toBeGreaterThan(10);
      for (const [path, text] of graph) {
        for (const spec of bareImports(text)) {
          expect(spec.startsWith('node:') || ['fs', 'path', 'os', 'url', 'worker_threads'].includes(spec), `${path} imports ${spec}`).toBe(false);
          // A literal import (static or dynamic) of anything but a dependency breaks bundlers (webpack, esbuild)
          // in a project that installed only simdnet: optional and dev dependencies must be imported by a variable name.
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          expect(DEPENDENCIES.includes(pkg) || pkg === 'simdnet', `${path} imports ${spec}, which is not a dependency of the package`).toBe(true);
        }
      }
      expect([...graph.keys()].some((p) => p.endsWith('host-node.ts'))).toBe(false);
    }
  });

  it.runIf(existsSync(new URL('../../dist/inline-wasm.js', import.meta.url)))('the generated dist/inline-wasm.js imports only runtime/load.js', () => {
    const text = readFileSync(new URL('../../dist/inline-wasm.js', import.meta.url), 'utf8');
    expect([...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1])).toEqual(['./runtime/load.js']);
    expect(text).not.toMatch(/import\(/);
  });

  it('the node entry installs the node host, which imports node: modules', () => {
    const graph = moduleGraph('runtime/node.ts');
    expect([...graph.keys()].some((p) => p.endsWith('host-node.ts'))).toBe(true);
    expect(host().name).toBe('node'); // this file imported host-node.ts
  });

  it('one literal new URL per binary, none built from a template', () => {
    for (const [path, text] of moduleGraph('index.ts')) {
      expect(/new URL\(\s*`/.test(text), `${path} has a template-literal new URL`).toBe(false);
    }
    const literals = [...readFileSync(new URL('runtime/load.ts', SRC), 'utf8').matchAll(/new URL\('([^']+\.wasm)', import\.meta\.url\)/g)].map((m) => m[1]);
    expect(new Set(literals).size).toBe(9);
    for (const file of ['simd', 'relaxed', 'scalar', 'threads', 'threads.relaxed', 'edge.simd', 'edge.scalar', 'edge.int8.simd', 'edge.int8.scalar'] as const) {
      expect(bundledUrl(file).pathname.endsWith(`/build/simdnet.${file}.wasm`)).toBe(true);
    }
  });
});

describe('hosts', () => {
  it('the universal host (process.getBuiltinModule) and the node host read the same bytes and agree', async () => {
    const url = bundledUrl('scalar');
    const [viaNode, viaBuiltin] = await Promise.all([nodeHost.readFile(url), universalHost.readFile(url)]);
    expect(Buffer.from(viaNode).equals(wasm('scalar'))).toBe(true);
    expect(Buffer.from(viaBuiltin).equals(wasm('scalar'))).toBe(true);
    expect(universalHost.name).toBe('node-builtin');
    expect(universalHost.hardwareThreads()).toBe(nodeHost.hardwareThreads());
    expect(universalHost.pathToUrl('/a b/c#d').href).toBe(nodeHost.pathToUrl('/a b/c#d').href);
    expect(universalHost.nodeWorker()).toBe(nodeHost.nodeWorker());
  });
});

describe('wasmUrl and the 404 message', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/wasm/simdnet.scalar.wasm') {
        res.writeHead(200, { 'content-type': 'application/wasm' }).end(wasm('scalar'));
      } else res.writeHead(404).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('wasmUrl as a function of the build, and as one URL (the build is read from the module)', async () => {
    const K = await Kernels.load({ build: 'scalar', wasmUrl: (b) => `${base}/wasm/simdnet.${b}.wasm` });
    expect(K.build).toBe('scalar');
    const K2 = await Kernels.load({ wasmUrl: new URL(`${base}/wasm/simdnet.scalar.wasm`) });
    expect(K2.build).toBe('scalar');
  });

  it('a wasmUrl that 404s names the option', async () => {
    await expect(Kernels.load({ build: 'simd', wasmUrl: `${base}/nowhere/x.wasm` }))
      .rejects.toThrow(/fetching the simd kernel module from http:\/\/127\.0\.0\.1:\d+\/nowhere\/x\.wasm failed \(HTTP 404\)\. Check the wasmUrl option/);
  });

  it('a bundled file that 404s says how to fix it (simdnet/inline, or copy the files and pass wasmUrl)', async () => {
    const fake: Host = { name: "fake", readFile: async (url) => { throw new HttpError(url.href, 404); }, pathToUrl: (p) => new URL(p), hardwareThreads: () => 1, nodeWorker: () => null };
    const previous = setHost(fake);
    try {
      const error = await Kernels.load({ build: 'scalar' }).then(() => null, (e: Error) => e);
      expect(error?.message).toMatch(/HTTP 404/);
      expect(error?.message).toMatch(/import from 'simdnet\/inline'/);
      expect(error?.message).toMatch(/copy node_modules\/simdnet\/build\/\*\.wasm/);
      expect(error?.message).toMatch(/wasmUrl/);
    } finally {
      setHost(previous);
    }
  });

  it('a missing file on disk says to build it', async () => {
    await expect(readBundled('simd', new URL('file:///nonexistent/simdnet.simd.wasm')))
      .rejects.toThrow(/cannot read the simd kernel module at \/nonexistent\/simdnet\.simd\.wasm/);
  });
});

describe('embedded binaries (simdnet/inline)', () => {
  it('an embedded build wins over the bundled file and is decoded from gzip + base64', async () => {
    // The simd binary registered under the scalar name: loading 'scalar' must get it (and say so).
    embedWasm({ scalar: gzipSync(wasm('simd')).toString('base64') });
    await expect(Kernels.load({ build: 'scalar' })).rejects.toThrow(/asked for the scalar build but the given module is the simd build/);
    embedWasm({ scalar: gzipSync(wasm('scalar')).toString('base64') });
    const K = await Kernels.load({ build: 'scalar' });
    expect(K.build).toBe('scalar');
    expect(Buffer.from(await readBundled('scalar')).equals(wasm('scalar'))).toBe(true);
  });
});

describe('optional dependencies', () => {
  it('a missing optional package becomes one line naming `npm install <pkg>`; other failures pass through', async () => {
    const missing = 'simdnet-no-such-package-for-this-test';
    const error = await import(/* @vite-ignore */ missing).then(() => null, (e: unknown) => e);
    expect(isMissingPackage(error, missing)).toBe(true);
    expect(() => optionalImportFailed(error, missing, 'reading things')).toThrow(
      new RegExp(`^simdnet: reading things needs the optional package ${missing}, which is not installed: run \`npm install ${missing}\`$`));
    const other = new Error('boom inside the package');
    expect(() => optionalImportFailed(other, 'h5wasm', 'reading HDF5 files')).toThrow(/^boom inside the package$/);
    // A missing module that is not the package (a broken install of it) is not reported as "install it".
    expect(isMissingPackage(error, 'h5wasm')).toBe(false);
  });
});
