/**
 * What training adds for table data: the model takes its columns and class count from the dataset (so one
 * generic config fits any CSV), and fits its input scaling on the training set only.
 */
import { extname } from 'node:path';
import { createDataset, TableDataset, unsplit, type Dataset, type DatasetSpec } from '../../data/datasets/index.js';
import { resolveDataPath } from '../../data/fetch/data-root.js';
import type { TrainingConfig } from '../config.js';
import type { TableSchema } from '../../data/datasets/index.js';
import { isTableClassifier } from '../../models/tabular/table-classifier.js';
import type { AttentionModel } from '../../models/attention-model.js';

/** The table a dataset reads from, below subsets and splits; undefined for other data. */
export async function tableSchemaOf(dataset: Dataset): Promise<TableSchema | undefined> {
  if (dataset instanceof TableDataset) return dataset.schema;
  let spec: DatasetSpec = dataset.describe();
  while (spec.kind === 'subset' || spec.kind === 'split') spec = spec.of;
  if (spec.kind !== 'table') return undefined;
  return ((await createDataset(spec)) as TableDataset).schema;
}

/** The model config with the table's columns and class count, when the data is a table and the config lacks them. */
export async function withTableSchema(
  modelConfig: Record<string, unknown>,
  trainSet: Dataset,
): Promise<Record<string, unknown>> {
  if (modelConfig.columns !== undefined) return modelConfig;
  const schema = await tableSchemaOf(trainSet);
  if (!schema) return modelConfig;
  return { ...modelConfig, columns: schema.columns, numClasses: schema.classNames.length };
}

/** Fits a table model's input scaling on every training row (no-op for other models). */
export async function fitTableInputs(model: AttentionModel, trainSet: Dataset): Promise<void> {
  if (!isTableClassifier(model)) return;
  const rows: Float32Array[] = [];
  for (let i = 0; i < trainSet.length; i++) rows.push((await trainSet.get(i)).image.data as Float32Array);
  model.fitInputs(rows);
}

/**
 * A table run evaluated on other data: a CSV path becomes a `table` spec with the run's label column and
 * options, and any `table` spec is read with the run's vocabularies and class order (its `schema`), so codes
 * mean what they meant in training.
 */
export function tableSpecForRun(
  data: string,
  spec: DatasetSpec | undefined,
  trained: { config: TrainingConfig; model: AttentionModel; classNames?: string[] },
): DatasetSpec | undefined {
  if (!isTableClassifier(trained.model)) return spec;
  const schema = { columns: trained.model.config.columns, classNames: trained.classNames ?? [] };
  const runTable = unsplit(trained.config.data.train);
  const base: DatasetSpec | undefined =
    spec ??
    (extname(data).toLowerCase() === '.csv' && runTable.kind === 'table'
      ? { ...runTable, file: resolveDataPath(data, process.cwd()), schema: undefined }
      : undefined);
  if (!base) return spec;
  const withSchema = (s: DatasetSpec): DatasetSpec =>
    s.kind === 'table'
      ? { ...s, schema: s.schema ?? schema }
      : s.kind === 'subset' || s.kind === 'split'
        ? { ...s, of: withSchema(s.of) }
        : s;
  return withSchema(base);
}
