// Inference over a saved model file (the bytes `net.save()` writes, layout in src/io/format.ts), for hosts
// without JavaScript: the edge ABI of docs/edge.md. model_load validates every field before it allocates,
// copies the parameters into a plan (assembly/net.ts) and keeps a workspace for `capacity` examples;
// model_predict normalises and transposes the host's row-major f32 input, runs planForward in the model's
// dtype and writes row-major f32 output. Nothing here traps on any input: every read is length-checked,
// sizes are computed in u64, and allocations go through tryAlloc, which turns "memory cannot grow" into
// an error code instead of the allocator's trap. Messages are ASCII (valid UTF-8), at most 256 bytes.
import { ROOT } from "rt/tlsf";
import { planForward, layerAt, HEADER_BYTES, LAYER_BYTES, SOFTMAX } from "./net";
import { actForward, softmaxForward } from "./act";
import { quantizeI16, gemmI8, padded16 } from "./int8";

// ---- error codes (negative; docs/edge.md lists them) ----
/** A pointer/length pair lies (partly) outside linear memory. */
export const E_BOUNDS: i32 = -1;
/** Fewer bytes than the fixed header, or the architecture block runs past the end. */
export const E_TRUNCATED: i32 = -2;
/** The first four bytes are not "SNET". */
export const E_MAGIC: i32 = -3;
/** A format version this reader does not know. */
export const E_VERSION: i32 = -4;
/** dtype code other than 1 (f32) or 2 (f64). */
export const E_DTYPE: i32 = -5;
/** Normaliser code other than 0, 1, 2. */
export const E_NORMALIZER: i32 = -6;
/** L outside 1..256. */
export const E_LAYERS: i32 = -7;
/** The leaky relu slope is NaN or infinite. */
export const E_SLOPE: i32 = -8;
/** A layer size outside 1..2^24. */
export const E_UNITS: i32 = -9;
/** Unknown activation code, softmax on a hidden layer, or an output other than linear/sigmoid/softmax. */
export const E_ACTIVATION: i32 = -10;
/** More than 2^28 parameters. */
export const E_PARAMETERS: i32 = -11;
/** The header describes a different total length than the bytes given. */
export const E_LENGTH: i32 = -12;
/** CRC-32 mismatch. */
export const E_CHECKSUM: i32 = -13;
/** A normaliser shift/scale is not finite, or a scale is zero. */
export const E_NORMALIZER_VALUES: i32 = -14;
/** A weight or bias is not finite. */
export const E_WEIGHTS: i32 = -15;
/** Memory could not grow enough (or a block would exceed 1 GiB). */
export const E_OUT_OF_MEMORY: i32 = -16;
/** Every model slot is in use. */
export const E_TOO_MANY_MODELS: i32 = -17;
/** Not a live handle: never returned by model_load, or already freed. */
export const E_HANDLE: i32 = -18;
/** A bad argument: negative m, or buffers that overlap the model's own memory. */
export const E_ARGUMENT: i32 = -19;
/** Edge module only: no model is baked in (the template itself). */
export const E_NO_MODEL: i32 = -20;
/** Edge module only: the baked model is not where the heap starts (a mis-patched binary). */
export const E_EDGE_LAYOUT: i32 = -21;

// ---- limits (src/io/format.ts has the same bounds) ----
const MAGIC: u32 = 0x54454e53; // "SNET"
const VERSION: u32 = 1;
/** Format version 2: int8 weights with one f32 scale per output unit, f32 biases and normaliser (dtype 3). */
const VERSION_INT8: u32 = 2;
const DTYPE_INT8: u32 = 3;
/**
 * An int8-only edge template (asc --use SIMDNET_INT8_ONLY=1): float models are refused with E_VERSION and the
 * float forward pass (the f32/f64 GEMMs) is not compiled in, which makes the template ≈ 14 KB (simd) smaller.
 */
const INT8_ONLY: bool = isDefined(SIMDNET_INT8_ONLY);
const MAX_LAYERS: u32 = 256;
const MAX_UNITS: u32 = 1 << 24;
const MAX_PARAMETERS: u64 = 1 << 28;
/** Model slots; a handle encodes (generation, slot) so a freed handle never matches a reused slot. */
export const MAX_MODELS: i32 = 64;
/** The workspace a fresh model gets (it holds at most 64 examples, at least 1). */
const INITIAL_WORKSPACE: u64 = 1 << 20;
/** Workspaces never grow past this (or one example); larger batches run in chunks. */
const MAX_WORKSPACE: u64 = 64 << 20;
const INITIAL_CAPACITY: u64 = 64;
/** Largest single allocation: the allocator's 1 GiB block limit with room for rounding. */
const MAX_BLOCK: u64 = (1 << 30) - (1 << 20);

// ---- the last error message ----
const MESSAGE_MAX: i32 = 256;
const message: usize = memory.data(MESSAGE_MAX, 16);
let messageLength: i32 = 0;

