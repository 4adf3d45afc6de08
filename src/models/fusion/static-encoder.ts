/**
 * Encoder of static descriptors (a patient's row of a table): [N, F] values + [N, F] missing mask -> [N, D]
 * and per-feature weights [N, F]. Each feature is a token (feature embedding + value x a learned direction,
 * or a learned "missing" vector when the value is absent, as FT-Transformer's numerical tokens); a learned
 * query attends over the tokens. This is the interface a tabular feature-attention model plugs into a fusion
 * model with: anything with `dim` and `forward(values, missing) -> { embedding, weights }`.
 */
import { empty, type Tensor } from '../../tensor/index.js';
import { LayerNorm, Linear, Module, MultiHeadAttention, init } from '../../nn/index.js';

export interface TableEncoding {
  embedding: Tensor;
  /** [N, F] attention over features (sums to 1 per patient). */
  weights: Tensor;
}

/** What fusion needs from a table encoder. */
export interface TableEncoder extends Module {
  readonly dim: number;
  forward(values: Tensor, missing: Tensor): TableEncoding;
}

export interface StaticEncoderConfig {
  numFeatures: number;
  dim: number;
  heads: number;
}

export class StaticEncoder extends Module implements TableEncoder {
  readonly featureEmbedding: Tensor;
  readonly valueDirection: Tensor;
  readonly missingEmbedding: Tensor;
  readonly query: Tensor;
  readonly attn: MultiHeadAttention;
  readonly norm: LayerNorm;
  readonly out: Linear;
  readonly dim: number;
  constructor(readonly config: StaticEncoderConfig) {
    super();
    const { numFeatures: f, dim, heads } = config;
    this.featureEmbedding = this.param('feature_embedding', empty([f, dim]));
    this.valueDirection = this.param('value_direction', empty([f, dim]));
    this.missingEmbedding = this.param('missing_embedding', empty([f, dim]));
    this.query = this.param('query', empty([1, 1, dim]));
    for (const p of [this.featureEmbedding, this.valueDirection, this.missingEmbedding, this.query])
      init.normal_(p, 0, 1 / Math.sqrt(dim));
    this.attn = this.module('attn', new MultiHeadAttention(dim, { numHeads: heads }));
    this.norm = this.module('norm', new LayerNorm(dim));
    this.out = this.module('out', new Linear(dim, dim));
    this.dim = dim;
  }

  /** values [N, F] (anything where missing), missing [N, F] 1 = missing. */
  forward(values: Tensor, missing: Tensor): TableEncoding {
    const n = values.size(0);
    const present = missing.rsub(1).unsqueeze(-1); // [N, F, 1]
    const observedValues = values.mul(present.squeeze(-1)).unsqueeze(-1); // a missing value contributes nothing
    const tokens = this.norm.forward(
      observedValues
        .mul(this.valueDirection)
        .add(this.missingEmbedding.mul(present.rsub(1)))
        .add(this.featureEmbedding),
    );
    const { output, weights } = this.attn.forward(this.query.expand([n, 1, this.dim]), tokens, tokens, {
      needWeights: true,
    });
    return { embedding: this.out.forward(output.squeeze(1)).gelu(), weights: weights!.squeeze(1) };
  }
}
