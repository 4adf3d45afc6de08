// Cross-validation and option search on a small synthetic MedMNIST-layout fixture (the bookkeeping is tested,
// not the data, so it runs without ../shared): folds are stratified and disjoint, the summary is the mean and
// sample std of the fold results, and search ranks options by the monitor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchCombinations, summarize } from '../../src/train/model-selection.js';
import { holdOut } from '../../src/data/datasets/index.js';
import { writeSyntheticPneumoniamnist } from '../fixtures/synthetic-xrays.js';
import { pneumoniaSubsets } from '../helpers/pneumonia-subset.js';
import { cliRunner } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-select-'));
const npz = writeSyntheticPneumoniamnist(join(dir, 'data'), { train: 192, val: 64 }).file;
const config = {
  task: 'classification',
  data: pneumoniaSubsets(192, 64, npz),
  transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
  model: {
    name: 'attention_cnn',
    config: {
      inChannels: 1,
      numClasses: 2,
      stages: [
        { channels: 4, attention: 'se' },
        { channels: 4, attention: 'cbam_spatial' },
      ],
      reduction: 2,
    },
  },
  training: { epochs: 1, batchSize: 32, workers: 0 },
};
const configPath = join(dir, 'small.json');
writeFileSync(configPath, JSON.stringify(config));
const run = cliRunner();

test('summarize gives mean and sample standard deviation', () => {
  const s = summarize([
    { epoch: 0, lr: 1, seconds: 1, train_loss: 1, val_loss: 2, auroc: 0.8 },
    { epoch: 0, lr: 1, seconds: 1, train_loss: 3, val_loss: 2, auroc: 0.9 },
  ]);
  assert.equal(s.train_loss.mean, 2);
  assert.equal(s.train_loss.std, Math.SQRT2);
  assert.ok(Math.abs(s.auroc.std - Math.sqrt(0.005)) < 1e-12);
  assert.equal(s.epoch, undefined);
});

test('grid combinations and seeded random subsets of them', () => {
  const grid = { 'optimizer.lr': [0.1, 0.01], 'model.config.stages.0.attention': ['se', 'cbam', 'eca'] };
  const all = searchCombinations(grid);
  assert.equal(all.length, 6);
  assert.deepEqual(all[0], { 'optimizer.lr': 0.1, 'model.config.stages.0.attention': 'se' });
  const some = searchCombinations(grid, 3, 1);
  assert.equal(some.length, 3);
  assert.deepEqual(some, searchCombinations(grid, 3, 1));
  for (const c of some) assert.ok(all.some((a) => JSON.stringify(a) === JSON.stringify(c)));
});

