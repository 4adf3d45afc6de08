// int8 on a real segmenter: a small Attention U-Net trained for a few epochs on DRIVE crops (cases 21-35),
// exported with --int8 (calibrated on the 15 training images), then evaluated on the 5 validation images
// (36-40) through ONNX Runtime fp32 and int8: the mean Dice drops by at most 0.01 and the pooled pixel AUROC by at
// most 0.005 (the goals), with the default calibration (first convolution and head in float32,
// least-error activation ranges).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dataPath, needsData } from '../helpers/shared-data.js';
import { cliRunner } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-drive-int8-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const medattn = cliRunner({ threads: 2 });

test(
  'DRIVE Attention U-Net (small test model): int8 Dice within 0.01 and pooled AUROC within 0.005 of fp32',
  needsData('drive', 'training'),
  () => {
    const root = dataPath('drive', 'training');
    const pairs = (ids: string[]) => ({
      kind: 'pairs',
      images: join(root, 'images'),
      masks: join(root, '1st_manual'),
      roi: join(root, 'mask'),
      ids,
      preload: true,
    });
    const trainIds = Array.from({ length: 15 }, (_, i) => String(21 + i));
    const valIds = ['36', '37', '38', '39', '40'];
    const evalTransforms = [
      { type: 'toFloat', scale: 1 / 255 },
      { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
    ];
    const config = {
      name: 'drive int8 test',
      task: 'segmentation',
      data: { train: { kind: 'subset', of: pairs(trainIds), repeat: 24 }, val: pairs(valIds), roiKey: 'roi' },
      transforms: {
        train: [
          { type: 'randCrop', size: [96, 96], masks: ['mask', 'roi'], foreground: { key: 'mask', p: 0.5 } },
          ...evalTransforms,
          { type: 'randFlip', axes: [0, 1], masks: ['mask', 'roi'] },
        ],
        eval: evalTransforms,
      },
      model: { name: 'attention_unet', config: { inChannels: 3, numClasses: 1, features: [8, 16, 32, 64] } },
      loss: { name: 'dice_bce' },
      optimizer: { name: 'adamw', lr: 0.005 },
      training: { epochs: 6, batchSize: 8, workers: 1, seed: 0, padMultiple: 8, monitor: 'pooled_auroc' },
      report: { samples: 1 },
    };
    const run = join(dir, 'run');
    writeFileSync(join(dir, 'drive.json'), JSON.stringify(config));
    const trained = medattn('train', '--config', join(dir, 'drive.json'), '--out', run);
    assert.equal(trained.code, 0, trained.stderr);
    const exported = medattn('export', '--run', run, '--int8', '--calibration', '15', '--json');
    assert.equal(exported.code, 0, exported.stderr);
    const out = JSON.parse(exported.stdout) as {
      bytes: number;
      int8: { bytes: number; calibrationImages: number; floatLayers: string[] };
    };
    assert.equal(out.int8.calibrationImages, 15);
    assert.deepEqual(out.int8.floatLayers, ['encoder.0.conv1.weight', 'head.weight']);
    // Not asserted here: this small test model is 0.33x (scales, zero points and Q/DQ nodes per tensor weigh
    // more in a 0.5 MB file); the size goal is checked in quantize.test.ts, and the configs/drive.json model is 0.272x.
    const ratio = out.int8.bytes / out.bytes;
    const val = join(dir, 'val.json');
    writeFileSync(val, JSON.stringify(pairs(valIds)));
    const evaluate = (engine: string) => {
      const r = medattn('evaluate', '--run', run, '--data', val, '--engine', engine, '--json');
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { n: number; dice: number; pooled_auroc: number };
    };
    const fp32 = evaluate('onnx');
    const int8 = evaluate('onnx-int8');
    assert.equal(int8.n, 5);
    // 6 epochs of 45 batches: fp32 Dice 0.77 (AVX-512 machine, session 13). The earlier 4 epochs of 15 batches
    // reached 0.45-0.52 depending on the CPU's rounding, too close to this precondition.
    assert.ok(fp32.dice > 0.5, `the trained model segments vessels (fp32 Dice ${fp32.dice})`);
    // Before the first convolution and the head were kept in float32 (all layers quantized, one 99.99 % range)
    // this small model (features 8-64, then 4 epochs of 15 batches) dropped 0.0116 Dice in one run and 0.0024 in another
    // (docs/deploy.md has the before/after figures).
    assert.ok(fp32.dice - int8.dice <= 0.01, `Dice ${int8.dice} (int8) vs ${fp32.dice} (fp32)`);
    assert.ok(
      fp32.pooled_auroc - int8.pooled_auroc <= 0.005,
      `pooled AUROC ${int8.pooled_auroc} vs ${fp32.pooled_auroc}`,
    );
    console.log(
      `DRIVE int8: ${out.int8.bytes} / ${out.bytes} bytes (${ratio.toFixed(3)}x); Dice ${int8.dice.toFixed(4)} vs ` +
        `${fp32.dice.toFixed(4)} (drop ${(fp32.dice - int8.dice).toFixed(4)}); pooled AUROC ${int8.pooled_auroc.toFixed(4)} vs ${fp32.pooled_auroc.toFixed(4)}`,
    );
  },
);
