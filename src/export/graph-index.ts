/** Lookups over an ONNX graph that the int8 rewrites share. */
import type { ModelProto, NodeProto } from './onnx-proto.js';

/** Each tensor's producing node and its reading nodes. */
export function graphIndex(model: ModelProto): {
  producers: Map<string, NodeProto>;
  readers: Map<string, NodeProto[]>;
} {
  const producers = new Map(model.graph.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
  const readers = new Map<string, NodeProto[]>();
  for (const n of model.graph.node) for (const t of n.input) readers.set(t, [...(readers.get(t) ?? []), n]);
  return { producers, readers };
}
