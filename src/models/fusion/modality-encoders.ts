/**
 * The encoders a fusion model can join, by name. Each reads one named input and returns an embedding, which
 * patients have that modality, and the attention it paid inside:
 *   icu_series_rnn, icu_series_transformer  the packed ICU grid -> series encoders (src/models/sequence)
 *   icu_static                               the packed ICU grid's static row -> StaticEncoder
 *   icu_summary                              the packed ICU grid -> per-variable summaries -> IcuSummaryEncoder
 *   table                                    [N, 2, F] (values, missing 1/0) -> StaticEncoder
 *   image                                    [N, C, H, W] -> a small conv encoder with global pooling
 */
import type { Tensor } from '../../tensor/index.js';
import { BatchNorm2d, Conv2d, Module } from '../../nn/index.js';
import { splitIcuGrid } from '../sequence/icu-grid-input.js';
import { IcuRnnEncoder } from '../sequence/icu-rnn-encoder.js';
import { ObservationTransformerEncoder } from '../sequence/observation-transformer-encoder.js';
import { icuRnnDefaults, icuTransformerDefaults } from '../sequence/icu-models.js';
import { StaticEncoder } from './static-encoder.js';
import { ModelConfigError } from '../model-error.js';
import { IcuSummaryEncoder, icuSummaryDefaults } from './icu-summary-encoder.js';

export type ModalityEncoderName =
  'icu_series_rnn' | 'icu_series_transformer' | 'icu_static' | 'icu_summary' | 'table' | 'image';
export const modalityEncoderNames: ModalityEncoderName[] = [
  'icu_series_rnn',
  'icu_series_transformer',
  'icu_static',
  'icu_summary',
  'table',
  'image',
];

export interface ModalityEncoding {
  embedding: Tensor;
  /** [N] float 1 = the patient has this modality. */
  present: Tensor;
  attention: Map<string, Tensor>;
}

export abstract class ModalityEncoder extends Module {
  abstract readonly dim: number;
  abstract override forward(input: Tensor): ModalityEncoding;
}

class IcuSeriesEncoder extends ModalityEncoder {
  readonly encoder: IcuRnnEncoder | ObservationTransformerEncoder;
  readonly dim: number;
  constructor(
    kind: 'rnn' | 'transformer',
    readonly numStatics: number,
    config: Record<string, unknown>,
  ) {
    super();
    this.encoder =
      kind === 'rnn'
        ? this.module('encoder', new IcuRnnEncoder({ ...icuRnnDefaults, ...config }))
        : this.module('encoder', new ObservationTransformerEncoder({ ...icuTransformerDefaults, ...config }));
    this.dim = this.encoder.dim;
  }
  forward(x: Tensor): ModalityEncoding {
    const g = splitIcuGrid(x, this.numStatics);
    const e = this.encoder.forward(g.values, g.mask, g.delta);
    return {
      embedding: e.embedding,
      present: g.mask.sum([1, 2]).gt(0).float(),
      attention: new Map([
        ['hours_variables', e.hoursVariables],
        ['hours', e.hours],
      ]),
    };
  }
}

/** Summaries of each series variable as tokens; attention 'variables' [N, V] (sums to 1 per patient). */
class IcuSummaryInputEncoder extends ModalityEncoder {
  readonly encoder: IcuSummaryEncoder;
  readonly dim: number;
  constructor(
    readonly numStatics: number,
    config: Record<string, unknown>,
  ) {
    super();
    this.encoder = this.module(
      'encoder',
      new IcuSummaryEncoder({ numVariables: icuRnnDefaults.numVariables, ...icuSummaryDefaults, ...config }),
    );
    this.dim = this.encoder.dim;
  }
  forward(x: Tensor): ModalityEncoding {
    const g = splitIcuGrid(x, this.numStatics);
    const e = this.encoder.forward(g.values, g.mask, g.delta);
    return {
      embedding: e.embedding,
      present: g.mask.sum([1, 2]).gt(0).float(),
      attention: new Map([['variables', e.weights]]),
    };
  }
}

class TableInputEncoder extends ModalityEncoder {
  readonly encoder: StaticEncoder;
  readonly dim: number;
  constructor(
    readonly fromIcuGrid: boolean,
    config: { numFeatures: number; dim: number; heads: number },
  ) {
    super();
    this.encoder = this.module('encoder', new StaticEncoder(config));
    this.dim = config.dim;
  }
  forward(x: Tensor): ModalityEncoding {
    let values: Tensor, missing: Tensor;
    if (this.fromIcuGrid) {
      const g = splitIcuGrid(x, this.encoder.config.numFeatures);
      values = g.statics;
      missing = g.staticMask.rsub(1);
    } else {
      if (x.ndim !== 3 || x.size(1) !== 2)
        throw new Error(`table encoder: expected [N, 2, F] (values, missing), got [${x.shape}]`);
      values = x.select(1, 0);
      missing = x.select(1, 1);
    }
    const e = this.encoder.forward(values, missing);
    return {
      embedding: e.embedding,
      present: missing.rsub(1).sum(1).gt(0).float(),
      attention: new Map([['features', e.weights]]),
    };
  }
}

class ImageEncoder extends ModalityEncoder {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly dim: number;
  constructor(config: { inChannels: number; dim: number }) {
    super();
    const c = config.dim;
    this.conv1 = this.module('conv1', new Conv2d(config.inChannels, c / 2, 3, { stride: 2, padding: 1, bias: false }));
    this.bn1 = this.module('bn1', new BatchNorm2d(c / 2));
    this.conv2 = this.module('conv2', new Conv2d(c / 2, c, 3, { stride: 2, padding: 1, bias: false }));
    this.bn2 = this.module('bn2', new BatchNorm2d(c));
    this.dim = c;
  }
  forward(x: Tensor): ModalityEncoding {
    const h = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu())).relu();
    const embedding = h.mean([2, 3]);
    return { embedding, present: embedding.select(1, 0).mul(0).add(1), attention: new Map() };
  }
}

/** An encoder by name; `config` is that encoder's options (sizes). */
export function createModalityEncoder(
  name: ModalityEncoderName,
  config: Record<string, unknown>,
  numStatics: number,
): ModalityEncoder {
  const num = (key: string, fallback: number) => (typeof config[key] === 'number' ? (config[key] as number) : fallback);
  switch (name) {
    case 'icu_series_rnn':
      return new IcuSeriesEncoder('rnn', numStatics, config);
    case 'icu_series_transformer':
      return new IcuSeriesEncoder('transformer', numStatics, config);
    case 'icu_static':
      return new TableInputEncoder(true, { numFeatures: numStatics, dim: num('dim', 32), heads: num('heads', 2) });
    case 'icu_summary':
      return new IcuSummaryInputEncoder(numStatics, config);
    case 'table':
      return new TableInputEncoder(false, {
        numFeatures: num('numFeatures', 1),
        dim: num('dim', 32),
        heads: num('heads', 2),
      });
    case 'image':
      return new ImageEncoder({ inChannels: num('inChannels', 1), dim: num('dim', 32) });
    default:
      throw new ModelConfigError('fusion', 'inputs[].encoder', `one of ${modalityEncoderNames.join(', ')}`, name);
  }
}
