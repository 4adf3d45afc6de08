// The detection task through the medattn command on a tiny generated VOC folder (squares of two classes):
// train writes a run, evaluate --json prints the contract's keys (n, map50, map50_95, per-class AP) equal to
// what training recorded for the same weights, predict draws boxes on a PNG of the input's size and prints
// JSON; a bad VOC file is one line with exit code 1, or a listed skip with --skip-bad.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { vocXml, writeTinyVoc, type TinyObject } from '../fixtures/tiny-voc.js';
import { cliRunner } from '../helpers/cli.js';

const medattn = cliRunner({ threads: 2 });

const dir = mkdtempSync(join(tmpdir(), 'medattn-det-'));
const root = join(dir, 'voc');

function objectsFor(i: number): TinyObject[] {
  // A big "a" square and a small "b" square at places that change with i.
  const x = 4 + ((i * 7) % 20);
  const y = 3 + ((i * 5) % 14);
  return [
    { name: 'a', box: [x, y, x + 14, y + 14] },
    { name: 'b', box: [(x + 24) % 40, (y + 18) % 28, ((x + 24) % 40) + 6, ((y + 18) % 28) + 6] },
  ];
}

function config(split: { train: string; val: string }) {
  const voc = (s: string) => ({ kind: 'voc', root, split: s, classes: ['a', 'b'] });
  return {
    name: 'tiny detection',
    task: 'detection',
    data: { train: voc(split.train), val: voc(split.val) },
    transforms: {
      train: [
        { type: 'toFloat', scale: 1 / 255 },
        { type: 'randBoxFlip', horizontal: 0.5 },
      ],
      eval: [{ type: 'toFloat', scale: 1 / 255 }],
    },
    model: {
      name: 'centernet',
      config: {
        inChannels: 3,
        numClasses: 2,
        stages: [
          { channels: 8, attention: 'se' },
          { channels: 8, attention: 'cbam' },
          { channels: 8, attention: 'none' },
        ],
        headChannels: 8,
        reduction: 4,
      },
    },
    training: { epochs: 2, batchSize: 4, seed: 1, workers: 0 },
    report: { samples: 2 },
  };
}

before(async () => {
  const images: Record<string, TinyObject[]> = {};
  for (let i = 0; i < 10; i++) images[`img${i}`] = objectsFor(i);
  await writeTinyVoc(root, images, {
    train: Object.keys(images).slice(0, 8),
    val: ['img8', 'img9'],
    withbad: ['img0', 'img1', 'img2', 'img3', 'bad'],
  });
  await writeTinyVoc(join(dir, 'extra'), { bad: [] }, {});
  // `bad` has xmin > xmax.
  writeFileSync(join(root, 'Annotations', 'bad.xml'), vocXml('bad.png', 48, 40, [{ name: 'a', box: [30, 2, 10, 9] }]));
  writeFileSync(join(root, 'JPEGImages', 'bad.png'), readFileSync(join(dir, 'extra', 'JPEGImages', 'bad.png')));
  writeFileSync(join(dir, 'det.json'), JSON.stringify(config({ train: 'train', val: 'val' })));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(config({ train: 'withbad', val: 'val' })));
  writeFileSync(join(dir, 'val-spec.json'), JSON.stringify({ kind: 'voc', root, split: 'val', classes: ['a', 'b'] }));
});

describe('detection through the CLI', () => {
  const run = join(dir, 'run');
  test('train, evaluate --json, predict', () => {
    const t = medattn('train', '--config', join(dir, 'det.json'), '--out', run);
    assert.equal(t.code, 0, t.stderr);
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    assert.equal(metrics.monitor, 'map50');
    const e = medattn('evaluate', '--run', run, '--data', join(dir, 'val-spec.json'), '--json');
    assert.equal(e.code, 0, e.stderr);
    const out = JSON.parse(e.stdout);
    assert.equal(out.n, 2);
    for (const k of ['map50', 'map50_95']) assert.ok(out[k] >= 0 && out[k] <= 1, `${k} ${out[k]}`);
    assert.deepEqual(Object.keys(out.per_class), ['a', 'b']);
    assert.equal(out.per_class.a.numGt, 2);
    // The same best weights on the same images: evaluate equals what training recorded at the best epoch.
    assert.ok(Math.abs(out.map50_95 - metrics.best.map50_95) < 1e-9, `${out.map50_95} vs ${metrics.best.map50_95}`);
    const p = medattn(
      'predict',
      '--run',
      run,
      join(root, 'JPEGImages', 'img8.png'),
      '--out',
      join(dir, 'pred'),
      '--json',
    );
    assert.equal(p.code, 0, p.stderr);
    const [pred] = JSON.parse(p.stdout);
    assert.ok(Array.isArray(pred.detections));
    for (const d of pred.detections) {
      assert.ok(['a', 'b'].includes(d.class) && d.score >= 0.3 && d.box.length === 4);
    }
    return sharp(pred.boxesImage)
      .metadata()
      .then((m) => assert.deepEqual([m.width, m.height, m.format], [48, 40, 'png']));
  });

  test('a VOC box with xmin > xmax: one line, exit 1; --skip-bad lists it and trains on the rest', () => {
    const bad = medattn('train', '--config', join(dir, 'bad.json'), '--out', join(dir, 'badrun'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr.trim(), /bad\.xml: object 1 \(a\): box \[30, 2, 10, 9\] has xmin > xmax/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    const skip = medattn(
      'train',
      '--config',
      join(dir, 'bad.json'),
      '--out',
      join(dir, 'skiprun'),
      '--skip-bad',
      '--set',
      'training.epochs=1',
    );
    assert.equal(skip.code, 0, skip.stderr);
    assert.match(skip.stderr, /bad\.xml/);
  });
});
