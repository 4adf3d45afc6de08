/**
 * Recurrent encoder of the hourly ICU grid: attention over variables in each hour (variable-attention.ts),
 * a GRU or LSTM over the hours (libtorch's fused kernels), then additive attention over the hours. The
 * embedding is [context, last state]. Each hour's GRU input is the variable-attention pooling plus a linear
 * map of the hour's raw (values, masks, deltas), GRU-D's input: the direct path made training converge in
 * fewer epochs, which is what a shared 2-core machine affords; the attention map describes the pooled path. Its attention over hours x variables is beta_t * alpha_{t,v}: the
 * share of the prediction's input each cell got (rows sum to beta_t, the whole map to 1).
 */
import { cat, F, type Tensor } from '../../tensor/index.js';
import { GRU, Linear, LSTM, Module } from '../../nn/index.js';
import { VariableAttention } from './variable-attention.js';
import { TemporalAttention } from './temporal-attention.js';

export interface IcuRnnEncoderConfig {
  numVariables: number;
  cell: 'gru' | 'lstm';
  /** Embedding size per variable and head of the variable attention. */
  variableDim: number;
  variableHeads: number;
  hidden: number;
  dropout: number;
}

export interface SeriesEncoding {
  /** [N, D] */
  embedding: Tensor;
  /** [N, H, V]: attention over hours x variables (sums to 1 per patient). */
  hoursVariables: Tensor;
  /** [N, H] attention over hours. */
  hours: Tensor;
}

export class IcuRnnEncoder extends Module {
  readonly variables: VariableAttention;
  readonly direct: Linear;
  readonly rnn: GRU | LSTM;
  readonly attention: TemporalAttention;
  readonly dim: number;
  constructor(readonly config: IcuRnnEncoderConfig) {
    super();
    const { numVariables, variableDim, variableHeads, hidden, cell } = config;
    this.variables = this.module('variables', new VariableAttention(numVariables, variableDim, variableHeads));
    const input = variableDim * variableHeads;
    this.direct = this.module('direct', new Linear(3 * numVariables, input));
    this.rnn = this.module(
      'rnn',
      cell === 'lstm' ? new LSTM(input, hidden, { batchFirst: true }) : new GRU(input, hidden, { batchFirst: true }),
    );
    this.attention = this.module('attention', new TemporalAttention(hidden, hidden));
    this.dim = 2 * hidden;
  }

  forward(values: Tensor, mask: Tensor, delta: Tensor): SeriesEncoding {
    const { pooled, weights: alpha } = this.variables.forward(values, mask, delta);
    const hourInput = pooled.add(this.direct.forward(cat([values, mask, delta], 2)));
    const { output } = this.rnn.forward(F.dropout(hourInput, this.config.dropout, this.training));
    const { context, weights: beta } = this.attention.forward(output);
    const last = output.select(1, output.size(1) - 1);
    return {
      embedding: F.dropout(cat([context, last], 1), this.config.dropout, this.training),
      hoursVariables: alpha.mul(beta.unsqueeze(2)),
      hours: beta,
    };
  }
}
