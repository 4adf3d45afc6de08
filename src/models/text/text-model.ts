/**
 * What the text classifiers share: input is token ids [N, L] (int64, 0 = padding, see text-tokenizer.ts),
 * output logits [N, classes]; forwardWithAttention also returns the per-token attention ('tokens', [N, L],
 * rows sum to 1 over the non-padding tokens) and, for the transformer, attention rollout ('rollout').
 */
import type { Tensor } from '../../tensor/index.js';
import { AttentionModel, type AttentionResult } from '../attention-model.js';

export interface TextModelConfig {
  vocabSize: number;
  numClasses: number;
}

export abstract class TextModel<C extends TextModelConfig = TextModelConfig> extends AttentionModel<C> {
  readonly isTextModel = true;
  abstract override forwardWithAttention(ids: Tensor): AttentionResult;
}

export function isTextModel(model: unknown): model is TextModel {
  return (model as { isTextModel?: boolean } | null)?.isTextModel === true;
}
