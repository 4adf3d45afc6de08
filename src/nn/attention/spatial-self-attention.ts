/**
 * Multi-head self-attention over the positions of a feature map (as in BoTNet / TransUNet bottlenecks):
 * [N, C, ...] -> tokens [N, P, C] -> pre-norm MultiHeadAttention -> residual, with a learned residual scale
 * gamma initialised to 0 so the block starts as the identity. Records how much attention each position
 * receives (mean over queries and heads) as a spatial map.
 */
import { zeros, type Tensor } from '../../tensor/index.js';
import { LayerNorm } from '../layers/normalization.js';
import { AttentionBlock } from './attention-block.js';
import { MultiHeadAttention } from './multi-head-attention.js';

export interface SpatialSelfAttentionConfig {
  numHeads?: number;
}

export class SpatialSelfAttention extends AttentionBlock {
  readonly norm: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly gamma: Tensor;
  constructor(
    readonly channels: number,
    config: SpatialSelfAttentionConfig = {},
  ) {
    super();
    let heads = config.numHeads ?? 4;
    while (channels % heads) heads--;
    this.norm = this.module('norm', new LayerNorm(channels));
    this.attn = this.module('attn', new MultiHeadAttention(channels, { numHeads: heads }));
    this.gamma = this.param('gamma', zeros([1]));
  }
  forward(x: Tensor): Tensor {
    const [n, c] = x.shape;
    const spatial = x.shape.slice(2);
    const tokens = x.flatten(2).transpose(1, 2); // [N, P, C]
    const normed = this.norm.forward(tokens);
    const { output, weights } = this.attn.forward(normed, normed, normed, { needWeights: this.captureAttention });
    if (weights) this.record('spatial', weights.mean(1).reshape([n, 1, ...spatial]));
    return x.add(
      output
        .mul(this.gamma)
        .transpose(1, 2)
        .reshape([n, c, ...spatial]),
    );
  }
}
