// simdnet model file (.snet) → ONNX. One Gemm (transB = 1: W is n_l × n_{l−1}, as simdnet stores it) and one
// activation node per layer; the saved normaliser as Sub/Div nodes in front, computed in DOUBLE as simdnet does
// (a float32 model casts its input up and the normalised values back down, so ONNX Runtime sees the same
// float32 inputs to the first layer as the WASM kernels); FLOAT or DOUBLE tensors by the model's dtype; a
// dynamic batch dimension; labels, normaliser, loss and training config in metadata_props.
import { decodeModel, type ModelRecord } from './format.js';
import { ATTR_TYPE, DATA_TYPE, META, encodeOnnx, type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto } from './onnx-wire.js';

/** Options of snetToOnnx. */
export interface OnnxExportOptions {
  /** The default-domain opset the graph declares, 13 (default) to 21. */
  opset?: number;
  /** Name of the graph input (default 'input'). */
  inputName?: string;
  /** Name of the graph output (default 'output'). */
  outputName?: string;
  /** producer_version written into the model (default ''). */
  producerVersion?: string;
}

const OPTIONS = new Set(['opset', 'inputName', 'outputName', 'producerVersion']);
const MIN_OPSET = 13;
const MAX_OPSET = 21;

/** The IR version that goes with an opset (onnx/helper.py's VERSION_TABLE). */
function irVersionFor(opset: number): number {
  if (opset <= 13) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

function tensor(name: string, dataType: number, dims: number[], values: ArrayLike<number>): TensorProto {
  const elem = dataType === DATA_TYPE.FLOAT ? 4 : 8;
  const raw = new Uint8Array(values.length * elem);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    if (elem === 4) dv.setFloat32(i * 4, values[i]!, true); else dv.setFloat64(i * 8, values[i]!, true);
  }
  return { name, data_type: dataType, dims, raw_data: raw };
}

function node(opType: string, inputs: string[], output: string, attribute: AttributeProto[] = []): NodeProto {
  return { op_type: opType, name: `${opType.toLowerCase()}_${output}`, input: inputs, output: [output], attribute };
}

function valueInfo(name: string, elemType: number, features: number): ValueInfoProto {
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim: [{ dim_param: 'batch' }, { dim_value: features }] } } } };
}

