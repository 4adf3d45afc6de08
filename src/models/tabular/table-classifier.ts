/**
 * Classifiers over a table's features: a TableEncoder (FT-Transformer or feature attention) and a head
 * (ReLU, Linear) on its patient embedding. Input: a table dataset's [N, 2, F] batch (values, missing mask).
 * `forwardWithAttention` returns the per-patient feature weights as 'features.channel' [N, F].
 */
import type { Tensor } from '../../tensor/index.js';
import { Linear } from '../../nn/index.js';
import type { TableColumn } from '../../data/datasets/table-schema.js';
import { AttentionModel, type AttentionResult } from '../attention-model.js';
import { ModelConfigError } from '../model-error.js';
import { FTTransformerEncoder } from './ft-transformer.js';
import { FeatureAttentionEncoder } from './feature-attention.js';
import { splitTableInput, type TableEncoder } from './table-encoder.js';

export interface TableClassifierConfig {
  /** The table's feature columns (filled in from the training data by the trainer). */
  columns: TableColumn[];
  numClasses: number;
  dim: number;
  /** Transformer blocks (ft_transformer only). */
  depth: number;
  numHeads: number;
  dropout: number;
  mlpRatio: number;
}

/** Without data (`medattn models`), an example table of 8 numeric features; training fills in the real columns. */
export const tableClassifierDefaults: TableClassifierConfig = {
  columns: Array.from({ length: 8 }, (_, i) => ({ name: `x${i + 1}`, type: 'numeric' as const })),
  numClasses: 2,
  dim: 32,
  depth: 2,
  numHeads: 4,
  dropout: 0.1,
  mlpRatio: 2,
};

export type TableModelName = 'ft_transformer' | 'feature_attention';

/** Key of the per-patient feature weights in forwardWithAttention's map. */
export const FEATURE_WEIGHTS = 'features.channel';

export class TableClassifier extends AttentionModel<TableClassifierConfig> {
  readonly config: TableClassifierConfig;
  readonly encoder: TableEncoder;
  readonly head: Linear;

  constructor(
    readonly modelName: TableModelName,
    config: Partial<TableClassifierConfig>,
  ) {
    super();
    const c = { ...tableClassifierDefaults, ...config };
    if (!Array.isArray(c.columns) || c.columns.length === 0)
      throw new ModelConfigError(modelName, 'columns', 'the table columns (train on a `table` dataset)', c.columns);
    if (c.dim % c.numHeads) throw new ModelConfigError(modelName, 'dim', `divisible by numHeads ${c.numHeads}`, c.dim);
    this.config = c;
    this.encoder = this.module(
      'encoder',
      modelName === 'ft_transformer'
        ? new FTTransformerEncoder(c.columns, c)
        : new FeatureAttentionEncoder(c.columns, c),
    );
    this.head = this.module('head', new Linear(c.dim, c.numClasses));
  }

  /** Fits the input scaling on the training rows (called by the trainer before training). */
  fitInputs(rows: Float32Array[]) {
    return this.encoder.fit(rows);
  }

  private run(x: Tensor) {
    const { values, missing } = splitTableInput(x);
    const { embedding, featureWeights } = this.encoder.encode(values, missing);
    return { output: this.head.forward(embedding.relu()), featureWeights };
  }

  forward(x: Tensor): Tensor {
    return this.run(x).output;
  }

  override forwardWithAttention(x: Tensor): AttentionResult {
    const { output, featureWeights } = this.run(x);
    return { output, attention: new Map([[FEATURE_WEIGHTS, featureWeights.detach()]]) };
  }
}

/** Whether a model reads tables (has fitted input scaling and feature weights). */
export function isTableClassifier(model: unknown): model is TableClassifier {
  return model instanceof TableClassifier;
}
