// ONNX → simdnet model file (.snet), for MLP graphs as exporters write them: an optional elementwise prefix on the
// input (Sub/Div, Mul/Add, Cast, Flatten) that becomes the saved normaliser, then per layer a Gemm (any transA,
// transB, alpha, beta) or a MatMul (+ Add), and an activation (Relu, Tanh, Sigmoid, LeakyRelu, PRelu with one
// slope, Softmax, or simdnet's own Where(z > 0, z, z·slope)); Identity, Dropout (inference) and Cast pass through.
// The graph must be one chain from its input to its output. Anything else is an Error that names the node.
import { decodeModel, encodeModel, type LayerActivation, type ModelRecord } from './format.js';
import type { Normalizer } from '../data/normalize.js';
import {
  ATTR_TYPE, DATA_TYPE, EXTERNAL, META, decodeOnnx, int64, metadataMap,
  type AttributeProto, type ModelProto, type NodeProto, type TensorProto,
} from './onnx-wire.js';

const SUPPORTED = new Set(['Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Tanh', 'Sigmoid', 'LeakyRelu', 'PRelu',
  'Softmax', 'Identity', 'Flatten', 'Dropout', 'Cast', 'Constant', 'Greater', 'Where']);
/** No tensor or layer may be larger than the model format allows. */
const MAX_ELEMENTS = 1 << 28;

/** A constant (initializer or Constant node) as float64 values with its dims. */
interface Const {
  dims: number[];
  values: Float64Array;
}

/** A layer while it is read: W (n_out × n_in, row-major), b, and its activation once seen. */
interface Layer {
  W: Float64Array;
  b: Float64Array;
  nIn: number;
  nOut: number;
  act: LayerActivation | null;
}

function bad(why: string): Error {
  return new Error(`simdnet: not a valid ONNX model for simdnet: ${why}`);
}

function describe(n: NodeProto, i: number): string {
  return n.name ? `'${n.name}' (${n.op_type})` : `#${i} (${n.op_type})`;
}

function tensorValues(t: TensorProto, what: string): Const {
  if (t.data_location === EXTERNAL || (t.external_data?.length ?? 0) > 0) {
    throw bad(`${what} keeps its data in an external file; save the model with its weights inside (no external data)`);
  }
  if (t.segment) throw bad(`${what} is a segment of a tensor, which is not supported`);
  const dims = (t.dims ?? []).map((d) => int64(d, `a dimension of ${what}`));
  let count = 1;
  for (const d of dims) {
    if (d < 0) throw bad(`${what} has a negative dimension`);
    count *= d;
    if (count > MAX_ELEMENTS) throw bad(`${what} has more than ${MAX_ELEMENTS} elements`);
  }
  const type = t.data_type ?? 0;
  const elem = type === DATA_TYPE.FLOAT || type === DATA_TYPE.INT32 ? 4 : type === DATA_TYPE.DOUBLE || type === DATA_TYPE.INT64 ? 8 : 0;
  if (elem === 0) throw bad(`${what} has data type ${type}; simdnet reads FLOAT (1) and DOUBLE (11) weights`);
  const values = new Float64Array(count);
  const raw = t.raw_data;
  if (raw !== undefined && raw.length > 0) {
    if (raw.length !== count * elem) throw bad(`${what} has ${raw.length} bytes of raw_data but its shape [${dims.join(', ')}] needs ${count * elem}`);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) {
      values[i] = type === DATA_TYPE.FLOAT ? dv.getFloat32(4 * i, true) : type === DATA_TYPE.DOUBLE ? dv.getFloat64(8 * i, true)
        : type === DATA_TYPE.INT32 ? dv.getInt32(4 * i, true) : Number(dv.getBigInt64(8 * i, true));
    }
  } else {
    const field = type === DATA_TYPE.FLOAT ? t.float_data : type === DATA_TYPE.DOUBLE ? t.double_data : type === DATA_TYPE.INT32 ? t.int32_data : t.int64_data;
    const list = field ?? [];
    if (list.length !== count) throw bad(`${what} holds ${list.length} values but its shape [${dims.join(', ')}] needs ${count}`);
    for (let i = 0; i < count; i++) values[i] = type === DATA_TYPE.INT64 ? int64(list[i] as number, `a value of ${what}`) : Number(list[i]);
  }
  for (const v of values) if (!Number.isFinite(v)) throw bad(`${what} holds a value that is not finite (${v})`);
  return { dims, values };
}