function say(s: string): void {
  for (let i = 0, n = s.length; i < n; i++) {
    const c = <u32>s.charCodeAt(i);
    if (c < 0x80) {
      if (messageLength + 1 > MESSAGE_MAX) return;
      store<u8>(message + messageLength++, c);
    } else if (c < 0x800) {
      if (messageLength + 2 > MESSAGE_MAX) return;
      store<u8>(message + messageLength++, 0xc0 | (c >> 6));
      store<u8>(message + messageLength++, 0x80 | (c & 63));
    } else {
      if (messageLength + 3 > MESSAGE_MAX) return;
      store<u8>(message + messageLength++, 0xe0 | (c >> 12));
      store<u8>(message + messageLength++, 0x80 | ((c >> 6) & 63));
      store<u8>(message + messageLength++, 0x80 | (c & 63));
    }
  }
}

function sayNumber(v: u64): void {
  const digits = memory.data(24);
  let n = 0;
  do {
    store<u8>(digits + n++, <u32>(48 + v % 10));
    v /= 10;
  } while (v != 0);
  while (n > 0 && messageLength < MESSAGE_MAX) store<u8>(message + messageLength++, load<u8>(digits + --n));
}

function sayHex(v: u32): void {
  for (let shift = 28; shift >= 0; shift -= 4) {
    const d = (v >> shift) & 15;
    if (messageLength < MESSAGE_MAX) store<u8>(message + messageLength++, d < 10 ? 48 + d : 87 + d);
  }
}

/** Starts a new message: "simdnet: " + s. */
function begin(s: string): void {
  messageLength = 0;
  say("simdnet: ");
  say(s);
}

/** Starts a model-file message with the same prefix as decodeModel's errors. */
function corrupt(s: string): void {
  begin("not a valid simdnet model file: ");
  say(s);
}

/** Copies the last error message to out (nothing when out is 0) and returns its length, or E_BOUNDS. */
export function lastError(out: usize): i32 {
  if (out == 0) return messageLength;
  if (<u64>out + <u64>messageLength > memoryBytes()) return E_BOUNDS;
  memory.copy(out, message, messageLength);
  return messageLength;
}

/**
 * Copies the JSON header of a model file that validateModel accepted (at ptr) to out and returns its length
 * (out = 0 only returns the length), or E_BOUNDS when out + length lies outside memory.
 */
export function modelJson(ptr: usize, out: usize): i32 {
  const L = <u64>load<u32>(ptr, 8);
  const length = load<u32>(ptr, 12);
  const start = ptr + <usize>pad8(24 + 4 * (L + 1) + L);
  if (out == 0) return <i32>length;
  if (<u64>out + <u64>length > memoryBytes()) {
    begin("the output (");
    sayNumber(length);
    say(" bytes at ");
    sayNumber(out);
    say(") lies outside the module's memory of ");
    sayNumber(memoryBytes());
    say(" bytes");
    return E_BOUNDS;
  }
  memory.copy(out, start, length);
  return <i32>length;
}

/** Sets the message for an edge module without a model, or one whose model is misplaced. */
export function edgeFailure(code: i32): i32 {
  if (code == E_NO_MODEL) begin("this module has no model baked in (it is the template; bake one with exportEdgeWasm)");
  else begin("the baked model is not at the start of the heap (the binary was patched inconsistently)");
  return code;
}

@inline function memoryBytes(): u64 { return <u64>memory.size() << 16; }
@inline function pad8(n: u64): u64 { return (n + 7) & ~(<u64>7); }
@inline function pad4(n: u64): u64 { return (n + 3) & ~(<u64>3); }

// ---- allocation without traps ----
// heap.alloc traps when the allocator has to grow memory and memory.grow fails. tryAlloc asks the allocator
// (AssemblyScript 0.28's TLSF, whose free-list maps it reads exactly as rt/tlsf.ts searchBlock does) whether
// a free block fits; if none does, it grows memory itself, returns 0 when that fails, and otherwise hands
// the new pages to the allocator as one free block (a used block freed with heap.free, closed by a zero-size
// used tail), so heap.alloc then finds a block and never grows. Memory only grows when nothing fits, as it
// would inside the allocator, so load/free cycles stay bounded.

const TLSF_OVERHEAD: usize = 4; // BLOCK_OVERHEAD: the mmInfo word before a payload
const TLSF_MINSIZE: usize = 28; // BLOCK_MINSIZE for 32-bit usize
const TLSF_MAXSIZE: usize = (1 << 30) - 4; // BLOCK_MAXSIZE

/** The payload size TLSF reserves for a request (computeSize). */
@inline function tlsfPayload(size: usize): usize {
  return size <= TLSF_MINSIZE ? TLSF_MINSIZE : ((size + TLSF_OVERHEAD + 15) & ~15) - TLSF_OVERHEAD;
}

/** searchBlock's rounding up to the next size class (roundSize). */
@inline function tlsfRound(size: usize): usize {
  return size < (TLSF_MAXSIZE >> 1) ? size + (<usize>1 << (27 - clz<usize>(size))) - 1 : size;
}

/** True when searchBlock would find a free block for a payload of `size` (so heap.alloc will not grow). */
function tlsfHasFit(size: usize): bool {
  const root = changetype<usize>(ROOT);
  let fl: usize, sl: u32;
  if (size < 256) {
    fl = 0;
    sl = <u32>(size >> 4);
  } else {
    const r = tlsfRound(size);
    fl = 31 - clz<usize>(r);
    sl = <u32>((r >> (fl - 4)) ^ 16);
    fl -= 7;
  }
  if ((load<u32>(root + (fl << 2), 4) & (<u32>0xffffffff << sl)) != 0) return true; // GETSL(root, fl)
  return (load<u32>(root) & (<u32>0xffffffff << <u32>(fl + 1))) != 0; // flMap above fl
}

