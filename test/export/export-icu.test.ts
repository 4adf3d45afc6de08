// The ICU networks and fusion in ONNX on real PhysioNet 2012 records (set A): icu_rnn (GRU and LSTM),
// icu_transformer and fusion (RNN or transformer series + static descriptors; the per-variable summaries alone
// and with series and statics), with every weight perturbed, give ONNX Runtime logits, probabilities and
// attention maps (hours x variables, hours, static features, summary variables, modalities)
// equal to libtorch's eval outputs within 1e-4 on the hourly grids of 8 real stays, and pass ONNX's full
// checker. End to end: icu_rnn and fusion trained one epoch on 60 real stays are exported with
// `exportRun`, and evaluate --engine onnx gives --engine torch's metrics within 1e-4.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { icuGrid } from '../../src/data/icu/icu-grid.js';
import { parseIcuRecord } from '../../src/data/icu/physionet2012-record.js';
import { ICU_SERIES } from '../../src/data/icu/physionet2012-variables.js';
import { exportModel, exportRun, ExportError } from '../../src/export/index.js';
import { FusionModel, IcuRnn, IcuTransformer, fusionDefaults, icuRnnDefaults } from '../../src/models/index.js';
import type { AttentionModel } from '../../src/models/index.js';
import { evaluateRunOnnx } from '../../src/runtime/index.js';
import { manualSeed, tensor } from '../../src/tensor/index.js';
import { loadConfig } from '../../src/train/config.js';
import { evaluateRun } from '../../src/train/evaluate-run.js';
import { train } from '../../src/train/trainer.js';
import { dataPath, needsData } from '../helpers/shared-data.js';
import { classifierParity, maxMetricDiff, onnxCheck, randomizeState } from './onnx-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-export-icu-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const V = ICU_SERIES.length;
const H = 48;

