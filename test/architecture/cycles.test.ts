// No import cycles in src/ or assembly/: modules load in one direction (assembly: serial kernels ←
// pool ← dispatch ← net ← index). The graph is read with TypeScript's parser and module resolution
// (test/architecture/imports.ts); a cycle fails with one path through it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cycles, describeCycle, importGraph } from './imports.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The cycles under root, one line each ("a.ts → b.ts → a.ts"). */
function cycleLines(root: string): string[] {
  const graph = importGraph(root);
  return cycles(graph).map((c) => describeCycle(graph, c, root));
}

describe('import cycles', () => {
  for (const dir of ['src', 'assembly']) {
    it(`${dir}/ has none`, () => {
      const graph = importGraph(join(repo, dir));
      // The graph was read at all: files found and local imports resolved.
      expect(graph.size).toBeGreaterThan(10);
      expect([...graph.values()].reduce((n, t) => n + t.length, 0)).toBeGreaterThan(20);
      expect(cycleLines(join(repo, dir)), `import cycles in ${dir}/`).toEqual([]);
    });
  }

  it('assembly/: gemm.ts and optim.ts import nothing; the pool imports only serial kernels', () => {
    const graph = importGraph(join(repo, 'assembly'));
    const at = (f: string): string[] => (graph.get(join(repo, 'assembly', f)) ?? []).map((p) => p.slice(repo.length));
    expect(at('gemm.ts')).toEqual([]);
    expect(at('optim.ts')).toEqual([]);
    expect(at('pool.ts')).toEqual(['assembly/gemm.ts', 'assembly/optim.ts']);
  });
});

describe('the cycle finder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-cycles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    // A two-file cycle written the src/ way (.js specifiers) and one the assembly/ way (no extension).
    'a.ts': "import { b } from './b.js';\nexport const a = 1 + b;\n",
    'b.ts': "import { a } from './a.js';\nexport const b = 2;\nexport const c = () => a;\n",
    'gemm.ts': 'import { gemmParallel } from "./pool";\nexport function gemm(): void { gemmParallel(); }\n',
    'pool.ts': 'import { gemm } from "./gemm";\nexport function gemmParallel(): void { gemm(); }\n',
    // Three files through a re-export, and a file that loads itself.
    'x.ts': "export { y } from './y.js';\n",
    'y.ts': "import './z.js';\nexport const y = 1;\n",
    'z.ts': "import { y } from './x.js';\nexport const z = y;\n",
    'self.ts': "import * as me from './self.js';\nexport const s = me;\n",
    // Not cycles: type-only imports (erased), a dynamic import (loads later), a package, a missing file.
    't1.ts': "import type { T2 } from './t2.js';\nexport type T1 = { t: T2 };\n",
    't2.ts': "import { type T1 } from './t1.js';\nexport type T2 = { t?: T1 };\nexport type { T1 } from './t1.js';\n",
    'd1.ts': "import { d2 } from './d2.js';\nexport const d1 = d2;\n",
    'd2.ts': "export const d2 = 1;\nexport async function later() { return import('./d1.js'); }\nimport 'typescript';\nimport './missing.js';\n",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

  it('finds every cycle and nothing else', () => {
    const graph = importGraph(dir);
    const found = cycles(graph).map((c) => c.map((f) => f.slice(dir.length + 1)).join(' ')).sort();
    expect(found).toEqual(['a.ts b.ts', 'gemm.ts pool.ts', 'self.ts', 'x.ts y.ts z.ts']);
  });

  it('names one path through each cycle', () => {
    const lines = cycleLines(dir).sort();
    expect(lines).toEqual(['a.ts → b.ts → a.ts', 'gemm.ts → pool.ts → gemm.ts', 'self.ts → self.ts', 'x.ts → y.ts → z.ts → x.ts']);
  });
});
