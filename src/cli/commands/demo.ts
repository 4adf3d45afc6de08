/**
 * `medattn demo`: a complete train, evaluate and report on an embedded default in a few minutes.
 * With the project's shared data beside it (../shared/data) it classifies PneumoniaMNIST chest X-rays with
 * the attention CNN; otherwise it segments grey-matter regions of the Colin27 brain MRI (Debian's
 * mricron-data: the AAL atlas on the same grid) with an Attention U-Net.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataset, type NiftiSlicesSpec } from '../../data/datasets/index.js';
import { parseConfig } from '../../train/config.js';
import { evaluateOn } from '../../train/evaluate-run.js';
import { trainAndReport } from './train.js';
import { UsageError } from '../user-error.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PNEUMONIA =
  process.env.MEDATTN_DEMO_NPZ ?? join(repoRoot, '..', 'shared', 'data', 'pneumoniamnist', 'pneumoniamnist.npz');
const COLIN = '/usr/share/mricron/templates/ch2bet.nii.gz';
const AAL = '/usr/share/mricron/templates/aal.nii.gz';

function pneumoniaConfig() {
  return parseConfig({
    name: 'medattn demo: PneumoniaMNIST with an attention CNN (SE, CBAM, non-local)',
    task: 'classification',
    data: {
      train: { kind: 'medmnist', file: PNEUMONIA, split: 'train' },
      val: { kind: 'medmnist', file: PNEUMONIA, split: 'val' },
    },
    transforms: {
      train: [
        { type: 'toFloat', scale: 1 / 255 },
        { type: 'randAffine', rotate: [-10, 10], scale: [-0.1, 0.1], translate: [-2, 2], padding: 'border', p: 0.8 },
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
          { channels: 16, attention: 'se' },
          { channels: 32, attention: 'cbam' },
          { channels: 64, attention: 'nonlocal' },
        ],
        dropout: 0.2,
        reduction: 4,
      },
    },
    loss: { name: 'cross_entropy', classWeights: 'inverse' },
    optimizer: { name: 'adamw', lr: 0.003 },
    schedule: { name: 'cosine' },
    training: { epochs: 4, batchSize: 64, workers: 1, maxMinutes: 3, monitor: 'auroc' },
  });
}

async function brainConfig() {
  const all: NiftiSlicesSpec = {
    kind: 'niftiSlices',
    image: COLIN,
    label: AAL,
    labels: Array.from({ length: 90 }, (_, i) => i + 1),
    axis: 'axial',
    foregroundOnly: true,
  };
  const n = (await createDataset(all)).length;
  const indices = Array.from({ length: n }, (_, i) => i);
  return parseConfig({
    name: 'medattn demo: cerebral grey-matter regions (AAL 1-90) on the Colin27 T1 MRI with an Attention U-Net',
    task: 'segmentation',
    data: {
      train: { kind: 'subset', of: all, indices: indices.filter((i) => i % 5 !== 2) },
      val: { kind: 'subset', of: all, indices: indices.filter((i) => i % 5 === 2) },
    },
    transforms: {
      train: [
        { type: 'scaleIntensityPercentiles', lower: 1, upper: 99, keys: ['image'] },
        { type: 'centerCropOrPad', size: [176, 208], masks: ['mask'] },
        { type: 'randFlip', axes: [1], masks: ['mask'] },
      ],
      eval: [
        { type: 'scaleIntensityPercentiles', lower: 1, upper: 99, keys: ['image'] },
        { type: 'centerCropOrPad', size: [176, 208], masks: ['mask'] },
      ],
    },
    model: { name: 'attention_unet', config: { inChannels: 1, numClasses: 1, features: [8, 16, 32, 64] } },
    loss: { name: 'dice_bce' },
    optimizer: { name: 'adamw', lr: 0.003 },
    training: { epochs: 12, batchSize: 8, workers: 1, maxMinutes: 3, monitor: 'dice', padMultiple: 8 },
  });
}

export async function demoCommand(o: { out?: string }): Promise<void> {
  let config;
  if (existsSync(PNEUMONIA)) config = pneumoniaConfig();
  else if (existsSync(COLIN) && existsSync(AAL)) config = await brainConfig();
  else
    throw new UsageError(
      `demo: no data found (${PNEUMONIA}, or ${COLIN} from Debian's mricron-data); run ./scripts/install.sh`,
    );
  const outDir = resolve(o.out ?? join('runs', 'demo'));
  process.stderr.write(`${config.name}\n`);
  const result = await trainAndReport(config, outDir);
  const metrics = await evaluateOn(config, result.model, result.valSet);
  console.log(
    `validation metrics of the best checkpoint: ${JSON.stringify(Object.fromEntries(Object.entries(metrics).filter(([k, v]) => typeof v === 'number' && !k.endsWith('_count'))), (_k, v) => (typeof v === 'number' ? +v.toFixed(4) : v))}`,
  );
  console.log(`run folder: ${outDir}\nreport: ${result.report}`);
}
