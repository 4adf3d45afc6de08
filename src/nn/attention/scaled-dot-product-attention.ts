/**
 * Scaled dot-product attention as a module, softmax(Q K^T / sqrt(d_k)) V, for q [..., Lq, d], k [..., Lk, d],
 * v [..., Lk, dv]. The mask follows F.scaledDotProductAttention: boolean true = may attend, or an additive
 * float mask. Returns the attention weights (each row sums to 1) when asked.
 */
import { F, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

export class ScaledDotProductAttention extends Module {
  constructor(readonly dropout = 0) {
    super();
  }
  forward(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    o: { mask?: Tensor; returnWeights?: boolean } = {},
  ): { output: Tensor; weights?: Tensor } {
    return F.scaledDotProductAttention(q, k, v, { ...o, dropout: this.dropout, training: this.training });
  }
}
