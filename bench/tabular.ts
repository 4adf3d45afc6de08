/**
 * bench/tabular: 5-fold stratified cross-validation AUROC on the six clinical tables of ../shared/data/tabular,
 * for the shipped generic configs/tabular.json with each attention model (`medattn cv ... --json`, exactly the
 * contract's `--set data.file=PATH --set data.label=COLUMN`), and for logistic regression and histogram
 * gradient boosting (bench/peer/tabular_baselines.py on Debian's /usr/bin/python3) on the same folds: the peer
 * reads the folds.json that `medattn cv` wrote and the table as medattn encoded it. Prints a Markdown table
 * (mean ± std over folds) and writes every number to OUT/results.json.
 *   node --import tsx bench/tabular.ts [--out DIR] [--only pima,wdbc] [--models ft_transformer,feature_attention] [--folds 5]
 *     [--inner-val 0.15]   (choose the neural models' epoch on part of each training fold: `medattn cv --inner-val`)
 * `--models ''` runs the baselines only.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { createDataset, kFold, type TableDataset } from '../src/data/datasets/index.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const tables = [
  { name: 'wdbc', label: 'target' },
  { name: 'pima', label: 'diabetes' },
  { name: 'heart-cleveland', label: 'target' },
  { name: 'hepatitis', label: 'target' },
  { name: 'ckd', label: 'Class' },
  { name: 'hypothyroid', label: 'target' },
].filter((t) => !option('only') || option('only')!.split(',').includes(t.name));
const models = (option('models') ?? 'ft_transformer,feature_attention').split(',').filter(Boolean);
const foldCount = option('folds') ?? '5';
const out = resolve(option('out') ?? join('runs', 'bench-tabular'));
const shared = resolve('..', 'shared', 'data', 'tabular');

type Summary = { mean: number; std: number; seconds?: number };
const results: Record<string, Record<string, Summary>> = {};
for (const t of tables) {
  const file = join(shared, `${t.name}.csv`);
  const dir = join(out, t.name);
  mkdirSync(dir, { recursive: true });
  results[t.name] = {};
  for (const model of models) {
    const started = Date.now();
    const cv = spawnSync(
      process.execPath,
      [
        'bin/medattn.js',
        'cv',
        '--config',
        'configs/tabular.json',
        '--set',
        `data.file=${file}`,
        '--set',
        `data.label=${t.label}`,
        '--set',
        `model.name=${model}`,
        '--folds',
        foldCount,
        '--json',
        ...(option('inner-val') ? ['--inner-val', option('inner-val')!] : []),
        '--out',
        join(dir, model),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (cv.status !== 0) throw new Error(`medattn cv failed on ${t.name} (${model})`);
    const seconds = (Date.now() - started) / 1000;
    const auroc = JSON.parse(cv.stdout).metrics.auroc as Summary;
    results[t.name][model] = { mean: auroc.mean, std: auroc.std, seconds };
    console.error(`${t.name} ${model}: ${auroc.mean.toFixed(4)} ± ${auroc.std.toFixed(4)} (${seconds.toFixed(0)} s)`);
  }
  // The table exactly as medattn reads it, for the peer.
  const data = (await createDataset({ kind: 'table', file, label: t.label })) as TableDataset;
  const values: number[][] = [];
  const missing: number[][] = [];
  const f = data.schema.columns.length;
  for (let i = 0; i < data.length; i++) {
    const x = (await data.get(i)).image.data as Float32Array;
    values.push(Array.from(x.subarray(0, f)));
    missing.push(Array.from(x.subarray(f)));
  }
  const dump = join(dir, 'table.json');
  writeFileSync(
    dump,
    JSON.stringify({ columns: data.schema.columns, values, missing, labels: Array.from(data.labels()) }),
  );
  // The folds `medattn cv` uses (kFold with training.seed 0, stratified); checked against the ones it wrote.
  const folds = kFold(data.length, { k: Number(foldCount), seed: 0, labels: data.labels() });
  for (const model of models) {
    const written = JSON.parse(readFileSync(join(dir, model, 'folds.json'), 'utf8')) as { folds: unknown };
    if (JSON.stringify(written.folds) !== JSON.stringify(folds))
      throw new Error(`${t.name}: medattn cv used other folds`);
  }
  writeFileSync(join(dir, 'folds.json'), JSON.stringify({ folds }));
  const peer = spawnSync('/usr/bin/python3', ['bench/peer/tabular_baselines.py', dump, join(dir, 'folds.json')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (peer.status !== 0) throw new Error(`baselines failed on ${t.name}`);
  Object.assign(results[t.name], JSON.parse(peer.stdout));
  writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2)); // after each table: partial results survive
}

const columns = [...models, 'logistic_regression', 'hist_gradient_boosting'];
const lines = [`| table | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---').join('|')}|`];
for (const [name, r] of Object.entries(results))
  lines.push(
    `| ${name} | ${columns.map((c) => (r[c] ? `${r[c].mean.toFixed(3)} ± ${r[c].std.toFixed(3)}` : '')).join(' | ')} |`,
  );
console.log(lines.join('\n'));
