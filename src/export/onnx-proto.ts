/**
 * ONNX's protobuf schema, loaded with protobufjs from the vendored `third_party/onnx/onnx.proto` (ONNX 1.12,
 * Apache-2.0), and the subset of its messages the exporter writes, typed. Field names keep the .proto's
 * snake_case, so these objects read like ONNX's own documentation.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const protoPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../third_party/onnx/onnx.proto');

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

/** One dimension: a fixed size or a named dynamic axis. */
export type Dim = { dim_value: number } | { dim_param: string };

export interface ValueInfoProto {
  name: string;
  doc_string?: string;
  type: { tensor_type: { elem_type: number; shape: { dim: Dim[] } } };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphProto;
  metadata_props: { key: string; value: string }[];
}

let modelType: protobuf.Type | undefined;

/** onnx.ModelProto from the vendored schema (loaded once). */
function modelProtoType(): protobuf.Type {
  modelType ??= new protobuf.Root().loadSync(protoPath, { keepCase: true }).lookupType('onnx.ModelProto');
  return modelType;
}

/** Serialises a model to the bytes of a `.onnx` file. */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelProtoType();
  return type.encode(type.fromObject(model as unknown as Record<string, unknown>)).finish();
}

/** Parses the bytes of a `.onnx` file (int64 fields as numbers, bytes as Uint8Array). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = modelProtoType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as unknown as ModelProto;
}