/** heap.alloc that returns 0 instead of trapping when memory cannot grow (or size > MAX_BLOCK). */
export function tryAlloc(size: u64): usize {
  if (size > MAX_BLOCK) return 0;
  if (changetype<usize>(ROOT) == 0) heap.free(heap.alloc(0)); // initialise the allocator before growing memory
  const bytes = <usize>size;
  const payload = tlsfPayload(bytes);
  if (!tlsfHasFit(payload)) {
    const need = <u64>tlsfRound(payload) + 64;
    const pages = <i32>((need + 0xffff) >> 16);
    const before = memory.size();
    if (<u64>before + <u64>pages > 65535) return 0; // keep every address below 4 GiB - 64 KiB
    if (memory.grow(pages) < 0) return 0;
    const base = <usize>before << 16;
    const end = <usize>(before + pages) << 16;
    const block = base + 16; // 16-byte aligned payload, its mmInfo at base + 12
    store<u32>(block - TLSF_OVERHEAD, <u32>(end - TLSF_OVERHEAD - block)); // used, left neighbour not free
    store<u32>(end - TLSF_OVERHEAD, 0); // zero-size used tail: the block never merges past the end
    heap.free(block);
  }
  return heap.alloc(bytes);
}

// ---- CRC-32 (IEEE, as zlib) ----
const crcTable: usize = memory.data(1024, 16);
let crcReady = false;

function crc32(ptr: usize, len: usize): u32 {
  if (!crcReady) {
    for (let n: u32 = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      store<u32>(crcTable + (<usize>n << 2), c);
    }
    crcReady = true;
  }
  let c: u32 = 0xffffffff;
  for (let i: usize = 0; i < len; i++) {
    c = load<u32>(crcTable + (<usize>((c ^ <u32>load<u8>(ptr + i)) & 0xff) << 2)) ^ (c >>> 8);
  }
  return c ^ 0xffffffff;
}

// ---- validation: what a valid file told us ----
let vL: u32 = 0;
let vElem: u32 = 0; // 4 or 8
let vNorm: u32 = 0;
let vSlope: f64 = 0;
let vDataOff: usize = 0; // offset of the normaliser (or the first W)
let vDataBytes: usize = 0; // normaliser + parameters
let vMaxUnits: u32 = 0; // largest layer after the input
/** The validated sizes (L + 1 u32) and activation codes (L u8), kept so that nothing is re-read after allocating. */
const vSizes: usize = memory.data(<i32>(MAX_LAYERS + 1) * 4, 16);
const vCodes: usize = memory.data(<i32>MAX_LAYERS, 16);

@inline function finite32(v: f32): bool { return v - v == 0; }
@inline function finite64(v: f64): bool { return v - v == 0; }

