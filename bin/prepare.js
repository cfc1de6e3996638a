#!/usr/bin/env node
// In a source checkout, bin/simdnet.js runs this before the CLI: it builds build/*.wasm and dist/ when a
// source is newer than the outputs (the first `npx simdnet` after `npm ci`), else returns at once.
// Not shipped (the package has no `prepare`; `npm pack` builds in `prepack`). Output goes to stderr.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const OUTPUTS = ['build/simdnet.simd.wasm', 'build/simdnet.scalar.wasm', 'build/simdnet.relaxed.wasm',
  'build/simdnet.edge.simd.wasm', 'build/simdnet.edge.scalar.wasm', 'build/simdnet.edge.int8.simd.wasm', 'build/simdnet.edge.int8.scalar.wasm', 'build/simdnet.threads.wasm', 'build/simdnet.threads.relaxed.wasm', 'dist/index.js', 'dist/cli.js'];
const SOURCES = ['assembly', 'src', 'asconfig.json', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const outputs = OUTPUTS.map((p) => join(root, p));
const fresh = outputs.every(existsSync) &&
  Math.min(...outputs.map((p) => statSync(p).mtimeMs)) >= Math.max(...SOURCES.map((p) => newest(join(root, p))));
if (!fresh) {
  console.error('simdnet: building build/*.wasm and dist/ from this checkout (npm run build)…');
  execSync('npm run build', { cwd: root, stdio: ['ignore', 2, 2] });
}
