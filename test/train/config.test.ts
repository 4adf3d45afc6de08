// Training configs: validated on load, one-line errors naming the file and option, --set overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  assert.equal((c.data.train as any).file, PNEUMONIA_NPZ);
});

test('the shipped DRIVE config loads and fills defaults', needsData('drive', 'training'), () => {
  const d = loadConfig('configs/drive.json');
  assert.equal(d.task, 'segmentation');
  assert.equal(d.schedule.name, 'cosine');
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
