// The detector on ONNX Runtime, on real BCCD blood-smear images: a small CenterNet with the SE/CBAM backbone of
// configs/bccd.json, trained for 10 short epochs on 16 training images (so its heat map has real peaks: an
// untrained or collapsed one is flat to 1e-7, and ranking its ties would compare float noise), exported with `medattn export --int8`.
// ONNX Runtime's heads (heat map, size, offset) and attention maps equal libtorch's within 1e-4 on validation
// images, both decode to the same boxes through decodeCenterNet, `evaluate --json` gives the same mAP with
// --engine onnx as with --engine torch (within 1e-4), predict gives the same boxes, and ONNX's full checker
// accepts the fp32 and int8 files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDataset } from '../../src/data/datasets/index.js';
import { decodeModel } from '../../src/export/index.js';
import { decodeCenterNet, type CenterNet, type CenterNetHeads, type Detection } from '../../src/models/index.js';
import { OnnxModel, onnxCenterNetHeads } from '../../src/runtime/index.js';
import { noGrad, tidy } from '../../src/tensor/index.js';
import { batchTensors } from '../../src/train/batch-tensors.js';
import { openDataLoader } from '../../src/train/data-loader.js';
import { loadRun } from '../../src/train/run-folder.js';
import { MAP_SCORE_FLOOR } from '../../src/train/tasks/detection.js';
import { needsData } from '../helpers/shared-data.js';
import { BCCD_CLASSES, bccdDetectorFixture, type BccdDetectorFixture } from '../helpers/bccd-detector.js';
import { maxAbsDiff, onnxCheck } from './onnx-reference.js';
import { cliRunner } from '../helpers/cli.js';
import { startServe } from '../serve/serve-process.js';
import sharp from 'sharp';