describe('ICU networks export (PhysioNet 2012 set A)', needsData('physionet2012', 'set-a'), () => {
  const setA = dataPath('physionet2012', 'set-a');
  const files = readdirSync(setA)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  // 8 real stays' grids [8, 3, H + 1, V]
  const grids = files.slice(0, 8).map((f) => icuGrid(parseIcuRecord(readFileSync(join(setA, f), 'utf8'), f)));
  const x = () => tensor(Float32Array.from(grids.flatMap((g) => [...g])), { shape: [grids.length, 3, H + 1, V] });
  const small = { variableDim: 4, variableHeads: 2, hidden: 8 };
  const cases: [string, () => AttentionModel][] = [
    ['icu_rnn (GRU)', () => new IcuRnn({ ...icuRnnDefaults, ...small })],
    ['icu_rnn (LSTM)', () => new IcuRnn({ ...icuRnnDefaults, ...small, cell: 'lstm' })],
    [
      'icu_transformer',
      () =>
        new IcuTransformer({
          numVariables: V,
          numStatics: 8,
          numClasses: 2,
          dim: 16,
          depth: 2,
          heads: 2,
          dropout: 0,
          maxTokens: 512,
        }),
    ],
    ['fusion (GRU series + statics)', () => new FusionModel({ ...fusionDefaults, dim: 16, heads: 2 })],
    [
      'fusion (transformer series + statics)',
      () =>
        new FusionModel({
          ...fusionDefaults,
          inputs: [
            { name: 'series', encoder: 'icu_series_transformer', config: { dim: 16, heads: 2, maxTokens: 300 } },
            { name: 'static', encoder: 'icu_static' },
          ],
          dim: 16,
          heads: 2,
        }),
    ],
    [
      'fusion (summary only)',
      () =>
        new FusionModel({
          ...fusionDefaults,
          inputs: [{ name: 'summary', encoder: 'icu_summary', config: { dim: 16, depth: 2, heads: 2 } }],
          dim: 16,
          heads: 2,
        }),
    ],
    [
      'fusion (GRU series + summary + statics)',
      () =>
        new FusionModel({
          ...fusionDefaults,
          inputs: [
            { name: 'series', encoder: 'icu_series_rnn', config: small },
            { name: 'summary', encoder: 'icu_summary', config: { dim: 16, depth: 2, heads: 2 } },
            { name: 'static', encoder: 'icu_static' },
          ],
          dim: 16,
          heads: 2,
        }),
    ],
  ];
  for (const [label, make] of cases) {
    test(`${label}: ONNX Runtime equals libtorch within 1e-4 on 8 real stays; full checker passes`, async () => {
      manualSeed(5);
      const model = make();
      randomizeState(model);
      const exported = exportModel(model, { inputShape: [3, H + 1, V] });
      assert.deepEqual(exported.input, { name: 'grid', dims: ['batch', 3, H + 1, V] });
      const file = join(dir, `${label.replace(/\W+/g, '_')}.onnx`);
      writeFileSync(file, exported.bytes);
      assert.equal(onnxCheck(file), '');
      const diffs = await classifierParity(model, exported.bytes, x(), 'grid');
      model.dispose();
      console.log(label, Object.fromEntries(diffs));
      const maps = [...diffs.keys()].filter((k) => k.startsWith('attention/'));
      assert.ok(maps.includes(label.startsWith('fusion') ? 'attention/modalities' : 'attention/hours_variables'));
      if (label.includes('summary')) assert.ok(maps.includes('attention/summary.variables'));
      for (const [k, d] of diffs) assert.ok(d < 1e-4, `${k}: max abs diff ${d}`);
    });
  }

  test('fusion with an image encoder: the one-line error names the layer', () => {
    const model = new FusionModel({
      ...fusionDefaults,
      inputs: [
        { name: 'series', encoder: 'icu_series_rnn' },
        { name: 'photo', encoder: 'image' },
      ],
    });
    assert.throws(
      () => exportModel(model, { inputShape: [3, H + 1, V] }),
      (e: Error) =>
        e instanceof ExportError &&
        e.message ===
          "cannot export layer 'encoders.1' (ImageEncoder): the ONNX exporter has no emitter for this fusion encoder",
    );
    model.dispose();
  });

  // 60 real stays and their outcomes, in a folder of their own (links, not copies)
  const records = join(dir, 'set');
  const outcomes = join(dir, 'Outcomes.txt');
  const spec = (part: 'train' | 'val') =>
    JSON.stringify({ kind: 'physionet2012', records, outcomes, cache: false, fold: { k: 4, index: 0, part } });
  for (const [name, config] of [
    ['icu_rnn', 'configs/physionet2012.json'],
    ['fusion', 'configs/physionet2012-fusion.json'],
  ] as const) {
    test(`${name} trained one epoch on 60 stays: evaluate --engine onnx gives --engine torch's metrics within 1e-4`, async () => {
      if (!readdirSync(dir).includes('set')) {
        mkdirSync(records);
        const chosen = files.slice(0, 60);
        for (const f of chosen) symlinkSync(join(setA, f), join(records, f));
        const ids = new Set(chosen.map((f) => f.replace('.txt', '')));
        const lines = readFileSync(dataPath('physionet2012', 'Outcomes-a.txt'), 'utf8').trim().split('\n');
        writeFileSync(outcomes, [lines[0], ...lines.slice(1).filter((l) => ids.has(l.split(',')[0]))].join('\n'));
        writeFileSync(join(dir, 'val.json'), spec('val'));
      }
      const run = join(dir, `run-${name}`);
      await train(
        loadConfig(config, [
          `data.train=${spec('train')}`,
          `data.val=${spec('val')}`,
          'training.epochs=1',
          'training.batchSize=16',
          'training.threads=1',
        ]),
        { outDir: run },
      );
      const { exported } = await exportRun(run);
      assert.deepEqual(exported.input.dims, ['batch', 3, H + 1, V]);
      assert.equal(onnxCheck(join(run, 'model.onnx')), '');
      const val = join(dir, 'val.json');
      const torch = await evaluateRun(run, val);
      const onnx = await evaluateRunOnnx(run, join(run, 'model.onnx'), val);
      const d = maxMetricDiff(torch, onnx);
      console.log(name, 'evaluate', JSON.stringify(onnx), 'max diff', d);
      assert.equal(onnx.n, 15);
      assert.ok(d < 1e-4, `metrics differ by ${d}`);
    });
  }
});
