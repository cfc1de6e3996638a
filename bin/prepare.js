#!/usr/bin/env node
// `npm ci` / `npm install` in a checkout run `prepare`, and npx runs it again when it links the project
// for `npx simdnet`. Rebuilding only when a source is newer than the outputs keeps that second run instant.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const OUTPUTS = ['build/simdnet.simd.wasm', 'build/simdnet.scalar.wasm', 'build/simdnet.relaxed.wasm',
  'build/simdnet.edge.simd.wasm', 'build/simdnet.edge.scalar.wasm', 'build/simdnet.threads.wasm', 'dist/index.js', 'dist/cli.js'];
const SOURCES = ['assembly', 'src', 'asconfig.json', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const outputs = OUTPUTS.map((p) => join(root, p));
const fresh = outputs.every(existsSync) &&
  Math.min(...outputs.map((p) => statSync(p).mtimeMs)) >= Math.max(...SOURCES.map((p) => newest(join(root, p))));
if (fresh) {
  console.log('simdnet: build/ and dist/ are up to date');
} else {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
