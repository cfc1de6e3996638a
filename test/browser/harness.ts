// Shared by the browser tests: Debian's Chromium driven by playwright-core (no browser download),
// pages built by Vite from the ESM build (dist/), served from 127.0.0.1 only.
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { build, type InlineConfig } from 'vite';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The Chromium binary: $CHROMIUM_PATH, else Debian's /usr/bin/chromium; null when absent. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Why the browser tests cannot run here, or null when they can. */
export function missingPrerequisite(): string | null {
  if (chromiumPath() === null) return 'Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)';
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) return 'dist/ not built (npm run build)';
  if (!existsSync(join(ROOT, 'build', 'simdnet.simd.wasm'))) return 'build/*.wasm not built (npm run asbuild)';
  return null;
}

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** A headless Chromium with a fresh profile directory; close() removes it. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'simdnet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath()!, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Vite settings shared by the pages: `simdnet` resolves to the ESM build, as in an app that installed it. */
export function simdnetAlias(): { find: RegExp; replacement: string }[] {
  return [
    { find: /^simdnet\/reference$/, replacement: join(ROOT, 'dist', 'reference', 'index.js') },
    { find: /^simdnet$/, replacement: join(ROOT, 'dist', 'index.js') },
  ];
}

/** Builds a Vite page (production build) into a fresh temporary directory and returns it. */
export async function buildPage(config: InlineConfig): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'simdnet-page-'));
  await build({ logLevel: 'warn', configFile: false, ...config, build: { ...config.build, outDir, emptyOutDir: true } });
  return outDir;
}

/** Builds a Vite project from its config file into a fresh temporary directory. */
export async function buildProject(configFile: string): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'simdnet-page-'));
  await build({ logLevel: 'warn', configFile, build: { outDir, emptyOutDir: true } });
  return outDir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** Response headers that make a page cross-origin isolated (SharedArrayBuffer, the threads build). */
export const CROSS_ORIGIN_ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

/**
 * Serves `dir` on 127.0.0.1 (a free port), adding `headers` to every response (e.g. CROSS_ORIGIN_ISOLATION);
 * returns its base URL and a close function.
 */
export async function serveStatic(dir: string, headers: Record<string, string> = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const root = resolve(dir);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    // A page's worker may leave a request open; close() alone would wait for it forever.
    close: () => new Promise<void>((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}
