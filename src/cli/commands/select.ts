/**
 * `medattn cv --config FILE --folds K` and `medattn search --config FILE --grid JSON [--trials N]
 * [--folds K]`: cross-validation and option search, printing mean ± std per option.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { applyOverrides, loadConfig, resolveDataPaths, parseConfig } from '../../train/config.js';
import { crossValidate, searchOptions, summarize, type MetricSummary } from '../../train/model-selection.js';
import type { EpochRecord } from '../../train/trainer.js';
import { progressPrinter } from '../progress.js';
import { UsageError } from '../user-error.js';

const fmt = (s: MetricSummary | undefined) => (s ? `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)}` : 'n/a');

function defaultOut(config: string, what: string): string {
  return resolve(
    join(
      'runs',
      `${basename(config, extname(config))}-${what}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`,
    ),
  );
}

export async function cvCommand(o: {
  config: string;
  folds: string;
  seeds?: string;
  json?: boolean;
  out?: string;
  set?: string[];
  innerVal?: string;
}): Promise<void> {
  const folds = Number(o.folds);
  if (!Number.isInteger(folds) || folds < 2)
    throw new UsageError(`cv: --folds must be an integer >= 2, got '${o.folds}'`);
  const seeds = o.seeds === undefined ? 1 : Number(o.seeds);
  if (!Number.isInteger(seeds) || seeds < 1)
    throw new UsageError(`cv: --seeds must be an integer >= 1, got '${o.seeds}'`);
  const innerVal = o.innerVal === undefined ? undefined : Number(o.innerVal);
  if (innerVal !== undefined && !(innerVal > 0 && innerVal < 1))
    throw new UsageError(`cv: --inner-val must be a fraction between 0 and 1, got '${o.innerVal}'`);
  const config = loadConfig(o.config, o.set ?? []);
  const outDir = resolve(o.out ?? defaultOut(o.config, 'cv'));
  const print = progressPrinter();
  const perFold: EpochRecord[] = [];
  let monitor = '';
  for (let r = 0; r < seeds; r++) {
    const seed = config.training.seed + r;
    const cv = await crossValidate(
      { ...config, training: { ...config.training, seed } },
      {
        folds,
        innerVal,
        outDir: seeds > 1 ? join(outDir, `seed-${seed}`) : outDir,
        onEvent: (f, e) => {
          if (e.type === 'start') process.stderr.write(`${seeds > 1 ? `seed ${seed} ` : ''}fold ${f + 1}/${folds}\n`);
          if (!o.json) print(e); // the start event also tells the printer the epoch count
        },
      },
    );
    perFold.push(...cv.perFold);
    monitor = cv.monitor;
  }
  const summary = summarize(perFold);
  if (o.json) {
    const metrics = Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, { mean: s.mean, std: s.std }]));
    console.log(JSON.stringify({ folds, seeds, runs: perFold.length, monitor, innerVal, metrics, out: outDir }));
    return;
  }
  for (const [k, s] of Object.entries(summary)) console.log(`${k.padEnd(18)} ${fmt(s)}`);
  console.log(`folds: ${outDir}`);
}

export async function searchCommand(o: {
  config: string;
  grid: string;
  trials?: string;
  folds?: string;
  seeds?: string;
  out?: string;
  set?: string[];
}): Promise<void> {
  let grid: Record<string, unknown[]>;
  try {
    grid = JSON.parse(o.grid);
  } catch {
    throw new UsageError(`search: --grid must be JSON like '{"optimizer.lr":[0.001,0.003]}', got '${o.grid}'`);
  }
  if (typeof grid !== 'object' || !grid || Object.values(grid).some((v) => !Array.isArray(v) || v.length === 0))
    throw new UsageError('search: --grid maps option paths to non-empty arrays of values');
  const seeds = o.seeds === undefined ? 1 : Number(o.seeds);
  if (!Number.isInteger(seeds) || seeds < 1)
    throw new UsageError(`search: --seeds must be an integer >= 1, got '${o.seeds}'`);
  loadConfig(o.config, o.set ?? []); // validates paths and overrides up front, before any training
  const raw = applyOverrides(JSON.parse(readFileSync(o.config, 'utf8')), o.set ?? [], o.config);
  // Resolve dataset paths once against the config's folder, so every trial reads the same files.
  const resolved = resolveDataPaths(parseConfig(raw, o.config), dirname(resolve(o.config)), o.config);
  const outDir = resolve(o.out ?? defaultOut(o.config, 'search'));
  const print = progressPrinter();
  const result = await searchOptions(
    { ...raw, data: resolved.data },
    {
      grid,
      trials: o.trials ? Number(o.trials) : undefined,
      folds: o.folds ? Number(o.folds) : undefined,
      seeds,
      outDir,
      file: o.config,
      onEvent: (t, e) => {
        if (e.type === 'start') process.stderr.write(`trial ${t + 1}\n`);
        print(e);
      },
    },
  );
  console.log(`ranked by ${result.monitor} (mean ± std):`);
  for (const t of result.trials) console.log(`${fmt(t.summary[result.monitor])}  ${JSON.stringify(t.overrides)}`);
  console.log(`trials: ${outDir}`);
}
