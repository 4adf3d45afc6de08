import { aten, empty, zeros, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';
import { uniform_ } from '../init.js';

export interface RecurrentConfig {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
}

/**
 * Shared body of LSTM and GRU (torch.nn.LSTM/GRU): same parameter names, shapes, order and U(-1/sqrt(H),
 * 1/sqrt(H)) initialisation; the recurrence itself is libtorch's fused kernel.
 */
abstract class RecurrentBase extends Module {
  readonly flatWeights: Tensor[] = [];
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  constructor(
    gates: number,
    readonly inputSize: number,
    readonly hiddenSize: number,
    config: RecurrentConfig,
  ) {
    super();
    this.numLayers = config.numLayers ?? 1;
    this.bias = config.bias ?? true;
    this.batchFirst = config.batchFirst ?? false;
    this.dropout = config.dropout ?? 0;
    this.bidirectional = config.bidirectional ?? false;
    const directions = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < directions; d++) {
        const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const inSize = layer === 0 ? inputSize : hiddenSize * directions;
        this.flatWeights.push(this.param(`weight_ih${suffix}`, empty([gates * hiddenSize, inSize])));
        this.flatWeights.push(this.param(`weight_hh${suffix}`, empty([gates * hiddenSize, hiddenSize])));
        if (this.bias) {
          this.flatWeights.push(this.param(`bias_ih${suffix}`, empty([gates * hiddenSize])));
          this.flatWeights.push(this.param(`bias_hh${suffix}`, empty([gates * hiddenSize])));
        }
      }
    }
    const stdv = 1 / Math.sqrt(hiddenSize);
    for (const w of this.flatWeights) uniform_(w, -stdv, stdv);
  }

  protected initialState(x: Tensor): Tensor {
    const batch = x.size(this.batchFirst ? 0 : 1);
    return zeros([this.numLayers * (this.bidirectional ? 2 : 1), batch, this.hiddenSize], { dtype: x.dtype });
  }
}

/** Long short-term memory (Hochreiter & Schmidhuber 1997). forward returns output and final (h, c). */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, config: RecurrentConfig = {}) {
    super(4, inputSize, hiddenSize, config);
  }
  forward(x: Tensor, state?: { h: Tensor; c: Tensor }): { output: Tensor; h: Tensor; c: Tensor } {
    const h0 = state?.h ?? this.initialState(x);
    const c0 = state?.c ?? this.initialState(x);
    const [output, h, c] = aten(
      'lstm.input',
      x,
      [h0, c0],
      this.flatWeights,
      this.bias,
      this.numLayers,
      this.dropout,
      this.training,
      this.bidirectional,
      this.batchFirst,
    ) as Tensor[];
    if (!state) {
      h0.dispose();
      c0.dispose();
    }
    return { output, h, c };
  }
}

/** Gated recurrent unit (Cho et al. 2014). forward returns output and final h. */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, config: RecurrentConfig = {}) {
    super(3, inputSize, hiddenSize, config);
  }
  forward(x: Tensor, h0?: Tensor): { output: Tensor; h: Tensor } {
    const initial = h0 ?? this.initialState(x);
    const [output, h] = aten(
      'gru.input',
      x,
      initial,
      this.flatWeights,
      this.bias,
      this.numLayers,
      this.dropout,
      this.training,
      this.bidirectional,
      this.batchFirst,
    ) as Tensor[];
    if (!h0) initial.dispose();
    return { output, h };
  }
}
