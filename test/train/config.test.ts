// Training configs: validated on load, one-line errors naming the file and option, --set overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/train/config.js';
import { ConfigError } from '../../src/train/config-error.js';
import { writeSyntheticPneumoniamnist } from '../fixtures/synthetic-xrays.js';
import { needsPneumonia, PNEUMONIA_NPZ } from '../helpers/pneumonia-subset.js';
import { needsData } from '../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-config-'));
// Data paths must exist: a small MedMNIST-layout file stands in for PneumoniaMNIST.
const npz = writeSyntheticPneumoniamnist(join(dir, 'data'), { train: 4, val: 4 }).file;

function write(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const base = {
  task: 'classification',
  data: { train: { kind: 'medmnist', file: npz, split: 'train' }, val: { kind: 'medmnist', file: npz, split: 'val' } },
  model: { name: 'attention_cnn' },
};

test('the shipped PneumoniaMNIST config loads and fills defaults', needsPneumonia(), () => {
  const c = loadConfig('configs/pneumoniamnist.json');
  assert.equal(c.model.name, 'attention_cnn');
  assert.equal(c.training.monitor, 'auroc');
  // The decision threshold is the balanced-accuracy (Youden) one chosen on validation (docs/attention-study.md).
  assert.equal(c.training.threshold, 'youden');
  assert.equal((c.data.train as any).file, PNEUMONIA_NPZ);
});

test('the shipped DRIVE config loads and fills defaults', needsData('drive', 'training'), () => {
  const d = loadConfig('configs/drive.json');
  assert.equal(d.task, 'segmentation');
  assert.equal(d.schedule.name, 'cosine');
  // a slower machine trains fewer epochs of a shortened cosine rather than stopping halfway down it
  assert.equal(d.training.maxMinutes, 30);
  assert.equal(d.training.fitToMaxMinutes, true);
  assert.equal(loadConfig(write('plain.json', base)).training.fitToMaxMinutes, false);
});

test('defaults are filled and overrides apply by dotted path', () => {
  const c = loadConfig(write('ok.json', base), ['training.epochs=3', 'optimizer.lr=0.01', 'name=hello world']);
  assert.equal(c.training.epochs, 3);
  assert.equal(c.optimizer.lr, 0.01);
  assert.equal(c.optimizer.name, 'adamw');
  assert.equal(c.name, 'hello world');
});

test('bad configs are one-line errors naming the file and the option', () => {
  const cases: [string, unknown, RegExp, string[]?][] = [
    ['unknown-key.json', { ...base, trainig: {} }, /unknown-key\.json: unknown key 'trainig'$/],
    ['wrong-type.json', { ...base, training: { epochs: 'ten' } }, /wrong-type\.json: training\.epochs: .*number/],
    ['bad-model.json', { ...base, model: { name: 'resnet9000' } }, /bad-model\.json: model\.name: .*attention_cnn/],
    [
      'missing-path.json',
      { ...base, data: { ...base.data, val: { kind: 'medmnist', file: 'nope.npz' } } },
      /missing-path\.json: data\.val\.file: path does not exist: .*nope\.npz$/,
    ],
    ['not-json.json', '{ "task": ', /not-json\.json: not valid JSON/],
    ['bad-set.json', base, /--set: expected key=value, got 'epochs'/, ['epochs']],
  ];
  for (const [name, value, pattern, sets] of cases) {
    assert.throws(
      () => loadConfig(write(name, value), sets ?? []),
      (e: Error) => {
        assert.ok(e instanceof ConfigError, `${name}: ${e}`);
        assert.match(e.message, pattern);
        assert.ok(!e.message.includes('\n'));
        return true;
      },
    );
  }
  assert.throws(() => loadConfig(join(dir, 'absent.json')), /absent\.json: cannot read \(ENOENT\)/);
});

// Datasets and transforms are checked by their own schemas at load, so a typo fails before any data is read.
test('a typo in a dataset or transform option is one ConfigError naming the option path', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'transform-typo.json',
      {
        ...base,
        transforms: {
          train: [
            { type: 'toFloat', scale: 1 / 255 },
            { type: 'randFlip' },
            { type: 'randAffine', rotate: 10, probabilty: 0.5 },
          ],
        },
      },
      'transforms.train.2.probabilty: unknown option',
    ],
    [
      'transform-type.json',
      { ...base, transforms: { eval: [{ type: 'resise', size: [64, 64] }] } },
      'transforms.eval.0.type: unknown transform type "resise"; expected one of: toFloat, resize,',
    ],
    [
      'transform-value.json',
      { ...base, transforms: { train: [{ type: 'toFloat', scale: '1/255' }] } },
      'transforms.train.0.scale: Invalid input: expected number, received string',
    ],
    [
      'transform-nested.json',
      {
        ...base,
        transforms: {
          train: [
            {
              type: 'oneOf',
              transforms: [
                { type: 'flip', axes: [1] },
                { type: 'flip', axis: [0] },
              ],
            },
          ],
        },
      },
      'transforms.train.0.transforms.1.axis: unknown option',
    ],
    [
      'transform-p.json',
      { ...base, transforms: { train: [{ type: 'randGamma', gamma: [0.8, 1.2], p: 1.5 }] } },
      'transforms.train.0.p: Too big: expected number to be <=1',
    ],
    [
      'dataset-typo.json',
      { ...base, data: { ...base.data, train: { kind: 'medmnist', file: npz, spilt: 'train' } } },
      'data.train.spilt: unknown option',
    ],
    [
      'dataset-kind.json',
      { ...base, data: { ...base.data, val: { kind: 'subset', of: { kind: 'npz', file: npz } } } },
      'data.val.of.kind: expected one of medmnist, folder, pairs, csv, niftiSlices, niftiPatches, subset, arrays, module, voc, boxCsv, coco, table, split, physionet2012, text, got "npz"',
    ],
    [
      'dataset-missing.json',
      { ...base, data: { ...base.data, val: { kind: 'pairs', images: 'images' } } },
      'data.val.masks: Invalid input: expected string, received undefined',
    ],
  ];
  for (const [name, value, expected] of cases) {
    assert.throws(
      () => loadConfig(write(name, value)),
      (e: Error) => {
        assert.ok(e instanceof ConfigError, `${name}: ${e}`);
        assert.ok(e.message.startsWith(`${join(dir, name)}: ${expected}`), `${name}: ${e.message}`);
        assert.ok(!e.message.includes('\n'));
        return true;
      },
    );
  }
});

