// Task 'text' end to end through the CLI: configs/mtsamples.json with its data blocks replaced by other CSVs
// (the contract), train -> report with token highlights -> evaluate --json -> predict --text; the attention
// passes the deletion (faithfulness) test; bad input is one line, exit 1.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTextRun } from '../../src/train/tasks/text.js';
import { deletionTest } from '../../src/train/tasks/text-explain.js';
import { TextDataset, textSpecSchema } from '../../src/data/datasets/text-dataset.js';
import { writeTextNotes } from '../fixtures/text-notes.js';
import { cliRunner } from '../helpers/cli.js';

const medattn = cliRunner({ threads: 2 });

const dir = mkdtempSync(join(tmpdir(), 'medattn-text-cli-'));
const run = join(dir, 'run');
const spec = (file: string) => JSON.stringify({ kind: 'text', file, textColumn: 'note', labelColumn: 'label' });

describe('text task through the CLI', () => {
  before(() => {
    writeTextNotes(join(dir, 'train.csv'), 40, 7);
    writeTextNotes(join(dir, 'val.csv'), 12, 99);
    writeFileSync(join(dir, 'val.json'), spec(join(dir, 'val.csv')));
    const r = medattn(
      'train',
      '--config',
      'configs/mtsamples.json',
      '--out',
      run,
      '--set',
      `data.train=${spec(join(dir, 'train.csv'))}`,
      '--set',
      `data.val=${spec(join(dir, 'val.csv'))}`,
      '--set',
      'model.config={"dim":16,"depth":0,"numHeads":1,"dropout":0}',
      '--set',
      'text={"vocabSize":100,"maxTokens":64}',
      '--set',
      'training.epochs=8',
      '--set',
      'training.batchSize=8',
      '--set',
      'optimizer.lr=0.01',
    );
    assert.equal(r.code, 0, r.stderr);
  });

  test('run folder: tokenizer, checkpoint, report with shaded tokens', () => {
    for (const f of ['tokenizer.json', 'best.safetensors', 'metrics.json', 'model.json', 'report.html'])
      assert.ok(existsSync(join(run, f)), f);
    const report = readFileSync(join(run, 'report.html'), 'utf8');
    assert.match(report, /<span style="background:rgba\(230,80,0,1\.00\)"/);
    assert.match(report, /Tokens with the most attention/);
    assert.equal(JSON.parse(readFileSync(join(run, 'model.json'), 'utf8')).task, 'text');
  });

  test('evaluate --json: accuracy, macro_f1, per-class F1 on a dataset spec file', () => {
    const r = medattn('evaluate', '--run', run, '--data', join(dir, 'val.json'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.equal(m.n, 24);
    assert.deepEqual(Object.keys(m.f1_per_class), ['cardiology', 'orthopedics']);
    // The keywords separate the classes: the model must find them.
    assert.ok(m.accuracy >= 0.9, `accuracy ${m.accuracy}`);
    assert.ok(m.macro_f1 >= 0.9, `macro_f1 ${m.macro_f1}`);
    const cm = m.confusion_matrix as number[][];
    assert.equal(cm[0][0] + cm[1][1], Math.round(m.accuracy * 24));
  });

  test('predict --text prints the label, its probability and the top tokens', () => {
    const r = medattn(
      'predict',
      '--run',
      run,
      '--text',
      'patient seen today fracture follow up in clinic, cast plan discussed',
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    const [p] = JSON.parse(r.stdout);
    assert.equal(p.label, 'orthopedics');
    assert.ok(p.probability > 0.5);
    const top2 = p.topTokens.slice(0, 2).map((t: { token: string }) => t.token);
    assert.ok(top2.includes('fracture') || top2.includes('cast'), JSON.stringify(p.topTokens));
  });

  test('faithfulness: deleting the 2 most attended tokens lowers p(predicted) more than deleting 2 random ones', async () => {
    const loaded = loadTextRun(run);
    const val = TextDataset.create(textSpecSchema.parse(JSON.parse(spec(join(dir, 'val.csv')))), {
      baseDir: dir,
      skipBad: false,
    });
    const encoded = await loaded.tokenizer.encode(val.texts(), loaded.maxTokens);
    const r = deletionTest(loaded.model, encoded, 2, 'tokens', 1);
    assert.equal(r.notes, 24);
    assert.ok(r.topDrop > r.randomDrop + 0.05, JSON.stringify(r));
  });

  test('bad input: empty --text, a missing label column, no run', () => {
    const empty = medattn('predict', '--run', run, '--text', '   ');
    assert.equal(empty.code, 1);
    assert.match(empty.stderr.trim(), /^[^\n]*--text: empty note$/);
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ kind: 'text', file: join(dir, 'val.csv'), textColumn: 'note', labelColumn: 'specialty' }),
    );
    const bad = medattn('evaluate', '--run', run, '--data', join(dir, 'bad.json'), '--json');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr.trim(), /^[^\n]*val\.csv: labelColumn 'specialty' is not a column/);
  });
});
