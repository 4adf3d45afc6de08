/**
 * bench/text-baseline: the TF-IDF + logistic regression baseline (scikit-learn, bench/peer/text_baseline.py)
 * on exactly the notes and split a text config trains on (its data.train / data.val specs, same --set
 * overrides), so its macro-F1 is the number the text models have to reach. One JSON line per fold.
 *   node --import tsx bench/text-baseline.ts [--config configs/mtsamples.json] [--folds 0,1,2,3,4] [--set key=value ...]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/train/config.js';
import { openTextDataset } from '../src/train/tasks/text.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const sets = process.argv.flatMap((a, i) => (a === '--set' ? [process.argv[i + 1]] : []));
const configFile = arg('config') ?? 'configs/mtsamples.json';
const folds = (arg('folds') ?? '0').split(',').map(Number);
const script = fileURLToPath(new URL('./peer/text_baseline.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'medattn-baseline-'));
const scores: Record<string, number>[] = [];
try {
  for (const fold of folds) {
    const config = loadConfig(configFile, [...sets, `data.train.fold=${fold}`, `data.val.fold=${fold}`]);
    const train = await openTextDataset(config.data.train, 'data.train', configFile);
    const val = await openTextDataset(config.data.val, 'data.val', configFile);
    const file = join(dir, `fold${fold}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        classNames: train.classNames,
        train: { texts: train.texts(), labels: [...train.labels()] },
        val: { texts: val.texts(), labels: [...val.labels()] },
      }),
    );
    const r = spawnSync('/usr/bin/python3', [script, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`text_baseline.py failed: ${r.stderr}`);
    const metrics = JSON.parse(r.stdout) as Record<string, unknown>;
    console.log(JSON.stringify({ fold, train: train.length, val: val.length, ...metrics }));
    scores.push(metrics as Record<string, number>);
  }
  if (scores.length > 1) {
    // mean ± sample standard deviation (n - 1) over the folds, as `medattn cv` reports the neural models
    const summary = (k: string) => {
      const v = scores.map((s) => s[k]);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      return { mean, std };
    };
    console.log(JSON.stringify({ folds, accuracy: summary('accuracy'), macro_f1: summary('macro_f1') }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
