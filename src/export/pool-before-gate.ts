/**
 * Rewrites MaxPool(x * g) as MaxPool(x) * g when g is a channel gate (a sigmoid, one value per image and
 * channel, broadcast over the map: SE, CBAM's channel gate, ECA), for the int8 model. A positive per-channel
 * factor commutes with a max over positions, so the result is exactly the same (rounding is monotonic too), and
 * the gate product runs on the pooled map, a quarter of the values for a 2x2 pool. ONNX Runtime's QLinearMul
 * broadcasts a per-channel gate over a channels-last map one C-long span at a time, so this is its slow path.
 */
import { graphIndex } from './graph-index.js';
import type { ModelProto, NodeProto } from './onnx-proto.js';

/** A sigmoid of a 2D [N, C] tensor (the output of a Gemm, or squeezed), unsqueezed to [N, C, 1, ...]. */
function isChannelGate(t: string, producers: Map<string, NodeProto>): boolean {
  const unsqueeze = producers.get(t);
  if (unsqueeze?.op_type !== 'Unsqueeze') return false;
  const sigmoid = producers.get(unsqueeze.input[0]);
  if (sigmoid?.op_type !== 'Sigmoid') return false;
  const logits = producers.get(sigmoid.input[0]);
  return logits?.op_type === 'Gemm' || logits?.op_type === 'Squeeze' || logits?.op_type === 'Add';
}

/** The model with each such MaxPool moved before its gate product (a new graph; the input is not changed). */
export function poolBeforeChannelGates(model: ModelProto): ModelProto {
  const { producers, readers } = graphIndex(model);
  const outputs = new Set(model.graph.output.map((o) => o.name));
  const moved = new Map<NodeProto, NodeProto[]>(); // gate product -> [pool, product], in that order
  const dropped = new Set<NodeProto>();
  for (const mul of model.graph.node) {
    if (mul.op_type !== 'Mul' || mul.input.length !== 2) continue;
    const gate = mul.input.findIndex((t) => isChannelGate(t, producers));
    const r = readers.get(mul.output[0]) ?? [];
    if (gate < 0 || r.length !== 1 || r[0].op_type !== 'MaxPool' || outputs.has(mul.output[0])) continue;
    const pool = r[0];
    if (pool.output.length !== 1) continue; // no Indices output
    const x = mul.input[1 - gate];
    const pooled = `${pool.output[0]}/before_gate`;
    moved.set(mul, [
      { ...pool, input: [x], output: [pooled] },
      { ...mul, input: gate === 0 ? [mul.input[0], pooled] : [pooled, mul.input[1]], output: pool.output },
    ]);
    dropped.add(pool);
  }
  if (!moved.size) return model;
  const node = model.graph.node.flatMap((n) => (dropped.has(n) ? [] : (moved.get(n) ?? [n])));
  return { ...model, graph: { ...model.graph, node } };
}