function attribute(n: NodeProto, name: string): AttributeProto | undefined {
  return (n.attribute ?? []).find((a) => a.name === name);
}

function intAttr(n: NodeProto, name: string, fallback: number, where: string): number {
  const a = attribute(n, name);
  if (a === undefined) return fallback;
  if (a.type !== ATTR_TYPE.INT) throw bad(`node ${where}: attribute ${name} is not an integer`);
  return int64(a.i, `node ${where}'s ${name}`);
}

function floatAttr(n: NodeProto, name: string, fallback: number, where: string): number {
  const a = attribute(n, name);
  if (a === undefined) return fallback;
  if (a.type !== ATTR_TYPE.FLOAT || !Number.isFinite(a.f)) throw bad(`node ${where}: attribute ${name} is not a finite float`);
  return a.f!;
}

/** The constant of a Constant node. */
function constantNode(n: NodeProto, where: string): Const {
  const attrs = n.attribute ?? [];
  if (attrs.length !== 1) throw bad(`node ${where} must have exactly one value attribute`);
  const a = attrs[0]!;
  if (a.name === 'value' && a.type === ATTR_TYPE.TENSOR && a.t) return tensorValues(a.t, `the value of node ${where}`);
  if (a.name === 'value_float' && a.type === ATTR_TYPE.FLOAT) return { dims: [], values: Float64Array.of(a.f ?? 0) };
  if (a.name === 'value_floats' && a.type === ATTR_TYPE.FLOATS) return { dims: [a.floats?.length ?? 0], values: Float64Array.from(a.floats ?? []) };
  if (a.name === 'value_int' && a.type === ATTR_TYPE.INT) return { dims: [], values: Float64Array.of(int64(a.i, `node ${where}'s value`)) };
  throw bad(`node ${where}: constant attribute '${String(a.name)}' is not supported`);
}

/**
 * A constant broadcast against a rank-2 activation [rows, cols] whose features lie along `axis` (1: one row per
 * example, 0: features-first): one value per feature (n of them), or null when it varies along the examples.
 */
function perFeature(c: Const, n: number, axis: 0 | 1): Float64Array | null {
  if (c.dims.length > 2) return null;
  const dims = [...new Array<number>(2 - c.dims.length).fill(1), ...c.dims];
  if (dims[1 - axis] !== 1) return null;
  const len = dims[axis]!;
  if (len !== 1 && len !== n) return null;
  return len === 1 ? new Float64Array(n).fill(c.values[0]!) : Float64Array.from(c.values);
}

/** Checks the node list: known ops in the default domain, every input defined, no value made twice, no cycle. */
function topologicalOrder(nodes: NodeProto[], known: Set<string>): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (typeof n.op_type !== 'string' || n.op_type === '') throw bad(`node #${i} has no op_type`);
    if (n.domain && n.domain !== 'ai.onnx') throw bad(`node ${describe(n, i)} is in domain '${n.domain}'; simdnet reads only standard ONNX ops`);
    if (!SUPPORTED.has(n.op_type)) {
      throw new Error(`simdnet: ONNX op ${n.op_type} in node ${n.name ? `'${n.name}'` : `#${i}`} is not supported: simdnet imports fully-connected nets ` +
        `(Gemm or MatMul + Add, Relu, Tanh, Sigmoid, LeakyRelu, Softmax, Identity, Flatten, and Sub/Div or Mul/Add on the input)`);
    }
    for (const out of n.output ?? []) {
      if (out === '') continue;
      if (producer.has(out) || known.has(out)) throw bad(`value '${out}' is produced twice (node ${describe(n, i)})`);
      producer.set(out, i);
    }
  });
  const indegree = new Array<number>(nodes.length).fill(0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const input of n.input ?? []) {
      if (input === '') continue;
      const p = producer.get(input);
      if (p !== undefined) {
        indegree[i]!++;
        consumers[p]!.push(i);
      } else if (!known.has(input)) {
        throw bad(`node ${describe(n, i)} reads '${input}', which is no graph input, initializer or node output (a missing initializer?)`);
      }
    }
  });
  const order: number[] = [];
  const ready = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(i);
    for (const c of consumers[i]!) if (--indegree[c]! === 0) ready.push(c);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.flatMap((n, i) => (indegree[i]! > 0 ? [describe(n, i)] : []));
    throw bad(`the graph has a cycle through node${stuck.length > 1 ? 's' : ''} ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ', …' : ''}`);
  }
  return order;
}