const dir = mkdtempSync(join(tmpdir(), 'medattn-det-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const medattn = cliRunner();

/** Same detections: count, order and class exactly; boxes and scores within float32 rounding of the heads. */
function assertSameDetections(a: Detection[][], b: Detection[][], what: string) {
  assert.equal(a.length, b.length);
  a.forEach((dets, i) => {
    assert.equal(dets.length, b[i].length, `${what} image ${i}: ${dets.length} vs ${b[i].length} boxes`);
    dets.forEach((d, j) => {
      const e = b[i][j];
      assert.equal(d.classId, e.classId, `${what} image ${i} box ${j}: class`);
      assert.ok(Math.abs(d.score - e.score) < 1e-5, `${what} image ${i} box ${j}: score ${d.score} vs ${e.score}`);
      for (let c = 0; c < 4; c++)
        assert.ok(Math.abs(d.box[c] - e.box[c]) < 1e-3, `${what} image ${i} box ${j}: ${d.box} vs ${e.box}`);
    });
  });
}

describe('CenterNet (SE/CBAM) on ONNX Runtime on real BCCD images', needsData('bccd', 'JPEGImages'), () => {
  const run = join(dir, 'run');
  const classes = BCCD_CLASSES;
  const valSpec = join(dir, 'val.json');
  let fixture!: BccdDetectorFixture;
  const voc = (split: string) => fixture.voc(split);

  before(() => {
    fixture = bccdDetectorFixture(dir);
    writeFileSync(valSpec, JSON.stringify(voc('val')));
    writeFileSync(join(dir, 'bccd.json'), JSON.stringify(fixture.config));
  });

  test('train, export (fp32 and int8): heads and attention maps as outputs, output stride in the metadata; full checker passes', () => {
    const trained = medattn('train', '--config', join(dir, 'bccd.json'), '--out', run);
    assert.equal(trained.code, 0, trained.stderr);
    const r = medattn('export', '--run', run, '--int8', '--calibration', '8', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { file: string; int8: { path: string; calibrationImages: number } };
    assert.equal(out.int8.calibrationImages, 8);
    for (const file of [out.file, out.int8.path]) assert.equal(onnxCheck(file), '', file);
    const proto = decodeModel(readFileSync(out.file));
    const names = proto.graph.output.map((o) => o.name);
    assert.deepEqual(names.slice(0, 3), ['heatmap', 'size', 'offset']);
    assert.deepEqual(names.slice(3).sort(), [
      'attention/backbone.0.attention.channel',
      'attention/backbone.1.attention.channel_gate.channel',
      'attention/backbone.1.attention.spatial_gate.spatial',
      'attention/backbone.2.attention.channel_gate.channel',
      'attention/backbone.2.attention.spatial_gate.spatial',
      'attention/backbone.3.attention.channel',
    ]);
    const meta = Object.fromEntries(proto.metadata_props.map((p) => [p.key, p.value]));
    assert.equal(meta['medattn.task'], 'detection');
    assert.equal(meta['medattn.output_stride'], '4');
    assert.equal(meta['medattn.class_names'], JSON.stringify(classes));
  });

  test('ONNX Runtime heads and maps equal libtorch within 1e-4 on the validation images; the decoded boxes are the same', async () => {
    const { config, model } = loadRun(run);
    const detector = model as unknown as CenterNet;
    const onnx = await OnnxModel.load(join(run, 'model.onnx'), { threads: 1 });
    const dataset = await createDataset(voc('val'));
    const loader = await openDataLoader(dataset, config, { train: false, workers: 0 });
    const worst = new Map<string, number>();
    const note = (k: string, d: number) => worst.set(k, Math.max(worst.get(k) ?? 0, d));
    let images = 0;
    let boxes = 0;
    try {
      for await (const batch of loader.epoch(0)) {
        const o = { topK: 100, scoreThreshold: MAP_SCORE_FLOOR, iouThreshold: 0.5 };
        const { data, shape, torch, maps, decoded } = tidy(() =>
          noGrad(() => {
            const { x } = batchTensors(batch, 'detection');
            const { output, attention } = detector.forwardWithAttention(x);
            return {
              data: x.toFloat32Array(),
              shape: x.shape,
              torch: detector.heads(output),
              maps: new Map([...attention].map(([k, v]) => [`attention/${k}`, v.toFloat32Array()])),
              decoded: detector.decode(output, o),
            };
          }),
        );
        const heads: CenterNetHeads = await onnxCenterNetHeads(onnx, data, shape);
        assert.deepEqual(heads.shape, torch.shape);
        for (const k of ['heatmap', 'size', 'offset'] as const) note(k, maxAbsDiff(heads[k], torch[k]));
        const all = await onnx.run(data, shape, [...maps.keys()]);
        for (const [k, v] of maps) note(k, maxAbsDiff(all.get(k)!.data, v));
        for (const [k, d] of worst) assert.ok(d < 1e-4, `${k}: max abs diff ${d}`);
        const fromOnnx = decodeCenterNet(heads, o);
        assertSameDetections(fromOnnx, decodeCenterNet(torch, o), 'mAP decoding');
        // CenterNet.decode, libtorch's path in training and the report, is the same decoding.
        assertSameDetections(fromOnnx, decoded, 'CenterNet.decode');
        images += shape[0];
        boxes += fromOnnx.reduce((a, d) => a + d.length, 0);
      }
    } finally {
      await loader.close();
      await onnx.release();
      model.dispose();
    }
    assert.equal(images, 6);
    assert.ok(boxes > 0, 'some boxes above the mAP score floor');
    assert.equal(worst.size, 9);
    for (const [k, d] of worst) assert.ok(d < 1e-4, `${k}: max abs diff ${d}`);
    console.log(`BCCD detector parity (max abs, ${images} images, ${boxes} boxes):`, Object.fromEntries(worst));
  });

  test('evaluate --json: the same metrics with --engine onnx as with --engine torch (within 1e-4); onnx-int8 runs', () => {
    const args = ['evaluate', '--run', run, '--data', valSpec, '--json'];
    const results = Object.fromEntries(
      ['torch', 'onnx', 'onnx-int8'].map((engine) => {
        const r = medattn(...args, '--engine', engine);
        assert.equal(r.code, 0, r.stderr);
        return [engine, JSON.parse(r.stdout) as Record<string, unknown>];
      }),
    );
    const { torch, onnx } = results;
    assert.deepEqual(Object.keys(onnx), Object.keys(torch));
    assert.equal(onnx.n, 6);
    const diffs: Record<string, number> = {};
    const compare = (a: Record<string, unknown>, b: Record<string, unknown>, at: string) => {
      for (const [k, v] of Object.entries(a))
        if (typeof v === 'number') diffs[at + k] = Math.abs(v - (b[k] as number));
        else if (v && typeof v === 'object')
          compare(v as Record<string, unknown>, b[k] as Record<string, unknown>, `${at}${k}.`);
        else assert.equal(v, b[k], at + k);
    };
    compare(onnx, torch, '');
    // top-level figures (map_small may be null: BCCD's val images have few small boxes) and 6 per class
    assert.ok(Object.keys(diffs).length >= 9 + 3 * 6, Object.keys(diffs).join());
    assert.ok((torch.map50 as number) > 0.1, `the detector finds cells (map50 ${torch.map50})`);
    for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-4, `${k}: differs by ${d}`);
    assert.deepEqual(Object.keys(results['onnx-int8']), Object.keys(torch));
    console.log(
      `BCCD evaluate map50 / map50_95: torch ${torch.map50} / ${torch.map50_95}, onnx ${onnx.map50} / ${onnx.map50_95}, ` +
        `int8 ${results['onnx-int8'].map50} / ${results['onnx-int8'].map50_95}; largest difference onnx vs torch ${Math.max(...Object.values(diffs))}`,
    );
  });

  test('predict: ONNX Runtime (the default with model.onnx) draws the boxes libtorch finds', () => {
    const files = fixture.valImages.slice(0, 2);
    const predict = (...engine: string[]) => {
      const r = medattn(
        'predict',
        '--run',
        run,
        ...files,
        '--out',
        join(dir, `pred-${engine[1] ?? 'default'}`),
        '--threshold',
        '0.1',
        '--json',
        ...engine,
      );
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as {
        file: string;
        detections: { class: string; score: number; box: number[] }[];
        boxesImage: string;
      }[];
    };
    const torch = predict('--engine', 'torch');
    const onnx = predict();
    assert.equal(onnx.length, 2);
    onnx.forEach((p, i) => {
      assert.equal(p.detections.length, torch[i].detections.length, p.file);
      p.detections.forEach((d, j) => {
        const t = torch[i].detections[j];
        assert.equal(d.class, t.class);
        // JSON rounds scores to 4 decimals and boxes to 0.1 px: equal up to that rounding.
        assert.ok(Math.abs(d.score - t.score) <= 1e-4 + 1e-9, `${d.score} vs ${t.score}`);
        d.box.forEach((v, c) => assert.ok(Math.abs(v - t.box[c]) <= 0.1 + 1e-9, `${d.box} vs ${t.box}`));
      });
    });
    assert.ok(
      onnx.some((p) => p.detections.length > 0),
      'boxes at score 0.1',
    );
  });

  test('serve: the API answers the boxes medattn predict finds (ONNX Runtime), with ?score, ?maps=1 and a bad score', async () => {
    const files = fixture.valImages.slice(0, 2);
    const predicted = medattn(
      'predict',
      '--run',
      run,
      ...files,
      '--out',
      join(dir, 'pred-serve'),
      '--threshold',
      '0.1',
      '--json',
    );
    assert.equal(predicted.code, 0, predicted.stderr);
    const want = JSON.parse(predicted.stdout) as { detections: { class: string; score: number; box: number[] }[] }[];
    const service = await startServe(['--run', run, '--no-log']);
    try {
      const models = (await (await fetch(`${service.url}/v1/models`)).json()) as { models: { task: string }[] };
      assert.equal(models.models[0].task, 'detection');
      for (const [i, file] of files.entries()) {
        const r = await fetch(`${service.url}/v1/models/run/predict?score=0.1&maps=1`, {
          method: 'POST',
          body: new Uint8Array(readFileSync(file)),
          headers: { 'content-type': 'image/jpeg' },
        });
        assert.equal(r.status, 200);
        const answer = (await r.json()) as {
          task: string;
          scoreThreshold: number;
          image: { sourceWidth: number; sourceHeight: number };
          detections: { class: string; score: number; box: number[] }[];
          maps: { boxes: string; attention: unknown[] };
        };
        assert.equal(answer.task, 'detection');
        assert.equal(answer.scoreThreshold, 0.1);
        assert.deepEqual([answer.image.sourceWidth, answer.image.sourceHeight], [640, 480]);
        // the same decoding and the same mapping to the file's pixels: equal to predict's rounding
        assert.equal(answer.detections.length, want[i].detections.length, file);
        answer.detections.forEach((d, j) => {
          const e = want[i].detections[j];
          assert.equal(d.class, e.class);
          assert.ok(Math.abs(d.score - e.score) <= 1e-4 + 1e-9, `${d.score} vs ${e.score}`);
          d.box.forEach((v, c) => assert.ok(Math.abs(v - e.box[c]) <= 0.1 + 1e-9, `${d.box} vs ${e.box}`));
        });
        const boxes = await sharp(Buffer.from(answer.maps.boxes.split(',')[1], 'base64')).metadata();
        assert.deepEqual([boxes.width, boxes.height], [104, 80], 'boxes drawn on the image as the model saw it');
        assert.equal(answer.maps.attention.length, 2, 'the two CBAM spatial maps (channel attention is numbers)');
      }
      assert.ok(
        want.some((p) => p.detections.length > 0),
        'boxes at score 0.1',
      );
      const strict = await fetch(`${service.url}/v1/models/run/predict?score=0.99`, {
        method: 'POST',
        body: new Uint8Array(readFileSync(files[0])),
        headers: { 'content-type': 'image/jpeg' },
      });
      const fewer = (await strict.json()) as { detections: { score: number }[] };
      assert.ok(fewer.detections.every((d) => d.score >= 0.99));
      const bad = await fetch(`${service.url}/v1/models/run/predict?score=2`, {
        method: 'POST',
        body: new Uint8Array(readFileSync(files[0])),
        headers: { 'content-type': 'image/jpeg' },
      });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /score: expected a number in \[0, 1\], got '2'/);
    } finally {
      await service.stop();
    }
  });
});
