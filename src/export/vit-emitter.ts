/**
 * The ViT in ONNX: patch embedding, class token and position embeddings, pre-norm transformer blocks
 * (LayerNormalization, packed q/k/v projection, scaled dot-product attention per head, exact-erf GELU MLP),
 * the final norm and the head on the class token. Attention maps as ViT.forwardWithAttention gives them:
 * the class token's last-layer attention ('cls_attention.spatial') and attention rollout over all layers
 * ('rollout.spatial'), each normalised to a maximum of 1 per image. Fixed image size, dynamic batch.
 */
import { ViT } from '../models/index.js';
import type { Linear } from '../nn/index.js';
import { int, ints } from './graph-builder.js';
import { geluNodes, linear, shapeOf, values, convNorm, type EmitContext } from './layer-emitters.js';
import { layerNorm, multiHeadAttention, tokenLinear } from './transformer-emitters.js';
import { registerModelEmitter } from './model-emitters.js';

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
      const { output, weights: w } = multiHeadAttention(ctx, a, `${at}.attn`, h);
      weights.push(w); // [N, L, L]
      y = g.node('Add', [y, output], {}, at);
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
