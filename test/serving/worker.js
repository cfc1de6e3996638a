// A Cloudflare Worker (workerd) that serves a baked simdnet edge module: POST {"rows": [[x1, ..., xn], ...]}
// → {"predictions": [[y1, ..., yk], ...]}. The .wasm is bound as a module (config: `wasm = embed "model.wasm"`),
// instantiated once per isolate with an empty import object; rows go in as float32 through its alloc/predict ABI
// (docs/edge.md). Used by docs/serving.md and test/serving/workerd.test.ts.
import model from './model.wasm';

const ex = new WebAssembly.Instance(model, {}).exports;
const N = ex.input_size();
const K = ex.output_size();
const MAX_ROWS = 10000;

const json = (body, status = 200) => Response.json(body, { status });

function lastError() {
  const len = ex.last_error(0);
  const ptr = len > 0 ? ex.alloc(len) : 0;
  if (ptr === 0) return 'unknown error';
  ex.last_error(ptr);
  const text = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ptr, len));
  ex.free(ptr);
  return text;
}

export default {
  async fetch(request) {
    if (request.method !== 'POST') return json({ error: `POST {"rows": [[${N} numbers], ...]}; this model answers ${K} values per row` }, 405);
    let rows;
    try {
      ({ rows } = await request.json());
    } catch {
      return json({ error: 'the body is not JSON' }, 400);
    }
    if (!Array.isArray(rows) || rows.length === 0 || rows.length > MAX_ROWS) return json({ error: `rows must be a list of 1 to ${MAX_ROWS} rows` }, 400);
    for (const [i, r] of rows.entries()) {
      if (!Array.isArray(r) || r.length !== N || !r.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        return json({ error: `row ${i} must be ${N} finite numbers` }, 400);
      }
    }
    const m = rows.length;
    const inPtr = ex.alloc(4 * N * m);
    const outPtr = inPtr === 0 ? 0 : ex.alloc(4 * K * m);
    try {
      if (outPtr === 0) return json({ error: 'out of memory' }, 413);
      const input = new Float32Array(ex.memory.buffer, inPtr, N * m);
      rows.forEach((r, i) => input.set(r, i * N));
      const rc = ex.predict(inPtr, m, outPtr);
      if (rc !== 0) return json({ error: lastError(), code: rc }, 500);
      const out = new Float32Array(ex.memory.buffer, outPtr, K * m);
      return json({ predictions: Array.from({ length: m }, (_, i) => Array.from(out.subarray(i * K, (i + 1) * K))) });
    } finally {
      if (outPtr !== 0) ex.free(outPtr);
      if (inPtr !== 0) ex.free(inPtr);
    }
  },
};
