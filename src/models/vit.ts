/**
 * A small Vision Transformer (Dosovitskiy et al. 2021): a convolutional patch embedding, a class token,
 * learned position embeddings, pre-norm transformer blocks (x + MHA(LN(x)), x + MLP(LN(x))) built on
 * MultiHeadAttention, a final LayerNorm and a linear head on the class token. Parameter names follow timm
 * (patch_embed.proj, cls_token, pos_embed, blocks.i.norm1/attn/norm2/mlp.fc1/mlp.fc2, norm, head), with the
 * attention in torch.nn.MultiheadAttention's packed layout. Attention maps: the class token's attention in
 * the last layer ('cls_attention.spatial') and attention rollout over all layers (Abnar & Zuidema 2020,
 * 'rollout.spatial'), each normalised to a maximum of 1 per image and resized to the input.
 */
import { cat, eye, F, keep, zeros, type Tensor } from '../tensor/index.js';
import { Conv2d, LayerNorm, Linear, Module, ModuleList, MultiHeadAttention, init } from '../nn/index.js';
import { AttentionModel, resizeMap, type AttentionResult } from './attention-model.js';
import { ModelConfigError } from './model-error.js';

export interface ViTConfig {
  imageSize: number;
  patchSize: number;
  inChannels: number;
  numClasses: number;
  dim: number;
  depth: number;
  numHeads: number;
  mlpRatio: number;
  dropout: number;
}

export const vitDefaults: ViTConfig = {
  imageSize: 64,
  patchSize: 8,
  inChannels: 1,
  numClasses: 2,
  dim: 192,
  depth: 6,
  numHeads: 3,
  mlpRatio: 4,
  dropout: 0,
};

class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(
    dim: number,
    hidden: number,
    readonly dropout: number,
  ) {
    super();
    this.fc1 = this.module('fc1', new Linear(dim, hidden));
    this.fc2 = this.module('fc2', new Linear(hidden, dim));
  }
  forward(x: Tensor): Tensor {
    const h = F.dropout(this.fc1.forward(x).gelu(), this.dropout, this.training);
    return F.dropout(this.fc2.forward(h), this.dropout, this.training);
  }
}

/** Pre-norm transformer encoder block; keeps its head-averaged attention weights when asked. */
export class TransformerBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;
  /** Set by ViT.forwardWithAttention: the weights [N, L, L] of the last forward. */
  weights?: Tensor;
  keepWeights = false;
  constructor(dim: number, numHeads: number, mlpRatio: number, dropout: number) {
    super();
    this.norm1 = this.module('norm1', new LayerNorm(dim, 1e-6));
    this.attn = this.module('attn', new MultiHeadAttention(dim, { numHeads, dropout }));
    this.norm2 = this.module('norm2', new LayerNorm(dim, 1e-6));
    this.mlp = this.module('mlp', new Mlp(dim, Math.round(dim * mlpRatio), dropout));
  }
  forward(x: Tensor): Tensor {
    return this.scoped(() => {
      const h = this.norm1.forward(x);
      const { output, weights } = this.attn.forward(h, h, h, { needWeights: this.keepWeights });
      // Kept past this forward's scope for forwardWithAttention; the previous step's weights are released.
      this.weights?.dispose();
      this.weights = weights ? keep(weights.detach()) : undefined;
      const y = x.add(output);
      return y.add(this.mlp.forward(this.norm2.forward(y)));
    });
  }
}

export class PatchEmbedding extends Module {
  readonly proj: Conv2d;
  constructor(
    inChannels: number,
    dim: number,
    readonly patchSize: number,
  ) {
    super();
    this.proj = this.module('proj', new Conv2d(inChannels, dim, patchSize, { stride: patchSize }));
  }
  /** [N, C, H, W] -> tokens [N, (H/p)(W/p), dim]. */
  forward(x: Tensor): Tensor {
    return this.proj.forward(x).flatten(2).transpose(1, 2);
  }
}

