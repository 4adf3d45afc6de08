/** `medattn evaluate`: a run's best model on any dataset, metrics as one JSON object. */
import { createDataset, type Dataset, type DatasetSpec } from '../data/datasets/index.js';
import { openDataLoader } from './data-loader.js';
import type { TrainingConfig } from './config.js';
import { evaluateClassifier, evaluateSegmenter, type SkipListener } from './evaluate-model.js';
import { dataArgumentToSpec, loadRun, type LoadedRun } from './run-folder.js';
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
  const run = loadRun(runDir);
  const { config, model, threshold } = run;
  const spec = runDataSpec(run, data, options.split);
  const dataset = await createDataset(spec, { skipBad: options.skipBad });
  options.onSkipped?.(dataset.skipped());
  // Binary classifiers decide at --threshold, else at the threshold training chose on validation data, else 0.5.
  return evaluateOn(config, model, dataset, options.onSkipped, options.threshold ?? threshold);
}

/** The DATA argument for a run: a table run reads a CSV with its own label column, any table with its vocabularies. */
export function runDataSpec(run: LoadedRun, data: string, split?: string): DatasetSpec {
  const { config, model, inputShape, classNames } = run;
  return (
    tableSpecForRun(data, undefined, { config, model, classNames }) ??
    tableSpecForRun(data, dataArgumentToSpec(data, split, config.task, inputShape?.[0]), {
      config,
      model,
      classNames,
    })!
  );
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
        slidingWindow: config.training.slidingWindow,
        testTimeFlips: config.training.testTimeFlips,
        // Volumes predicted by windows: HD95 in millimetres from the first volume's voxel spacing.
        spacing: config.training.slidingWindow ? await firstSpacing(dataset) : undefined,
        keep: 0,
        onSkipped,
      })
    ).metrics;
  } finally {
    await loader.close();
  }
}

/** The voxel spacing of the first sample (building the dataset from its spec if needed). */
async function firstSpacing(dataset: Dataset | DatasetSpec): Promise<readonly number[] | undefined> {
  const built = 'get' in dataset ? dataset : await createDataset(dataset);
  return built.length ? (await built.get(0)).image.spacing : undefined;
}
