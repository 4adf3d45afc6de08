// `medattn cv` and `medattn search` on a text config (configs/mtsamples.json with its data replaced, as the
// contract allows): cv folds the whole deduplicated file, stratified, and its fold f is exactly the spec's own
// `split`/`fold` f (same kFold, same seed), so `medattn cv --config configs/mtsamples.json` scores the five
// folds the shipped config names; search cross-validates each grid point on the same folds.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDataset, textSpecSchema } from '../../src/data/datasets/text-dataset.js';
import { writeTextNotes } from '../fixtures/text-notes.js';
import { cliRunner } from '../helpers/cli.js';

const medattn = cliRunner({ threads: 1 });

const dir = mkdtempSync(join(tmpdir(), 'medattn-text-cv-'));
const csv = join(dir, 'notes.csv');
const spec = (split: 'train' | 'val', fold = 0) => ({
  kind: 'text' as const,
  file: csv,
  textColumn: 'note',
  labelColumn: 'label',
  idColumn: 'id',
  split,
  folds: 4,
  fold,
});
const small = [
  '--set',
  `data.train=${JSON.stringify(spec('train'))}`,
  '--set',
  `data.val=${JSON.stringify(spec('val'))}`,
  '--set',
  'model.config={"dim":8,"depth":0,"numHeads":1,"dropout":0}',
  '--set',
  'text={"vocabSize":80,"maxTokens":32}',
  '--set',
  'training.epochs=2',
  '--set',
  'training.batchSize=8',
];

describe('cv and search on a text config', () => {
  before(() => writeTextNotes(csv, 12, 3)); // 24 notes, 2 classes

  test('cv --folds 4: stratified folds of every note, fold f = the spec fold f, mean ± std of macro_f1', async () => {
    const out = join(dir, 'cv');
    const r = medattn('cv', '--config', 'configs/mtsamples.json', '--folds', '4', '--json', '--out', out, ...small);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.runs, 4);
    assert.equal(result.monitor, 'macro_f1');
    assert.ok(Number.isFinite(result.metrics.macro_f1.mean) && result.metrics.macro_f1.std >= 0);
    const folds = JSON.parse(readFileSync(join(out, 'folds.json'), 'utf8'));
    assert.equal(folds.n, 24); // the whole file, not the training part of fold 0
    for (let f = 0; f < 4; f++) {
      const val = await TextDataset.create(textSpecSchema.parse(spec('val', f)), { baseDir: dir, skipBad: false });
      const cvVal = (folds.folds[f].val as number[]).map((i) => folds.ids[i]);
      assert.deepEqual([...cvVal].sort(), [...val.ids()].sort(), `fold ${f}`);
      assert.deepEqual(
        [0, 1].map((c) => val.labels().filter((l) => l === c).length),
        [3, 3],
      ); // stratified: 3 of each class's 12 notes per fold
    }
    for (let f = 1; f <= 4; f++) {
      const log = readFileSync(join(out, `fold-${f}`, 'log.jsonl'), 'utf8')
        .trim()
        .split('\n');
      assert.equal(log.length, 2);
      assert.ok(existsSync(join(out, `fold-${f}`, 'tokenizer.json')));
    }
  });

  test('search --folds 2 over a text model option ranks both trials by macro_f1', () => {
    const out = join(dir, 'search');
    const r = medattn(
      'search',
      '--config',
      'configs/mtsamples.json',
      '--grid',
      '{"optimizer.lr":[0.01,0.001]}',
      '--folds',
      '2',
      '--out',
      out,
      ...small,
    );
    assert.equal(r.code, 0, r.stderr);
    const search = JSON.parse(readFileSync(join(out, 'search.json'), 'utf8'));
    assert.equal(search.monitor, 'macro_f1');
    assert.equal(search.trials.length, 2);
    assert.ok(
      search.trials.every(
        (t: { summary: { macro_f1: { values: number[] } } }) => t.summary.macro_f1.values.length === 2,
      ),
    );
    assert.ok(search.trials[0].summary.macro_f1.mean >= search.trials[1].summary.macro_f1.mean);
    assert.match(r.stdout, /ranked by macro_f1/);
  });
});
