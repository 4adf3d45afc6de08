/**
 * FT-Transformer's encoder (Gorishniy et al. 2021): a token per feature (FeatureTokenizer), a [CLS] token,
 * pre-norm transformer blocks, and the final normalised [CLS] token as the patient embedding.
 *
 * Per-patient feature weights: the [CLS] token's attention to each feature token, averaged over heads (as
 * torch.nn.MultiheadAttention averages them) and over layers, with its attention to itself left out and the
 * rest renormalised to sum to 1.
 */
import { cat, zeros, type Tensor } from '../../tensor/index.js';
import { LayerNorm, Module, ModuleList, init } from '../../nn/index.js';
import { TransformerBlock } from '../vit.js';
import type { TableColumn } from '../../data/datasets/table-schema.js';
import { FeatureTokenizer } from './feature-tokenizer.js';
import type { TableEncoder, TableEncoding } from './table-encoder.js';

export interface FTTransformerOptions {
  dim: number;
  depth: number;
  numHeads: number;
  /** Attention and feed-forward dropout. */
  dropout: number;
  /** Feed-forward width as a multiple of dim. */
  mlpRatio: number;
}

/** The [CLS] token, the blocks (keepWeights set) and the final norm of a token encoder like FT-Transformer's. */
export interface ClsTransformerParts {
  clsToken: Tensor;
  blocks: ModuleList<TransformerBlock>;
  norm: LayerNorm;
}

/**
 * tokens [N, F, D] -> the normalised [CLS] embedding [N, D] and the [CLS] token's attention to the F tokens
 * [N, F], averaged over heads and layers, its attention to itself left out and the rest renormalised to 1.
 */
export function clsTransformer(parts: ClsTransformerParts, tokens: Tensor): TableEncoding {
  const [n, f, d] = tokens.shape;
  let h = cat([parts.clsToken.expand([n, 1, d]), tokens], 1);
  let weights: Tensor | undefined;
  for (const block of parts.blocks.items) {
    h = block.forward(h);
    const w = block.weights!.select(1, 0).narrow(1, 1, f); // [N, F]
    weights = weights ? weights.add(w) : w;
  }
  const featureWeights = weights!.div(weights!.sum(1, true).clamp(1e-12));
  return { embedding: parts.norm.forward(h.select(1, 0)), featureWeights };
}

export class FTTransformerEncoder extends Module implements TableEncoder {
  readonly outDim: number;
  readonly tokenizer: FeatureTokenizer;
  readonly clsToken: Tensor;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly norm: LayerNorm;

  constructor(columns: TableColumn[], o: FTTransformerOptions) {
    super();
    this.outDim = o.dim;
    this.tokenizer = this.module('tokenizer', new FeatureTokenizer(columns, o.dim));
    this.clsToken = this.param('cls_token', init.normal_(zeros([1, 1, o.dim]), 0, 0.02));
    this.blocks = this.module('blocks', new ModuleList<TransformerBlock>());
    for (let i = 0; i < o.depth; i++) {
      const block = new TransformerBlock(o.dim, o.numHeads, o.mlpRatio, o.dropout);
      block.keepWeights = true;
      this.blocks.push(block);
    }
    this.norm = this.module('norm', new LayerNorm(o.dim, 1e-5));
  }

  fit(rows: Float32Array[]) {
    return this.tokenizer.fit(rows);
  }

  encode(values: Tensor, missing: Tensor): TableEncoding {
    return clsTransformer(this, this.tokenizer.forward(values, missing).tokens);
  }

  forward(values: Tensor, missing: Tensor): Tensor {
    return this.encode(values, missing).embedding;
  }
}
