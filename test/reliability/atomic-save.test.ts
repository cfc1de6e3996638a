// Atomic saves: the CLI writes a model to a temporary name in the same directory and renames it over the
// target (src/cli/data.ts writeFileAtomic), so the target path only ever holds a complete file — the old one
// or the new one. Checked three ways:
//   - injected faults (node:fs/promises mocked): the rename fails, or the write dies half-way (ENOSPC);
//   - a real failing rename through the CLI: the target is a directory;
//   - hard kills: a child saving ~8 MB models in a loop gets SIGKILL at random moments; the target must be
//     one of the two complete files every time (a temporary file may be left beside it: SIGKILL runs no cleanup).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { decodeModel } from '../../src/io/format.js';
import { runCli, tempDir } from '../cli/helpers.js';
import { bigModels } from './atomic-models.js';

const fault = vi.hoisted(() => ({ rename: null as string | null, halfWrite: null as string | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (fault.rename) throw errno(fault.rename);
      return real.rename(from, to);
    },
    writeFile: async (path: string, data: Uint8Array | string, ...rest: unknown[]) => {
      if (fault.halfWrite && typeof data !== 'string') {
        await real.writeFile(path, data.subarray(0, data.length >> 1));
        throw errno(fault.halfWrite);
      }
      return (real.writeFile as (...a: unknown[]) => Promise<void>)(path, data, ...rest);
    },
    // writeFileAtomic writes through a file handle (so it can fsync before the rename): fail that write too.
    open: async (path: string, flags?: string) => {
      const handle = await real.open(path, flags);
      if (!fault.halfWrite) return handle;
      return {
        writeFile: async (data: Uint8Array | string) => {
          if (typeof data !== 'string') await handle.writeFile(data.subarray(0, data.length >> 1));
          throw errno(fault.halfWrite!);
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
  };
});
const { writeFileAtomic } = await import('../../src/cli/data.js');

const { dir, cleanup } = tempDir('atomic');
afterAll(cleanup);
afterEach(() => { fault.rename = null; fault.halfWrite = null; });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const leftovers = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp'));

describe('atomic model saves', () => {
  const [oldModel, newModel] = bigModels();

  it('a failing rename leaves the old file intact and no temporary file', async () => {
    const d = join(dir, 'rename');
    mkdirSync(d);
    const target = join(d, 'model.snet');
    writeFileSync(target, oldModel);
    for (const code of ['EIO', 'EXDEV', 'EACCES', 'ENOENT']) {
      fault.rename = code;
      await expect(writeFileAtomic(target, newModel)).rejects.toThrow(new RegExp(`^cannot write '.*model\\.snet': `));
      expect(sha(readFileSync(target))).toBe(sha(oldModel));
      expect(leftovers(d)).toEqual([]);
    }
    fault.rename = null;
    await writeFileAtomic(target, newModel);
    expect(sha(readFileSync(target))).toBe(sha(newModel));
    expect(leftovers(d)).toEqual([]);
  });

  it('a write that dies half-way (ENOSPC) leaves the old file intact, or no file, and no temporary file', async () => {
    const d = join(dir, 'half');
    mkdirSync(d);
    const target = join(d, 'model.snet');
    fault.halfWrite = 'ENOSPC';
    await expect(writeFileAtomic(target, newModel)).rejects.toThrow(/cannot write '.*model\.snet': ENOSPC/);
    expect(existsSync(target)).toBe(false);
    writeFileSync(target, oldModel);
    await expect(writeFileAtomic(target, newModel)).rejects.toThrow(/ENOSPC/);
    expect(sha(readFileSync(target))).toBe(sha(oldModel));
    expect(leftovers(d)).toEqual([]);
  });

  it('the CLI: --save onto a directory fails the rename; exit 2, one line, the directory untouched, no temporary file', async () => {
    const d = join(dir, 'cli');
    mkdirSync(join(d, 'm.snet'), { recursive: true });
    writeFileSync(join(d, 'm.snet', 'keep.txt'), 'keep');
    const r = await runCli(['train', '--iterations', '5', '--save', 'm.snet', '-q'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^simdnet: cannot write 'm\.snet': it is a directory$/m);
    expect(statSync(join(d, 'm.snet')).isDirectory()).toBe(true);
    expect(readdirSync(join(d, 'm.snet'))).toEqual(['keep.txt']);
    expect(leftovers(d)).toEqual([]);
  });

  it('SIGKILL at random moments while saving 8 MB models in a loop: the target is always one complete model', async () => {
    const TSX = createRequire(import.meta.url).resolve('tsx');
    const writer = fileURLToPath(new URL('./fixtures/atomic-writer.ts', import.meta.url));
    const valid = new Set([sha(oldModel), sha(newModel)]);
    const KILLS = 4;
    const results = await Promise.all(Array.from({ length: KILLS }, (_, i) => new Promise<{ saves: number; partialTemp: boolean }>((resolve, reject) => {
      const d = join(dir, `kill-${i}`);
      mkdirSync(d);
      const child = spawn(process.execPath, ['--import', TSX, writer, join(d, 'model.snet')], { stdio: ['ignore', 'pipe', 'inherit'] });
      let saves = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        const before = saves;
        saves += chunk.toString().split('\n').filter((l) => l.startsWith('saved')).length;
        // After the first complete save, kill at a random point of a later one.
        if (before === 0 && saves > 0) setTimeout(() => child.kill('SIGKILL'), 5 + ((i * 37) % 60) + Math.random() * 60);
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => {
        try {
          expect(signal).toBe('SIGKILL');
          const bytes = new Uint8Array(readFileSync(join(d, 'model.snet')));
          expect(valid.has(sha(bytes)), `kill ${i}: the target is not one of the two complete files`).toBe(true);
          decodeModel(bytes);
          const temps = leftovers(d).map((f) => statSync(join(d, f)).size);
          resolve({ saves, partialTemp: temps.some((s) => s < oldModel.length) });
        } catch (e) {
          reject(e);
        }
      });
    })));
    const midWrite = results.filter((r) => r.partialTemp).length;
    console.log(`atomic saves: ${KILLS} SIGKILLs after ${results.map((r) => r.saves).join('/')} saves; ${midWrite} landed mid-write ` +
      `(a partial temporary file was left); the target was a complete model every time`);
  }, 60_000);
});
