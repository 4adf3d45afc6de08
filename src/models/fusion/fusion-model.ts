/**
 * `fusion`: several inputs, one encoder each (by name, modality-encoders.ts), projected to a common size and
 * fused by a block chosen by name (today `cross_attention`, cross-attention-fusion.ts), then a linear head.
 * Inputs are named tensors (`forwardInputs({ image, table })`); `forward(x)` feeds the one tensor a trainer
 * batch holds to every encoder (the packed ICU grid carries both the series and the static descriptors).
 * A modality can be missing: an absent input, or a patient whose encoder reports it absent (no observation
 * at all). With `modalityDropout` each present modality is hidden from a patient with that probability
 * during training, so the model learns to predict without it. Attention: 'modalities' [N, M] per-patient
 * modality weights, and each encoder's own maps under '<input name>.<map>'.
 */
import { cat, F, zeros, type Tensor } from '../../tensor/index.js';
import { Linear, ModuleList } from '../../nn/index.js';
import { AttentionModel, type AttentionResult } from '../attention-model.js';
import { CrossAttentionFusion } from './cross-attention-fusion.js';
import { ModelConfigError } from '../model-error.js';
import { createModalityEncoder, type ModalityEncoder, type ModalityEncoderName } from './modality-encoders.js';

export interface FusionInputConfig {
  /** The modality's name (attention keys, reports). */
  name: string;
  encoder: ModalityEncoderName;
  /** The named input it reads (default: `name`; `forward(x)` gives every encoder x). */
  source?: string;
  config?: Record<string, unknown>;
}

export interface FusionConfig {
  inputs: FusionInputConfig[];
  fusion: 'cross_attention';
  dim: number;
  heads: number;
  numClasses: number;
  /** Static features in the packed ICU grid (icu_* encoders). */
  numStatics: number;
  modalityDropout: number;
  dropout: number;
}

export const fusionDefaults: FusionConfig = {
  inputs: [
    { name: 'series', encoder: 'icu_series_rnn' },
    { name: 'static', encoder: 'icu_static' },
  ],
  fusion: 'cross_attention',
  dim: 64,
  heads: 4,
  numClasses: 2,
  numStatics: 8,
  modalityDropout: 0.1,
  dropout: 0.1,
};

export class FusionModel extends AttentionModel<FusionConfig> {
  readonly modelName = 'fusion';
  readonly encoders: ModuleList<ModalityEncoder>;
  readonly projections: ModuleList<Linear>;
  readonly fusion: CrossAttentionFusion;
  readonly head: Linear;
  constructor(readonly config: FusionConfig) {
    super();
    if (config.inputs.length === 0) throw new ModelConfigError('fusion', 'inputs', 'at least one input', []);
    if (config.fusion !== 'cross_attention')
      throw new ModelConfigError('fusion', 'fusion', "'cross_attention'", config.fusion);
    const encoders = config.inputs.map((i) => createModalityEncoder(i.encoder, i.config ?? {}, config.numStatics));
    this.encoders = this.module('encoders', new ModuleList(encoders));
    this.projections = this.module('projections', new ModuleList(encoders.map((e) => new Linear(e.dim, config.dim))));
    this.fusion = this.module('fusion', new CrossAttentionFusion(config.inputs.length, config.dim, config.heads));
    this.head = this.module('head', new Linear(config.dim, config.numClasses));
  }

  forward(x: Tensor): Tensor {
    return this.forwardInputs(this.#everyInput(x)).output;
  }

  override forwardWithAttention(x: Tensor): AttentionResult {
    return this.forwardInputs(this.#everyInput(x));
  }

  /** Inputs by source name; an absent (undefined) input is a modality missing for every patient. */
  forwardInputs(inputs: Record<string, Tensor | undefined>): AttentionResult {
    const first = Object.values(inputs).find((t): t is Tensor => t !== undefined);
    if (!first) throw new Error('fusion: no input given');
    const n = first.size(0);
    const embeddings: Tensor[] = [];
    const present: Tensor[] = [];
    const attention = new Map<string, Tensor>();
    this.config.inputs.forEach((input, i) => {
      const x = inputs[input.source ?? input.name];
      if (!x) {
        embeddings.push(zeros([n, this.config.dim])); // masked out of the fusion: its value does not matter
        present.push(zeros([n]));
        return;
      }
      const e = this.encoders.items[i].forward(x);
      embeddings.push(this.projections.items[i].forward(e.embedding));
      present.push(e.present);
      for (const [k, t] of e.attention) attention.set(`${input.name}.${k}`, t);
    });
    let mask = cat(
      present.map((p) => p.unsqueeze(1)),
      1,
    );
    if (this.training && this.config.modalityDropout > 0) {
      mask = mask.mul(zeros(mask.shape).bernoulli_(1 - this.config.modalityDropout));
    }
    const { fused, modalityWeights } = this.fusion.forward(embeddings, mask);
    attention.set('modalities', modalityWeights);
    return { output: this.head.forward(F.dropout(fused, this.config.dropout, this.training)), attention };
  }

  #everyInput(x: Tensor): Record<string, Tensor> {
    return Object.fromEntries(this.config.inputs.map((i) => [i.source ?? i.name, x]));
  }
}
