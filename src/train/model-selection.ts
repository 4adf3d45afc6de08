/**
 * Model selection: k-fold cross-validation of one config, and a grid or random search over a few options
 * (learning rate, attention type, kernel size, ...) that reports the mean and standard deviation of every
 * validation metric per option. Folds are subsets of the config's training set (stratified by label for
 * classification); the config's own validation set is left untouched for the final check.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from './run-folder-files.js';
import { join } from 'node:path';
import { createDataset, holdOut, kFold, unsplit, type DatasetSpec } from '../data/datasets/index.js';
import { evaluateOn } from './evaluate-run.js';
import { Rng } from '../data/transforms/index.js';
import { applyOverrides, parseConfig, type TrainingConfig } from './config.js';
import { train, type EpochRecord, type TrainEvent } from './trainer.js';
import { isLowerBetter } from './monitor.js';

export interface MetricSummary {
  mean: number;
  std: number;
  values: number[];
}

export interface CrossValidationResult {
  folds: number;
  /** The inner validation fraction when the epoch was chosen apart from the scored part. */
  innerVal?: number;
  monitor: string;
  /**
   * Per fold: the best epoch's validation metrics, or with `innerVal` the metrics of that epoch's weights on the
   * fold's held-out part, which played no part in choosing them.
   */
  perFold: EpochRecord[];
  summary: Record<string, MetricSummary>;
}

/** Mean and sample standard deviation (n - 1) of each numeric metric across records. */
export function summarize(records: EpochRecord[]): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  const keys = Object.keys(records[0] ?? {}).filter((k) =>
    records.every((r) => typeof r[k] === 'number' && Number.isFinite(r[k] as number)),
  );
  for (const k of keys) {
    if (k === 'epoch' || k === 'lr' || k === 'seconds') continue;
    const values = records.map((r) => r[k] as number);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std =
      values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
    out[k] = { mean, std, values };
  }
  return out;
}

function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2));
}

/** A subset spec without its `repeat`, and that repeat (1 when none). */
function withoutRepeat(spec: DatasetSpec): { once: DatasetSpec; repeat: number } {
  if (spec.kind !== 'subset' || !spec.repeat) return { once: spec, repeat: 1 };
  const { repeat, ...once } = spec;
  return { once, repeat };
}

export async function crossValidate(
  config: TrainingConfig,
  options: {
    folds: number;
    outDir: string;
    onEvent?: (fold: number, e: TrainEvent) => void;
    /**
     * Hold out this fraction of each fold's training part (stratified) to choose the epoch and threshold, and
     * score the chosen weights once on the fold's held-out part, so the scored part never selects anything.
     */
    innerVal?: number;
  },
): Promise<CrossValidationResult> {
  // A config that holds out its validation part of one file is cross-validated on the whole file. Folds split the
  // distinct samples: a training set that repeats each sample (`repeat`) would otherwise put copies of one image
  // on both sides of a fold; each fold's training part repeats its samples as the config's does.
  const { once, repeat } = withoutRepeat(unsplit(config.data.train));
  const full = await createDataset(once);
  const spec = full.describe();
  const labels = config.task === 'classification' || config.task === 'text' ? full.labels() : undefined;
  const splits = kFold(full.length, { k: options.folds, seed: config.training.seed, labels });
  mkdirSync(options.outDir, { recursive: true });
  // The fold indices, so reference baselines (scripts/tabular_baselines.py) score exactly these folds.
  writeJson(join(options.outDir, 'folds.json'), {
    n: full.length,
    seed: config.training.seed,
    ids: full.ids(),
    labels: labels ? Array.from(labels) : undefined,
    folds: splits,
  });
  const perFold: EpochRecord[] = [];
  let monitor = '';
  for (let f = 0; f < splits.length; f++) {
    const rest = splits[f].train;
    const inner =
      options.innerVal === undefined
        ? undefined
        : holdOut(rest.length, {
            fraction: options.innerVal,
            seed: config.training.seed + f,
            labels: labels && rest.map((i) => labels[i]),
          });
    const foldConfig: TrainingConfig = {
      ...config,
      data: {
        ...config.data,
        train: {
          kind: 'subset',
          of: spec,
          indices: inner ? inner.train.map((j) => rest[j]) : rest,
          ...(repeat > 1 ? { repeat } : {}),
        },
        val: { kind: 'subset', of: spec, indices: inner ? inner.val.map((j) => rest[j]) : splits[f].val },
      },
    };
    const result = await train(foldConfig, {
      outDir: join(options.outDir, `fold-${f + 1}`),
      onEvent: (e) => options.onEvent?.(f, e),
    });
    monitor = result.monitor;
    if (result.best && inner) {
      // train() leaves the best epoch's weights in the model; the threshold is the one chosen on the inner part.
      const threshold = typeof result.best.threshold === 'number' ? result.best.threshold : undefined;
      const test = { kind: 'subset' as const, of: spec, indices: splits[f].val };
      const metrics = await evaluateOn(foldConfig, result.model, test, undefined, threshold);
      perFold.push({ epoch: result.best.epoch, ...metrics } as EpochRecord);
      writeJson(join(options.outDir, `fold-${f + 1}`, 'test-metrics.json'), { epoch: result.best.epoch, ...metrics });
    } else if (result.best) perFold.push(result.best);
    result.model.dispose();
  }
  const cv: CrossValidationResult = {
    folds: splits.length,
    innerVal: options.innerVal,
    monitor,
    perFold,
    summary: summarize(perFold),
  };
  writeJson(join(options.outDir, 'cv.json'), cv);
  return cv;
}

