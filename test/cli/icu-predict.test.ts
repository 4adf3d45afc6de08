// ICU series runs for clinicians: `medattn predict` on PhysioNet 2012 records (probability, decision, the most
// attended variables with their last values, the most attended hours, a heat map) and the report's hours x
// variables section, on 60 real set-A records trained for one short epoch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { icuGrid } from '../../src/data/icu/icu-grid.js';
import { parseIcuRecord } from '../../src/data/icu/physionet2012-record.js';
import { ICU_SERIES } from '../../src/data/icu/physionet2012-variables.js';
import { icuAttention, variableWeights } from '../../src/explain/icu-attention.js';
import { loadRun } from '../../src/train/run-folder.js';
import { dataPath, hasData, needsData } from '../helpers/shared-data.js';
import { cliRunner } from '../helpers/cli.js';

const options = needsData('physionet2012', 'set-a');
const dir = mkdtempSync(join(tmpdir(), 'medattn-icu-predict-'));
const records = join(dir, 'set');
const ids: string[] = [];

if (hasData('physionet2012', 'set-a')) {
  mkdirSync(records);
  const outcomes = readFileSync(dataPath('physionet2012', 'Outcomes-a.txt'), 'utf8').trim().split('\n');
  // The first 60 outcomes rows, with at least a few deaths among them.
  const rows = outcomes.slice(1, 61);
  writeFileSync(join(dir, 'outcomes.txt'), [outcomes[0], ...rows].join('\n'));
  for (const row of rows) {
    const id = row.split(',')[0];
    ids.push(id);
    copyFileSync(dataPath('physionet2012', 'set-a', `${id}.txt`), join(records, `${id}.txt`));
  }
  const spec = (part: string) => ({
    kind: 'physionet2012',
    records: 'set',
    outcomes: 'outcomes.txt',
    cache: false,
    fold: { k: 3, index: 0, part },
  });
  writeFileSync(
    join(dir, 'icu.json'),
    JSON.stringify({
      task: 'classification',
      data: { train: spec('train'), val: spec('val') },
      model: { name: 'icu_rnn', config: { cell: 'gru', variableDim: 4, variableHeads: 2, hidden: 16, dropout: 0 } },
      loss: { name: 'cross_entropy' },
      optimizer: { name: 'adamw', lr: 0.003 },
      training: { epochs: 1, batchSize: 8, workers: 0, threads: 1, seed: 0, monitor: 'auroc' },
    }),
  );
}

const medattn = cliRunner({ cwd: dir, timeoutMs: 180_000 });

