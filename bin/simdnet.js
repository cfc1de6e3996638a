#!/usr/bin/env node
// The `simdnet` command (see docs/cli.md); the code lives in the compiled ESM build.
import { run } from '../dist/cli.js';

await run();
