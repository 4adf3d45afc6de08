/**
 * Builds an ONNX graph node by node: unique tensor names, initializers (weights and int64 constants), typed
 * attributes, and renaming of a produced tensor to a graph output name.
 */
import { AttributeType, DataType, type AttributeProto, type NodeProto, type TensorProto } from './onnx-proto.js';

/** An attribute value with its ONNX type made explicit (a JS number does not say int or float). */
export type Attr = { int: number } | { float: number } | { ints: number[] } | { floats: number[] } | { string: string };

export const int = (v: number): Attr => ({ int: v });
export const float = (v: number): Attr => ({ float: v });
export const ints = (v: number[]): Attr => ({ ints: v });
export const str = (v: string): Attr => ({ string: v });

function attribute(name: string, a: Attr): AttributeProto {
  if ('int' in a) return { name, type: AttributeType.INT, i: a.int };
  if ('float' in a) return { name, type: AttributeType.FLOAT, f: a.float };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: a.floats };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.string) };
}

function bytesOf(data: Float32Array | BigInt64Array | Int8Array | Uint8Array | Int32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly #names = new Set<string>();
  readonly #int64Constants = new Map<string, string>();

  /** `base`, or `base_1`, `base_2`... if taken. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.#names.has(name); i++) name = `${base}_${i}`;
    this.#names.add(name);
    return name;
  }

  /** Reserves a name chosen by the caller (graph inputs). */
  reserve(name: string): string {
    this.#names.add(name);
    return name;
  }

  /** A float32 initializer (a weight); returns its name. */
  floats(name: string, data: Float32Array, dims: number[]): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, data_type: DataType.FLOAT, raw_data: bytesOf(data) });
    return unique;
  }

  /** An initializer of another element type (int8/uint8/int32 for quantized graphs). */
  tensor(
    name: string,
    dataType: number,
    data: Int8Array | Uint8Array | Int32Array | Float32Array,
    dims: number[],
  ): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, data_type: dataType, raw_data: bytesOf(data) });
    return unique;
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds), shared between nodes that need the same values. */
  int64(values: number[]): string {
    const key = values.join(',');
    const known = this.#int64Constants.get(key);
    if (known) return known;
    const name = this.unique(`const_i64_${values.map((v) => (v < 0 ? `m${-v}` : String(v))).join('_') || 'empty'}`);
    this.initializers.push({
      name,
      dims: [values.length],
      data_type: DataType.INT64,
      raw_data: bytesOf(BigInt64Array.from(values.map((v) => BigInt(v)))),
    });
    this.#int64Constants.set(key, name);
    return name;
  }

  /** Adds a node with `outputs` outputs named after `name`; returns the output tensor names. */
  nodeN(
    opType: string,
    inputs: string[],
    attrs: Record<string, Attr>,
    name: string,
    outputs: number,
    domain = '',
  ): string[] {
    const nodeName = this.unique(`${name}/${opType}`);
    const out = Array.from({ length: outputs }, (_, i) => this.unique(outputs === 1 ? nodeName : `${nodeName}:${i}`));
    this.nodes.push({
      name: nodeName,
      op_type: opType,
      ...(domain ? { domain } : {}),
      input: inputs,
      output: out,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Adds a one-output node; returns its output tensor name. */
  node(opType: string, inputs: string[], attrs: Record<string, Attr>, name: string): string {
    return this.nodeN(opType, inputs, attrs, name, 1)[0];
  }

  /**
   * Gives the tensor `from` the name `to` (a graph output name), in the node that makes it and every node
   * that reads it. Returns `to`. A tensor no node makes (an input, a weight) gets an Identity node instead.
   */
  rename(from: string, to: string): string {
    const producer = this.nodes.find((n) => n.output.includes(from));
    if (this.#names.has(to)) throw new Error(`GraphBuilder.rename: '${to}' is already a tensor name`);
    this.#names.add(to);
    if (!producer) {
      this.nodes.push({ name: `${to}/Identity`, op_type: 'Identity', input: [from], output: [to], attribute: [] });
      return to;
    }
    producer.output = producer.output.map((o) => (o === from ? to : o));
    for (const n of this.nodes) n.input = n.input.map((i) => (i === from ? to : i));
    return to;
  }
}