/** simdnet model bytes (the format net.save() writes) for an ONNX MLP. */
export function onnxToSnet(onnxBytes: Uint8Array | ArrayBuffer): Uint8Array {
  const bytes = onnxBytes instanceof Uint8Array ? onnxBytes : onnxBytes instanceof ArrayBuffer ? new Uint8Array(onnxBytes) : null;
  if (bytes === null) throw new Error('simdnet: an ONNX model must be given as a Uint8Array or ArrayBuffer');
  if (bytes.length === 0) throw bad('the file is empty');
  const model = decodeOnnx(bytes);
  return encodeModel(readModel(model));
}

function readModel(model: ModelProto): ModelRecord {
  const graph = model.graph;
  if (!graph) throw bad('the file has no graph (is it an ONNX model?)');
  const opsetEntry = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (opsetEntry === undefined) throw bad('the model declares no opset for the standard ONNX domain');
  const opset = int64(opsetEntry.version, 'the opset version');
  if ((graph.sparse_initializer?.length ?? 0) > 0) throw bad('sparse initializers are not supported');
  const meta = metadataMap(model);

  const consts = new Map<string, Const>();
  for (const [i, t] of (graph.initializer ?? []).entries()) {
    const name = t.name ?? '';
    if (name === '') throw bad(`initializer #${i} has no name`);
    if (consts.has(name)) throw bad(`initializer '${name}' is defined twice`);
    consts.set(name, tensorValues(t, `initializer '${name}'`));
  }
  const inputs = (graph.input ?? []).filter((v) => !consts.has(v.name ?? ''));
  if (inputs.length !== 1) throw bad(`the graph has ${inputs.length} inputs besides its initializers; simdnet models take one`);
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) throw bad(`the graph has ${outputs.length} outputs; simdnet models have one`);
  const inputName = inputs[0]!.name ?? '';
  const outputName = outputs[0]!.name ?? '';
  if (inputName === '' || outputName === '') throw bad('the graph input or output has no name');
  const tensorType = inputs[0]!.type?.tensor_type;
  if (!tensorType) throw bad(`input '${inputName}' is not a tensor`);
  const elem = tensorType.elem_type ?? 0;
  if (elem !== DATA_TYPE.FLOAT && elem !== DATA_TYPE.DOUBLE) throw bad(`input '${inputName}' has element type ${elem}; simdnet reads FLOAT (1) or DOUBLE (11) inputs`);
  const dtype = elem === DATA_TYPE.FLOAT ? 'float32' : 'float64';
  const shape = tensorType.shape ? (tensorType.shape.dim ?? []).map((d) => (d.dim_value !== null && d.dim_value !== undefined ? int64(d.dim_value, 'an input dimension') : null)) : null;
  if (shape !== null && shape.length < 2) throw bad(`input '${inputName}' has rank ${shape.length}; simdnet reads [batch, features] (or [batch, ...] with a Flatten)`);
  let features: number | null = shape === null || shape.length !== 2 ? null : shape[1]!;
  let needFlatten = shape !== null && shape.length > 2;
  if (needFlatten) {
    const rest = shape!.slice(1);
    if (rest.some((d) => d === null || d < 1)) throw bad(`input '${inputName}' has unknown or zero dimensions after the batch`);
    features = rest.reduce<number>((a, d) => a * d!, 1);
  }
  if (features !== null && features < 1) throw bad(`input '${inputName}' has ${features} features`);

  const nodes = graph.node ?? [];
  const order = topologicalOrder(nodes, new Set([...consts.keys(), inputName]));
  const consumers = new Map<string, number>();
  for (const n of nodes) for (const i of n.input ?? []) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  for (const i of order) {
    const n = nodes[i]!;
    if (n.op_type === 'Constant') consts.set(n.output?.[0] ?? '', constantNode(n, describe(n, i)));
  }

  let cur = inputName;
  let axis: 0 | 1 = 1;
  const layers: Layer[] = [];
  let shift: Float64Array | null = null;
  let scale: Float64Array | null = null;
  let slope: number | null = null;
  /** Values beside the chain while simdnet's own leaky relu (Greater, Mul, Where) is read. */
  const side = new Map<string, { kind: 'positive' | 'scaled'; slope: number }>();

  for (const i of order) {
    const n = nodes[i]!;
    const op = n.op_type!;
    if (op === 'Constant') continue;
    const where = describe(n, i);
    const fail = (why: string): Error => bad(`node ${where}: ${why}`);
    const ins = n.input ?? [];
    const outs = (n.output ?? []).filter((o) => o !== '');
    if (outs.length < 1) throw fail('has no output');
    if (op === 'Dropout') {
      if (outs.slice(1).some((o) => consumers.has(o) || o === outputName)) throw fail("its mask output is used; simdnet drops Dropout at inference");
    } else if (outs.length !== 1) throw fail(`has ${outs.length} outputs`);
    const out = outs[0]!;
    const live = ins.filter((x) => x !== '' && !consts.has(x));
    const constant = (x: string | undefined): Const | undefined => (x === undefined || x === '' ? undefined : consts.get(x));
    const open = layers.length > 0 && layers[layers.length - 1]!.act === null ? layers[layers.length - 1]! : null;
    if (live.some((x) => x !== cur && !side.has(x))) {
      throw fail(`reads '${live.find((x) => x !== cur && !side.has(x))}', which is not the output of the step before it: only one chain of layers is supported`);
    }
    const setActivation = (act: LayerActivation, s?: number): void => {
      if (open === null) throw fail(`follows no Gemm/MatMul layer (simdnet applies one activation per layer)`);
      if (s !== undefined) {
        if (slope !== null && slope !== s) throw fail(`has slope ${s} but an earlier layer has ${slope}; simdnet uses one leaky relu slope`);
        slope = s;
      }
      open.act = act;
    };

    switch (op) {
      case 'Identity': case 'Dropout': case 'Cast': {
        if (live.length !== 1 || ins[0] !== cur) throw fail('does not take the chain as its first input');
        if (op === 'Cast') {
          const to = intAttr(n, 'to', -1, where);
          if (to !== DATA_TYPE.FLOAT && to !== DATA_TYPE.DOUBLE) throw fail(`casts to type ${to}; only FLOAT and DOUBLE are supported`);
        }
        break;
      }
      case 'Flatten': {
        if (live.length !== 1 || axis !== 1 || intAttr(n, 'axis', 1, where) !== 1) throw fail('only Flatten with axis 1 on [batch, ...] data is supported');
        needFlatten = false;
        break;
      }
      case 'Relu': case 'Tanh': case 'Sigmoid':
        setActivation(op === 'Relu' ? 'relu' : op === 'Tanh' ? 'tanh' : 'sigmoid');
        break;
      case 'LeakyRelu':
        setActivation('leakyRelu', floatAttr(n, 'alpha', 0.01, where));
        break;
      case 'PRelu': {
        const c = constant(ins[1]);
        if (ins[0] !== cur || c === undefined || c.values.length !== 1) throw fail('only PRelu with one constant slope is supported');
        setActivation('leakyRelu', c.values[0]!);
        break;
      }
      case 'Softmax': {
        const a = intAttr(n, 'axis', opset < 13 ? 1 : -1, where);
        const ok = axis === 1 ? a === 1 || a === -1 : opset >= 13 && (a === 0 || a === -2);
        if (!ok) throw fail(`softmax over axis ${a} is not over the features of each example`);
        setActivation('softmax');
        break;
      }
      case 'Greater': {
        const c = constant(ins[1]);
        if (ins[0] !== cur || c === undefined || c.values.some((v) => v !== 0)) throw fail('only Greater(z, 0) of a leaky relu is supported');
        side.set(out, { kind: 'positive', slope: NaN });
        break;
      }
      case 'Where': {
        const p = side.get(ins[0] ?? '');
        const s = side.get(ins[2] ?? '');
        if (p?.kind !== 'positive' || ins[1] !== cur || s?.kind !== 'scaled') throw fail('only Where(z > 0, z, z · slope) (a leaky relu) is supported');
        side.clear();
        setActivation('leakyRelu', s.slope);
        break;
      }
      case 'Gemm': case 'MatMul': {
        if (needFlatten) throw fail(`the input '${inputName}' has more than two dimensions: it needs a Flatten first`);
        if (open !== null) open.act = 'linear';
        const gemm = op === 'Gemm';
        const transA = gemm ? intAttr(n, 'transA', 0, where) : 0;
        const transB = gemm ? intAttr(n, 'transB', 0, where) : 0;
        const alpha = gemm ? floatAttr(n, 'alpha', 1, where) : 1;
        const beta = gemm ? floatAttr(n, 'beta', 1, where) : 1;
        const curIsA = ins[0] === cur;
        const w = constant(curIsA ? ins[1] : ins[0]);
        if (live.length !== 1 || (!curIsA && ins[1] !== cur) || w === undefined) throw fail('must multiply the chain by one constant weight matrix');
        if (w.dims.length !== 2) throw fail(`its weight has shape [${w.dims.join(', ')}]; a 2-D matrix is needed`);
        const [r, c] = w.dims as [number, number];
        // Y = op(A)·op(B): the examples must stay on Y's rows (chain as A) or columns (chain as B).
        const examplesOnRows = axis === 1;
        if (curIsA ? examplesOnRows === (transA === 1) : examplesOnRows !== (transB === 1)) {
          throw fail('its transpose flags would sum over the examples instead of the features');
        }
        // W as simdnet stores it (n_out × n_in): op(B)ᵀ when the chain is A, op(A) when it is B.
        const wTransposed = curIsA ? transB === 0 : transA === 1;
        const nOut = wTransposed ? c : r;
        const nIn = wTransposed ? r : c;
        if (features !== null && nIn !== features) throw fail(`multiplies ${features} features by a weight of shape [${r}, ${c}]`);
        const W = new Float64Array(nOut * nIn);
        for (let o = 0; o < nOut; o++) for (let k = 0; k < nIn; k++) W[o * nIn + k] = alpha * w.values[wTransposed ? k * c + o : o * c + k]!;
        const b = new Float64Array(nOut);
        axis = curIsA ? 1 : 0;
        const cIn = gemm ? constant(ins[2]) : undefined;
        if (gemm && ins[2] && cIn === undefined) throw fail('its bias is not a constant');
        if (cIn !== undefined) {
          const bias = perFeature(cIn, nOut, axis);
          if (bias === null) throw fail(`its bias of shape [${cIn.dims.join(', ')}] does not broadcast to one value per output unit (${nOut})`);
          for (let o = 0; o < nOut; o++) b[o] = beta * bias[o]!;
        }
        layers.push({ W, b, nIn, nOut, act: null });
        features = nOut;
        break;
      }
      case 'Add': case 'Sub': case 'Mul': case 'Div': {
        const ci = ins[0] === cur ? 1 : 0;
        const c = constant(ins[ci]);
        if (ins.length !== 2 || live.length !== 1 || c === undefined) throw fail('only an elementwise operation of the chain with one constant is supported');
        if (op === 'Mul' && ins[0] === cur && consumers.get(out) === 1 && layers.length > 0 && nodes.some((m) => m.op_type === 'Where' && m.input?.[2] === out)) {
          if (c.values.length !== 1) throw fail('a leaky relu slope must be one value');
          side.set(out, { kind: 'scaled', slope: c.values[0]! });
          break;
        }
        if (op === 'Div' && ci === 0) throw fail('divides a constant by the data, which is not an affine map');
        const n0 = features ?? (c.values.length > 1 ? c.values.length : null);
        if (n0 === null) throw fail('the number of input features is unknown');
        const v = needFlatten ? (c.values.length === 1 ? new Float64Array(n0).fill(c.values[0]!) : null) : perFeature(c, n0, axis);
        if (v === null) throw fail(`its constant of shape [${c.dims.join(', ')}] does not broadcast to one value per feature (${n0})`);
        if (layers.length === 0) {
          // The prefix so far is x' = (x − shift) / scale; fold this step in.
          features = n0;
          shift ??= new Float64Array(n0);
          scale ??= new Float64Array(n0).fill(1);
          for (let f = 0; f < n0; f++) {
            if (op === 'Add') shift[f]! -= v[f]! * scale[f]!;
            else if (op === 'Sub') {
              shift[f]! += v[f]! * scale[f]!;
              if (ci === 0) scale[f] = -scale[f]!; // c − x' = (x − shift − c·scale) / −scale
            } else if (op === 'Mul') scale[f]! /= v[f]!;
            else scale[f]! *= v[f]!;
          }
        } else {
          if (open === null) throw fail('comes after an activation; simdnet layers are Gemm/MatMul, bias, activation');
          for (let o = 0; o < open.nOut; o++) {
            if (op === 'Add') open.b[o]! += v[o]!;
            else if (op === 'Sub') open.b[o] = ci === 1 ? open.b[o]! - v[o]! : v[o]! - open.b[o]!;
            else {
              const k = op === 'Mul' ? v[o]! : 1 / v[o]!;
              open.b[o]! *= k;
              for (let q = o * open.nIn; q < (o + 1) * open.nIn; q++) open.W[q]! *= k;
            }
            if (op === 'Sub' && ci === 0) for (let q = o * open.nIn; q < (o + 1) * open.nIn; q++) open.W[q] = -open.W[q]!;
          }
        }
        break;
      }
      default:
        throw fail('is not supported here');
    }
    if (!side.has(out)) cur = out;
  }
  if (side.size > 0) throw bad('a leaky relu (Greater, Mul, Where) is incomplete');
  if (cur !== outputName) throw bad(`the graph output '${outputName}' is not the end of the chain of layers (which ends at '${cur}')`);
  if (layers.length === 0) throw bad('the graph has no Gemm or MatMul layer');
  const last = layers[layers.length - 1]!;
  if (last.act === null) last.act = 'linear';
  const acts = layers.map((l) => l.act!);
  if (acts.slice(0, -1).includes('softmax')) throw bad('softmax is only supported on the output layer');
  const outAct = acts[acts.length - 1]!;
  if (outAct !== 'linear' && outAct !== 'sigmoid' && outAct !== 'softmax') {
    throw bad(`the output layer's activation is ${outAct}; simdnet's output layer is sigmoid, softmax or linear`);
  }

  return record(model, meta, dtype, layers, acts, slope, shift, scale, opset);
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function record(model: ModelProto, meta: Map<string, string>, dtype: 'float32' | 'float64', layers: Layer[], acts: LayerActivation[],
  slope: number | null, shift: Float64Array | null, scale: Float64Array | null, opset: number): ModelRecord {
  let leakySlope = slope ?? 0.01;
  // LeakyRelu's alpha is a float32: the exact slope simdnet saved comes back from the metadata when it agrees.
  const savedSlope = parseJson(meta.get(META.leakySlope));
  if (typeof savedSlope === 'number' && Number.isFinite(savedSlope) && (slope === null || Math.fround(savedSlope) === Math.fround(slope))) leakySlope = savedSlope;
  let normalizer: Normalizer | null = null;
  if (shift !== null && scale !== null && (shift.some((v) => v !== 0) || scale.some((v) => v !== 1))) {
    if (!shift.every(Number.isFinite) || !scale.every((v) => Number.isFinite(v) && v !== 0)) throw bad('the input normalisation is not finite');
    const saved = parseJson(meta.get(META.normalizer)) as { kind?: unknown } | undefined;
    normalizer = { kind: saved?.kind === 'minmax' ? 'minmax' : 'standardize', shift, scale };
  }
  const saved = parseJson(meta.get(META.meta));
  const extra: Record<string, unknown> = typeof saved === 'object' && saved !== null && !Array.isArray(saved)
    ? saved as Record<string, unknown>
    : { imported: { from: 'onnx', producer: `${model.producer_name ?? ''} ${model.producer_version ?? ''}`.trim(), opset } };
  const nY = layers[layers.length - 1]!.nOut;
  const labels = extra.labels;
  if (labels !== undefined && !(Array.isArray(labels) && labels.length === Math.max(nY, 2) && labels.every((s) => typeof s === 'string'))) delete extra.labels;
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  const rec: ModelRecord = {
    dtype,
    layers: [layers[0]!.nIn, ...layers.map((l) => l.nOut)],
    activations: acts,
    leakySlope,
    normalizer,
    meta: extra,
    weights: layers.map((l) => ({ W: Arr.from(l.W), b: Arr.from(l.b) })),
  };
  for (const [l, w] of rec.weights.entries()) {
    if (!w.W.every(Number.isFinite) || !w.b.every(Number.isFinite)) throw bad(`layer ${l + 1}'s weights overflow ${dtype}`);
  }
  decodeModel(encodeModel(rec)); // the format's own limits (layers, units, parameters)
  return rec;
}
