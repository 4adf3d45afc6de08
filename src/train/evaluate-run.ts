/** `medattn evaluate`: a run's best model on any dataset, metrics as one JSON object. */
import { createDataset, type Dataset, type DatasetSpec } from '../data/datasets/index.js';
import { openDataLoader } from './data-loader.js';
import type { TrainingConfig } from './config.js';
import { evaluateClassifier, evaluateSegmenter, type SkipListener } from './evaluate-model.js';
import { dataArgumentToSpec, loadRun } from './run-folder.js';
import { evaluateDetector, type PrecomputedHeads } from './tasks/detection.js';
import type { CenterNet } from '../models/centernet.js';
import { tableSpecForRun } from './tasks/tabular.js';
import { evaluateTextRun, isTextRun } from './tasks/text.js';

export async function evaluateRun(
  runDir: string,
  data: string,
  options: { split?: string; skipBad?: boolean; onSkipped?: SkipListener; threshold?: number } = {},
): Promise<Record<string, unknown>> {
  if (isTextRun(runDir)) return evaluateTextRun(runDir, dataArgumentToSpec(data, options.split, 'text'));
  const { config, model, inputShape, threshold, classNames } = loadRun(runDir);
  // A table run reads a CSV with its own label column, and any table with its own vocabularies.
  const tableSpec = tableSpecForRun(data, undefined, { config, model, classNames });
  const spec =
    tableSpec ??
    tableSpecForRun(data, dataArgumentToSpec(data, options.split, config.task, inputShape?.[0]), {
      config,
      model,
      classNames,
    })!;
  const dataset = await createDataset(spec, { skipBad: options.skipBad });
  options.onSkipped?.(dataset.skipped());
  // Binary classifiers decide at --threshold, else at the threshold training chose on validation data, else 0.5.
  return evaluateOn(config, model, dataset, options.onSkipped, options.threshold ?? threshold);
}

export async function evaluateOn(
  config: TrainingConfig,
  model: Parameters<typeof evaluateClassifier>[0],
  /** A dataset already built (read as it is), or its spec. */
  dataset: Dataset | DatasetSpec,
  onSkipped?: SkipListener,
  threshold?: number,
) {
  const loader = await openDataLoader(dataset, config, { train: false, workers: 0 });
  try {
    if (config.task === 'detection') {
      const classNames = 'describe' in dataset ? dataset.classNames : undefined;
      return (
        await evaluateDetector(model as unknown as CenterNet | PrecomputedHeads, loader, { classNames, onSkipped })
      ).metrics;
    }
    if (config.task === 'classification')
      return (await evaluateClassifier(model, loader, { onSkipped, threshold })).metrics;
    return (
      await evaluateSegmenter(model, loader, {
        roiKey: config.data.roiKey,
        padMultiple: config.training.padMultiple,
        keep: 0,
        onSkipped,
      })
    ).metrics;
  } finally {
    await loader.close();
  }
}
