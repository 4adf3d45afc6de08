// Test helper: a small VOC view of the real BCCD blood-smear data (images and annotations linked, not copied;
// own split files) and a config that trains a detector with real peaks in seconds: configs/bccd.json's CenterNet
// with its attention variant (SE, CBAM, CBAM, SE), narrower, at half the input size, flips only, a higher rate.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath } from './shared-data.js';

export const BCCD_CLASSES = ['RBC', 'WBC', 'Platelets'];

export interface BccdDetectorFixture {
  /** The VOC root under `dir`. */
  root: string;
  /** The dataset spec of a split of that view. */
  voc: (split: string) => { kind: 'voc'; root: string; split: string; classes: string[]; preload: true };
  /** The training config (10 epochs on `train` training images, validated on `val` images). */
  config: Record<string, any>;
  /** The validation images' files. */
  valImages: string[];
}

export function bccdDetectorFixture(dir: string, { train = 16, val = 6 } = {}): BccdDetectorFixture {
  const root = join(dir, 'bccd');
  const bccd = dataPath('bccd');
  mkdirSync(join(root, 'ImageSets', 'Main'), { recursive: true });
  for (const sub of ['JPEGImages', 'Annotations']) symlinkSync(join(bccd, sub), join(root, sub));
  const ids = (split: string, n: number) =>
    readFileSync(join(bccd, 'ImageSets', 'Main', `${split}.txt`), 'utf8')
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, n);
  const valIds = ids('val', val);
  writeFileSync(join(root, 'ImageSets', 'Main', 'train.txt'), ids('train', train).join('\n'));
  writeFileSync(join(root, 'ImageSets', 'Main', 'val.txt'), valIds.join('\n'));
  const voc = (split: string) => ({ kind: 'voc' as const, root, split, classes: BCCD_CLASSES, preload: true as const });
  const config = JSON.parse(readFileSync('configs/bccd.json', 'utf8'));
  config.data = { train: voc('train'), val: voc('val') };
  const small = (specs: { type: string; size?: number[] }[]) =>
    specs
      .filter((t) => !['randBoxAffine', 'randColorJitter'].includes(t.type))
      .map((t) => (t.type === 'boxResize' ? { ...t, size: [80, 104] } : t));
  config.transforms = { train: small(config.transforms.train), eval: small(config.transforms.eval) };
  config.model.config.stages = config.model.config.stages.map((s: { attention: string }, i: number) => ({
    ...s,
    channels: [8, 16, 16, 32][i],
  }));
  config.model.config.headChannels = 16;
  config.model.config.reduction = 4;
  config.optimizer.lr = 0.01;
  config.schedule = { name: 'cosine', warmupEpochs: 0 };
  config.training = { ...config.training, epochs: 10, batchSize: 4, evalBatchSize: 4, workers: 0 };
  config.report = { samples: 1 };
  return { root, voc, config, valImages: valIds.map((id) => join(root, 'JPEGImages', `${id}.jpg`)) };
}
