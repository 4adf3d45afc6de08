/**
 * Attention over variables within each hour: every variable's (value, observed, time since observed) gets
 * its own linear embedding plus a learned variable embedding, and K heads each pool the V embeddings of an
 * hour with a softmax over variables. Returns the pooled hour vectors [N, H, K * E] and the weights
 * [N, H, V] (mean over heads): which variables the model read in each hour.
 */
import { einsum, empty, stack, type Tensor } from '../../tensor/index.js';
import { Linear, Module, init } from '../../nn/index.js';

export class VariableAttention extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly score: Linear;
  constructor(
    readonly numVariables: number,
    readonly embedDim: number,
    readonly heads: number,
  ) {
    super();
    // [V, 3, E]: per-variable projections of (value, mask, delta), plus a per-variable bias (its identity).
    this.weight = this.param('weight', empty([numVariables, 3, embedDim]));
    this.bias = this.param('bias', empty([numVariables, embedDim]));
    init.uniform_(this.weight, -1 / Math.sqrt(3), 1 / Math.sqrt(3));
    init.uniform_(this.bias, -1 / Math.sqrt(3), 1 / Math.sqrt(3));
    this.score = this.module('score', new Linear(embedDim, heads));
  }

  forward(values: Tensor, mask: Tensor, delta: Tensor): { pooled: Tensor; weights: Tensor } {
    const [n, h] = values.shape;
    const stacked = stack([values, mask, delta], -1); // [N, H, V, 3]
    const e = einsum('nhvc,vce->nhve', stacked, this.weight).add(this.bias).gelu(); // [N, H, V, E]
    const a = this.score.forward(e).softmax(2); // [N, H, V, K], softmax over variables
    const pooled = einsum('nhvk,nhve->nhke', a, e).reshape([n, h, this.heads * this.embedDim]);
    return { pooled, weights: a.mean(3) };
  }
}
