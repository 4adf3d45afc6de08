/**
 * The ViT in ONNX: patch embedding, class token and position embeddings, pre-norm transformer blocks
 * (LayerNormalization, packed q/k/v projection, scaled dot-product attention per head, exact-erf GELU MLP),
 * the final norm and the head on the class token. Attention maps as ViT.forwardWithAttention gives them:
 * the class token's last-layer attention ('cls_attention.spatial') and attention rollout over all layers
 * ('rollout.spatial'), each normalised to a maximum of 1 per image. Fixed image size, dynamic batch.
 */
import { ViT } from '../models/index.js';
import type { LayerNorm, Linear } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { float, int, ints } from './graph-builder.js';
import { geluNodes, linear, shapeOf, values, convNorm, type EmitContext } from './layer-emitters.js';
import { registerModelEmitter } from './model-emitters.js';

function layerNorm(ctx: EmitContext, m: LayerNorm, name: string, x: string): string {
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

/** x [N, L, in] @ W^T + b for a [out, in] weight (MatMul + Add). */
function tokenLinear(ctx: EmitContext, weight: Tensor, bias: Tensor | undefined, name: string, x: string): string {
  const [out, inp] = weight.shape;
  const w = values(weight);
  const wt = new Float32Array(w.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) wt[i * out + o] = w[o * inp + i];
  const y = ctx.g.node('MatMul', [x, ctx.g.floats(`${name}.weight_t`, wt, [inp, out])], {}, name);
  return bias ? ctx.g.node('Add', [y, ctx.g.floats(`${name}.bias`, values(bias), [out])], {}, name) : y;
}

const mlpLinear = (ctx: EmitContext, m: Linear, name: string, x: string) => tokenLinear(ctx, m.weight, m.bias, name, x);

registerModelEmitter(
  ViT,
  (ctx, m) => {
    const g = ctx.g;
    const { dim } = m.config;
    const grid = m.grid;
    const tokens = 1 + grid * grid;
    // patches [N, P, E], then [cls; patches] + pos
    const patches = g.node(
      'Transpose',
      [
        g.node(
          'Reshape',
          [convNorm(ctx, m.patchEmbed.proj, undefined, 'patch_embed.proj', ctx.input), g.int64([0, dim, -1])],
          {},
          'patch_embed',
        ),
      ],
      { perm: ints([0, 2, 1]) },
      'patch_embed',
    );
    const clsShape = g.node(
      'Concat',
      [shapeOf(ctx, 'cls_token', ctx.input, 0, 1), g.int64([1, dim])],
      { axis: int(0) },
      'cls_token',
    );
    const cls = g.node(
      'Expand',
      [g.floats('cls_token', values(m.clsToken), m.clsToken.shape), clsShape],
      {},
      'cls_token',
    );
    let y = g.node(
      'Add',
      [
        g.node('Concat', [cls, patches], { axis: int(1) }, 'tokens'),
        g.floats('pos_embed', values(m.posEmbed), m.posEmbed.shape),
      ],
      {},
      'pos_embed',
    );
    const weights: string[] = [];
    m.blocks.items.forEach((block, i) => {
      const at = `blocks.${i}`;
      const a = block.attn;
      const h = layerNorm(ctx, block.norm1, `${at}.norm1`, y);
      const qkv = tokenLinear(ctx, a.inProjWeight, a.inProjBias, `${at}.attn.in_proj`, h);
      const [q, k, v] = g.nodeN('Split', [qkv, g.int64([dim, dim, dim])], { axis: int(-1) }, `${at}.attn`, 3);
      const heads = (t: string) =>
        g.node(
          'Transpose',
          [g.node('Reshape', [t, g.int64([0, tokens, a.numHeads, a.headDim])], {}, `${at}.attn`)],
          { perm: ints([0, 2, 1, 3]) },
          `${at}.attn`,
        );
      const qs = g.node(
        'Mul',
        [heads(q), g.floats(`${at}.attn.scale`, Float32Array.of(1 / Math.sqrt(a.headDim)), [])],
        {},
        `${at}.attn`,
      );
      const kt = g.node('Transpose', [heads(k)], { perm: ints([0, 1, 3, 2]) }, `${at}.attn`);
      const w = g.node('Softmax', [g.node('MatMul', [qs, kt], {}, `${at}.attn`)], { axis: int(-1) }, `${at}.attn`); // [N, H, L, L]
      weights.push(g.node('ReduceMean', [w], { axes: ints([1]), keepdims: int(0) }, `${at}.attn`)); // [N, L, L]
      const attended = g.node(
        'Reshape',
        [
          g.node(
            'Transpose',
            [g.node('MatMul', [w, heads(v)], {}, `${at}.attn`)],
            { perm: ints([0, 2, 1, 3]) },
            `${at}.attn`,
          ),
          g.int64([0, tokens, dim]),
        ],
        {},
        `${at}.attn`,
      );
      y = g.node('Add', [y, mlpLinear(ctx, a.outProj, `${at}.attn.out_proj`, attended)], {}, at);
      const hidden = geluNodes(
        ctx,
        `${at}.mlp`,
        mlpLinear(ctx, block.mlp.fc1, `${at}.mlp.fc1`, layerNorm(ctx, block.norm2, `${at}.norm2`, y)),
      );
      y = g.node('Add', [y, mlpLinear(ctx, block.mlp.fc2, `${at}.mlp.fc2`, hidden)], {}, at);
    });
    const cls0 = g.node('Gather', [layerNorm(ctx, m.norm, 'norm', y), g.int64([0])], { axis: int(1) }, 'cls'); // [N, 1, E]
    const logits = linear(ctx, m.head, 'head', g.node('Flatten', [cls0], { axis: int(1) }, 'cls'));

    // maps: class-token row without itself -> [N, 1, grid, grid], max-normalised
    const toMap = (rows: string, name: string) => {
      const row = g.node('Gather', [rows, g.int64([0])], { axis: int(1) }, name); // [N, 1, L]
      const patchesOnly = g.node('Slice', [row, g.int64([1]), g.int64([tokens]), g.int64([2])], {}, name);
      const map = g.node('Reshape', [patchesOnly, g.int64([-1, 1, grid, grid])], {}, name);
      const max = g.node('ReduceMax', [map], { axes: ints([2, 3]), keepdims: int(1) }, name);
      const eps = g.floats(`${name}.eps`, Float32Array.of(1e-12), []);
      return g.node('Div', [map, g.node('Add', [max, eps], {}, name)], {}, name);
    };
    ctx.maps.set('cls_attention.spatial', toMap(weights[weights.length - 1], 'cls_attention'));
    const eye = new Float32Array(tokens * tokens);
    for (let i = 0; i < tokens; i++) eye[i * tokens + i] = 1;
    const identity = g.floats('rollout.identity', eye, [tokens, tokens]);
    const half = g.floats('rollout.half', Float32Array.of(0.5), []);
    let rollout: string | undefined;
    weights.forEach((w, i) => {
      const a = g.node('Mul', [g.node('Add', [w, identity], {}, `rollout.${i}`), half], {}, `rollout.${i}`);
      const a2 = g.node(
        'Div',
        [a, g.node('ReduceSum', [a, g.int64([-1])], { keepdims: int(1) }, `rollout.${i}`)],
        {},
        `rollout.${i}`,
      );
      rollout = rollout ? g.node('MatMul', [a2, rollout], {}, `rollout.${i}`) : a2;
    });
    ctx.maps.set('rollout.spatial', toMap(rollout!, 'rollout'));
    return {
      kind: 'classification',
      logits,
      probabilities: g.node('Softmax', [logits], { axis: int(1) }, 'probabilities'),
    };
  },
  false,
);