test('dataset paths stay relative to the config file; the specs keep what was written (no defaults added)', () => {
  const sub = join(dir, 'project');
  mkdirSync(join(sub, 'data'), { recursive: true });
  writeFileSync(join(sub, 'data', 'tiny.npz'), '');
  const config = {
    ...base,
    data: {
      train: { kind: 'medmnist', file: 'data/tiny.npz' },
      val: { kind: 'subset', of: { kind: 'medmnist', file: 'data/tiny.npz', split: 'val' }, indices: [0, 1] },
    },
    transforms: { train: [{ type: 'randFlip', axes: [1], p: 0.5 }] },
  };
  const c = loadConfig(write(join('project', 'run.json'), config));
  assert.deepEqual(c.data.train, { kind: 'medmnist', file: join(sub, 'data', 'tiny.npz') });
  assert.deepEqual(c.data.val, {
    kind: 'subset',
    of: { kind: 'medmnist', file: join(sub, 'data', 'tiny.npz'), split: 'val' },
    indices: [0, 1],
  });
  assert.deepEqual(c.transforms, { train: [{ type: 'randFlip', axes: [1], p: 0.5 }], eval: [] });
  writeFileSync(join(sub, 'my-dataset.ts'), '');
  const m = loadConfig(
    write(join('project', 'module.json'), {
      ...config,
      data: { ...config.data, train: { kind: 'module', module: 'my-dataset.ts', options: { file: 'not/a/path' } } },
    }),
  );
  assert.deepEqual(m.data.train, {
    kind: 'module',
    module: join(sub, 'my-dataset.ts'),
    options: { file: 'not/a/path' },
  });
});
