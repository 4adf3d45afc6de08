/**
 * Transformer encoder over observations (in the spirit of SeFT, Horn et al. 2020, and STraTS, Tipirneni &
 * Reddy 2022): each observed (hour, variable) cell of the grid is one token = variable embedding + value
 * projection + a continuous sinusoidal embedding of its hour; unobserved cells are not tokens at all. A [CLS]
 * token attends over them through pre-norm blocks with a key padding mask. The [CLS] token's attention in the
 * last block, put back on the grid, is the attention over hours x variables.
 * At most `maxTokens` cells per patient are kept (the latest ones; set A's 99th percentile is 516).
 */
import { arange, cat, zeros, type Tensor } from '../../tensor/index.js';
import { Embedding, LayerNorm, Linear, Module, ModuleList, PreNormEncoderBlock, init } from '../../nn/index.js';
import type { SeriesEncoding } from './icu-rnn-encoder.js';

export interface ObservationTransformerConfig {
  numVariables: number;
  dim: number;
  depth: number;
  heads: number;
  dropout: number;
  maxTokens: number;
}

export class ObservationTransformerEncoder extends Module {
  readonly variableEmbedding: Embedding;
  readonly valueProj: Linear;
  readonly timeProj: Linear;
  readonly clsToken: Tensor;
  readonly blocks: ModuleList<PreNormEncoderBlock>;
  readonly norm: LayerNorm;
  readonly dim: number;
  constructor(readonly config: ObservationTransformerConfig) {
    super();
    const { numVariables, dim, depth, heads, dropout } = config;
    this.variableEmbedding = this.module('variable_embedding', new Embedding(numVariables, dim));
    this.valueProj = this.module('value_proj', new Linear(1, dim));
    this.timeProj = this.module('time_proj', new Linear(16, dim));
    this.clsToken = this.param('cls_token', zeros([1, 1, dim]));
    init.normal_(this.clsToken, 0, 0.02);
    this.blocks = this.module(
      'blocks',
      new ModuleList(
        Array.from({ length: depth }, () => new PreNormEncoderBlock(dim, { numHeads: heads, mlpRatio: 2, dropout })),
      ),
    );
    this.norm = this.module('norm', new LayerNorm(dim));
    this.dim = dim;
  }

  /** `delta` is unused: a token carries its own time. */
  forward(values: Tensor, mask: Tensor, _delta?: Tensor): SeriesEncoding {
    const [n, h, v] = values.shape;
    // The L cells to keep: observed first, later hours before earlier ones among them (a stable order).
    const flatMask = mask.reshape([n, h * v]);
    const observed = flatMask.sum(1).max().item();
    const l = Math.max(1, Math.min(this.config.maxTokens, Math.round(observed)));
    const position = arange(0, h * v).div(h * v); // in [0, 1): ties broken towards later cells
    const { indices } = flatMask.mul(2).add(position).topk(l, 1);
    const tokenMask = flatMask.gather(1, indices); // [N, L] 1 = a real observation
    const value = values.reshape([n, h * v]).gather(1, indices);
    const variable = indices.remainder(v);
    const hour = indices.sub(variable).div(v).float(); // [N, L] hour index
    const x = this.variableEmbedding
      .forward(variable)
      .add(this.valueProj.forward(value.unsqueeze(-1)))
      .add(this.timeProj.forward(timeFeatures(hour, h)));
    const tokens = cat([this.clsToken.expand([n, 1, this.dim]), x], 1);
    const padding = cat([zeros([n, 1], { dtype: 'bool' }), tokenMask.eq(0)], 1);
    let y = tokens;
    let weights: Tensor | undefined;
    const blocks = this.blocks.items;
    blocks.forEach((block, i) => {
      const out = block.forward(y, padding, i === blocks.length - 1);
      y = out.y;
      weights = out.weights;
    });
    const embedding = this.norm.forward(y.select(1, 0));
    // The [CLS] row of the last block's weights over the real tokens (renormalised without [CLS]'s weight on
    // itself), scattered back onto the grid.
    const toTokens = weights!.select(1, 0).narrow(1, 1, l).mul(tokenMask); // [N, L]
    const cls = toTokens.div(toTokens.sum(1, true).clamp(1e-12));
    const grid = zeros([n, h * v])
      .scatterAdd(1, indices, cls)
      .reshape([n, h, v]);
    return { embedding, hoursVariables: grid, hours: grid.sum(2) };
  }
}

/** sin/cos of the hour at 8 frequencies (periods from 1 to 2 x the window), as a continuous-time embedding. */
function timeFeatures(hour: Tensor, hours: number): Tensor {
  const periods = arange(0, 8)
    .mul(Math.log(2 * hours) / 7)
    .exp(); // 1 .. 2H hours
  const angle = hour
    .unsqueeze(-1)
    .div(periods)
    .mul(2 * Math.PI);
  return cat([angle.sin(), angle.cos()], -1);
}