/** ONNX bytes for a saved simdnet model (the bytes that net.save() writes). */
export function snetToOnnx(snetBytes: Uint8Array, options: OnnxExportOptions = {}): Uint8Array {
  if (typeof options !== 'object' || options === null) throw new Error('simdnet: snetToOnnx options must be an object');
  for (const key of Object.keys(options)) if (!OPTIONS.has(key)) throw new Error(`simdnet: unknown ONNX export option '${key}'`);
  const opset = options.opset ?? MIN_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(`simdnet: ONNX opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${String(opset)}`);
  }
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  if (typeof inputName !== 'string' || typeof outputName !== 'string' || inputName === '' || outputName === '' || inputName === outputName) {
    throw new Error('simdnet: ONNX inputName and outputName must be two different non-empty strings');
  }
  for (const name of [inputName, outputName]) {
    if (/^([zaWb]|positive|scaled)\d+$|^(input_f64|centred|normalized|normalized_f32|normalizer_shift|normalizer_scale|leaky_slope|zero)$/.test(name)) {
      throw new Error(`simdnet: the ONNX name '${name}' is used inside the graph; choose another inputName/outputName`);
    }
  }
  const rec = decodeModel(snetBytes);
  const T = rec.dtype === 'float32' ? DATA_TYPE.FLOAT : DATA_TYPE.DOUBLE;
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let x = inputName;

  if (rec.normalizer !== null) {
    // (x − shift) / scale in float64, exactly as applyNormalizer computes it before the WASM forward pass.
    inits.push(tensor('normalizer_shift', DATA_TYPE.DOUBLE, [rec.layers[0]!], rec.normalizer.shift));
    inits.push(tensor('normalizer_scale', DATA_TYPE.DOUBLE, [rec.layers[0]!], rec.normalizer.scale));
    if (T === DATA_TYPE.FLOAT) {
      nodes.push(node('Cast', [x], 'input_f64', [{ name: 'to', type: ATTR_TYPE.INT, i: DATA_TYPE.DOUBLE }]));
      x = 'input_f64';
    }
    nodes.push(node('Sub', [x, 'normalizer_shift'], 'centred'));
    nodes.push(node('Div', ['centred', 'normalizer_scale'], 'normalized'));
    x = 'normalized';
    if (T === DATA_TYPE.FLOAT) {
      nodes.push(node('Cast', [x], 'normalized_f32', [{ name: 'to', type: ATTR_TYPE.INT, i: DATA_TYPE.FLOAT }]));
      x = 'normalized_f32';
    }
  }

  const L = rec.layers.length - 1;
  // ONNX Runtime has no DOUBLE LeakyRelu (nor PRelu), and LeakyRelu's alpha is a float32 attribute: a float64
  // model's leaky relu is written as Where(z > 0, z, z · slope) with a DOUBLE slope, simdnet's own formula.
  const leakyAsWhere = rec.dtype === 'float64';
  if (leakyAsWhere && rec.activations.includes('leakyRelu')) {
    inits.push(tensor('zero', T, [], [0]), tensor('leaky_slope', T, [], [rec.leakySlope]));
  }
  for (let l = 1; l <= L; l++) {
    const { W, b } = rec.weights[l - 1]!;
    inits.push(tensor(`W${l}`, T, [rec.layers[l]!, rec.layers[l - 1]!], W));
    inits.push(tensor(`b${l}`, T, [rec.layers[l]!], b));
    const z = `z${l}`;
    const a = l === L ? outputName : `a${l}`;
    nodes.push(node('Gemm', [x, `W${l}`, `b${l}`], z, [{ name: 'transB', type: ATTR_TYPE.INT, i: 1 }]));
    if (rec.activations[l - 1] === 'leakyRelu' && leakyAsWhere) {
      nodes.push(node('Greater', [z, 'zero'], `positive${l}`), node('Mul', [z, 'leaky_slope'], `scaled${l}`));
      nodes.push(node('Where', [`positive${l}`, z, `scaled${l}`], a));
    } else {
      nodes.push(activationNode(rec.activations[l - 1]!, z, a, rec.leakySlope));
    }
    x = a;
  }

  const meta = { ...rec.meta };
  const props: { key: string; value: string }[] = [];
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) props.push({ key, value: JSON.stringify(value) });
  };
  put(META.labels, meta.labels);
  put(META.normalizer, rec.normalizer && { kind: rec.normalizer.kind, shift: [...rec.normalizer.shift], scale: [...rec.normalizer.scale] });
  put(META.loss, meta.loss);
  put(META.training, meta.training);
  put(META.leakySlope, rec.leakySlope);
  put(META.meta, meta);

  return encodeOnnx({
    ir_version: irVersionFor(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'simdnet',
    producer_version: options.producerVersion ?? '',
    doc_string: `simdnet MLP ${rec.layers.join('-')} (${rec.activations.join(', ')}), ${rec.dtype}`,
    graph: {
      name: 'simdnet',
      node: nodes,
      initializer: inits,
      input: [valueInfo(inputName, T, rec.layers[0]!)],
      output: [valueInfo(outputName, T, rec.layers[L]!)],
    },
    metadata_props: props,
  });
}

function activationNode(act: ModelRecord['activations'][number], z: string, a: string, slope: number): NodeProto {
  switch (act) {
    case 'linear': return node('Identity', [z], a);
    case 'sigmoid': return node('Sigmoid', [z], a);
    case 'tanh': return node('Tanh', [z], a);
    case 'relu': return node('Relu', [z], a);
    case 'softmax': return node('Softmax', [z], a, [{ name: 'axis', type: ATTR_TYPE.INT, i: -1 }]);
    case 'leakyRelu':
      return node('LeakyRelu', [z], a, [{ name: 'alpha', type: ATTR_TYPE.FLOAT, f: slope }]);
  }
}