/** Checks every field of the model file at ptr; 0 or a negative code with the message set. Reads only inside [ptr, ptr + len). */
export function validateModel(ptr: usize, len: usize): i32 {
  const total = memoryBytes();
  if (<u64>ptr + <u64>len > total) {
    begin("the model bytes (");
    sayNumber(len);
    say(" at ");
    sayNumber(ptr);
    say(") lie outside the module's memory of ");
    sayNumber(total);
    say(" bytes");
    return E_BOUNDS;
  }
  if (len < 28) {
    corrupt("only ");
    sayNumber(len);
    say(" bytes (truncated or empty)");
    return E_TRUNCATED;
  }
  if (load<u32>(ptr) != MAGIC) {
    corrupt("wrong magic number (expected \"SNET\")");
    return E_MAGIC;
  }
  const version = <u32>load<u16>(ptr, 4);
  if (version != VERSION && version != VERSION_INT8) {
    corrupt("format version ");
    sayNumber(version);
    say(" is not supported (this simdnet reads versions 1 and 2)");
    return E_VERSION;
  }
  const int8 = version == VERSION_INT8;
  if (ASC_FEATURE_THREADS && int8) {
    // The threads build (training in workers) stays under 64 KiB without the int8 forward pass.
    corrupt("int8 models (format version 2) run in the simd and scalar builds, not in the threads build");
    return E_VERSION;
  }
  if (INT8_ONLY && !int8) {
    corrupt("format version 1 (float weights) is not supported by this int8-only module; bake it with quantize int8");
    return E_VERSION;
  }
  const dtype = <u32>load<u8>(ptr, 6);
  if (int8 ? dtype != DTYPE_INT8 : dtype != 1 && dtype != 2) {
    corrupt("unknown dtype code ");
    sayNumber(dtype);
    say(int8 ? " (format version 2 holds 3 int8)" : " (expected 1 float32 or 2 float64)");
    return E_DTYPE;
  }
  // Bytes per parameter in the file and in the workspace: 4 (f32), 8 (f64), or 1 for int8 (its own layout).
  const elem: u32 = int8 ? 1 : dtype == 1 ? 4 : 8;
  const norm = <u32>load<u8>(ptr, 7);
  if (norm > 2) {
    corrupt("unknown normaliser code ");
    sayNumber(norm);
    say(" (expected 0 none, 1 standardize or 2 minmax)");
    return E_NORMALIZER;
  }
  const L = load<u32>(ptr, 8);
  if (L < 1 || L > MAX_LAYERS) {
    corrupt("");
    sayNumber(L);
    say(" layers (expected 1..256)");
    return E_LAYERS;
  }
  const slope = load<f64>(ptr, 16);
  if (!finite64(slope)) {
    corrupt("leaky relu slope is not finite");
    return E_SLOPE;
  }
  const archEnd = pad8(24 + 4 * (<u64>L + 1) + <u64>L);
  if (archEnd + 4 > <u64>len) {
    corrupt("architecture block runs past the end (");
    sayNumber(len);
    say(" bytes)");
    return E_TRUNCATED;
  }
  let maxUnits: u32 = 0;
  for (let i: u32 = 0; i <= L; i++) {
    const n = load<u32>(ptr + 24 + (<usize>i << 2));
    if (n < 1 || n > MAX_UNITS) {
      corrupt("layer ");
      sayNumber(i);
      say(" has ");
      sayNumber(n);
      say(" units (expected 1..16777216)");
      return E_UNITS;
    }
    if (i > 0 && n > maxUnits) maxUnits = n;
  }
  const codes = ptr + 24 + 4 * (<usize>L + 1);
  for (let i: u32 = 0; i < L; i++) {
    const code = <u32>load<u8>(codes + i);
    const output = i == L - 1;
    if (code > 5 || (!output && code == 5) || (output && code != 0 && code != 1 && code != 5)) {
      if (code == 5) {
        corrupt("softmax is only allowed on the output layer");
      } else if (code > 5) {
        corrupt("layer ");
        sayNumber(i + 1);
        say(" has unknown activation code ");
        sayNumber(code);
      } else {
        corrupt("output activation code ");
        sayNumber(code);
        say(" is not supported (expected 0 linear, 1 sigmoid or 5 softmax)");
      }
      return E_ACTIVATION;
    }
  }
  let params: u64 = 0;
  for (let l: u32 = 1; l <= L; l++) {
    const n = <u64>load<u32>(ptr + 24 + (<usize>l << 2));
    const m = <u64>load<u32>(ptr + 24 + (<usize>(l - 1) << 2));
    params += n * m + n;
  }
  if (params > MAX_PARAMETERS) {
    corrupt("");
    sayNumber(params);
    say(" parameters exceed the limit of 268435456");
    return E_PARAMETERS;
  }
  const n0 = <u64>load<u32>(ptr, 24);
  const jsonEnd = pad8(archEnd + <u64>load<u32>(ptr, 12));
  // int8: f32 shift and scale per feature; per layer f32 scale[n], f32 b[n], i8 W[n·k] padded to 4 bytes.
  const normBytes: u64 = norm == 0 ? 0 : (int8 ? 8 : 16) * n0;
  let paramBytes = params * <u64>elem;
  if (int8) {
    paramBytes = 0;
    for (let l: u32 = 1; l <= L; l++) {
      const n = <u64>load<u32>(ptr + 24 + (<usize>l << 2));
      const m = <u64>load<u32>(ptr + 24 + (<usize>(l - 1) << 2));
      paramBytes += 8 * n + pad4(n * m);
    }
  }
  const expected = jsonEnd + normBytes + paramBytes + 4;
  if (expected != <u64>len) {
    corrupt("the header describes ");
    sayNumber(expected);
    say(" bytes but there are ");
    sayNumber(len);
    return E_LENGTH;
  }
  const stored = load<u32>(ptr + len - 4);
  const actual = crc32(ptr, len - 4);
  if (stored != actual) {
    corrupt("checksum mismatch (stored ");
    sayHex(stored);
    say(", computed ");
    sayHex(actual);
    say("): the bytes are corrupt or truncated");
    return E_CHECKSUM;
  }
  let p = ptr + <usize>jsonEnd;
  if (int8) {
    const code = validateInt8(ptr + 24, p, norm, L);
    if (code < 0) return code;
  } else if (norm != 0) {
    const count = <usize>n0;
    for (let i: usize = 0; i < count; i++) {
      const shift = load<f64>(p + (i << 3));
      const scale = load<f64>(p + ((count + i) << 3));
      if (!finite64(shift) || !finite64(scale) || scale == 0) {
        corrupt("normaliser values are not finite (or a scale is zero)");
        return E_NORMALIZER_VALUES;
      }
    }
    p += count << 4;
  }
  for (let l: u32 = 1; l <= L && !int8; l++) {
    const n = <usize>load<u32>(ptr + 24 + (<usize>l << 2));
    const m = <usize>load<u32>(ptr + 24 + (<usize>(l - 1) << 2));
    const count = n * m + n;
    let ok = true;
    if (elem == 4) {
      for (let i: usize = 0; i < count; i++) if (!finite32(load<f32>(p + (i << 2)))) { ok = false; break; }
    } else {
      for (let i: usize = 0; i < count; i++) if (!finite64(load<f64>(p + (i << 3)))) { ok = false; break; }
    }
    if (!ok) {
      corrupt("layer ");
      sayNumber(l);
      say(" holds a non-finite weight");
      return E_WEIGHTS;
    }
    p += count * elem;
  }
  memory.copy(vSizes, ptr + 24, (<usize>L + 1) << 2);
  memory.copy(vCodes, codes, <usize>L);
  vL = L;
  vElem = elem;
  vNorm = norm;
  vSlope = slope;
  vDataOff = <usize>jsonEnd;
  vDataBytes = <usize>(normBytes + paramBytes);
  vMaxUnits = maxUnits;
  return 0;
}