export interface SearchTrial {
  overrides: Record<string, unknown>;
  summary: Record<string, MetricSummary>;
}

/** Every combination of the grid's values, or `trials` random combinations (seeded) when given. */
export function searchCombinations(
  grid: Record<string, unknown[]>,
  trials?: number,
  seed = 0,
): Record<string, unknown>[] {
  const keys = Object.keys(grid);
  let combos: Record<string, unknown>[] = [{}];
  for (const k of keys) combos = combos.flatMap((c) => grid[k].map((v) => ({ ...c, [k]: v })));
  if (trials === undefined || trials >= combos.length) return combos;
  const rng = Rng.seeded(seed);
  const order = combos.map((_, i) => i);
  rng.shuffle(order);
  return order
    .slice(0, trials)
    .sort((a, b) => a - b)
    .map((i) => combos[i]);
}

/**
 * Tries each option combination: with `folds` >= 2 by cross-validation on the training set, otherwise one
 * run validated on the config's validation set; with `seeds` > 1, that again per seed, all runs pooled into
 * the combination's mean ± std. Results are sorted best first by the monitored metric.
 */
export async function searchOptions(
  rawConfig: Record<string, unknown>,
  options: {
    grid: Record<string, unknown[]>;
    trials?: number;
    folds?: number;
    /** Train each combination with this many seeds (training.seed, +1, ...): mean ± std then show seed noise. */
    seeds?: number;
    outDir: string;
    file?: string;
    onEvent?: (trial: number, e: TrainEvent) => void;
  },
): Promise<{ monitor: string; trials: SearchTrial[] }> {
  const combos = searchCombinations(options.grid, options.trials);
  const trials: SearchTrial[] = [];
  let monitor = '';
  mkdirSync(options.outDir, { recursive: true });
  for (let t = 0; t < combos.length; t++) {
    const overrides = Object.entries(combos[t]).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const raw = applyOverrides(rawConfig, overrides, options.file ?? '<search>', '--grid');
    const config = parseConfig(raw, options.file);
    const seeds = options.seeds ?? 1;
    const records: EpochRecord[] = [];
    for (let r = 0; r < seeds; r++) {
      const seeded: TrainingConfig = { ...config, training: { ...config.training, seed: config.training.seed + r } };
      const dir = join(options.outDir, `trial-${t + 1}`, ...(seeds > 1 ? [`seed-${seeded.training.seed}`] : []));
      if (options.folds && options.folds >= 2) {
        const cv = await crossValidate(seeded, {
          folds: options.folds,
          outDir: dir,
          onEvent: (_f, e) => options.onEvent?.(t, e),
        });
        records.push(...cv.perFold);
        monitor = cv.monitor;
      } else {
        const result = await train(seeded, { outDir: dir, onEvent: (e) => options.onEvent?.(t, e) });
        if (result.best) records.push(result.best);
        monitor = result.monitor;
        result.model.dispose();
      }
    }
    trials.push({ overrides: combos[t], summary: summarize(records) });
  }
  const lower = isLowerBetter(monitor);
  const score = (t: SearchTrial) => t.summary[monitor]?.mean ?? (lower ? Infinity : -Infinity);
  trials.sort((a, b) => (lower ? score(a) - score(b) : score(b) - score(a)));
  writeJson(join(options.outDir, 'search.json'), { monitor, trials });
  return { monitor, trials };
}
