/**
 * One pre-norm transformer encoder block over tokens with a key padding mask:
 * y = x + drop(MHA(LN(x))), out = y + drop(fc2(drop(gelu(fc1(LN(y)))))). Shared by the text transformer and
 * the ICU observation transformer (their ONNX emitter is token-ops.ts preNormBlock, which reads the same
 * parameter names: norm1, attn, norm2, fc1, fc2).
 */
import { F, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';
import { LayerNorm } from '../layers/normalization.js';
import { Linear } from '../layers/linear.js';
import { MultiHeadAttention } from './multi-head-attention.js';

export interface PreNormEncoderBlockConfig {
  numHeads: number;
  /** Hidden width of the MLP as a multiple of dim. */
  mlpRatio: number;
  /** Dropout on the residual branches and inside the MLP. */
  dropout: number;
  /** Dropout on the attention weights (default 0). */
  attentionDropout?: number;
}

export class PreNormEncoderBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly dropout: number;
  constructor(dim: number, config: PreNormEncoderBlockConfig) {
    super();
    this.dropout = config.dropout;
    this.norm1 = this.module('norm1', new LayerNorm(dim));
    this.attn = this.module(
      'attn',
      new MultiHeadAttention(dim, { numHeads: config.numHeads, dropout: config.attentionDropout ?? 0 }),
    );
    this.norm2 = this.module('norm2', new LayerNorm(dim));
    this.fc1 = this.module('fc1', new Linear(dim, config.mlpRatio * dim));
    this.fc2 = this.module('fc2', new Linear(config.mlpRatio * dim, dim));
  }

  /** x [N, L, dim], padding [N, L] bool (true at padding) -> y [N, L, dim] and, if asked, weights [N, L, L]. */
  forward(x: Tensor, padding: Tensor, needWeights: boolean): { y: Tensor; weights?: Tensor } {
    const h = this.norm1.forward(x);
    const { output, weights } = this.attn.forward(h, h, h, { keyPaddingMask: padding, needWeights });
    const y = x.add(F.dropout(output, this.dropout, this.training));
    const m = this.fc2.forward(F.dropout(this.fc1.forward(this.norm2.forward(y)).gelu(), this.dropout, this.training));
    return { y: y.add(F.dropout(m, this.dropout, this.training)), weights };
  }
}