/**
 * The values of a version-2 (int8) file, after its header, JSON and length checks passed: the f32 normaliser
 * (finite, scale ≠ 0), then per layer the f32 scales (finite, ≥ 0), the f32 biases (finite) and the zero
 * padding after W. arch → the file's checked sizes (L + 1 u32), data → the first byte after the JSON block.
 */
function validateInt8(arch: usize, data: usize, norm: u32, L: u32): i32 {
  let p = data;
  const n0 = <usize>load<u32>(arch);
  if (norm != 0) {
    for (let i: usize = 0; i < n0; i++) {
      const shift = load<f32>(p + (i << 2));
      const scale = load<f32>(p + ((n0 + i) << 2));
      if (!finite32(shift) || !finite32(scale) || scale == 0) {
        corrupt("normaliser values are not finite (or a scale is zero)");
        return E_NORMALIZER_VALUES;
      }
    }
    p += n0 << 3;
  }
  for (let l: u32 = 1; l <= L; l++) {
    const n = <usize>load<u32>(arch + (<usize>l << 2));
    const k = <usize>load<u32>(arch + (<usize>(l - 1) << 2));
    let ok = true;
    for (let i: usize = 0; i < n; i++) {
      const scale = load<f32>(p + (i << 2));
      if (!finite32(scale) || scale < 0 || !finite32(load<f32>(p + ((n + i) << 2)))) { ok = false; break; }
    }
    const wBytes = n * k;
    const end = p + (n << 3) + <usize>pad4(<u64>wBytes);
    for (let q = p + (n << 3) + wBytes; q < end && ok; q++) if (load<u8>(q) != 0) ok = false;
    if (!ok) {
      corrupt("layer ");
      sayNumber(l);
      say(" holds a non-finite bias or scale, a negative scale, or nonzero padding");
      return E_WEIGHTS;
    }
    p = end;
  }
  return 0;
}

// ---- model slots ----
/** Byte offset of an int8 layer's f32 scales in its plan record (the dW field of training plans). */
const LAYER_SCALE: usize = 20;
// One 64-byte record per slot: 0 generation (u32)  4 in use  8 plan block  12 data (normaliser, then W, b)
// 16 workspace block  20 capacity (examples)  24 n0  28 n_y  32 element size  36 normaliser (0 none)
// 40 largest layer after the input  44 bytes of the plan block  48 bytes of the data
const SLOT_BYTES: usize = 64;
const slots: usize = memory.data(<i32>(MAX_MODELS * <i32>SLOT_BYTES), 16);

@inline function slotAt(i: i32): usize { return slots + <usize>i * SLOT_BYTES; }

/** The slot record of a live handle, or 0. */
function lookup(h: i32): usize {
  if (h <= 0) return 0;
  const v = <u32>(h - 1);
  const slot = slotAt(<i32>(v & <u32>(MAX_MODELS - 1)));
  if (load<u32>(slot, 4) == 0 || load<u32>(slot) != v >> 6) return 0;
  return slot;
}

function badHandle(h: i32): i32 {
  begin("handle ");
  if (h < 0) { say("-"); sayNumber(<u64>(-<i64>h)); } else sayNumber(h);
  say(" is not a loaded model (never returned by model_load, or already freed)");
  return E_HANDLE;
}

function outOfMemory(bytes: u64, what: string): i32 {
  begin("out of memory: ");
  say(what);
  say(" needs ");
  sayNumber(bytes);
  say(" bytes and memory cannot grow that far");
  return E_OUT_OF_MEMORY;
}

/**
 * Bytes of one example in the workspace. Float: the input column and two ping-pong activation columns.
 * int8 (element size 1): its factor d (f64), two f32 rows of the widest layer (input included), and one
 * quantised i16 row of that width padded to 16.
 */
@inline function exampleBytes(slot: usize): u64 {
  const elem = <u64>load<u32>(slot, 32);
  if (elem == 1) {
    const widest = <u64>max<u32>(load<u32>(slot, 24), load<u32>(slot, 40));
    return 8 + 8 * widest + 2 * <u64>padded16(<i32>widest);
  }
  return (<u64>load<u32>(slot, 24) + 2 * <u64>load<u32>(slot, 40)) * elem;
}

