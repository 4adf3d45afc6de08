/**
 * Token layers in ONNX (opset 17): LayerNorm (LayerNormalization), linear maps on [N, L, E] tokens
 * (MatMul + Add), multi-head attention with torch.nn.MultiheadAttention's packed projections (self- and
 * cross-attention, an optional additive key padding mask), and the multi-head spatial self-attention block
 * (`mhsa`) over the positions of a feature map, which records the attention each position receives.
 * Token counts stay dynamic, so the block keeps the U-Nets' dynamic height/width.
 */
import { LayerNorm, MultiHeadAttention, SpatialSelfAttention } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { ExportError } from './export-error.js';
import { float, int, ints } from './graph-builder.js';
import { registerEmitter, shapeOf, values, type EmitContext } from './layer-emitters.js';

export function layerNorm(ctx: EmitContext, m: LayerNorm, name: string, x: string): string {
  const n = m.normalizedShape.reduce((a, b) => a * b, 1);
  const scale = m.weight ? values(m.weight) : new Float32Array(n).fill(1);
  const bias = m.bias ? values(m.bias) : new Float32Array(n);
  return ctx.g.node(
    'LayerNormalization',
    [
      x,
      ctx.g.floats(`${name}.weight`, scale, m.normalizedShape),
      ctx.g.floats(`${name}.bias`, bias, m.normalizedShape),
    ],
    { axis: int(-m.normalizedShape.length), epsilon: float(m.eps) },
    name,
  );
}

/** x [N, L, in] @ W^T + b for rows `from`..`from + out` of a [*, in] weight (MatMul + Add). */
function tokenLinearRows(
  ctx: EmitContext,
  w: Float32Array,
  inp: number,
  b: Float32Array | undefined,
  from: number,
  out: number,
  name: string,
  x: string,
): string {
  const wt = new Float32Array(inp * out);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) wt[i * out + o] = w[(from + o) * inp + i];
  const y = ctx.g.node('MatMul', [x, ctx.g.floats(`${name}.weight_t`, wt, [inp, out])], {}, name);
  return b ? ctx.g.node('Add', [y, ctx.g.floats(`${name}.bias`, b.slice(from, from + out), [out])], {}, name) : y;
}

/** x [N, L, in] @ W^T + b for a [out, in] weight (MatMul + Add). */
export function tokenLinear(
  ctx: EmitContext,
  weight: Tensor,
  bias: Tensor | undefined,
  name: string,
  x: string,
): string {
  const [out, inp] = weight.shape;
  return tokenLinearRows(ctx, values(weight), inp, bias && values(bias), 0, out, name, x);
}

/**
 * Multi-head attention of query tokens [N, L, E] on key/value tokens [N, S, E] (the same tensor for
 * self-attention: one packed projection, then Split). Returns the output [N, L, E] and the weights averaged
 * over heads [N, L, S], as MultiHeadAttention.forward with needWeights.
 */
export function multiHeadAttention(
  ctx: EmitContext,
  m: MultiHeadAttention,
  name: string,
  query: string,
  key = query,
  value = key,
  /** Added to the scores before the softmax, [N, 1, 1, S] (-inf at padded keys, as keyPaddingMask). */
  additiveMask?: string,
): { output: string; weights: string } {
  if (!m.batchFirst) throw new ExportError(`cannot export layer '${name}' (MultiHeadAttention with batchFirst false)`);
  const g = ctx.g;
  const e = m.embedDim;
  const at = `${name}.in_proj`;
  let q: string, k: string, v: string;
  if (key === query && value === query) {
    const packed = tokenLinear(ctx, m.inProjWeight, m.inProjBias, at, query);
    [q, k, v] = g.nodeN('Split', [packed, g.int64([e, e, e])], { axis: int(-1) }, name, 3);
  } else {
    const w = values(m.inProjWeight);
    const b = m.inProjBias && values(m.inProjBias);
    q = tokenLinearRows(ctx, w, e, b, 0, e, `${at}.q`, query);
    k = tokenLinearRows(ctx, w, e, b, e, e, `${at}.k`, key);
    v = tokenLinearRows(ctx, w, e, b, 2 * e, e, `${at}.v`, value);
  }
  const heads = (t: string) =>
    g.node(
      'Transpose',
      [g.node('Reshape', [t, g.int64([0, -1, m.numHeads, m.headDim])], {}, name)],
      { perm: ints([0, 2, 1, 3]) },
      name,
    ); // [N, H, L, d]
  const qs = g.node(
    'Mul',
    [heads(q), g.floats(`${name}.scale`, Float32Array.of(1 / Math.sqrt(m.headDim)), [])],
    {},
    name,
  );
  const kt = g.node('Transpose', [heads(k)], { perm: ints([0, 1, 3, 2]) }, name);
  const scores = g.node('MatMul', [qs, kt], {}, name);
  const masked = additiveMask ? g.node('Add', [scores, additiveMask], {}, name) : scores;
  const w = g.node('Softmax', [masked], { axis: int(-1) }, name); // [N, H, L, S]
  const attended = g.node(
    'Reshape',
    [
      g.node('Transpose', [g.node('MatMul', [w, heads(v)], {}, name)], { perm: ints([0, 2, 1, 3]) }, name),
      g.int64([0, -1, e]),
    ],
    {},
    name,
  );
  return {
    output: tokenLinear(ctx, m.outProj.weight, m.outProj.bias, `${name}.out_proj`, attended),
    weights: g.node('ReduceMean', [w], { axes: ints([1]), keepdims: int(0) }, name),
  };
}

registerEmitter(LayerNorm, (ctx, m, name, [x]) => layerNorm(ctx, m, name, x));

/** inputs: [query] (self-attention) or [query, key, value]; the attended output. */
registerEmitter(MultiHeadAttention, (ctx, m, name, [q, k, v]) => multiHeadAttention(ctx, m, name, q, k, v).output);

registerEmitter(SpatialSelfAttention, (ctx, m, name, [x]) => {
  const g = ctx.g;
  const c = m.channels;
  const tokens = g.node(
    'Transpose',
    [g.node('Reshape', [x, g.int64([0, c, -1])], {}, name)],
    { perm: ints([0, 2, 1]) },
    name,
  ); // [N, P, C]
  const normed = layerNorm(ctx, m.norm, `${name}.norm`, tokens);
  const { output, weights } = multiHeadAttention(ctx, m.attn, `${name}.attn`, normed);
  const batch = shapeOf(ctx, name, x, 0, 1);
  const spatial = shapeOf(ctx, name, x, 2);
  // attention each position receives, averaged over queries (and heads)
  const received = g.node('ReduceMean', [weights], { axes: ints([1]), keepdims: int(0) }, name); // [N, P]
  const mapShape = g.node('Concat', [batch, g.int64([1]), spatial], { axis: int(0) }, name);
  ctx.maps.set(`${name}.spatial`, g.node('Reshape', [received, mapShape], {}, name));
  const scaled = g.node('Mul', [output, g.floats(`${name}.gamma`, values(m.gamma), m.gamma.shape)], {}, name);
  const back = g.node(
    'Reshape',
    [g.node('Transpose', [scaled], { perm: ints([0, 2, 1]) }, name), shapeOf(ctx, name, x, 0)],
    {},
    name,
  );
  return g.node('Add', [x, back], {}, name);
});
