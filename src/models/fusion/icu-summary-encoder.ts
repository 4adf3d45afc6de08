/**
 * `icu_summary`: an FT-Transformer over per-variable summaries of the ICU grid (icu-summary-features.ts).
 * Each series variable is one token, a linear embedding of its own summary vector (a [S, D] matrix and a bias
 * per variable, so the bias is the variable's identity); a [CLS] token and pre-norm transformer blocks
 * (vit.ts) read them, and the normalised [CLS] token is the embedding.
 *
 * Per-patient weights over variables: the [CLS] token's attention to each variable token, averaged over heads
 * and layers, renormalised to sum to 1 over the variables (clsTransformer, as the tabular FT-Transformer).
 */
import { einsum, empty, zeros, type Tensor } from '../../tensor/index.js';
import { LayerNorm, Module, ModuleList, init } from '../../nn/index.js';
import { TransformerBlock } from '../vit.js';
import { clsTransformer } from '../tabular/ft-transformer.js';
import { ICU_SUMMARY_FEATURES, icuSummaryFeatures } from './icu-summary-features.js';

export interface IcuSummaryEncoderConfig {
  numVariables: number;
  dim: number;
  depth: number;
  heads: number;
  /** Attention and feed-forward dropout. */
  dropout: number;
  /** Feed-forward width as a multiple of dim. */
  mlpRatio: number;
}

export const icuSummaryDefaults: Omit<IcuSummaryEncoderConfig, 'numVariables'> = {
  dim: 32,
  depth: 2,
  heads: 4,
  dropout: 0.1,
  mlpRatio: 2,
};

export class IcuSummaryEncoder extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly clsToken: Tensor;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly norm: LayerNorm;
  readonly dim: number;
  constructor(readonly config: IcuSummaryEncoderConfig) {
    super();
    const { numVariables: v, dim } = config;
    const s = ICU_SUMMARY_FEATURES.length;
    const bound = 1 / Math.sqrt(dim);
    this.weight = this.param('weight', init.uniform_(empty([v, s, dim]), -bound, bound));
    this.bias = this.param('bias', init.uniform_(empty([v, dim]), -bound, bound));
    this.clsToken = this.param('cls_token', init.normal_(zeros([1, 1, dim]), 0, 0.02));
    this.blocks = this.module('blocks', new ModuleList<TransformerBlock>());
    for (let i = 0; i < config.depth; i++) {
      const block = new TransformerBlock(dim, config.heads, config.mlpRatio, config.dropout);
      block.keepWeights = true;
      this.blocks.push(block);
    }
    this.norm = this.module('norm', new LayerNorm(dim, 1e-5));
    this.dim = dim;
  }

  /** values, mask, delta [N, H, V] -> embedding [N, D] and weights over variables [N, V]. */
  forward(values: Tensor, mask: Tensor, delta: Tensor): { embedding: Tensor; weights: Tensor } {
    const tokens = einsum('nvs,vsd->nvd', icuSummaryFeatures(values, mask, delta), this.weight).add(this.bias);
    const { embedding, featureWeights } = clsTransformer(this, tokens);
    return { embedding, weights: featureWeights };
  }
}
