/**
 * A lighter attention-over-features encoder: the same feature tokens as FT-Transformer, each refined by a shared
 * residual MLP, then pooled by additive attention (Bahdanau-style scores v·tanh(W h_j), softmax over features).
 * The softmax weights are the per-patient feature weights: the embedding is exactly their weighted sum of the
 * feature tokens, so they say how much of each feature the prediction saw. No token attends to another, which
 * makes it several times cheaper than self-attention and its weights a direct explanation.
 */
import type { Tensor } from '../../tensor/index.js';
import { F } from '../../tensor/index.js';
import { LayerNorm, Linear, Module } from '../../nn/index.js';
import type { TableColumn } from '../../data/datasets/table-schema.js';
import { FeatureTokenizer } from './feature-tokenizer.js';
import type { TableEncoder, TableEncoding } from './table-encoder.js';

export interface FeatureAttentionOptions {
  dim: number;
  dropout: number;
  mlpRatio: number;
}

export class FeatureAttentionEncoder extends Module implements TableEncoder {
  readonly outDim: number;
  readonly tokenizer: FeatureTokenizer;
  readonly norm1: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly score: Linear;
  readonly scoreOut: Linear;
  readonly norm: LayerNorm;

  constructor(
    columns: TableColumn[],
    readonly o: FeatureAttentionOptions,
  ) {
    super();
    this.outDim = o.dim;
    this.tokenizer = this.module('tokenizer', new FeatureTokenizer(columns, o.dim));
    const hidden = Math.round(o.dim * o.mlpRatio);
    this.norm1 = this.module('norm1', new LayerNorm(o.dim, 1e-5));
    this.fc1 = this.module('fc1', new Linear(o.dim, hidden));
    this.fc2 = this.module('fc2', new Linear(hidden, o.dim));
    this.score = this.module('score', new Linear(o.dim, o.dim));
    this.scoreOut = this.module('score_out', new Linear(o.dim, 1, { bias: false }));
    this.norm = this.module('norm', new LayerNorm(o.dim, 1e-5));
  }

  fit(rows: Float32Array[]) {
    return this.tokenizer.fit(rows);
  }

  encode(values: Tensor, missing: Tensor): TableEncoding {
    const { tokens } = this.tokenizer.forward(values, missing);
    const mlp = this.fc2.forward(
      F.dropout(this.fc1.forward(this.norm1.forward(tokens)).gelu(), this.o.dropout, this.training),
    );
    const h = tokens.add(F.dropout(mlp, this.o.dropout, this.training)); // [N, F, D]
    const scores = this.scoreOut.forward(this.score.forward(h).tanh()).squeeze(-1); // [N, F]
    const featureWeights = scores.softmax(1);
    const pooled = featureWeights.unsqueeze(-1).mul(h).sum(1);
    return { embedding: this.norm.forward(pooled), featureWeights };
  }

  forward(values: Tensor, missing: Tensor): Tensor {
    return this.encode(values, missing).embedding;
  }
}
