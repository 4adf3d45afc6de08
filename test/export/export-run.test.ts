// `medattn export --run DIR` end to end on real data: a small attention CNN trained on PneumoniaMNIST and a
// small Attention U-Net trained on DRIVE crops are exported; ONNX Runtime's probabilities and every attention
// map equal libtorch's eval outputs within 1e-4 on real inputs; the file passes ONNX's full checker and holds
// the run's metadata; evaluate/predict --engine onnx give libtorch's metrics and decisions; user errors are
// one line with exit code 1.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { readImage, readNpz } from '../../src/data/io/index.js';
import { createTransform, Rng } from '../../src/data/transforms/index.js';
import type { MedicalImage } from '../../src/data/medical-image.js';
import { decodeModel } from '../../src/export/index.js';
import { loadRun } from '../../src/train/run-folder.js';
import { lookedRow, whereItLooked } from '../../src/train/report/where-it-looked.js';
import { OnnxModel, onnxLooked } from '../../src/runtime/index.js';
import { tensor, tidy } from '../../src/tensor/index.js';
import { dataPath, needsData } from '../helpers/shared-data.js';
import { maxAbsDiff, onnxCheck, ortOutputs, torchOutputs } from './onnx-reference.js';
import { cliRunner } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-export-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const medattn = cliRunner({ threads: 2 });

/** Worst |ONNX - libtorch| per output over a batch; probabilities from the libtorch logits. */
async function parity(run: string, data: Float32Array, shape: number[]): Promise<Map<string, number>> {
  const { model, config } = loadRun(run);
  const reference = tidy(() => torchOutputs(model, tensor(data, { shape })));
  const logits = reference.get('logits')!;
  const probs = tidy(() => {
    const l = tensor(logits, {
      shape: config.task === 'classification' ? [shape[0], logits.length / shape[0]] : [shape[0], 1, ...shape.slice(2)],
    });
    return (config.task === 'classification' ? l.softmax(1) : l.sigmoid()).toFloat32Array();
  });
  reference.set(config.task === 'classification' ? 'probabilities' : 'probability', probs);
  model.dispose();
  const got = await ortOutputs(readFileSync(join(run, 'model.onnx')), data, shape);
  assert.deepEqual([...got.keys()].sort(), [...reference.keys()].sort());
  return new Map([...reference].map(([k, want]) => [k, maxAbsDiff(got.get(k)!, want)]));
}

/**
 * predict --maps's maps of one raw image by libtorch (whereItLooked) and by ONNX Runtime (onnxLooked): max abs
 * difference of the prediction and of each spatial attention map (by column), and the drawn attention tiles.
 */
async function lookedParity(run: string, raw: MedicalImage) {
  const { model, config } = loadRun(run);
  const image = createTransform(config.transforms.eval).apply({ image: raw }, Rng.seeded(0)).image as MedicalImage;
  const torch = whereItLooked(model, image, config);
  model.dispose();
  const onnx = await OnnxModel.load(join(run, 'model.onnx'), { threads: 2 });
  const looked = await onnxLooked(onnx)(image, config).finally(() => onnx.release());
  const offset = config.task === 'segmentation' ? 2 : 1; // input (and probability) columns come first
  const diffs: Record<string, number> = { output: maxAbsDiff(looked.output, torch.output) };
  looked.columns.slice(offset).forEach((c, i) => {
    const j = torch.columns.indexOf(c) - offset;
    assert.ok(j >= 0, `libtorch has no map '${c}'`);
    diffs[c] = maxAbsDiff(looked.maps[i], torch.maps[j]);
  });
  const attentionOnly = (l: typeof torch) => ({
    ...l,
    columns: l.columns.filter((c) => !c.startsWith('Grad-CAM')),
    maps: l.maps.slice(0, looked.maps.length),
  });
  const torchPng = await lookedRow(image, attentionOnly(torch));
  const onnxPng = await lookedRow(image, looked);
  return { diffs, torchPng, onnxPng };
}

/** Largest byte difference between two rows of RGB tiles. */
function tileDiff(a: Buffer[], b: Buffer[]): number {
  assert.equal(a.length, b.length);
  let m = 0;
  a.forEach((t, i) => {
    for (let j = 0; j < t.length; j++) m = Math.max(m, Math.abs(t[j] - b[i][j]));
  });
  return m;
}

function numericDiffs(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) if (typeof v === 'number') out[k] = Math.abs(v - (b[k] as number));
  return out;
}

