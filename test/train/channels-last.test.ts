// training.channelsLast: conv weights and batches in NHWC memory train the same model as the default layout
// (same losses and metrics up to float32 summation order), and the saved weights load into a fresh model.
// On a synthetic MedMNIST-layout fixture, so it runs without ../shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/train/config.js';
import { train } from '../../src/train/trainer.js';
import { loadRun } from '../../src/train/run-folder.js';
import { writeSyntheticPneumoniamnist } from '../fixtures/synthetic-xrays.js';
import { pneumoniaSubsets } from '../helpers/pneumonia-subset.js';

const npz = writeSyntheticPneumoniamnist(mkdtempSync(join(tmpdir(), 'medattn-cl-data-')), {
  train: 256,
  val: 128,
}).file;

const config = (channelsLast: boolean) =>
  parseConfig({
    task: 'classification',
    data: pneumoniaSubsets(256, 128, npz),
    transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
    model: {
      name: 'attention_cnn',
      config: {
        inChannels: 1,
        numClasses: 2,
        stages: [
          { channels: 8, attention: 'cbam' },
          { channels: 16, attention: 'se' },
        ],
        reduction: 4,
      },
    },
    training: { epochs: 2, batchSize: 32, workers: 0, seed: 3, channelsLast },
  });

test('channels-last training equals the default layout within 1e-4 (losses) and its checkpoint reloads', async () => {
  const runs = [];
  for (const channelsLast of [false, true]) {
    const outDir = mkdtempSync(join(tmpdir(), `medattn-cl-${channelsLast}-`));
    const result = await train(config(channelsLast), { outDir });
    runs.push({ outDir, history: result.history });
    result.model.dispose();
  }
  const [plain, nhwc] = runs;
  // AUROC within 1e-3: at one thread two near-tied probabilities of this untrained network swap order (one pair
  // in ~6,000, 1.6e-4), which the losses do not feel.
  for (let e = 0; e < 2; e++)
    for (const k of ['train_loss', 'val_loss', 'auroc'] as const)
      assert.ok(
        Math.abs((plain.history[e][k] as number) - (nhwc.history[e][k] as number)) < (k === 'auroc' ? 1e-3 : 1e-4),
        `epoch ${e} ${k}: ${plain.history[e][k]} vs ${nhwc.history[e][k]}`,
      );
  const reloaded = loadRun(nhwc.outDir);
  assert.equal(reloaded.model.numParameters(), loadRun(plain.outDir).model.numParameters());
});
