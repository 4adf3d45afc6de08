/**
 * The text classifiers by name, kept apart from the image registry (registry.ts) because their input is
 * token ids, not images: the image catalog, export and parity suites iterate that registry with image inputs.
 */
import { ModelConfigError } from '../model-error.js';
import { UnknownModelError } from '../registry.js';
import { TextBiLSTM, type TextBiLSTMConfig } from './bilstm-attention.js';
import { TextTransformer, type TextTransformerConfig } from './text-transformer.js';
import type { TextModel } from './text-model.js';

export interface TextModelConfigs {
  text_bilstm: TextBiLSTMConfig;
  text_transformer: TextTransformerConfig;
}
export type TextModelName = keyof TextModelConfigs;
export const textModelNames: TextModelName[] = ['text_bilstm', 'text_transformer'];

const SIZES = [
  'vocabSize',
  'numClasses',
  'embedDim',
  'hiddenSize',
  'attentionSize',
  'dim',
  'depth',
  'numHeads',
  'maxLen',
];

export function isTextModelName(name: string): name is TextModelName {
  return (textModelNames as string[]).includes(name);
}

/** A text model from its name and (partial) config; sizes are checked before anything is allocated. */
export function createTextModel(name: TextModelName, config: Record<string, unknown> = {}): TextModel {
  for (const key of SIZES) {
    const v = config[key];
    // depth 0: no encoder block, attention pooling straight over the embeddings (the light model)
    const least = key === 'depth' ? 0 : 1;
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < least || v > 1_000_000))
      throw new ModelConfigError(
        name,
        key,
        least ? 'a positive integer up to 1000000' : 'an integer from 0 to 1000000',
        v,
      );
  }
  for (const key of ['dropout', 'tokenDropout']) {
    const d = config[key];
    if (d !== undefined && (typeof d !== 'number' || d < 0 || d >= 1))
      throw new ModelConfigError(name, key, 'in [0, 1)', d);
  }
  if (name === 'text_bilstm') return new TextBiLSTM(config as Partial<TextBiLSTMConfig>);
  if (name === 'text_transformer') return new TextTransformer(config as Partial<TextTransformerConfig>);
  throw new UnknownModelError(`unknown text model '${String(name)}'; expected one of ${textModelNames.join(', ')}`);
}