describe(
  'export --run on PneumoniaMNIST (attention CNN: SE, CBAM, non-local)',
  needsData('pneumoniamnist', 'pneumoniamnist.npz'),
  () => {
    const npz = dataPath('pneumoniamnist', 'pneumoniamnist.npz');
    const subset = (split: string, n: number) => ({
      kind: 'subset',
      of: { kind: 'medmnist', file: npz, split },
      indices: Array.from({ length: n }, (_, i) => i),
    });
    const run = join(dir, 'pneumonia');
    const config = {
      name: 'export test',
      task: 'classification',
      data: { train: subset('train', 320), val: subset('val', 128) },
      transforms: {
        train: [
          { type: 'toFloat', scale: 1 / 255 },
          { type: 'randFlip', axes: [1] },
          { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
        ],
        eval: [
          { type: 'toFloat', scale: 1 / 255 },
          { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
        ],
      },
      model: {
        name: 'attention_cnn',
        config: {
          inChannels: 1,
          numClasses: 2,
          stages: [
            { channels: 8, attention: 'se' },
            { channels: 8, attention: 'cbam' },
            { channels: 8, attention: 'nonlocal' },
          ],
          reduction: 4,
        },
      },
      loss: { name: 'cross_entropy' },
      optimizer: { name: 'adamw', lr: 0.003 },
      training: { epochs: 2, batchSize: 32, workers: 1, seed: 3, threshold: 'youden' },
      report: { samples: 1 },
    };

    test('train, then export writes <run>/model.onnx atomically with the run metadata; full checker passes', () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'pneumonia.json'), JSON.stringify(config));
      const trained = medattn('train', '--config', join(dir, 'pneumonia.json'), '--out', run);
      assert.equal(trained.code, 0, trained.stderr);
      const started = performance.now();
      const r = medattn('export', '--run', run, '--json');
      const ms = performance.now() - started;
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { file: string; bytes: number; input: { dims: unknown[] } };
      assert.equal(out.file, join(run, 'model.onnx'));
      assert.equal(out.bytes, statSync(out.file).size);
      assert.deepEqual(out.input.dims, ['batch', 1, 28, 28]);
      assert.deepEqual(
        readdirSync(run).filter((f) => f.includes('.tmp')),
        [],
        'no temp file left',
      );
      assert.equal(onnxCheck(out.file), '');
      const meta = Object.fromEntries(decodeModel(readFileSync(out.file)).metadata_props.map((p) => [p.key, p.value]));
      const { threshold } = loadRun(run);
      assert.ok(threshold !== undefined && threshold > 0 && threshold < 1);
      assert.equal(meta['medattn.threshold'], String(threshold));
      assert.equal(meta['medattn.threshold_source'], 'training');
      assert.equal(meta['medattn.version'], JSON.parse(readFileSync('package.json', 'utf8')).version);
      assert.equal(meta['medattn.input_channels'], '1');
      assert.equal(meta['medattn.input_size'], '[28,28]');
      assert.equal(meta['medattn.class_names'], '["normal","pneumonia"]');
      assert.deepEqual(JSON.parse(meta['medattn.normalization']), config.transforms.eval);
      assert.equal(
        meta['medattn.config_sha256'],
        createHash('sha256')
          .update(readFileSync(join(run, 'config.json')))
          .digest('hex'),
      );
      console.log(`pneumonia model.onnx: ${out.bytes} bytes, export command ${ms.toFixed(0)} ms`);
    });

    test('ONNX Runtime equals libtorch on 128 real validation images: probabilities and 4 attention maps within 1e-4', async () => {
      const images = (await readNpz(npz, { keys: ['val_images'] })).get('val_images')!;
      const n = 128;
      const raw = (images.data as Uint8Array).subarray(0, n * 28 * 28);
      const data = Float32Array.from(raw, (v) => (v / 255 - 0.5) / 0.25);
      const diffs = await parity(run, data, [n, 1, 28, 28]);
      assert.equal([...diffs.keys()].filter((k) => k.startsWith('attention/')).length, 4);
      for (const [k, d] of diffs) assert.ok(d < 1e-4, `${k}: ${d}`);
      console.log('pneumonia parity (max abs):', Object.fromEntries(diffs));
    });

    test('evaluate --engine onnx prints the metrics of --engine torch (within 1e-4); onnx is the default with model.onnx', () => {
      const args = ['evaluate', '--run', run, '--data', npz, '--split', 'val', '--json'];
      const torch = medattn(...args, '--engine', 'torch');
      const onnx = medattn(...args, '--engine', 'onnx');
      const plain = medattn(...args);
      for (const r of [torch, onnx, plain]) assert.equal(r.code, 0, r.stderr);
      const t = JSON.parse(torch.stdout);
      const o = JSON.parse(onnx.stdout);
      assert.equal(o.n, 524);
      assert.deepEqual(Object.keys(o), Object.keys(t));
      const diffs = numericDiffs(o, t);
      for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-4, `${k}: ${o[k]} vs ${t[k]}`);
      assert.deepEqual(o.confusion_matrix, t.confusion_matrix);
      assert.deepEqual(JSON.parse(plain.stdout), o);
      console.log('pneumonia evaluate onnx vs torch:', diffs);
    });

    test('predict --engine onnx gives libtorch decisions and probabilities', async () => {
      const images = (await readNpz(npz, { keys: ['val_images'] })).get('val_images')!;
      const files: string[] = [];
      for (let i = 0; i < 4; i++) {
        const png = join(dir, `xray${i}.png`);
        await sharp(Buffer.from((images.data as Uint8Array).subarray(i * 784, (i + 1) * 784)), {
          raw: { width: 28, height: 28, channels: 1 },
        })
          .png()
          .toFile(png);
        files.push(png);
      }
      const torch = medattn('predict', '--run', run, '--json', '--engine', 'torch', ...files);
      const onnx = medattn('predict', '--run', run, '--json', '--engine', 'onnx', ...files);
      assert.equal(onnx.code, 0, onnx.stderr);
      const t = JSON.parse(torch.stdout) as { predicted: string; probabilities: Record<string, number> }[];
      const o = JSON.parse(onnx.stdout) as typeof t;
      o.forEach((p, i) => {
        assert.equal(p.predicted, t[i].predicted);
        for (const k of Object.keys(p.probabilities))
          assert.ok(Math.abs(p.probabilities[k] - t[i].probabilities[k]) < 1e-4);
      });
      const out = join(dir, 'maps-onnx');
      const maps = medattn('predict', '--run', run, '--json', '--maps', '--engine', 'onnx', '--out', out, files[0]);
      assert.equal(maps.code, 0, maps.stderr);
      const [m] = JSON.parse(maps.stdout) as { maps: string; mapColumns: string[]; predicted: string }[];
      assert.equal(m.predicted, t[0].predicted);
      assert.equal(m.maps, join(out, 'xray0_maps.png'));
      // input, then the 2 spatial maps (CBAM spatial gate, non-local); Grad-CAM needs --engine torch
      assert.deepEqual(m.mapColumns, ['input', 'stages.1.attention.spatial_gate', 'stages.2.attention']);
      assert.deepEqual(
        [(await sharp(m.maps).metadata()).width, (await sharp(m.maps).metadata()).height],
        [3 * 160 + 2 * 4, 160],
      );
    });

    test('predict --maps: ONNX Runtime maps equal libtorch maps within 1e-4 on a real X-ray, drawn the same', async () => {
      const images = (await readNpz(npz, { keys: ['val_images'] })).get('val_images')!;
      const { diffs, torchPng, onnxPng } = await lookedParity(run, {
        data: Uint8Array.from((images.data as Uint8Array).subarray(7 * 784, 8 * 784)),
        shape: [1, 28, 28],
        dtype: 'uint8',
      } as MedicalImage);
      assert.equal(Object.keys(diffs).length, 3, 'probabilities + 2 spatial maps');
      for (const [k, d] of Object.entries(diffs)) assert.ok(d < 1e-4, `${k}: ${d}`);
      assert.ok(tileDiff(torchPng, onnxPng) <= 1, 'overlay tiles equal up to rounding');
      console.log('pneumonia predict --maps onnx vs torch (max abs):', diffs);
    });

    test('bad input is one line with exit code 1', () => {
      const missing = medattn('export', '--run', join(dir, 'nope'));
      assert.equal(missing.code, 1);
      assert.match(
        missing.stderr,
        /^medattn: .*nope: --run: not a medattn run folder \(config\.json or model\.json missing\)\n$/,
      );
      const opset = medattn('export', '--run', run, '--opset', '12', '--out', join(dir, 'x.onnx'));
      assert.equal(opset.code, 1);
      assert.equal(opset.stderr, 'medattn: --opset: expected one of 15, 16, 17, got 12\n');
      assert.ok(!existsSync(join(dir, 'x.onnx')));
      const int8 = medattn('evaluate', '--run', run, '--data', npz, '--engine', 'onnx-int8', '--json');
      assert.equal(int8.code, 1);
      assert.match(int8.stderr, /model\.int8\.onnx: no such ONNX model \(write it with medattn export --run DIR\)\n$/);
      const engine = medattn('evaluate', '--run', run, '--data', npz, '--engine', 'tflite');
      assert.equal(
        engine.stderr,
        "medattn: command line: --engine: expected one of onnx, onnx-int8, torch, got 'tflite'\n",
      );
      const corrupt = join(dir, 'corrupt');
      mkdirSync(corrupt);
      for (const f of ['config.json', 'model.json', 'best.safetensors']) copyFileSync(join(run, f), join(corrupt, f));
      writeFileSync(join(corrupt, 'model.onnx'), readFileSync(join(run, 'model.onnx')).subarray(0, 5000));
      const bad = medattn('evaluate', '--run', corrupt, '--data', npz, '--json');
      assert.equal(bad.code, 1);
      assert.match(
        bad.stderr,
        /^medattn: .*corrupt\/model\.onnx: (not an ONNX model|ONNX Runtime cannot load it)[^\n]*\n$/,
      );
    });

    test('export --int8 writes model.int8.onnx; evaluate --engine onnx-int8 keeps AUROC within 0.005 of fp32', () => {
      const r = medattn('export', '--run', run, '--int8', '--calibration', '128', '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as {
        bytes: number;
        int8: { path: string; bytes: number; calibrationImages: number; weights: number; floatLayers: string[] };
      };
      assert.equal(out.int8.path, join(run, 'model.int8.onnx'));
      assert.equal(out.int8.calibrationImages, 128);
      const fp32Graph = decodeModel(readFileSync(join(run, 'model.onnx'))).graph;
      // 3 stage convs, SE 2 + CBAM 4 linears, CBAM spatial conv, non-local 4 convs, the head
      assert.equal(fp32Graph.node.filter((n) => n.op_type === 'Conv' || n.op_type === 'Gemm').length, 15);
      // every Conv/Gemm weight is int8 but the first convolution's and the head's (kept float32 by default)
      assert.equal(out.int8.weights, 13);
      assert.deepEqual(out.int8.floatLayers, ['stages.0.convs.0.weight', 'head.weight']);
      assert.equal(onnxCheck(out.int8.path), '');
      const args = ['evaluate', '--run', run, '--data', npz, '--split', 'val', '--json', '--engine'];
      const fp32 = JSON.parse(medattn(...args, 'onnx').stdout);
      const int8 = medattn(...args, 'onnx-int8');
      assert.equal(int8.code, 0, int8.stderr);
      const q = JSON.parse(int8.stdout);
      assert.equal(q.n, 524);
      assert.ok(Math.abs(q.auroc - fp32.auroc) <= 0.005, `AUROC ${q.auroc} (int8) vs ${fp32.auroc}`);
      console.log(
        `int8: ${out.int8.bytes} / ${out.bytes} bytes; AUROC ${q.auroc} vs ${fp32.auroc}, accuracy ${q.accuracy} vs ${fp32.accuracy}`,
      );
    });
  },
);

