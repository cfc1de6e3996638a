// The import graph of a source folder, read with TypeScript's own parser and module resolution, and
// its cycles (strongly connected components). Used by cycles.test.ts; runs on any folder of .ts files.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** Options for resolving specifiers: both `./x.js` (src/, NodeNext style) and `./x` (assembly/) find x.ts. */
const RESOLVE: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  noEmit: true,
};

/** Every .ts file under dir (recursively), absolute paths, sorted; .d.ts files excluded. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

/**
 * The specifiers of a file's static imports: `import … from`, `import '…'` and `export … from`, except
 * `import type` / `export type` and those whose every name is marked `type`. An import of names used
 * only as types counts too (the compiler would drop it, but only a type check can tell): mark it
 * `import type` to take it out of the graph. Dynamic `import()` does not count (it loads later, so it
 * cannot take part in an evaluation cycle).
 */
export function loadedSpecifiers(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specs: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes = clause !== undefined && clause.name === undefined && named !== undefined &&
        ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) specs.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (node.isTypeOnly) continue;
      const clause = node.exportClause;
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)) continue;
      specs.push(node.moduleSpecifier.text);
    }
  }
  return specs;
}

/** file → files under root it loads (specifiers that resolve outside root, packages included, are left out). */
export function importGraph(root: string): Map<string, string[]> {
  const files = tsFiles(root);
  const inside = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const spec of loadedSpecifiers(file)) {
      const resolved = ts.resolveModuleName(spec, file, RESOLVE, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved !== undefined && inside.has(resolved)) targets.add(resolved);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The cycles of a graph: each strongly connected component with more than one file, or a file that loads itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One cycle through the component, as "a → b → … → a" with paths relative to root (for messages). */
export function describeCycle(graph: Map<string, string[]>, component: string[], root: string): string {
  const members = new Set(component);
  const start = component[0]!;
  // Breadth-first from start back to start, inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  let end: string | undefined;
  while (queue.length > 0 && end === undefined) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) { end = v; break; }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  const path = [start];
  for (let v = end; v !== undefined && v !== start; v = prev.get(v)) path.splice(1, 0, v);
  return [...path, start].map((f) => relative(root, f)).join(' → ');
}