export class ViT extends AttentionModel<ViTConfig> {
  readonly modelName = 'vit';
  readonly config: ViTConfig;
  readonly patchEmbed: PatchEmbedding;
  readonly clsToken: Tensor;
  readonly posEmbed: Tensor;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly norm: LayerNorm;
  readonly head: Linear;
  readonly grid: number;
  constructor(config: Partial<ViTConfig> = {}) {
    super();
    const c = { ...vitDefaults, ...config };
    if (!(c.patchSize >= 1) || c.imageSize % c.patchSize)
      throw new ModelConfigError('vit', 'imageSize', `a multiple of patchSize ${c.patchSize}`, c.imageSize);
    if (c.dim % c.numHeads) throw new ModelConfigError('vit', 'dim', `divisible by numHeads ${c.numHeads}`, c.dim);
    this.config = c;
    this.grid = c.imageSize / c.patchSize;
    this.patchEmbed = this.module('patch_embed', new PatchEmbedding(c.inChannels, c.dim, c.patchSize));
    this.clsToken = this.param('cls_token', zeros([1, 1, c.dim]));
    this.posEmbed = this.param('pos_embed', zeros([1, 1 + this.grid * this.grid, c.dim]));
    this.blocks = this.module('blocks', new ModuleList<TransformerBlock>());
    for (let i = 0; i < c.depth; i++) this.blocks.push(new TransformerBlock(c.dim, c.numHeads, c.mlpRatio, c.dropout));
    this.norm = this.module('norm', new LayerNorm(c.dim, 1e-6));
    this.head = this.module('head', new Linear(c.dim, c.numClasses));
    // timm's ViT init: trunc_normal(0.02) for embeddings and linear weights, zero linear biases.
    init.truncNormal_(this.posEmbed, 0, 0.02);
    init.truncNormal_(this.clsToken, 0, 0.02);
    for (const [, m] of this.namedModules()) {
      if (m instanceof Linear) {
        init.truncNormal_(m.weight, 0, 0.02);
        if (m.bias) init.zeros_(m.bias);
      }
    }
  }

  /** Final normalised tokens [N, 1 + P, dim]. */
  tokens(x: Tensor): Tensor {
    const [n, , h, w] = x.shape;
    if (h !== this.config.imageSize || w !== this.config.imageSize)
      throw new Error(`vit: expected ${this.config.imageSize}x${this.config.imageSize} images, got [${x.shape}]`);
    const patches = this.patchEmbed.forward(x);
    let y = cat([this.clsToken.expand([n, 1, this.config.dim]), patches], 1).add(this.posEmbed);
    y = F.dropout(y, this.config.dropout, this.training);
    for (const block of this.blocks) y = block.forward(y);
    return this.norm.forward(y);
  }

  /** Logits [N, numClasses] from the class token. */
  forward(x: Tensor): Tensor {
    return this.head.forward(this.tokens(x).select(1, 0));
  }

  override forwardWithAttention(x: Tensor): AttentionResult {
    for (const b of this.blocks) b.keepWeights = true;
    try {
      const output = this.forward(x);
      const weights = this.blocks.items.map((b) => b.weights!);
      const n = x.size(0);
      const g = this.grid;
      const toMap = (clsRow: Tensor) => {
        const m = clsRow.reshape([n, 1, g, g]);
        return resizeMap(m.div(m.max([2, 3], true).add(1e-12)), x.shape.slice(2));
      };
      const last = weights[weights.length - 1];
      // rollout: average attention with the identity (residual path), renormalise rows, multiply through layers
      const tokens = last.size(-1);
      const identity = eye(tokens);
      let rollout: Tensor | undefined;
      for (const w of weights) {
        const a = w.add(identity).div(2);
        const a2 = a.div(a.sum(-1, true));
        rollout = rollout ? a2.matmul(rollout) : a2;
      }
      const attention = new Map<string, Tensor>([
        ['cls_attention.spatial', toMap(last.select(1, 0).narrow(-1, 1, tokens - 1))],
        ['rollout.spatial', toMap(rollout!.select(1, 0).narrow(-1, 1, tokens - 1))],
      ]);
      return { output, attention };
    } finally {
      for (const b of this.blocks) {
        b.keepWeights = false;
        b.weights = undefined;
      }
    }
  }
}
