// SVG → PNG for --plot FILE.png, with resvg (Rust's SVG renderer) compiled to WebAssembly: no native
// build, no download. WebAssembly cannot see the system's fonts, so a sans-serif TrueType font is
// looked up in the usual font folders and handed over as bytes; without one the PNG has no text.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { optionalImportFailed } from '../runtime/optional.js';

type ResvgModule = typeof import('@resvg/resvg-wasm');

let resvg: Promise<ResvgModule> | undefined;

/** Loads and initialises resvg-wasm once. */
function loadResvg(): Promise<ResvgModule> {
  resvg ??= (async () => {
    const mod = await import('@resvg/resvg-wasm').catch((e: unknown) => optionalImportFailed(e, '@resvg/resvg-wasm', 'writing a PNG plot'));
    const wasmPath = createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');
    await mod.initWasm(await readFile(wasmPath));
    return mod;
  })();
  return resvg;
}

/** Fonts tried in order (file names, matched case-insensitively anywhere under the font folders). */
const FONTS: Record<string, string> = {
  'dejavusans.ttf': 'DejaVu Sans', 'liberationsans-regular.ttf': 'Liberation Sans', 'arial.ttf': 'Arial', 'helvetica.ttc': 'Helvetica',
  'freesans.ttf': 'FreeSans', 'notosans-regular.ttf': 'Noto Sans', 'roboto-regular.ttf': 'Roboto',
};
const FONT_NAMES = Object.keys(FONTS);
const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', '/System/Library/Fonts', '/Library/Fonts', 'C:\\Windows\\Fonts'];

/** Finds one sans-serif font file: SIMDNET_FONT, else the first of FONT_NAMES under the usual folders. */
async function findFont(): Promise<{ bytes: Uint8Array; family: string | null } | null> {
  const explicit = process.env.SIMDNET_FONT;
  if (explicit) return { bytes: new Uint8Array(await readFile(explicit)), family: null };
  const found = new Map<string, string>();
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory() && depth < 4) await walk(path, depth + 1);
      else if (FONT_NAMES.includes(e.name.toLowerCase()) && !found.has(e.name.toLowerCase())) found.set(e.name.toLowerCase(), path);
    }
  };
  for (const dir of FONT_DIRS) await walk(dir, 0);
  for (const name of FONT_NAMES) {
    const path = found.get(name);
    if (path !== undefined) return { bytes: new Uint8Array(await readFile(path)), family: FONTS[name]! };
  }
  return null;
}

/** Renders an SVG document to PNG bytes; `warn` hears about a missing font. */
export async function svgToPng(svg: string, warn: (message: string) => void = () => undefined): Promise<Uint8Array> {
  const { Resvg } = await loadResvg();
  const font = await findFont();
  if (font === null) warn('no TrueType font found (set SIMDNET_FONT=/path/to/font.ttf); the PNG has no text');
  const renderer = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: 1.5 },
    font: font === null ? { fontBuffers: [] }
      : { fontBuffers: [font.bytes], ...(font.family ? { defaultFontFamily: font.family, sansSerifFamily: font.family } : {}) },
  });
  try {
    const image = renderer.render();
    const png = image.asPng();
    image.free();
    return png;
  } finally {
    renderer.free();
  }
}
