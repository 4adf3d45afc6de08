/**
 * ICU mortality networks over the packed hourly grid (src/data/icu/icu-grid.ts): `icu_rnn` (GRU/LSTM with
 * attention over variables and hours) and `icu_transformer` (transformer encoder over observations). Both
 * use the series only; `fusion` adds the static descriptors. forwardWithAttention returns
 * 'hours_variables' [N, H, V] (sums to 1 per patient) and 'hours' [N, H].
 */
import type { Tensor } from '../../tensor/index.js';
import { Linear } from '../../nn/index.js';
import { AttentionModel, type AttentionResult } from '../attention-model.js';
import { splitIcuGrid } from './icu-grid-input.js';
import { IcuRnnEncoder, type IcuRnnEncoderConfig, type SeriesEncoding } from './icu-rnn-encoder.js';
import { ObservationTransformerEncoder, type ObservationTransformerConfig } from './observation-transformer-encoder.js';

export interface IcuRnnConfig extends IcuRnnEncoderConfig {
  numStatics: number;
  numClasses: number;
}

export const icuRnnDefaults: IcuRnnConfig = {
  numVariables: 37,
  numStatics: 8,
  numClasses: 2,
  cell: 'gru',
  variableDim: 16,
  variableHeads: 4,
  hidden: 64,
  dropout: 0.2,
};

export interface IcuTransformerConfig extends ObservationTransformerConfig {
  numStatics: number;
  numClasses: number;
}

export const icuTransformerDefaults: IcuTransformerConfig = {
  numVariables: 37,
  numStatics: 8,
  numClasses: 2,
  dim: 64,
  depth: 2,
  heads: 4,
  dropout: 0.1,
  maxTokens: 512,
};

abstract class IcuSeriesModel<C extends { numStatics: number; numClasses: number }> extends AttentionModel<C> {
  abstract readonly head: Linear;
  protected abstract encode(x: Tensor): SeriesEncoding;
  forward(x: Tensor): Tensor {
    return this.head.forward(this.encode(x).embedding);
  }
  override forwardWithAttention(x: Tensor): AttentionResult {
    const e = this.encode(x);
    return {
      output: this.head.forward(e.embedding),
      attention: new Map([
        ['hours_variables', e.hoursVariables],
        ['hours', e.hours],
      ]),
    };
  }
}

export class IcuRnn extends IcuSeriesModel<IcuRnnConfig> {
  readonly modelName = 'icu_rnn';
  readonly encoder: IcuRnnEncoder;
  readonly head: Linear;
  constructor(readonly config: IcuRnnConfig) {
    super();
    this.encoder = this.module('encoder', new IcuRnnEncoder(config));
    this.head = this.module('head', new Linear(this.encoder.dim, config.numClasses));
  }
  protected encode(x: Tensor): SeriesEncoding {
    const g = splitIcuGrid(x, this.config.numStatics);
    return this.encoder.forward(g.values, g.mask, g.delta);
  }
}

export class IcuTransformer extends IcuSeriesModel<IcuTransformerConfig> {
  readonly modelName = 'icu_transformer';
  readonly encoder: ObservationTransformerEncoder;
  readonly head: Linear;
  constructor(readonly config: IcuTransformerConfig) {
    super();
    this.encoder = this.module('encoder', new ObservationTransformerEncoder(config));
    this.head = this.module('head', new Linear(config.dim, config.numClasses));
  }
  protected encode(x: Tensor): SeriesEncoding {
    const g = splitIcuGrid(x, this.config.numStatics);
    return this.encoder.forward(g.values, g.mask);
  }
}