/** Points every layer's Z and A at the workspace for `capacity` examples (A aliases Z; layers alternate two buffers). */
function bindWorkspace(slot: usize, ws: usize, capacity: u32): void {
  const plan = load<usize>(slot, 8);
  if (load<u32>(slot, 32) == 1) { // int8: predictInt8 carves the workspace itself
    store<i32>(plan, <i32>capacity, 8);
    store<usize>(slot, ws, 16);
    store<u32>(slot, capacity, 20);
    return;
  }
  const elem = <usize>load<u32>(slot, 32);
  const cap = <usize>capacity;
  const b0 = ws + <usize>load<u32>(slot, 24) * cap * elem;
  const b1 = b0 + <usize>load<u32>(slot, 40) * cap * elem;
  const L = load<i32>(plan);
  for (let l = 0; l < L; l++) {
    const layer = layerAt(plan, l);
    const buf: usize = ws == 0 ? <usize>0 : (l & 1) == 0 ? b0 : b1;
    store<u32>(layer, <u32>buf, 28);
    store<u32>(layer, <u32>buf, 32);
  }
  store<i32>(plan, <i32>capacity, 8);
  store<usize>(slot, ws, 16);
  store<u32>(slot, capacity, 20);
}

/**
 * Validates the model file at ptr (len bytes) and builds a plan for it. With borrow, W, b and the
 * normaliser stay in the file's bytes (which must then outlive the model); otherwise they are copied.
 * Returns a handle > 0, or a negative error code with the message set.
 */
export function loadModel(ptr: usize, len: usize, borrow: bool): i32 {
  const code = validateModel(ptr, len);
  if (code < 0) return code;
  let free = -1;
  for (let i = 0; i < MAX_MODELS; i++) {
    if (load<u32>(slotAt(i), 4) == 0) { free = i; break; }
  }
  if (free < 0) {
    begin("all 64 model slots are in use; free a model with model_free first");
    return E_TOO_MANY_MODELS;
  }
  const L = vL;
  const elem = vElem;
  const n0 = load<u32>(vSizes);
  const ny = load<u32>(vSizes + (<usize>L << 2));
  const planBytes = <u64>HEADER_BYTES + <u64>L * <u64>LAYER_BYTES;
  const blockBytes = planBytes + (borrow ? 0 : <u64>vDataBytes);
  const block = tryAlloc(blockBytes);
  if (block == 0) return outOfMemory(blockBytes, "the model");
  const widest = <u64>max<u32>(n0, vMaxUnits);
  const perExample = elem == 1 ? 8 + 8 * widest + 2 * <u64>padded16(<i32>widest) : (<u64>n0 + 2 * <u64>vMaxUnits) * <u64>elem;
  let capacity = INITIAL_WORKSPACE / perExample;
  if (capacity > INITIAL_CAPACITY) capacity = INITIAL_CAPACITY;
  if (capacity < 1) capacity = 1;
  const ws = tryAlloc(capacity * perExample);
  if (ws == 0) {
    heap.free(block);
    return outOfMemory(capacity * perExample, "the workspace");
  }
  const plan = block;
  let data = ptr + vDataOff;
  if (!borrow) {
    data = block + <usize>planBytes;
    memory.copy(data, ptr + vDataOff, vDataBytes);
  }
  memory.fill(plan, 0, <usize>planBytes);
  store<i32>(plan, <i32>L);
  store<i32>(plan, elem == 4 ? 1 : elem == 8 ? 2 : <i32>DTYPE_INT8, 4);
  store<f64>(plan, vSlope, 16);
  let p = data + (vNorm == 0 ? 0 : (<usize>n0 << (elem == 1 ? 3 : 4)));
  for (let l: u32 = 0; l < L && elem == 1; l++) {
    // int8 layers in the plan's records: units, inputs, activation, W (i8), b (f32) as for floats, and the
    // f32 scales in the dW field (LAYER_SCALE), which inference never uses otherwise.
    const layer = layerAt(plan, <i32>l);
    const units = load<u32>(vSizes + (<usize>(l + 1) << 2));
    const inputs = load<u32>(vSizes + (<usize>l << 2));
    store<u32>(layer, units, 0);
    store<u32>(layer, inputs, 4);
    store<u32>(layer, <u32>load<u8>(vCodes + l), 8);
    store<u32>(layer, <u32>p, LAYER_SCALE);
    store<u32>(layer, <u32>(p + (<usize>units << 2)), 16);
    store<u32>(layer, <u32>(p + (<usize>units << 3)), 12);
    p += (<usize>units << 3) + <usize>pad4(<u64>units * <u64>inputs);
  }
  for (let l: u32 = 0; l < L && elem != 1; l++) {
    const layer = layerAt(plan, <i32>l);
    const units = load<u32>(vSizes + (<usize>(l + 1) << 2));
    const inputs = load<u32>(vSizes + (<usize>l << 2));
    store<u32>(layer, units, 0);
    store<u32>(layer, inputs, 4);
    store<u32>(layer, <u32>load<u8>(vCodes + l), 8);
    store<u32>(layer, <u32>p, 12);
    p += <usize>units * <usize>inputs * <usize>elem;
    store<u32>(layer, <u32>p, 16);
    p += <usize>units * <usize>elem;
  }
  const slot = slotAt(free);
  store<u32>(slot, 1, 4);
  store<usize>(slot, plan, 8);
  store<usize>(slot, data, 12);
  store<u32>(slot, n0, 24);
  store<u32>(slot, ny, 28);
  store<u32>(slot, elem, 32);
  store<usize>(slot, vNorm == 0 ? 0 : data, 36);
  store<u32>(slot, vMaxUnits, 40);
  store<u32>(slot, <u32>blockBytes, 44);
  store<u32>(slot, <u32>vDataBytes, 48);
  bindWorkspace(slot, ws, <u32>capacity);
  return <i32>((load<u32>(slot) << 6) | <u32>free) + 1;
}

