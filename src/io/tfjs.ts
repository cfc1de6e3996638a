// TensorFlow.js layers models → simdnet model file (.snet): a Sequential of Dense layers (relu, tanh, sigmoid,
// softmax, linear; LeakyReLU and Activation layers fold into the Dense before them; Dropout, Flatten of 2-D data
// and InputLayer pass through), as model.save() writes them: model.json plus the weight bytes. Keras stores each
// kernel as n_in × n_out; simdnet's W is n_out × n_in, so kernels are transposed.
import { decodeModel, encodeModel, type LayerActivation, type ModelRecord } from './format.js';

/** One entry of model.json's weightsManifest[].weights (or of ModelArtifacts.weightSpecs). */
interface WeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: unknown;
}

interface KerasLayer {
  class_name?: unknown;
  config?: Record<string, unknown>;
}

function bad(why: string): Error {
  return new Error(`simdnet: not a TensorFlow.js layers model simdnet can import: ${why}`);
}

const ACTIVATIONS: Record<string, LayerActivation> = { relu: 'relu', tanh: 'tanh', sigmoid: 'sigmoid', softmax: 'softmax', linear: 'linear' };

function toBytes(data: ArrayBuffer | ArrayBufferView | (ArrayBuffer | ArrayBufferView)[]): Uint8Array {
  const one = (d: ArrayBuffer | ArrayBufferView): Uint8Array => {
    if (d instanceof ArrayBuffer) return new Uint8Array(d);
    if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    throw new Error('simdnet: tfjs weight data must be an ArrayBuffer, a typed array, or a list of them (one per weights file)');
  };
  if (!Array.isArray(data)) return one(data);
  const parts = data.map(one);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

/**
 * simdnet model bytes for a TensorFlow.js layers model: `modelJson` is model.json (text or parsed; the
 * ModelArtifacts of a custom save handler work too), `weightData` the weight bytes (the weightsManifest
 * files concatenated in order, or a list of them).
 */
export function tfjsToSnet(modelJson: string | object, weightData: ArrayBuffer | ArrayBufferView | (ArrayBuffer | ArrayBufferView)[]): Uint8Array {
  let json: Record<string, unknown>;
  try {
    json = (typeof modelJson === 'string' ? JSON.parse(modelJson) : modelJson) as Record<string, unknown>;
  } catch (e) {
    throw bad(`model.json does not parse (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('model.json is not an object');
  const bytes = toBytes(weightData);
  let topology = json.modelTopology as Record<string, unknown> | undefined;
  if (typeof topology !== 'object' || topology === null) throw bad('model.json has no modelTopology (a graph model from the converter is not a layers model)');
  if ('model_config' in topology) topology = topology.model_config as Record<string, unknown>; // Keras .h5 JSON nests it
  if (topology?.class_name !== 'Sequential') throw bad(`the model is a ${String(topology?.class_name)}; simdnet imports Sequential models`);
  const config = topology.config as Record<string, unknown> | KerasLayer[] | undefined;
  const layerList = (Array.isArray(config) ? config : config?.layers) as KerasLayer[] | undefined;
  if (!Array.isArray(layerList) || layerList.length === 0) throw bad('the Sequential model lists no layers');

  const specs: WeightSpec[] = Array.isArray(json.weightsManifest)
    ? (json.weightsManifest as ({ weights?: unknown } | null)[]).flatMap((g) => (Array.isArray(g?.weights) ? g.weights as WeightSpec[] : []))
    : Array.isArray(json.weightSpecs) ? json.weightSpecs as WeightSpec[] : [];
  const weights = new Map<string, Float32Array>();
  let offset = 0;
  for (const s of specs) {
    if (typeof s?.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad('a weightsManifest entry is malformed');
    if (s.quantization !== undefined) throw bad(`weight '${s.name}' is quantised; re-save the model without quantisation`);
    if (s.dtype !== undefined && s.dtype !== 'float32') throw bad(`weight '${s.name}' has dtype ${s.dtype}; simdnet reads float32 weights`);
    const count = s.shape.reduce((a, d) => a * d, 1);
    if (offset + 4 * count > bytes.length) throw bad(`the weight data has ${bytes.length} bytes, fewer than the manifest lists (at '${s.name}')`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * count);
    const arr = new Float32Array(count);
    for (let i = 0; i < count; i++) arr[i] = dv.getFloat32(4 * i, true);
    if (!arr.every(Number.isFinite)) throw bad(`weight '${s.name}' holds a value that is not finite`);
    weights.set(s.name, arr);
    offset += 4 * count;
  }
  if (offset !== bytes.length) throw bad(`the weight data has ${bytes.length} bytes but the manifest lists ${offset}`);
  const shapes = new Map(specs.map((s) => [s.name, s.shape]));

  const sizes: number[] = [];
  const acts: (LayerActivation | null)[] = [];
  const W: Float32Array[] = [];
  const b: Float32Array[] = [];
  let slope: number | null = null;
  let inputSize: number | null = null;
  layerList.forEach((layer, index) => {
    const cls = String(layer?.class_name);
    const cfg = (layer?.config ?? {}) as Record<string, unknown>;
    const name = typeof cfg.name === 'string' ? cfg.name : `#${index}`;
    const where = `layer '${name}' (${cls})`;
    const shape = (cfg.batch_input_shape ?? cfg.batchInputShape) as unknown;
    if (Array.isArray(shape) && sizes.length === 0) {
      if (shape.length !== 2 || !Number.isInteger(shape[1]) || (shape[1] as number) < 1) throw bad(`${where} takes input of shape [${shape.join(', ')}]; simdnet reads [batch, features]`);
      inputSize = shape[1] as number;
    }
    const setActivation = (raw: unknown): void => {
      const act = ACTIVATIONS[String(raw ?? 'linear')];
      if (act === undefined) throw bad(`${where} has activation '${String(raw)}'; simdnet supports ${Object.keys(ACTIVATIONS).join(', ')} (and LeakyReLU layers)`);
      if (acts.length === 0) throw bad(`${where} comes before any Dense layer`);
      if (acts[acts.length - 1] !== 'linear' && act !== 'linear') throw bad(`${where} applies a second activation to one Dense layer`);
      if (act !== 'linear') acts[acts.length - 1] = act;
    };
    switch (cls) {
      case 'InputLayer': case 'Dropout': case 'Flatten':
        if (cls === 'Flatten' && inputSize === null && sizes.length === 0) throw bad(`${where}: the input shape must be [batch, features]`);
        return;
      case 'Activation':
        setActivation(cfg.activation);
        return;
      case 'LeakyReLU': case 'ReLU': {
        if (cls === 'ReLU' && (cfg.max_value != null || (cfg.threshold ?? 0) !== 0)) throw bad(`${where} has a max value or threshold`);
        const alpha = cls === 'ReLU' ? Number(cfg.negative_slope ?? 0) : Number(cfg.alpha ?? 0.3);
        if (!Number.isFinite(alpha)) throw bad(`${where} has no finite alpha`);
        if (acts.length === 0 || acts[acts.length - 1] !== 'linear') throw bad(`${where} must follow a Dense layer without an activation`);
        if (alpha === 0) { acts[acts.length - 1] = 'relu'; return; }
        if (slope !== null && slope !== alpha) throw bad(`${where} has slope ${alpha} but an earlier one has ${slope}; simdnet uses one leaky slope`);
        slope = alpha;
        acts[acts.length - 1] = 'leakyRelu';
        return;
      }
      case 'Dense': {
        const units = Number(cfg.units);
        const kernel = weights.get(`${name}/kernel`);
        const kShape = shapes.get(`${name}/kernel`);
        if (kernel === undefined || kShape === undefined || kShape.length !== 2) throw bad(`${where}: no 2-D weight '${name}/kernel' in the manifest`);
        const [nIn, nOut] = kShape as [number, number];
        if (nOut !== units) throw bad(`${where} has ${units} units but its kernel is [${nIn}, ${nOut}]`);
        const prev = sizes.length === 0 ? inputSize ?? nIn : sizes[sizes.length - 1]!;
        if (nIn !== prev) throw bad(`${where}: its kernel [${nIn}, ${nOut}] does not take the ${prev} features before it`);
        const useBias = cfg.use_bias ?? cfg.useBias ?? true;
        const bias = useBias ? weights.get(`${name}/bias`) : new Float32Array(nOut);
        if (bias === undefined || bias.length !== nOut) throw bad(`${where}: no weight '${name}/bias' of ${nOut} values`);
        const w = new Float32Array(nOut * nIn);
        for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) w[o * nIn + i] = kernel[i * nOut + o]!;
        if (sizes.length === 0) sizes.push(nIn);
        sizes.push(nOut);
        W.push(w);
        b.push(Float32Array.from(bias));
        acts.push('linear');
        setActivation(cfg.activation);
        return;
      }
      default:
        throw bad(`${where} is not supported: simdnet imports Dense layers (with Dropout, Activation, LeakyReLU, Flatten, InputLayer)`);
    }
  });
  if (W.length === 0) throw bad('the model has no Dense layer');
  const activations = acts as LayerActivation[];
  if (activations.slice(0, -1).includes('softmax')) throw bad('softmax is only supported on the last layer');
  const out = activations[activations.length - 1]!;
  if (out !== 'sigmoid' && out !== 'softmax' && out !== 'linear') throw bad(`the last layer's activation is ${out}; simdnet's output layer is sigmoid, softmax or linear`);
  const rec: ModelRecord = {
    dtype: 'float32', layers: sizes, activations, leakySlope: slope ?? 0.01, normalizer: null,
    meta: { imported: { from: 'tfjs', name: (topology.config as Record<string, unknown> | undefined)?.name ?? null, generatedBy: json.generatedBy ?? null } },
    weights: W.map((w, l) => ({ W: w, b: b[l]! })),
  };
  const snet = encodeModel(rec);
  decodeModel(snet); // the format's own limits
  return snet;
}
