#!/usr/bin/env node
// The `simdnet` command (see docs/cli.md); the code lives in the compiled ESM build. In a source
// checkout (src/ beside dist/), `npx simdnet` first brings build/ and dist/ up to date (bin/prepare.js),
// so `npm ci && npx simdnet train` works on a fresh clone; the published package has no src/ and skips it.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/cli.ts', import.meta.url)) && existsSync(new URL('./prepare.js', import.meta.url))) {
  await import('./prepare.js');
}
await import('../dist/runtime/host-node.js');
const { run } = await import('../dist/cli.js');
await run();
