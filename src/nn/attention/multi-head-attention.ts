/**
 * Multi-head attention (Vaswani et al. 2017) with exactly the parameterisation of torch.nn.MultiheadAttention:
 * a packed input projection `in_proj_weight` [3E, E] + `in_proj_bias` [3E] and an output projection
 * `out_proj.weight/bias`; xavier_uniform_ on the input projection and zero biases. State dicts load across
 * and outputs match PyTorch. Self-attention (query = key = value) and cross-attention (different key/value
 * sources, same embedding size) with a key padding mask and an attention mask, using PyTorch's conventions:
 * a boolean mask is true where attention is NOT allowed; a float mask is added to the scores.
 * Built from matmul and softmax only, so it exports to ONNX opset 17.
 */
import { empty, F, zeros, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';
import { Linear } from '../layers/linear.js';
import { xavierUniform_, zeros_ } from '../init.js';

export interface MultiHeadAttentionConfig {
  numHeads?: number;
  /** Dropout on the attention weights during training (default 0). */
  dropout?: number;
  /** Biases on the projections (default true). */
  bias?: boolean;
  /** Inputs are [N, L, E] (default true; PyTorch's default is false, [L, N, E]). */
  batchFirst?: boolean;
}

export interface MultiHeadAttentionOptions {
  /** [N, S]: true (or -inf) for keys to ignore, e.g. padding. */
  keyPaddingMask?: Tensor;
  /** [L, S] or [N * numHeads, L, S]: true (or -inf) where a query may not attend to a key. */
  attnMask?: Tensor;
  /** Also return the attention weights (default false). */
  needWeights?: boolean;
  /** Average the returned weights over heads, [N, L, S] (default true), else [N, numHeads, L, S]. */
  averageWeights?: boolean;
}

export class MultiHeadAttention extends Module {
  readonly inProjWeight: Tensor;
  readonly inProjBias?: Tensor;
  readonly outProj: Linear;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  constructor(
    readonly embedDim: number,
    config: MultiHeadAttentionConfig = {},
  ) {
    super();
    this.numHeads = config.numHeads ?? 1;
    if (embedDim % this.numHeads)
      throw new Error(`MultiHeadAttention: embedDim ${embedDim} is not divisible by numHeads ${this.numHeads}`);
    this.headDim = embedDim / this.numHeads;
    this.dropout = config.dropout ?? 0;
    this.batchFirst = config.batchFirst ?? true;
    const bias = config.bias ?? true;
    this.inProjWeight = this.param('in_proj_weight', empty([3 * embedDim, embedDim]));
    if (bias) this.inProjBias = this.param('in_proj_bias', zeros([3 * embedDim]));
    this.outProj = this.module('out_proj', new Linear(embedDim, embedDim, { bias }));
    // torch.nn.MultiheadAttention._reset_parameters: xavier_uniform_(in_proj_weight), zero biases.
    xavierUniform_(this.inProjWeight);
    if (this.outProj.bias) zeros_(this.outProj.bias);
  }

  /** Returns the attended output (same layout as `query`) and, on request, the attention weights. */
  forward(
    query: Tensor,
    key: Tensor = query,
    value: Tensor = key,
    o: MultiHeadAttentionOptions = {},
  ): { output: Tensor; weights?: Tensor } {
    if (!this.batchFirst) {
      const [q0, k0] = [query, key];
      query = query.transpose(0, 1);
      key = key === q0 ? query : key.transpose(0, 1);
      value = value === k0 ? key : value.transpose(0, 1);
    }
    const [n, l, e] = query.shape;
    const s = key.size(1);
    if (e !== this.embedDim)
      throw new Error(`MultiHeadAttention: expected embedding size ${this.embedDim}, got input [${query.shape}]`);
    let q: Tensor, k: Tensor, v: Tensor;
    if (key === query && value === query) {
      [q, k, v] = F.linear(query, this.inProjWeight, this.inProjBias).chunk(3, -1);
    } else {
      const w = this.inProjWeight.chunk(3, 0);
      const b = this.inProjBias?.chunk(3, 0);
      q = F.linear(query, w[0], b?.[0]);
      k = F.linear(key, w[1], b?.[1]);
      v = F.linear(value, w[2], b?.[2]);
    }
    const heads = (t: Tensor, len: number) => t.reshape([n, len, this.numHeads, this.headDim]).transpose(1, 2);
    const mask = this.#combinedMask(o, n, l, s);
    const { output, weights } = F.scaledDotProductAttention(heads(q, l), heads(k, s), heads(v, s), {
      mask,
      dropout: this.dropout,
      training: this.training,
      returnWeights: o.needWeights ?? false,
    });
    let out = this.outProj.forward(output.transpose(1, 2).reshape([n, l, e]));
    if (!this.batchFirst) out = out.transpose(0, 1);
    if (!weights) return { output: out };
    return { output: out, weights: (o.averageWeights ?? true) ? weights.mean(1) : weights };
  }

  /** One additive float mask [N|1, H|1, L, S] from the key padding mask and the attention mask. */
  #combinedMask(o: MultiHeadAttentionOptions, n: number, l: number, s: number): Tensor | undefined {
    const additive = (m: Tensor) => (m.dtype === 'bool' ? zeros(m.shape).maskedFill(m, -Infinity) : m);
    let mask: Tensor | undefined;
    if (o.attnMask) {
      const a = additive(o.attnMask);
      if (a.ndim === 2) mask = a.reshape([1, 1, l, s]);
      else if (a.ndim === 3) mask = a.reshape([n, this.numHeads, l, s]);
      else throw new Error(`MultiHeadAttention: attnMask must be [L, S] or [N*heads, L, S], got [${o.attnMask.shape}]`);
    }
    if (o.keyPaddingMask) {
      if (o.keyPaddingMask.shape.join(',') !== `${n},${s}`)
        throw new Error(`MultiHeadAttention: keyPaddingMask must be [${n}, ${s}], got [${o.keyPaddingMask.shape}]`);
      const p = additive(o.keyPaddingMask).reshape([n, 1, 1, s]);
      mask = mask ? mask.add(p) : p;
    }
    return mask;
  }
}
