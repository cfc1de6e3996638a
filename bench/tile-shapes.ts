// The register tile's inner loop at other shapes (R rows × V f32x4 vectors, mul then add, operands in L1), the way
// bench/lib/ceiling.ts times the 4×2 tile loop: which tile could beat 4×2 on this CPU and engine. A is broadcast
// by load32_splat, or with --pre-broadcast packed pre-broadcast (each element stored as a whole f32x4, read by a
// plain v128.load), beside the 4×2 tile as it is: whether the broadcasts hold the tile loop below the ceiling.
// 9 alternating rounds of 2000 passes × 256 k steps; medians.
// Run: npx tsx bench/tile-shapes.ts [--pre-broadcast]   (under another Node: node --import tsx bench/tile-shapes.ts)
import { loadavg } from 'node:os';
const wabt = await (await import('wabt')).default();
function wat(R: number, V: number, pre: boolean): string {
  const accs: string[] = []; for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) accs.push(`c${r}${v}`);
  const bl = Array.from({ length: V }, (_, v) => `(local.set $b${v} (v128.load offset=${v * 16} (local.get $b)))`);
  const step = Array.from({ length: R }, (_, r) => [(pre ? `(local.set $x (v128.load offset=${r * 16} (local.get $a)))` : `(local.set $x (v128.load32_splat offset=${r * 4} (local.get $a)))`),
    ...Array.from({ length: V }, (_, v) => `(local.set $c${r}${v} (f32x4.add (local.get $c${r}${v}) (f32x4.mul (local.get $x) (local.get $b${v}))))`)]).flat();
  const sum = accs.slice(1).reduce((acc, a) => `(f32x4.add ${acc} (local.get $${a}))`, `(local.get $${accs[0]})`);
  return `(module (memory 1) (func (export "run") (param $n i32) (result f32)
    (local $a i32) (local $b i32) (local $end i32) (local $x v128) ${Array.from({ length: V }, (_, v) => `(local $b${v} v128)`).join(' ')}
    ${accs.map((a) => `(local $${a} v128)`).join(' ')}
    (loop $pass (local.set $a (i32.const 0)) (local.set $b (i32.const 32768)) (local.set $end (i32.const ${256 * R * (pre ? 16 : 4)}))
      (loop $k ${bl.join(' ')} ${step.join(' ')}
        (local.set $a (i32.add (local.get $a) (i32.const ${R * (pre ? 16 : 4)}))) (local.set $b (i32.add (local.get $b) (i32.const ${V * 16})))
        (br_if $k (i32.lt_u (local.get $a) (local.get $end))))
      (br_if $pass (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f32x4.extract_lane 0 ${sum})))`;
}
const pre = process.argv.includes('--pre-broadcast');
const shapes: [number, number, boolean][] = pre
  ? [[4, 2, false], [4, 2, true], [5, 2, true], [6, 2, true], [3, 3, true], [4, 3, true], [2, 4, true]]
  : [[4, 2], [6, 2], [4, 3], [3, 3], [5, 2], [3, 4], [2, 4], [8, 1], [12, 1]].map(([R, V]) => [R!, V!, false]);
const fns = shapes.map(([R, V, pre]) => { const p = wabt.parseWat('t.wat', wat(R, V, pre), { simd: true }); p.validate(); const i = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(p.toBinary({}).buffer)), {}); return i.exports.run as (n: number) => number; });
let sink = 0;
const res = shapes.map(() => [] as number[]);
for (let round = 0; round < 9; round++) shapes.forEach(([R, V], i) => { const t0 = performance.now(); sink += fns[i]!(2000); const ms = performance.now() - t0; res[i]!.push(256 * R * V * 8 * 2000 / (ms * 1e6)); });
shapes.forEach(([R, V, pre], i) => { const s = res[i]!.sort((a, b) => a - b); console.log(`${R}×${V}${pre ? ' pre-broadcast A' : ' load32_splat'} (${R * V} acc): ${s[4]!.toFixed(1)} GFLOP/s (max ${s[8]!.toFixed(1)})`); });
console.log(`${process.version} ${new Date().toISOString()} load average ${loadavg()[0]!.toFixed(2)}${sink === 0 ? '' : ''}`);
