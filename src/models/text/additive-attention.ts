/**
 * Additive (Bahdanau) attention pooling over a padded sequence: score_t = v . tanh(W h_t + b), softmax over
 * the non-padding positions, context = sum_t alpha_t h_t. Returns the context and the weights alpha [N, L],
 * which are the per-token attention the text models report.
 */
import { empty, type Tensor } from '../../tensor/index.js';
import { Linear, Module } from '../../nn/index.js';
import { uniform_ } from '../../nn/init.js';

export class AdditiveAttention extends Module {
  readonly proj: Linear;
  readonly v: Tensor;
  constructor(inputSize: number, attentionSize: number) {
    super();
    this.proj = this.module('proj', new Linear(inputSize, attentionSize));
    this.v = this.param('v', empty([attentionSize]));
    const bound = 1 / Math.sqrt(attentionSize);
    uniform_(this.v, -bound, bound);
  }
  /** h [N, L, H], padding [N, L] bool (true at padding) -> context [N, H], weights [N, L]. */
  forward(h: Tensor, padding: Tensor): { context: Tensor; weights: Tensor } {
    const scores = this.proj.forward(h).tanh().matmul(this.v); // [N, L]
    const weights = scores.maskedFill(padding, -Infinity).softmax(-1);
    const context = weights.unsqueeze(1).bmm(h).squeeze(1);
    return { context, weights };
  }
}