test(
  'train writes the hours x variables section; predict explains records as the model computes them',
  options,
  async () => {
    const train = medattn('train', '--config', 'icu.json', '--out', 'run');
    assert.equal(train.code, 0, train.stderr);
    const report = readFileSync(join(dir, 'run', 'report.html'), 'utf8');
    assert.match(report, /Which hours and variables drove the predictions/);
    assert.doesNotMatch(report, /Where the model looked/, 'no image overlays of the packed grid');
    for (const f of ['icu-variables.png', 'icu-hours.png', 'icu-heatmap-1.png', 'icu-heatmap-4.png'])
      assert.ok(existsSync(join(dir, 'run', f)), f);

    const files = ids.slice(0, 3).map((id) => join(records, `${id}.txt`));
    const r = medattn('predict', '--run', 'run', ...files, '--json', '--out', 'maps');
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as {
      record: string;
      probabilities: Record<string, number>;
      predicted: string;
      topVariables: { variable: string; weight: number; lastValue?: number; observations: number }[];
      topHours: { from: number; to: number; weight: number }[];
      heatmap: string;
    }[];
    assert.equal(results.length, 3);

    // The same numbers in this process, from the run's weights and the reader's grid.
    const run = loadRun(join(dir, 'run'));
    const parsed = files.map((f) => parseIcuRecord(readFileSync(f, 'utf8'), f));
    const expected = icuAttention(
      run.model,
      parsed.map((p) => icuGrid(p, 48)),
      48,
    );
    for (const [i, res] of results.entries()) {
      assert.equal(res.record, ids[i]);
      assert.ok(Math.abs(res.probabilities.died - expected.probabilities[i][1]) < 1e-6, `p(died) of ${ids[i]}`);
      assert.equal(res.predicted, res.probabilities.died >= 0.5 ? 'died' : 'survived');
      const byVariable = variableWeights(expected.hoursVariables![i], 48);
      assert.ok(Math.abs(byVariable.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'attention sums to 1');
      byVariable.forEach((w, v) => assert.ok(Math.abs(w - expected.variables[i][v]) < 1e-6, 'variables = row sums'));
      assert.ok(Math.abs(res.topVariables[0].weight - Math.max(...byVariable)) < 1e-6);
      for (let k = 1; k < res.topVariables.length; k++)
        assert.ok(res.topVariables[k - 1].weight >= res.topVariables[k].weight, 'largest first');
      assert.ok(Math.abs(res.topHours[0].weight - Math.max(...expected.hours![i])) < 1e-6);
      // The last value of each top variable, read independently from the record's text.
      const lines = readFileSync(files[i], 'utf8').trim().split('\n').slice(1);
      for (const v of res.topVariables) {
        const rows = lines.map((l) => l.split(',')).filter(([time, name]) => name === v.variable && time !== '00:00');
        const recorded = rows.filter(([, , value]) => Number(value) !== -1);
        assert.equal(v.observations, recorded.length, `${v.variable} observations`);
        if (recorded.length) assert.equal(v.lastValue, Number(recorded.at(-1)![2]), v.variable);
        else assert.equal(v.lastValue, undefined);
      }
      const meta = await sharp(resolve(dir, res.heatmap)).metadata();
      assert.ok(meta.width! > 400 && meta.height! > 200, `heat map ${meta.width}x${meta.height}`);
    }
    assert.deepEqual(
      readdirSync(join(dir, 'maps')).sort(),
      ids
        .slice(0, 3)
        .map((id) => `${id}-attention.png`)
        .sort(),
    );

    const text = medattn('predict', '--run', 'run', files[0]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^${files[0]}\\t${ids[0]}\\t(died|survived)\\tp\\(survived\\)=`));
    assert.match(text.stdout, /hours: \d+-\d+ h/);
  },
);

const SERIES = { name: 'series', encoder: 'icu_series_rnn', config: { variableDim: 4, variableHeads: 2, hidden: 16 } };
const SUMMARY = { name: 'summary', encoder: 'icu_summary', config: { dim: 8, depth: 1, heads: 2 } };
const STATIC = { name: 'static', encoder: 'icu_static', config: { dim: 8, heads: 2 } };

/** Trains a small cross-attention fusion of `inputs` on the icu.json data into `<name>-run`. */
function trainFusion(name: string, inputs: object[]): void {
  const config = JSON.parse(readFileSync(join(dir, 'icu.json'), 'utf8')) as Record<string, unknown>;
  config.model = { name: 'fusion', config: { inputs, fusion: 'cross_attention', dim: 8, heads: 2 } };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(config));
  const train = medattn('train', '--config', `${name}.json`, '--out', `${name}-run`);
  assert.equal(train.code, 0, train.stderr);
}

test(
  'a fusion of series, summaries and statics: report and predict use the series input and give each input its weight',
  options,
  () => {
    trainFusion('fusion', [SERIES, SUMMARY, STATIC]);
    const report = readFileSync(join(dir, 'fusion-run', 'report.html'), 'utf8');
    assert.match(report, /Which hours and variables drove the predictions/);
    assert.doesNotMatch(report, /Where the model looked/, 'no image overlays of the packed grid');
    assert.ok(existsSync(join(dir, 'fusion-run', 'icu-inputs.png')));

    const files = ids.slice(0, 2).map((id) => join(records, `${id}.txt`));
    const r = medattn('predict', '--run', 'fusion-run', ...files, '--json');
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as {
      probabilities: Record<string, number>;
      topVariables: { weight: number }[];
      modalities: Record<string, number>;
    }[];
    const run = loadRun(join(dir, 'fusion-run'));
    const expected = icuAttention(
      run.model,
      files.map((f) => icuGrid(parseIcuRecord(readFileSync(f, 'utf8'), f), 48)),
      48,
    );
    for (const [i, res] of results.entries()) {
      assert.ok(Math.abs(res.probabilities.died - expected.probabilities[i][1]) < 1e-6, `p(died) of ${ids[i]}`);
      const byVariable = variableWeights(expected.hoursVariables![i], 48);
      assert.ok(Math.abs(res.topVariables[0].weight - Math.max(...byVariable)) < 1e-6, "the series input's map");
      assert.deepEqual(Object.keys(res.modalities), ['series', 'summary', 'static']);
      const weights = Object.values(res.modalities);
      const total = weights.reduce((a, b) => a + b, 0); // the rest went to the fusion's learned "none" token
      assert.ok(total > 0 && total <= 1 + 1e-6, `input weights sum to ${total}`);
      weights.forEach((w, m) => assert.ok(Math.abs(w - expected.modalities!.weights[i][m]) < 1e-6));
    }
    const text = medattn('predict', '--run', 'fusion-run', files[0]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /inputs: series \d\.\d{3}, summary \d\.\d{3}, static \d\.\d{3}/);
  },
);

test(
  'a fusion of summaries and statics (no series input): predict and report give attention over variables, no hours',
  options,
  async () => {
    trainFusion('summary', [SUMMARY, STATIC]);
    const report = readFileSync(join(dir, 'summary-run', 'report.html'), 'utf8');
    assert.match(report, /Which hours and variables drove the predictions/);
    assert.doesNotMatch(report, /Where the model looked/, 'no image overlays of the packed grid');
    for (const f of ['icu-variables.png', 'icu-inputs.png', 'icu-heatmap-1.png'])
      assert.ok(existsSync(join(dir, 'summary-run', f)), f);
    assert.ok(!existsSync(join(dir, 'summary-run', 'icu-hours.png')), 'no hours chart without a series input');

    const files = ids.slice(0, 2).map((id) => join(records, `${id}.txt`));
    const r = medattn('predict', '--run', 'summary-run', ...files, '--json', '--out', 'summary-maps');
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as {
      probabilities: Record<string, number>;
      topVariables: { variable: string; weight: number }[];
      topHours?: unknown;
      modalities: Record<string, number>;
      heatmap: string;
    }[];
    const run = loadRun(join(dir, 'summary-run'));
    const expected = icuAttention(
      run.model,
      files.map((f) => icuGrid(parseIcuRecord(readFileSync(f, 'utf8'), f), 48)),
      48,
    );
    assert.equal(expected.hoursVariables, undefined);
    for (const [i, res] of results.entries()) {
      assert.ok(Math.abs(res.probabilities.died - expected.probabilities[i][1]) < 1e-6, `p(died) of ${ids[i]}`);
      const byVariable = expected.variables[i];
      assert.ok(Math.abs(byVariable.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'attention over variables sums to 1');
      for (const v of res.topVariables)
        assert.ok(
          Math.abs(v.weight - byVariable[(ICU_SERIES as readonly string[]).indexOf(v.variable)]) < 1e-6,
          v.variable,
        );
      assert.ok(Math.abs(res.topVariables[0].weight - Math.max(...byVariable)) < 1e-6, 'the most attended first');
      assert.equal(res.topHours, undefined);
      assert.deepEqual(Object.keys(res.modalities), ['summary', 'static']);
      const meta = await sharp(resolve(dir, res.heatmap)).metadata();
      assert.ok(meta.width! > 300 && meta.height! > 150, `bar chart ${meta.width}x${meta.height}`);
    }
    const text = medattn('predict', '--run', 'summary-run', files[0]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /inputs: summary \d\.\d{3}, static \d\.\d{3}/);
    assert.doesNotMatch(text.stdout, /hours:/);
  },
);

test('a fusion input naming an unknown encoder is one line listing the encoders', options, () => {
  const config = JSON.parse(readFileSync(join(dir, 'icu.json'), 'utf8')) as Record<string, unknown>;
  config.model = {
    name: 'fusion',
    config: { inputs: [{ name: 'series', encoder: 'icu_series_gru' }], fusion: 'cross_attention' },
  };
  writeFileSync(join(dir, 'bad-fusion.json'), JSON.stringify(config));
  const r = medattn('train', '--config', 'bad-fusion.json', '--out', 'bad-fusion-run');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /fusion: option 'inputs\[\]\.encoder' must be one of icu_series_rnn, .*got "icu_series_gru"/);
});

test('a garbled ICU record given to predict is one line naming file and line', options, () => {
  writeFileSync(join(dir, 'bad.txt'), 'Time,Parameter,Value\n00:00,RecordID,1\n0x:10,HR,80\n');
  const r = medattn('predict', '--run', 'run', 'bad.txt');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /bad\.txt:3: garbled time '0x:10'/);
});
