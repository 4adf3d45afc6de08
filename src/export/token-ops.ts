/**
 * Pieces the table, series and text emitters share: scalar constants, picking one index of an axis, a key
 * padding mask as the additive [N, 1, 1, S] mask MultiHeadAttention adds to its scores, the pre-norm encoder
 * block (norm1 -> attention -> residual, norm2 -> fc1 -> GELU -> fc2 -> residual) and additive attention
 * pooling over tokens.
 */
import type { LayerNorm, Linear, MultiHeadAttention } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { int } from './graph-builder.js';
import { geluNodes, values, type EmitContext } from './layer-emitters.js';
import { layerNorm, multiHeadAttention, tokenLinear } from './transformer-emitters.js';

/** A float32 scalar constant. */
export function scalar(ctx: EmitContext, name: string, v: number): string {
  return ctx.g.floats(`${name}.const`, Float32Array.of(v), []);
}

/** A constant from a tensor (a parameter or a buffer). */
export function constant(ctx: EmitContext, name: string, t: Tensor): string {
  return ctx.g.floats(name, values(t), t.shape);
}

/** x.select(axis, index): Gather then Squeeze (index may be negative). */
export function select(ctx: EmitContext, name: string, x: string, axis: number, index: number): string {
  const g = ctx.g;
  return g.node(
    'Squeeze',
    [g.node('Gather', [x, g.int64([index])], { axis: int(axis) }, name), g.int64([axis])],
    {},
    name,
  );
}

/** x.narrow(axis, start, length) (length undefined: to the end). */
export function narrow(
  ctx: EmitContext,
  name: string,
  x: string,
  axis: number,
  start: number,
  length?: number,
): string {
  const g = ctx.g;
  const end = length === undefined ? Number.MAX_SAFE_INTEGER : start + length;
  return g.node('Slice', [x, g.int64([start]), g.int64([end]), g.int64([axis])], {}, name);
}

/** Linear on [..., in] tokens (MatMul + Add). */
export function tokens(ctx: EmitContext, m: Linear, name: string, x: string): string {
  return tokenLinear(ctx, m.weight, m.bias, name, x);
}

/** A boolean padding mask [N, S] (true = ignore) as the additive mask [N, 1, 1, S] (-inf there, else 0). */
export function additivePaddingMask(ctx: EmitContext, name: string, padding: string): string {
  const g = ctx.g;
  const mask = g.node(
    'Where',
    [padding, scalar(ctx, `${name}.minus_inf`, -Infinity), scalar(ctx, `${name}.zero`, 0)],
    {},
    name,
  );
  return g.node('Unsqueeze', [mask, g.int64([1, 2])], {}, name);
}

export interface PreNormBlock {
  norm1: LayerNorm;
  attn: MultiHeadAttention;
  norm2: LayerNorm;
  fc1: Linear;
  fc2: Linear;
}

/** One pre-norm encoder block with a key padding mask; the output and the head-averaged weights [N, L, L]. */
export function preNormBlock(
  ctx: EmitContext,
  b: PreNormBlock,
  name: string,
  x: string,
  mask?: string,
): { y: string; weights: string } {
  const g = ctx.g;
  const h = layerNorm(ctx, b.norm1, `${name}.norm1`, x);
  const { output, weights } = multiHeadAttention(ctx, b.attn, `${name}.attn`, h, h, h, mask);
  const y = g.node('Add', [x, output], {}, name);
  const hidden = geluNodes(
    ctx,
    `${name}.fc1`,
    tokens(ctx, b.fc1, `${name}.fc1`, layerNorm(ctx, b.norm2, `${name}.norm2`, y)),
  );
  return { y: g.node('Add', [y, tokens(ctx, b.fc2, `${name}.fc2`, hidden)], {}, name), weights };
}

/**
 * Additive attention pooling: weights = softmax over tokens of scores [N, L] (-inf where `padding`), and the
 * context sum_t weights_t h_t [N, D].
 */
export function attentionPool(
  ctx: EmitContext,
  name: string,
  scores: string,
  h: string,
  padding?: string,
): { context: string; weights: string } {
  const g = ctx.g;
  const masked = padding
    ? g.node('Where', [padding, scalar(ctx, `${name}.minus_inf`, -Infinity), scores], {}, name)
    : scores;
  const weights = g.node('Softmax', [masked], { axis: int(-1) }, name);
  const context = g.node(
    'Squeeze',
    [g.node('MatMul', [g.node('Unsqueeze', [weights, g.int64([1])], {}, name), h], {}, name), g.int64([1])],
    {},
    name,
  );
  return { context, weights };
}

/** [1, 1, D] parameter repeated over the batch of `like` -> [N, 1, D]. */
export function expandToBatch(ctx: EmitContext, name: string, param: Tensor, like: string): string {
  const g = ctx.g;
  const batch = g.node('Shape', [like], { start: int(0), end: int(1) }, name);
  const shape = g.node('Concat', [batch, g.int64([1, param.shape[2]])], { axis: int(0) }, name);
  return g.node('Expand', [constant(ctx, name, param), shape], {}, name);
}
