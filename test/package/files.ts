// The allowlist of the packed package (npm pack): every file must match one pattern, every required file
// must be there, source maps carry their sources, no install-time script ships, and every relative link in
// a shipped Markdown file points at a shipped file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** What may ship. Anything else in the tarball is a mistake. */
export const ALLOWED: RegExp[] = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/,
  /^bin\/simdnet\.js$/,
  /^build\/simdnet\.(simd|relaxed|scalar|threads|threads\.relaxed|edge\.simd|edge\.scalar|edge\.int8\.simd|edge\.int8\.scalar)\.wasm$/,
  /^dist\/([\w-]+\/)*[\w.-]+\.(js|d\.ts)$/,
  /^docs\/[\w-]+\.md$/,
  /^examples\/edge\/[\w-]+\.c$/,
];

/** What must ship: the entries of the exports map, the CLI and the nine binaries. */
export const REQUIRED = [
  'package.json', 'README.md', 'LICENSE', 'bin/simdnet.js',
  'dist/index.js', 'dist/index.d.ts', 'dist/runtime/node.js', 'dist/inline.js', 'dist/inline.d.ts', 'dist/inline-wasm.js',
  'dist/worker/index.js', 'dist/worker/index.d.ts', 'dist/cli.js',
  ...['simd', 'relaxed', 'scalar', 'threads', 'threads.relaxed', 'edge.simd', 'edge.scalar', 'edge.int8.simd', 'edge.int8.scalar'].map((b) => `build/simdnet.${b}.wasm`),
];

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name)));
}

/** Problems with an unpacked package directory (empty when it is clean). */
export function checkPackedFiles(dir: string): string[] {
  const problems: string[] = [];
  const files = walk(dir).sort();
  const shipped = new Set(files);
  for (const f of files) if (!ALLOWED.some((re) => re.test(f))) problems.push(`not on the allowlist: ${f}`);
  for (const f of REQUIRED) if (!shipped.has(f)) problems.push(`missing: ${f}`);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string>; exports: Record<string, unknown>; license?: string };
  for (const s of ['prepare', 'preinstall', 'install', 'postinstall']) if (pkg.scripts?.[s] !== undefined) problems.push(`package.json ships a "${s}" script`);
  if (pkg.license !== 'MIT' || !/MIT License/.test(readFileSync(join(dir, 'LICENSE'), 'utf8'))) problems.push('LICENSE is not the MIT license');
  // Every target of the exports map exists.
  const targets = (v: unknown): string[] => typeof v === 'string' ? [v] : Object.values(v as Record<string, unknown>).flatMap(targets);
  for (const t of targets(pkg.exports)) if (!shipped.has(normalize(t))) problems.push(`exports target not shipped: ${t}`);
  // Source maps: each carries the sources it names.
  for (const f of files.filter((f) => f.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    if (map.sourcesContent?.length !== map.sources.length || map.sourcesContent.some((c) => typeof c !== 'string')) problems.push(`${f} lacks sourcesContent`);
  }
  // A .js that names a map has it.
  for (const f of files.filter((f) => f.endsWith('.js'))) {
    const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(dir, f), 'utf8'));
    if (m && !shipped.has(normalize(join(dirname(f), m[1]!)))) problems.push(`${f} names a missing map ${m[1]}`);
  }
  // Relative links in shipped Markdown.
  for (const f of files.filter((f) => f.endsWith('.md'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target)) continue;
      const path = normalize(join(dirname(f), target));
      if (!shipped.has(path) && !existsSync(join(dir, path))) problems.push(`${f} links to ${target}, which does not ship`);
    }
  }
  return problems;
}
