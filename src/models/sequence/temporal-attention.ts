/** Additive attention over time steps (Bahdanau et al. 2015): beta_t = softmax_t(v . tanh(W h_t)), context = sum beta_t h_t. */
import type { Tensor } from '../../tensor/index.js';
import { Linear, Module } from '../../nn/index.js';

export class TemporalAttention extends Module {
  readonly proj: Linear;
  readonly score: Linear;
  constructor(hidden: number, attnDim: number) {
    super();
    this.proj = this.module('proj', new Linear(hidden, attnDim));
    this.score = this.module('score', new Linear(attnDim, 1, { bias: false }));
  }
  /** states [N, T, D] -> context [N, D] and weights [N, T]. */
  forward(states: Tensor): { context: Tensor; weights: Tensor } {
    const weights = this.score.forward(this.proj.forward(states).tanh()).squeeze(-1).softmax(1);
    return { context: weights.unsqueeze(1).bmm(states).squeeze(1), weights };
  }
}
