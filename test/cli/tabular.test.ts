// The table path of the CLI: the generic configs/tabular.json on any CSV with exactly
// `--set data.file=PATH --set data.label=COLUMN`; predict on a CSV row and a JSON patient (probability plus
// top features with their values); evaluate on a CSV; cv --json; and the bad inputs as one line naming
// file, line and column with exit code 1. Data: a small generated table where `glucose` decides the label, so
// the expected top feature is known.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/data/transforms/index.js';
import { cliRunner } from '../helpers/cli.js';

const medattn = cliRunner({ threads: 2 });

const dir = mkdtempSync(join(tmpdir(), 'medattn-cli-table-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** 160 patients: the label is glucose > 130 (no noise); age, sex and bmi are noise; bmi is sometimes missing. */
function fixture(): string {
  const rng = Rng.seeded(7);
  const rows = ['age,sex,glucose,bmi,outcome'];
  for (let i = 0; i < 160; i++) {
    const glucose = Math.round(80 + 100 * rng.next());
    rows.push(
      [
        Math.round(20 + 60 * rng.next()),
        rng.next() < 0.5 ? 'F' : 'M',
        glucose,
        rng.next() < 0.2 ? 'NA' : (18 + 20 * rng.next()).toFixed(1),
        glucose > 130 ? 'yes' : 'no',
      ].join(','),
    );
  }
  return file('patients.csv', rows.join('\n'));
}

describe('tables through the CLI', () => {
  let csv: string;
  const run = join(dir, 'run');
  const quick = ['--set', 'training.epochs=12', '--set', 'training.earlyStopping=12'];
  before(() => {
    csv = fixture();
  });

  test('train with only data.file and data.label set, then predict a CSV row and a JSON patient', () => {
    const t = medattn(
      'train',
      '--config',
      'configs/tabular.json',
      '--set',
      `data.file=${csv}`,
      '--set',
      'data.label=outcome',
      ...quick,
      '--out',
      run,
    );
    assert.equal(t.code, 0, t.stderr);
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    assert.ok(metrics.best.auroc > 0.95, `validation AUROC ${metrics.best.auroc}`);
    const model = JSON.parse(readFileSync(join(run, 'model.json'), 'utf8'));
    assert.deepEqual(model.classNames, ['no', 'yes']);
    assert.deepEqual(
      model.config.columns.map((c: { name: string; type: string }) => `${c.name}:${c.type}`),
      ['age:numeric', 'sex:categorical', 'glucose:numeric', 'bmi:numeric'],
    );
    assert.match(readFileSync(join(run, 'report.html'), 'utf8'), /Which features drove the predictions/);

    const patient = file('patient.json', JSON.stringify({ age: 50, sex: 'M', glucose: 175, bmi: 'NA' }));
    const rows = file('rows.csv', 'age,sex,glucose,bmi\n50,M,175,NA\n40,F,85,25.0\n');
    const p = medattn('predict', '--run', run, '--json', patient, rows);
    assert.equal(p.code, 0, p.stderr);
    const out = JSON.parse(p.stdout) as {
      patient: string;
      predicted: string;
      probabilities: Record<string, number>;
      top: { feature: string; value: string; missing: boolean; weight: number }[];
      weights: Record<string, number>;
    }[];
    assert.equal(out.length, 3);
    assert.deepEqual(
      out.map((o) => o.predicted),
      ['yes', 'yes', 'no'],
    );
    // The same patient from JSON and from a CSV row gets the same probability.
    assert.equal(out[0].probabilities.yes, out[1].probabilities.yes);
    for (const o of out) {
      assert.ok(Math.abs(Object.values(o.weights).reduce((a, b) => a + b, 0) - 1) < 1e-4);
      assert.equal(o.top.length, 4);
    }
    assert.deepEqual(
      out[0].top.find((c) => c.feature === 'bmi'),
      { feature: 'bmi', value: 'NA', missing: true, weight: out[0].weights.bmi },
    );
    const text = medattn('predict', '--run', run, patient);
    assert.match(text.stdout, /patient 1\tyes\tp\(no\)=0\.\d+ p\(yes\)=0\.\d+/);
    assert.match(text.stdout, /glucose\s+175\s+0\.\d{3}/);

    const e = medattn('evaluate', '--run', run, '--data', csv, '--json');
    assert.equal(e.code, 0, e.stderr);
    const m = JSON.parse(e.stdout);
    assert.equal(m.n, 160);
    assert.ok(m.auroc > 0.95, `AUROC ${m.auroc}`);
  });

  test('cv --json prints one object with the mean and std of each metric, and writes the folds', () => {
    const out = join(dir, 'cv');
    const r = medattn(
      'cv',
      '--config',
      'configs/tabular.json',
      '--set',
      `data.file=${csv}`,
      '--set',
      'data.label=outcome',
      '--set',
      'training.epochs=3',
      '--folds',
      '2',
      '--json',
      '--out',
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.folds, 2);
    assert.equal(j.runs, 2);
    for (const k of ['auroc', 'accuracy', 'f1']) {
      assert.equal(typeof j.metrics[k].mean, 'number', k);
      assert.equal(typeof j.metrics[k].std, 'number', k);
    }
    const folds = JSON.parse(readFileSync(join(out, 'folds.json'), 'utf8'));
    assert.equal(folds.n, 160);
    assert.equal(folds.folds[0].val.length + folds.folds[1].val.length, 160);
  });

  test('bad tables and patients: one line naming file, line and column, exit code 1', () => {
    const cases: [string, RegExp][] = [
      ['a,b\n1,2\n3,4\n', /no-label\.csv: label column 'outcome' not found \(columns: a, b\)$/],
      [
        'a,outcome\n1,x\n2,x\n',
        /one-class\.csv: label column 'outcome' has one class \('x'\); a classifier needs two or more$/,
      ],
      [
        'a,outcome\n1,x\n2,y\n3,y\n4,x\nabc,y\n',
        /text\.csv: line 6, column 1 \('a'\): non-numeric text 'abc' in a numeric column$/,
      ],
      ['a,outcome\n1,x\n2,y,3\n', /ragged\.csv: line 3: 3 fields, the header has 2$/],
    ];
    const names = ['no-label.csv', 'one-class.csv', 'text.csv', 'ragged.csv'];
    cases.forEach(([text, line], i) => {
      const r = medattn(
        'train',
        '--config',
        'configs/tabular.json',
        '--set',
        `data.file=${file(names[i], text)}`,
        '--set',
        'data.label=outcome',
      );
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), line);
    });
    const skip = medattn(
      'cv',
      '--config',
      'configs/tabular.json',
      '--set',
      `data.file=${file('skip.csv', 'a,outcome\n1,x\n2,y,3\n')}`,
      '--set',
      'data.label=outcome',
      '--skip-bad',
    );
    assert.equal(skip.code, 1); // cv has no --skip-bad: commander's one-line usage error
  });

  test('predict: a non-number in a numeric field names the patient and column', () => {
    const bad = file('bad-patient.json', JSON.stringify({ age: 'old', sex: 'M', glucose: 100, bmi: 20 }));
    const r = medattn('predict', '--run', run, bad);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr.trim(), /bad-patient\.json: patient 1, 'age': 'old' is not a number$/);
  });
});