describe('export --run on DRIVE (Attention U-Net)', needsData('drive', 'training'), () => {
  const root = dataPath('drive', 'training');
  const pairs = (ids: string[]) => ({
    kind: 'pairs',
    images: join(root, 'images'),
    masks: join(root, '1st_manual'),
    roi: join(root, 'mask'),
    ids,
  });
  const run = join(dir, 'drive');
  const evalTransforms = [
    { type: 'toFloat', scale: 1 / 255 },
    { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
  ];
  const config = {
    name: 'export test drive',
    task: 'segmentation',
    data: { train: { kind: 'subset', of: pairs(['21', '22']), repeat: 4 }, val: pairs(['36']), roiKey: 'roi' },
    transforms: {
      train: [{ type: 'randCrop', size: [64, 64], masks: ['mask', 'roi'] }, ...evalTransforms],
      eval: evalTransforms,
    },
    model: { name: 'attention_unet', config: { inChannels: 3, numClasses: 1, features: [8, 16, 32] } },
    loss: { name: 'dice_bce' },
    optimizer: { name: 'adamw', lr: 0.003 },
    training: { epochs: 1, batchSize: 4, workers: 1, seed: 0, padMultiple: 8, monitor: 'pooled_auroc' },
    report: { samples: 1 },
  };

  test('export: dynamic height/width, checker passes; ONNX equals libtorch on real crops and the full image within 1e-4', async () => {
    writeFileSync(join(dir, 'drive.json'), JSON.stringify(config));
    const trained = medattn('train', '--config', join(dir, 'drive.json'), '--out', run);
    assert.equal(trained.code, 0, trained.stderr);
    const r = medattn('export', '--run', run, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { file: string; bytes: number; input: { dims: unknown[] } };
    assert.deepEqual(out.input.dims, ['batch', 3, 'height', 'width']);
    assert.equal(onnxCheck(out.file), '');
    const meta = Object.fromEntries(decodeModel(readFileSync(out.file)).metadata_props.map((p) => [p.key, p.value]));
    assert.equal(meta['medattn.pad_multiple'], '8');
    assert.equal(meta['medattn.threshold_source'], 'default');

    const image = createTransform(evalTransforms as never).apply(
      { image: await readImage(join(root, 'images', '36_training.tif')) },
      Rng.seeded(0),
    ).image as MedicalImage;
    assert.deepEqual(image.shape, [3, 584, 565]);
    const full = Float32Array.from(image.data as ArrayLike<number>);
    // three 96x96 crops (a batch of 3), then the whole image padded to 584x568
    const crops = tidy(() => {
      const t = tensor(full, { shape: [1, 3, 584, 565] });
      const at = [
        [0, 0],
        [250, 230],
        [488, 469],
      ];
      return tensor(
        Float32Array.from(
          at.flatMap(([y, x]) => [...t.narrow(2, y, 96).narrow(3, x, 96).contiguous().toFloat32Array()]),
        ),
        { shape: [3, 3, 96, 96] },
      ).toFloat32Array();
    });
    const cropDiffs = await parity(run, crops, [3, 3, 96, 96]);
    const padded = tidy(() =>
      tensor(full, { shape: [1, 3, 584, 565] })
        .narrow(3, 0, 560)
        .contiguous()
        .toFloat32Array(),
    );
    const fullDiffs = await parity(run, padded, [1, 3, 584, 560]);
    for (const diffs of [cropDiffs, fullDiffs]) {
      assert.equal([...diffs.keys()].filter((k) => k.startsWith('attention/')).length, 2);
      for (const [k, d] of diffs) assert.ok(d < 1e-4, `${k}: ${d}`);
    }
    console.log(
      `drive model.onnx ${out.bytes} bytes; parity crops`,
      Object.fromEntries(cropDiffs),
      'full',
      Object.fromEntries(fullDiffs),
    );
  });

  test('predict --maps: ONNX Runtime maps of the full DRIVE image equal libtorch maps within 1e-4', async () => {
    const raw = await readImage(join(root, 'images', '37_training.tif'));
    const { diffs, torchPng, onnxPng } = await lookedParity(run, raw);
    assert.equal(Object.keys(diffs).length, 3, 'probability + 2 attention gates');
    for (const [k, d] of Object.entries(diffs)) assert.ok(d < 1e-4, `${k}: ${d}`);
    assert.ok(tileDiff(torchPng, onnxPng) <= 1, 'overlay tiles equal up to rounding');
    console.log('drive predict --maps onnx vs torch (max abs):', diffs);
  });

  test('evaluate --engine onnx on a DRIVE case gives --engine torch metrics within 1e-4', () => {
    const spec = join(dir, 'drive-val.json');
    writeFileSync(spec, JSON.stringify(pairs(['37'])));
    const torch = medattn('evaluate', '--run', run, '--data', spec, '--json', '--engine', 'torch');
    const onnx = medattn('evaluate', '--run', run, '--data', spec, '--json', '--engine', 'onnx');
    assert.equal(onnx.code, 0, onnx.stderr);
    const t = JSON.parse(torch.stdout);
    const o = JSON.parse(onnx.stdout);
    for (const k of ['n', 'dice', 'iou', 'auroc']) assert.equal(typeof o[k], 'number', k);
    assert.equal(o.hd95, t.hd95 === null ? null : o.hd95, 'hd95 is null (no foreground predicted) for both or neither');
    const diffs = numericDiffs(o, t);
    for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-4, `${k}: ${o[k]} vs ${t[k]}`);
    console.log('drive evaluate onnx vs torch:', diffs);
  });
});