/** Input features n0 of a loaded model, or E_HANDLE. */
export function modelInputSize(h: i32): i32 {
  const slot = lookup(h);
  return slot == 0 ? badHandle(h) : load<i32>(slot, 24);
}

/** Outputs n_y of a loaded model, or E_HANDLE. */
export function modelOutputSize(h: i32): i32 {
  const slot = lookup(h);
  return slot == 0 ? badHandle(h) : load<i32>(slot, 28);
}

/** Releases every byte of a loaded model; 0 or E_HANDLE. The handle is dead afterwards. */
export function modelFree(h: i32): i32 {
  const slot = lookup(h);
  if (slot == 0) return badHandle(h);
  const ws = load<usize>(slot, 16);
  if (ws != 0) heap.free(ws);
  heap.free(load<usize>(slot, 8));
  store<u32>(slot, 0, 4);
  store<u32>(slot, (load<u32>(slot) + 1) & 0xffffff); // next generation: 2^24 · 64 handles stay below 2^30
  return 0;
}

@inline function overlaps(a: u64, aBytes: u64, b: u64, bBytes: u64): bool {
  return aBytes != 0 && bBytes != 0 && a < b + bBytes && b < a + aBytes;
}

/**
 * Runs m examples (row-major f32 m×n0 at input) through a loaded model and writes row-major f32 m×n_y at
 * output. Returns 0, or E_HANDLE / E_ARGUMENT / E_BOUNDS (nothing written). Batches larger than the
 * workspace grow it (up to 64 MiB) or, when memory is short, run in chunks (none of a single example when
 * m > 1, unless the workspace holds only one: the SIMD GEMM treats one column as a matrix-vector product).
 */
export function modelPredict(h: i32, input: usize, m: i32, output: usize): i32 {
  const slot = lookup(h);
  if (slot == 0) return badHandle(h);
  if (m < 0) {
    begin("m = -");
    sayNumber(<u64>(-<i64>m));
    say(" examples: m must be >= 0");
    return E_ARGUMENT;
  }
  if (m == 0) return 0;
  const n0 = <u64>load<u32>(slot, 24);
  const ny = <u64>load<u32>(slot, 28);
  const inBytes = <u64>m * n0 * 4;
  const outBytes = <u64>m * ny * 4;
  const total = memoryBytes();
  if (<u64>input + inBytes > total || <u64>output + outBytes > total) {
    begin(<u64>input + inBytes > total ? "the input (" : "the output (");
    sayNumber(<u64>input + inBytes > total ? inBytes : outBytes);
    say(" bytes at ");
    sayNumber(<u64>input + inBytes > total ? input : output);
    say(") lies outside the module's memory of ");
    sayNumber(total);
    say(" bytes");
    return E_BOUNDS;
  }
  const planBlock = <u64>load<usize>(slot, 8);
  const planBytes = <u64>load<u32>(slot, 44);
  const wsBytes = <u64>load<u32>(slot, 20) * exampleBytes(slot);
  const ws = <u64>load<usize>(slot, 16);
  const data = <u64>load<usize>(slot, 12);
  const dataBytes = <u64>load<u32>(slot, 48);
  if (overlaps(output, outBytes, planBlock, planBytes) || overlaps(output, outBytes, ws, wsBytes) || overlaps(output, outBytes, data, dataBytes)
    || overlaps(input, inBytes, planBlock, planBytes) || overlaps(input, inBytes, ws, wsBytes)) {
    begin("the input or output buffer overlaps the model's own memory");
    return E_ARGUMENT;
  }
  // Grow the workspace for the whole batch (capped); on failure keep the old one and run in chunks.
  const perExample = exampleBytes(slot);
  let want = MAX_WORKSPACE / perExample;
  if (want < 1) want = 1;
  if (want > <u64>m) want = <u64>m;
  if (want > <u64>load<u32>(slot, 20)) {
    const grown = tryAlloc(want * perExample);
    if (grown != 0) {
      if (load<usize>(slot, 16) != 0) heap.free(load<usize>(slot, 16));
      bindWorkspace(slot, grown, <u32>want);
    }
  }
  const elem = load<u32>(slot, 32);
  if (INT8_ONLY) predictInt8(slot, input, m, output);
  else if (elem == 4) predictChunks<f32>(slot, input, m, output);
  else if (elem == 8) predictChunks<f64>(slot, input, m, output);
  else if (!ASC_FEATURE_THREADS) predictInt8(slot, input, m, output);
  return 0;
}

