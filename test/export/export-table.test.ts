// `medattn export --run DIR` of the table classifiers on real tables: ft_transformer and feature_attention
// trained one epoch on ckd.csv (numeric and categorical columns, empty cells) are exported; on the first rows
// of the CSV, ONNX Runtime's logits, probabilities and per-patient feature weights equal libtorch's eval
// outputs within 1e-4; the file passes ONNX's full checker and says its input layout; evaluate --engine onnx
// gives --engine torch's metrics within 1e-4; predict through ONNX Runtime (library and CLI) gives libtorch's
// probabilities, feature weights and decisions; --int8 is a one-line error.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createDataset } from '../../src/data/datasets/index.js';
import { decodeModel, exportRun, ExportError } from '../../src/export/index.js';
import { evaluateRunOnnx, OnnxModel, onnxTableInfer } from '../../src/runtime/index.js';
import { predictPatients } from '../../src/train/predict-table.js';
import { modelInfoFromMetadata } from '../../src/serve/model-info.js';
import { tensor } from '../../src/tensor/index.js';
import { loadConfig } from '../../src/train/config.js';
import { evaluateRun } from '../../src/train/evaluate-run.js';
import { loadRun } from '../../src/train/run-folder.js';
import { train } from '../../src/train/trainer.js';
import { dataPath, needsData } from '../helpers/shared-data.js';
import { classifierParity, maxMetricDiff, onnxCheck } from './onnx-reference.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-export-table-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('table models export (ckd.csv)', needsData('tabular', 'ckd.csv'), () => {
  const csv = dataPath('tabular', 'ckd.csv');
  for (const name of ['ft_transformer', 'feature_attention'] as const) {
    const run = join(dir, name);
    test(`${name}: ONNX Runtime equals libtorch within 1e-4 on real rows; full checker passes`, async () => {
      const config = loadConfig('configs/tabular.json', [
        `data.file=${csv}`,
        'data.label=Class',
        `model.name=${name}`,
        'model.config={"dim":16,"depth":2,"numHeads":2,"dropout":0.1,"mlpRatio":2}',
        'training.epochs=1',
        'training.threads=1',
      ]);
      await train(config, { outDir: run });
      const { path, exported, metadata } = await exportRun(run);
      assert.equal(onnxCheck(path), '');
      const columns = 24; // ckd.csv: 24 features besides the label
      assert.deepEqual(exported.input, { name: 'table', dims: ['batch', 2, columns] });
      assert.deepEqual(
        exported.outputs.map((o) => `${o.name} [${o.dims}]`),
        ['logits [batch,2]', 'probabilities [batch,2]', `attention/features.channel [batch,${columns}]`],
      );
      const props = Object.fromEntries(
        (decodeModel(readFileSync(path)).metadata_props ?? []).map((p) => [p.key, p.value]),
      );
      assert.match(props['medattn.input_layout'], /^table \[batch, 2, 24\] float32: row 0 the raw values/);
      assert.equal(metadata['medattn.model'], name);
      // the HTTP service serves images: it refuses the table model at start in one line
      assert.throws(
        () => modelInfoFromMetadata(props, path),
        new RegExp(`^Error: ${path}: the input is table \\[batch, 2, 24\\] float32, the service serves image models$`),
      );

      // the first 16 patients of the CSV, as the table dataset encodes them (codes, missing cells)
      const ds = await createDataset({ kind: 'table', file: csv, label: 'Class' });
      const rows: number[] = [];
      for (let i = 0; i < 16; i++) rows.push(...((await ds.get(i)).image.data as Float32Array));
      const missing = rows.filter((_, j) => Math.floor(j / columns) % 2 === 1).filter((v) => v === 1).length;
      assert.ok(missing > 0, 'the rows have missing cells');
      const { model } = loadRun(run);
      const diffs = await classifierParity(
        model,
        readFileSync(path),
        tensor(Float32Array.from(rows), { shape: [16, 2, columns] }),
        'table',
      );
      model.dispose();
      console.log(name, Object.fromEntries(diffs));
      for (const [k, d] of diffs) assert.ok(d < 1e-4, `${k}: max abs diff ${d}`);
    });

    test(`${name}: evaluate --engine onnx gives --engine torch's metrics within 1e-4`, async () => {
      const torch = await evaluateRun(run, csv);
      const onnx = await evaluateRunOnnx(run, join(run, 'model.onnx'), csv);
      const d = maxMetricDiff(torch, onnx);
      console.log(name, 'evaluate', JSON.stringify(onnx), 'max diff', d);
      assert.equal(onnx.n, 400);
      assert.ok(d < 1e-4, `metrics differ by ${d}`);
    });
  }

  test("predict through ONNX Runtime (the default once model.onnx exists) gives libtorch's probabilities and feature weights", async () => {
    const run = join(dir, 'ft_transformer');
    // 6 real patients as a user gives them: the CSV's own lines
    const lines = readFileSync(csv, 'utf8').split('\n');
    const patients = join(dir, 'patients.csv');
    writeFileSync(patients, `${lines.slice(0, 7).join('\n')}\n`);
    const loaded = loadRun(run);
    const torch = await predictPatients(loaded, [patients]);
    const onnx = await OnnxModel.load(join(run, 'model.onnx'));
    const viaOnnx = await predictPatients(loaded, [patients], { infer: onnxTableInfer(onnx) }).finally(() =>
      onnx.release(),
    );
    loaded.model.dispose();
    assert.equal(viaOnnx.length, 6);
    let worst = 0;
    viaOnnx.forEach((p, i) => {
      assert.equal(p.predicted, torch[i].predicted);
      assert.deepEqual(Object.keys(p.weights), Object.keys(torch[i].weights));
      for (const [k, v] of Object.entries(p.probabilities))
        worst = Math.max(worst, Math.abs(v - torch[i].probabilities[k]));
      for (const [k, v] of Object.entries(p.weights)) worst = Math.max(worst, Math.abs(v - torch[i].weights[k]));
    });
    console.log('predict: ONNX vs libtorch, max abs diff of probabilities and weights (6 decimals)', worst);
    assert.ok(worst < 1e-4, `differ by ${worst}`);
    // the CLI picks ONNX Runtime by itself and prints the same decisions as --engine torch
    const cli = (...args: string[]) => {
      const r = runCli(args, { threads: 1 });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { predicted: string }[];
    };
    const byDefault = cli('predict', '--run', run, '--json', patients);
    assert.deepEqual(
      byDefault.map((p) => p.predicted),
      torch.map((p) => p.predicted),
    );
  });

  test('--int8 on a table run is a one-line ExportError', async () => {
    await assert.rejects(
      () => exportRun(join(dir, 'feature_attention'), { int8: {} }),
      (e: Error) =>
        e instanceof ExportError && /^--int8: .*'feature_attention' exports in float32 only$/.test(e.message),
    );
  });
});
