// Ctrl-C during training: the run stops after the current batch, exits 130, leaves the last completed
// epoch's checkpoint intact, and `train --resume` continues it to the end. Trains on a synthetic MedMNIST-layout
// fixture (what is tested is the interruption, not the data), so it runs without ../shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTensors } from '../../src/tensor/index.js';
import { writeSyntheticPneumoniamnist } from '../fixtures/synthetic-xrays.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-sigint-'));
const npz = writeSyntheticPneumoniamnist(join(dir, 'data'), { train: 640, val: 64 }).file;

test('SIGINT keeps the last good checkpoint and the run resumes', async () => {
  const config = {
    task: 'classification',
    data: {
      train: {
        kind: 'subset',
        of: { kind: 'medmnist', file: npz, split: 'train' },
        indices: Array.from({ length: 640 }, (_, i) => i),
      },
      val: {
        kind: 'subset',
        of: { kind: 'medmnist', file: npz, split: 'val' },
        indices: Array.from({ length: 64 }, (_, i) => i),
      },
    },
    transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
    model: {
      name: 'attention_cnn',
      config: {
        inChannels: 1,
        numClasses: 2,
        stages: [
          { channels: 8, attention: 'se' },
          { channels: 8, attention: 'nonlocal' },
        ],
      },
    },
    training: { epochs: 50, batchSize: 16, workers: 0 },
    report: { samples: 1 },
  };
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const out = join(dir, 'run');
  const child = spawn(process.execPath, ['bin/medattn.js', 'train', '--config', configPath, '--out', out], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  await new Promise<void>((ready) =>
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (/epoch 2\/50/.test(stderr)) ready();
    }),
  );
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted: the last completed epoch is saved; resume with: medattn train --resume /);
  assert.deepEqual(
    readdirSync(out).filter((f) => f.includes('.tmp')),
    [],
    'no half-written file',
  );
  const { metadata } = loadTensors(join(out, 'last.safetensors'));
  const savedEpoch = JSON.parse(metadata.state).epoch;
  assert.ok(savedEpoch >= 1, `last checkpoint is from epoch ${savedEpoch + 1}`);
  const resumed = spawnSync(
    process.execPath,
    ['bin/medattn.js', 'train', '--resume', out, '--set', 'training.epochs=' + (savedEpoch + 2)],
    { encoding: 'utf8' },
  );
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resumed at epoch ${savedEpoch + 2}`));
  assert.equal(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).history.length, savedEpoch + 2);
});