test('medattn cv: 3 stratified folds, summary over the folds', () => {
  const out = join(dir, 'cv');
  const r = run('cv', '--config', configPath, '--folds', '3', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const cv = JSON.parse(readFileSync(join(out, 'cv.json'), 'utf8'));
  assert.equal(cv.folds, 3);
  assert.equal(cv.perFold.length, 3);
  assert.deepEqual(
    cv.perFold.map((f: { n: number }) => f.n),
    [64, 64, 64],
  );
  const aurocs = cv.perFold.map((f: { auroc: number }) => f.auroc);
  assert.ok(Math.abs(cv.summary.auroc.mean - aurocs.reduce((a: number, b: number) => a + b) / 3) < 1e-12);
  assert.match(r.stdout, /^auroc\s+\d\.\d{4} ± \d\.\d{4}$/m);
});

test('medattn cv --inner-val: the epoch is chosen on part of the training folds, the held-out fold scored once', () => {
  const out = join(dir, 'cv-inner');
  const r = run('cv', '--config', configPath, '--folds', '3', '--inner-val', '0.25', '--json', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).innerVal, 0.25);
  const cv = JSON.parse(readFileSync(join(out, 'cv.json'), 'utf8'));
  const { folds, labels } = JSON.parse(readFileSync(join(out, 'folds.json'), 'utf8'));
  // Scored on the whole held-out fold (64 images each), trained on the rest minus a stratified quarter.
  assert.deepEqual(
    cv.perFold.map((f: { n: number }) => f.n),
    [64, 64, 64],
  );
  const rest = folds[0].train as number[];
  const inner = holdOut(rest.length, { fraction: 0.25, seed: 0, labels: rest.map((i) => labels[i]) });
  const chosen = JSON.parse(readFileSync(join(out, 'fold-1', 'metrics.json'), 'utf8'));
  assert.equal(chosen.best.n, inner.val.length);
  // The scored metrics are the chosen weights evaluated on the held-out fold, as `medattn evaluate` computes them.
  const spec = join(dir, 'fold-1-test.json');
  writeFileSync(spec, JSON.stringify({ kind: 'subset', of: config.data.train.of, indices: folds[0].val }));
  const ev = run('evaluate', '--run', join(out, 'fold-1'), '--data', spec, '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const evaluated = JSON.parse(ev.stdout);
  assert.ok(Math.abs(evaluated.auroc - cv.perFold[0].auroc) < 1e-9, `${evaluated.auroc} vs ${cv.perFold[0].auroc}`);
  assert.equal(evaluated.n, 64);
  assert.equal(
    run('cv', '--config', configPath, '--inner-val', '1.5').stderr.trim(),
    "medattn: cv: --inner-val must be a fraction between 0 and 1, got '1.5'",
  );
});

test("medattn cv of a repeated training set folds the distinct samples and repeats each fold's training part", () => {
  const repeated = join(dir, 'repeated.json');
  writeFileSync(
    repeated,
    JSON.stringify({ ...config, data: { ...config.data, train: { ...config.data.train, repeat: 3 } } }),
  );
  const out = join(dir, 'cv-repeat');
  const r = run('cv', '--config', repeated, '--folds', '3', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const { n, folds } = JSON.parse(readFileSync(join(out, 'folds.json'), 'utf8'));
  assert.equal(n, 192, 'folds over the 192 images, not their 576 repeats');
  const cv = JSON.parse(readFileSync(join(out, 'cv.json'), 'utf8'));
  assert.deepEqual(
    cv.perFold.map((f: { n: number }) => f.n),
    [64, 64, 64],
  );
  const foldTrain = JSON.parse(readFileSync(join(out, 'fold-1', 'config.json'), 'utf8')).data.train;
  assert.equal(foldTrain.repeat, 3);
  assert.deepEqual(foldTrain.indices, folds[0].train);
  assert.equal(new Set([...folds[0].train, ...folds[0].val]).size, 192, 'no image on both sides of the fold');
});

/** `medattn search` over the second stage's attention (CBAM spatial or none) on the small config. */
const searchAttention = (out: string, ...extra: string[]) =>
  run(
    'search',
    '--config',
    configPath,
    '--grid',
    '{"model.config.stages.1.attention":["cbam_spatial","none"]}',
    ...extra,
    '--out',
    out,
  );

test('medattn search: trials ranked by the monitored metric', () => {
  const out = join(dir, 'search');
  const r = searchAttention(out);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(readFileSync(join(out, 'search.json'), 'utf8'));
  assert.equal(s.monitor, 'auroc');
  assert.equal(s.trials.length, 2);
  assert.ok(s.trials[0].summary.auroc.mean >= s.trials[1].summary.auroc.mean);
  const bad = run('search', '--config', configPath, '--grid', 'lr=1');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^medattn: search: --grid must be JSON/);
});

test('medattn search --seeds 2: each option trained with two seeds, mean ± std over them equal the two runs', () => {
  const out = join(dir, 'search-seeds');
  const r = searchAttention(out, '--seeds', '2');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(readFileSync(join(out, 'search.json'), 'utf8'));
  for (const trial of s.trials) {
    const t = trial.overrides['model.config.stages.1.attention'] === 'none' ? 2 : 1;
    const best = [0, 1].map(
      (seed) => JSON.parse(readFileSync(join(out, `trial-${t}`, `seed-${seed}`, 'metrics.json'), 'utf8')).best.auroc,
    );
    assert.deepEqual(trial.summary.auroc.values, best);
    assert.ok(Math.abs(trial.summary.auroc.std - Math.abs(best[0] - best[1]) / Math.SQRT2) < 1e-12);
  }
  const bad = run('search', '--config', configPath, '--grid', '{"optimizer.lr":[0.1]}', '--seeds', '0');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^medattn: search: --seeds must be an integer >= 1, got '0'/);
});