function predictChunks<T>(slot: usize, input: usize, m: i32, output: usize): void {
  const plan = load<usize>(slot, 8);
  const n0 = <usize>load<u32>(slot, 24);
  const ny = <usize>load<u32>(slot, 28);
  const norm = load<usize>(slot, 36);
  const chunk = <i32>load<u32>(slot, 20);
  const x = load<usize>(slot, 16);
  const size = <usize>sizeof<T>();
  for (let start = 0, mb = 0; start < m; start += mb) {
    mb = min(chunk, m - start);
    // Never leave one example for a chunk of its own when m > 1: the SIMD GEMM runs a single column as a
    // matrix-vector product whose sums round differently, and a batch must not depend on how it is chunked.
    if (m - start - mb == 1 && mb > 1) mb--;
    const cols = <usize>mb;
    // x (n0 × mb, features-first) = normalise(input rows start..start+mb), in f64 then rounded to T like the TS side.
    for (let f: usize = 0; f < n0; f++) {
      const row = x + f * cols * size;
      let src = input + (<usize>start * n0 + f) * 4;
      if (norm != 0) {
        const shift = load<f64>(norm + (f << 3));
        const scale = load<f64>(norm + ((n0 + f) << 3));
        for (let e: usize = 0; e < cols; e++) {
          store<T>(row + e * size, <T>((<f64>load<f32>(src) - shift) / scale));
          src += n0 * 4;
        }
      } else {
        for (let e: usize = 0; e < cols; e++) {
          store<T>(row + e * size, <T>load<f32>(src));
          src += n0 * 4;
        }
      }
    }
    const a = planForward<T>(plan, x, mb, <T>1);
    // output rows start..start+mb = A_Lᵀ, rounded to f32.
    for (let r: usize = 0; r < ny; r++) {
      const row = a + r * cols * size;
      let dst = output + (<usize>start * ny + r) * 4;
      for (let e: usize = 0; e < cols; e++) {
        store<f32>(dst, <f32>load<T>(row + e * size));
        dst += ny * 4;
      }
    }
  }
}

/**
 * The int8 forward pass (format version 2), examples-first: rows of the host's input are normalised in f32
 * ((x − shift) / scale), then per layer each example's row is quantised to i16 (int8.ts), multiplied by the
 * int8 weights in integers and scaled back with the bias added (gemmI8), and the activation is applied in f32
 * by the same kernels as the float path. Results do not depend on m or on the
 * chunking: every example is computed on its own.
 */
function predictInt8(slot: usize, input: usize, m: i32, output: usize): void {
  const plan = load<usize>(slot, 8);
  const L = load<i32>(plan);
  const slope = <f32>load<f64>(plan, 16);
  const n0 = load<i32>(slot, 24);
  const ny = load<i32>(slot, 28);
  const norm = load<usize>(slot, 36);
  const chunk = <i32>load<u32>(slot, 20);
  const widest = <usize>max<u32>(<u32>n0, load<u32>(slot, 40));
  const cap = <usize>chunk;
  const d = load<usize>(slot, 16);
  const bufA = d + (cap << 3);
  const bufB = bufA + cap * widest * 4;
  const q = bufB + cap * widest * 4;
  for (let start = 0, mb = 0; start < m; start += mb) {
    mb = min(chunk, m - start);
    const src = input + <usize>start * <usize>n0 * 4;
    const count = mb * n0;
    if (norm != 0) normalizeRows(src, norm, bufA, n0, mb);
    else memory.copy(bufA, src, <usize>count << 2);
    let cur = bufA, next = bufB, k = n0;
    for (let l = 0; l < L; l++) {
      const layer = layerAt(plan, l);
      const n = load<i32>(layer);
      const act = load<i32>(layer, 8);
      const bias = <usize>load<u32>(layer, 16);
      const qRow = <usize>padded16(k) << 1;
      for (let e = 0; e < mb; e++) store<f64>(d + (<usize>e << 3), quantizeI16(cur + <usize>e * <usize>k * 4, k, q + <usize>e * qRow));
      gemmI8(n, k, mb, <usize>load<u32>(layer, 12), <usize>load<u32>(layer, LAYER_SCALE), bias, q, d, next, n);
      // z = W·x + b is in place, examples-first: softmax runs per example (n units as a column), every other
      // activation elementwise over the whole block (one row of mb·n, no bias).
      if (act == SOFTMAX) {
        for (let e = 0; e < mb; e++) softmaxForward<f32>(next + <usize>e * <usize>n * 4, 0, next + <usize>e * <usize>n * 4, n, 1);
      } else if (act != 0) {
        actForward<f32>(act, next, 0, next, 1, mb * n, slope);
      }
      const t = cur;
      cur = next;
      next = t;
      k = n;
    }
    memory.copy(output + <usize>start * <usize>ny * 4, cur, <usize>(mb * ny) << 2);
  }
}

/** dst (mb rows of n0 f32) = f32(f32(x − shift) / scale) per feature, with the int8 file's f32 normaliser at norm. */
function normalizeRows(src: usize, norm: usize, dst: usize, n0: i32, mb: i32): void {
  const scales = norm + (<usize>n0 << 2);
  const rowBytes = <usize>n0 << 2;
  for (let e = 0; e < mb; e++) {
    const x = src + <usize>e * rowBytes, y = dst + <usize>e * rowBytes;
    let f: usize = 0;
    if (ASC_FEATURE_SIMD) {
      for (; f + 16 <= rowBytes; f += 16) {
        v128.store(y + f, f32x4.div(f32x4.sub(v128.load(x + f), v128.load(norm + f)), v128.load(scales + f)));
      }
    }
    for (; f < rowBytes; f += 4) store<f32>(y + f, (load<f32>(x + f) - load<f32>(norm + f)) / load<f32>(scales + f));
  }
}
