// The ONNX protobuf messages simdnet reads and writes, typed, over the static code that pbjs generated from the
// official onnx.proto (onnx-pb.ts; protobufjs/minimal at run time, no reflection and no eval). Only the fields
// the converters use are typed here; the generated decoder keeps the rest.
import { onnx } from './onnx-pb.js';

/** TensorProto.DataType values simdnet uses. */
export const DATA_TYPE = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values. */
export const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;
/** TensorProto.DataLocation.EXTERNAL. */
export const EXTERNAL = 1;

/** An int64 as protobufjs hands it over: a number, or a Long when the `long` package is there. */
export type Int64 = number | { toNumber(): number; low: number; high: number };

export interface TensorProto {
  name?: string;
  dims?: Int64[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  double_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  data_location?: number;
  external_data?: StringStringEntryProto[];
  segment?: unknown;
}

export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto | null;
  floats?: number[];
  ints?: Int64[];
  ref_attr_name?: string;
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProto[];
}

export interface Dimension {
  dim_value?: Int64 | null;
  dim_param?: string | null;
}

export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: { dim?: Dimension[] } | null } | null;
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto | null;
}

export interface StringStringEntryProto {
  key?: string;
  value?: string;
}

export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  sparse_initializer?: unknown[];
  doc_string?: string;
}

export interface OperatorSetIdProto {
  domain?: string;
  version?: Int64;
}

export interface ModelProto {
  ir_version?: Int64;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProto | null;
  metadata_props?: StringStringEntryProto[];
  functions?: unknown[];
}

interface Codec {
  encode(message: ModelProto): { finish(): Uint8Array };
  decode(bytes: Uint8Array): ModelProto;
}
const Model = (onnx as unknown as { ModelProto: Codec }).ModelProto;

/** Serialises a ModelProto. */
export function encodeOnnx(model: ModelProto): Uint8Array {
  return Model.encode(model).finish();
}

/** Parses ModelProto bytes; a malformed protobuf throws an Error that says so. */
export function decodeOnnx(bytes: Uint8Array): ModelProto {
  try {
    return Model.decode(bytes);
  } catch (e) {
    throw new Error(`simdnet: not a valid ONNX model: the protobuf does not decode (${(e as Error).message}); the file is truncated, corrupt or not ONNX`);
  }
}

/** An int64 field as a number; anything outside the safe integers is refused. */
export function int64(v: Int64 | undefined | null, what: string): number {
  const n = v === undefined || v === null ? 0 : typeof v === 'number' ? v : typeof v.toNumber === 'function' ? v.toNumber() : NaN;
  if (!Number.isSafeInteger(n)) throw new Error(`simdnet: not a valid ONNX model: ${what} is not an integer in range`);
  return n;
}

/** Reads and validates metadata_props into a plain map. */
export function metadataMap(model: ModelProto): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of model.metadata_props ?? []) map.set(String(e.key ?? ''), String(e.value ?? ''));
  return map;
}

/** Metadata keys simdnet writes (and reads back on import). */
export const META = {
  labels: 'simdnet.labels',
  normalizer: 'simdnet.normalizer',
  loss: 'simdnet.loss',
  training: 'simdnet.training',
  meta: 'simdnet.meta',
  leakySlope: 'simdnet.leaky_slope',
} as const;
