/**
 * Fusion by cross-attention over modality embeddings: a query (learned, plus the mean of the patient's
 * present embeddings) attends over one token per modality (its embedding + a modality-type embedding) and a
 * learned "none" token. A modality missing for a patient is masked out of the keys, so its weight is 0 and
 * the others share the attention; the "none" token keeps the softmax defined when all are missing. The
 * attention is the per-patient modality weight (mean over heads).
 */
import { cat, empty, type Tensor } from '../../tensor/index.js';
import { LayerNorm, Module, MultiHeadAttention, init } from '../../nn/index.js';

export interface FusionOutput {
  /** [N, D] */
  fused: Tensor;
  /** [N, M]: attention on each modality (the rest went to "none"). */
  modalityWeights: Tensor;
}

export class CrossAttentionFusion extends Module {
  readonly modalityEmbedding: Tensor;
  readonly noneToken: Tensor;
  readonly query: Tensor;
  readonly attn: MultiHeadAttention;
  readonly norm: LayerNorm;
  constructor(
    readonly numModalities: number,
    readonly dim: number,
    heads: number,
  ) {
    super();
    this.modalityEmbedding = this.param('modality_embedding', empty([numModalities, dim]));
    this.noneToken = this.param('none_token', empty([1, 1, dim]));
    this.query = this.param('query', empty([1, 1, dim]));
    for (const p of [this.modalityEmbedding, this.noneToken, this.query]) init.normal_(p, 0, 0.02);
    this.attn = this.module('attn', new MultiHeadAttention(dim, { numHeads: heads }));
    this.norm = this.module('norm', new LayerNorm(dim));
  }

  /** embeddings: M tensors [N, D]; present [N, M] float 1 = the patient has that modality. */
  forward(embeddings: Tensor[], present: Tensor): FusionOutput {
    const n = present.size(0);
    const tokens = this.norm.forward(
      cat(
        embeddings.map((e) => e.unsqueeze(1)),
        1,
      ).add(this.modalityEmbedding),
    );
    const keys = cat([this.noneToken.expand([n, 1, this.dim]), tokens], 1); // [N, 1 + M, D]
    const p = present.unsqueeze(-1);
    const meanPresent = tokens.mul(p).sum(1).div(p.sum(1).clamp(1));
    const query = this.query.expand([n, 1, this.dim]).add(meanPresent.unsqueeze(1));
    const padding = cat([present.narrow(1, 0, 1).mul(0), present.rsub(1)], 1).gt(0.5); // "none" always visible
    const { output, weights } = this.attn.forward(query, keys, keys, { keyPaddingMask: padding, needWeights: true });
    return {
      fused: output.squeeze(1).add(meanPresent),
      modalityWeights: weights!.squeeze(1).narrow(1, 1, this.numModalities),
    };
  }
}
