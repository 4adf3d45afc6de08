// The text classifiers in ONNX on real notes (mtsamples): text_bilstm and text_transformer trained one epoch on
// 90 real transcriptions of three specialties are exported with `exportRun`; on 8 real notes of different
// lengths (right-padded in one batch, so the BiLSTM's sequence lengths and the transformer's key padding mask
// are exercised), ONNX Runtime's logits, probabilities and token attention (and rollout) equal libtorch's eval
// outputs within 1e-4; the file passes ONNX's full checker; evaluate --engine onnx gives --engine torch's
// metrics within 1e-4; predict's explanations through ONNX Runtime equal libtorch's.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDataset } from '../../src/data/datasets/index.js';
import type { TextDataset } from '../../src/data/datasets/text-dataset.js';
import { decodeModel, exportRun } from '../../src/export/index.js';
import { evaluateRunOnnx, explainNotesOnnx, OnnxModel } from '../../src/runtime/index.js';
import { explainNotes } from '../../src/train/tasks/text-explain.js';
import { textProbabilitiesOnnx } from '../../src/runtime/evaluate-text-onnx.js';
import { loadConfig } from '../../src/train/config.js';
import { evaluateTextRun, idsTensor, loadTextRun, predictProbs } from '../../src/train/tasks/text.js';
import { train } from '../../src/train/trainer.js';
import { dataPath, needsData } from '../helpers/shared-data.js';
import { classifierParity, maxMetricDiff, onnxCheck } from './onnx-reference.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-export-text-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('text models export (mtsamples)', needsData('text', 'mtsamples.csv'), () => {
  const notesCsv = join(dir, 'notes.csv');
  const spec = (split: 'train' | 'val') => ({
    kind: 'text' as const,
    file: notesCsv,
    textColumn: 'note',
    labelColumn: 'label',
    split,
    folds: 3,
    fold: 0,
  });
  let samples: string[] = [];
  before(async () => {
    // 30 real notes of each of three specialties, in a small CSV of their own
    const ds = (await createDataset({
      kind: 'text',
      file: dataPath('text', 'mtsamples.csv'),
      textColumn: 'transcription',
      labelColumn: 'medical_specialty',
      labels: ['Orthopedic', 'Neurology', 'Urology'],
    })) as TextDataset;
    const texts = ds.texts();
    const labels = ds.labels();
    const rows: string[] = [];
    const taken = [0, 0, 0];
    for (let i = 0; i < texts.length; i++) {
      if (taken[labels[i]] >= 30 || !texts[i].trim()) continue;
      taken[labels[i]]++;
      const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
      rows.push(`${q(texts[i])},${q(ds.classNames[labels[i]])}`);
    }
    writeFileSync(notesCsv, `note,label\n${rows.join('\n')}\n`);
    writeFileSync(join(dir, 'val.json'), JSON.stringify(spec('val')));
    // 8 real notes cut to different lengths (10 to 150 words)
    samples = texts.slice(0, 8).map((t, i) =>
      t
        .split(/\s+/)
        .slice(0, 10 + 20 * i)
        .join(' '),
    );
  });

  for (const [label, name, config] of [
    ['text_bilstm', 'text_bilstm', { embedDim: 16, hiddenSize: 12, attentionSize: 16, dropout: 0.1 }],
    ['text_transformer', 'text_transformer', { dim: 16, depth: 2, numHeads: 2, dropout: 0.1 }],
    // the shipped mtsamples shape: no encoder block, attention pooling over the embeddings, word dropout
    [
      'text_transformer depth 0',
      'text_transformer',
      { dim: 16, depth: 0, numHeads: 1, dropout: 0.1, tokenDropout: 0.2 },
    ],
  ] as const) {
    const run = join(dir, label.replace(/ /g, '-'));
    test(`${label}: ONNX Runtime equals libtorch within 1e-4 on real notes of different lengths; full checker passes`, async () => {
      await train(
        loadConfig('configs/mtsamples.json', [
          `data.train=${JSON.stringify(spec('train'))}`,
          `data.val=${JSON.stringify(spec('val'))}`,
          `model.name=${name}`,
          `model.config=${JSON.stringify(config)}`,
          'text={"vocabSize":400,"lowercase":true,"maxTokens":160}',
          'training.epochs=1',
          'training.batchSize=16',
          'training.threads=1',
        ]),
        { outDir: run },
      );
      const { path, exported, metadata } = await exportRun(run);
      assert.equal(onnxCheck(path), '');
      assert.deepEqual(exported.input, { name: 'input_ids', dims: ['batch', 'tokens'], dtype: 'int64' });
      const rollout = name === 'text_transformer' && config.depth > 0; // rollout multiplies through the blocks
      const maps = rollout ? ['attention/rollout', 'attention/tokens'] : ['attention/tokens'];
      assert.deepEqual(exported.outputs.map((o) => o.name).sort(), ['logits', 'probabilities', ...maps].sort());
      assert.equal(metadata['medattn.max_tokens'], '160');
      assert.equal(metadata['medattn.tokenizer'], 'tokenizer.json');
      const props = Object.fromEntries(
        (decodeModel(readFileSync(path)).metadata_props ?? []).map((p) => [p.key, p.value]),
      );
      assert.match(props['medattn.input_layout'], /^input_ids \[batch, tokens\] int64: .*right-padded with 0/);

      const { model, tokenizer } = loadTextRun(run);
      const encoded = await tokenizer.encode(samples, 160);
      const lengths = encoded.map((e) => e.ids.length);
      assert.ok(Math.max(...lengths) > 2 * Math.min(...lengths), `lengths ${lengths}`);
      const ids = idsTensor(encoded);
      const diffs = await classifierParity(model, readFileSync(path), ids, 'input_ids');
      ids.dispose();
      model.dispose();
      console.log(label, 'lengths', lengths.join(' '), Object.fromEntries(diffs));
      for (const [k, d] of diffs) assert.ok(d < 1e-4, `${k}: max abs diff ${d}`);
    });

    test(`${label}: evaluate --engine onnx gives --engine torch's metrics within 1e-4`, async () => {
      const val = join(dir, 'val.json');
      const torch = await evaluateTextRun(run, JSON.parse(readFileSync(val, 'utf8')));
      const onnx = await evaluateRunOnnx(run, join(run, 'model.onnx'), val);
      const d = maxMetricDiff(torch, onnx);
      console.log(label, 'evaluate', JSON.stringify(onnx), 'max diff', d);
      assert.equal(onnx.n, 30);
      assert.ok(d < 1e-4, `metrics differ by ${d}`);
      // the probabilities behind them, note by note
      const { model, tokenizer, classNames } = loadTextRun(run);
      const ds = (await createDataset(spec('val'))) as TextDataset;
      const encoded = await tokenizer.encode(ds.texts(), 160);
      const want = predictProbs(model, encoded, 32);
      model.dispose();
      const session = await OnnxModel.load(join(run, 'model.onnx'));
      const got = await textProbabilitiesOnnx(session, encoded, classNames.length).finally(() => session.release());
      const p = want.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i])), 0);
      console.log(label, 'probabilities of the 30 validation notes: max abs diff', p);
      assert.ok(p < 1e-4, `probabilities differ by ${p}`);
    });

    if (label === 'text_bilstm')
      test('through the CLI: export --triton --json, then evaluate --json picks ONNX Runtime and prints the same metrics', () => {
        const cli = (...args: string[]) => {
          const r = runCli(args, { threads: 1 });
          assert.equal(r.code, 0, r.stderr);
          return JSON.parse(r.stdout) as Record<string, unknown>;
        };
        const triton = join(dir, 'triton');
        const out = cli('export', '--run', run, '--triton', triton, '--json');
        assert.deepEqual(out.input, { name: 'input_ids', dims: ['batch', 'tokens'], dtype: 'int64' });
        const pbtxt = readFileSync(join(triton, name, 'config.pbtxt'), 'utf8');
        assert.match(pbtxt, /name: "input_ids"\n {4}data_type: TYPE_INT64\n {4}dims: \[ -1 \]/);
        assert.match(pbtxt, /name: "attention\/tokens"\n {4}data_type: TYPE_FP32\n {4}dims: \[ -1 \]/);
        const val = join(dir, 'val.json');
        const onnx = cli('evaluate', '--run', run, '--data', val, '--json');
        const torch = cli('evaluate', '--run', run, '--data', val, '--engine', 'torch', '--json');
        assert.deepEqual(Object.keys(onnx), Object.keys(torch));
        assert.ok(maxMetricDiff(torch, onnx) < 1e-4);
      });

    test(`${label}: predict through ONNX Runtime explains notes as libtorch does`, async () => {
      const { model, tokenizer } = loadTextRun(run);
      const encoded = await tokenizer.encode(samples.slice(0, 4), 160);
      const want = explainNotes(model, encoded);
      model.dispose();
      const session = await OnnxModel.load(join(run, 'model.onnx'));
      const got = await explainNotesOnnx(session, encoded).finally(() => session.release());
      let worst = 0;
      got.forEach((e, i) => {
        assert.equal(e.predicted, want[i].predicted);
        assert.deepEqual(Object.keys(e.weights).sort(), Object.keys(want[i].weights).sort());
        e.probs.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - want[i].probs[c]))));
        for (const [k, w] of Object.entries(e.weights))
          w.forEach((v, t) => (worst = Math.max(worst, Math.abs(v - want[i].weights[k][t]))));
      });
      console.log(label, 'predict: ONNX vs libtorch, max abs diff of probabilities and token weights', worst);
      assert.ok(worst < 1e-4, `differ by ${worst}`);
    });
  }
});
