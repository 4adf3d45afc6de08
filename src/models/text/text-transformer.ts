/**
 * A small transformer encoder for notes: token + learned position embeddings, pre-norm encoder blocks with
 * a key padding mask, additive attention pooling, linear classifier. forwardWithAttention returns the
 * pooling weights ('tokens') and attention rollout (Abnar & Zuidema 2020: per block 0.5 A + 0.5 I, rows
 * renormalised, multiplied through the blocks, then read out with the pooling weights; 'rollout', [N, L]).
 * Notes longer than maxLen tokens are cut by the tokenizer (head + tail) before they reach the model.
 */
import { arange, eye, F, empty, rand, type Tensor } from '../../tensor/index.js';
import { Embedding, LayerNorm, Linear, PreNormEncoderBlock } from '../../nn/index.js';
import { normal_ } from '../../nn/init.js';
import type { AttentionResult } from '../attention-model.js';
import { AdditiveAttention } from './additive-attention.js';
import { TextModel, type TextModelConfig } from './text-model.js';

export interface TextTransformerConfig extends TextModelConfig {
  dim: number;
  depth: number;
  numHeads: number;
  /** Longest input in tokens (size of the position table). */
  maxLen: number;
  dropout: number;
  /**
   * Word dropout: in training, each token is left out (masked from attention and pooling) with this
   * probability, so the classifier cannot lean on a few keywords (default 0; no effect in eval or export).
   */
  tokenDropout: number;
}

export const textTransformerDefaults: TextTransformerConfig = {
  vocabSize: 8000,
  numClasses: 2,
  dim: 128,
  depth: 2,
  numHeads: 4,
  maxLen: 512,
  dropout: 0.1,
  tokenDropout: 0,
};

export class TextTransformer extends TextModel<TextTransformerConfig> {
  readonly modelName = 'text_transformer';
  readonly config: TextTransformerConfig;
  readonly embedding: Embedding;
  readonly position: Tensor;
  readonly blocks: PreNormEncoderBlock[];
  readonly norm: LayerNorm;
  readonly pool: AdditiveAttention;
  readonly head: Linear;
  constructor(config: Partial<TextTransformerConfig> = {}) {
    super();
    this.config = { ...textTransformerDefaults, ...config };
    const c = this.config;
    if (c.dim % c.numHeads)
      throw new RangeError(`text_transformer: dim ${c.dim} not divisible by numHeads ${c.numHeads}`);
    this.embedding = this.module('embedding', new Embedding(c.vocabSize, c.dim, 0));
    normal_(this.embedding.weight, 0, 0.02);
    this.position = this.param('position', empty([c.maxLen, c.dim]));
    normal_(this.position, 0, 0.02);
    this.blocks = Array.from({ length: c.depth }, (_, i) =>
      this.module(
        `blocks.${i}`,
        new PreNormEncoderBlock(c.dim, {
          numHeads: c.numHeads,
          mlpRatio: 4,
          dropout: c.dropout,
          attentionDropout: c.dropout,
        }),
      ),
    );
    this.norm = this.module('norm', new LayerNorm(c.dim));
    this.pool = this.module('pool', new AdditiveAttention(c.dim, c.dim));
    this.head = this.module('head', new Linear(c.dim, c.numClasses));
  }

  #run(ids: Tensor, rollout: boolean): AttentionResult {
    const l = ids.size(1);
    if (l > this.config.maxLen)
      throw new RangeError(`text_transformer: ${l} tokens, more than maxLen ${this.config.maxLen}`);
    let padding = ids.eq(0);
    if (this.training && this.config.tokenDropout > 0) {
      // Drop tokens, but never every token of a note (its first stays).
      const drop = rand(ids.shape).lt(this.config.tokenDropout).logicalAnd(arange(0, l).gt(0));
      padding = padding.logicalOr(drop);
    }
    let x = this.embedding.forward(ids).add(this.position.narrow(0, 0, l));
    x = F.dropout(x, this.config.dropout, this.training);
    let r: Tensor | undefined;
    for (const block of this.blocks) {
      const { y, weights } = block.forward(x, padding, rollout);
      x = y;
      if (weights) {
        const a = weights.detach().add(eye(l)).mul(0.5);
        const norm = a.div(a.sum(-1, true));
        r = r ? norm.bmm(r) : norm;
      }
    }
    const { context, weights } = this.pool.forward(this.norm.forward(x), padding);
    const output = this.head.forward(F.dropout(context, this.config.dropout, this.training));
    const attention = new Map([['tokens', weights]]);
    if (r) attention.set('rollout', weights.detach().unsqueeze(1).bmm(r).squeeze(1).maskedFill(padding, 0));
    return { output, attention };
  }

  forwardWithAttention(ids: Tensor): AttentionResult {
    return this.#run(ids, true);
  }

  forward(ids: Tensor): Tensor {
    return this.#run(ids, false).output;
  }
}
