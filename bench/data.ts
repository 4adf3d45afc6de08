/**
 * Augmentation + batching throughput (images per second) of the data pipeline, with 0 and 2 loader workers.
 * Not a test: `node --import tsx bench/data.ts`. Prints one JSON line per case.
 *
 * Cases:
 * - PneumoniaMNIST: 28x28 uint8 X-rays upsampled to 64x64, random affine + flip + brightness/contrast/gamma,
 *   normalised; batches of 32.
 * - DRIVE: random 64x64 and 96x96 patches of the 565x584 RGB fundus images (half centred on vessels), with
 *   random affine + elastic + flips, vessel and field-of-view masks carried along; batches of 32.
 * The reference training step consumes ~290 images/s (32 images / 110 ms); the target is >= 5x that.
 */
import sharp from 'sharp';
import { readNpz } from '../src/data/io/npz.js';
import { Loader, shareArrays, type ArrayField, type LoaderOptions } from '../src/data/loader/index.js';
import type { TransformSpec } from '../src/data/transforms/index.js';

const DATA = '../shared/data';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const TARGET = 5 * 290;

async function measure(opts: LoaderOptions): Promise<number> {
  const loader = await Loader.create(opts);
  try {
    // Warm-up epoch slice (JIT, worker start-up) is not timed.
    let warm = 0;
    for await (const _ of loader.epoch(1000)) if (++warm >= 2) break;
    let images = 0;
    const t0 = performance.now();
    for (let epoch = 0; performance.now() - t0 < SECONDS * 1000; epoch++) {
      for await (const b of loader.epoch(epoch)) {
        images += b.indices.length;
        if (performance.now() - t0 >= SECONDS * 1000) break;
      }
    }
    return images / ((performance.now() - t0) / 1000);
  } finally {
    await loader.close();
  }
}

async function report(name: string, opts: LoaderOptions, extra: Record<string, unknown>): Promise<void> {
  const w0 = await measure({ ...opts, workers: 0 });
  const w2 = await measure({ ...opts, workers: 2, prefetch: 4 });
  console.log(
    JSON.stringify({
      case: name,
      ...extra,
      batchSize: opts.batchSize,
      imagesPerSecond: { workers0: Math.round(w0), workers2: Math.round(w2) },
      target: TARGET,
      meetsTarget: Math.max(w0, w2) >= TARGET,
    }),
  );
}

async function pneumonia(): Promise<void> {
  const npz = await readNpz(`${DATA}/pneumoniamnist/pneumoniamnist.npz`, { keys: ['train_images', 'train_labels'] });
  const images = npz.get('train_images')!;
  const labels = npz.get('train_labels')!;
  const n = images.shape[0];
  const arrays = shareArrays({
    image: { data: images.data, shape: [n, 1, images.shape[1], images.shape[2]] },
    label: { data: labels.data, shape: [n], kind: 'value' },
  });
  const transforms: TransformSpec[] = [
    { type: 'toFloat', scale: 1 / 255 },
    { type: 'resize', size: [64, 64] },
    { type: 'randAffine', rotate: 10, scale: 0.1, translate: 4, p: 0.8 },
    { type: 'randFlip', axes: [1] },
    { type: 'randBrightness', offset: [-0.1, 0.1] },
    { type: 'randContrast', factor: [0.8, 1.2] },
    { type: 'randGamma', gamma: [0.8, 1.25], p: 0.5 },
    { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
  ];
  await report(
    'pneumoniamnist-28to64-affine-flip-intensity',
    { dataset: { kind: 'arrays', arrays }, transforms, batchSize: 32, seed: 0 },
    { samples: n, size: [64, 64] },
  );
}

async function readRaw(path: string, channels: 1 | 3): Promise<{ data: Uint8Array; h: number; w: number }> {
  let img = sharp(path);
  img = channels === 1 ? img.greyscale() : img.removeAlpha();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`${path}: expected ${channels} channels, got ${info.channels}`);
  // Interleaved HWC → channels-first CHW.
  const hw = info.height * info.width;
  const out = new Uint8Array(channels * hw);
  for (let p = 0; p < hw; p++) for (let c = 0; c < channels; c++) out[c * hw + p] = data[p * channels + c];
  return { data: out, h: info.height, w: info.width };
}

async function drive(): Promise<void> {
  const ids = Array.from({ length: 20 }, (_, i) => 21 + i);
  const imgs = await Promise.all(ids.map((id) => readRaw(`${DATA}/drive/training/images/${id}_training.tif`, 3)));
  const vessels = await Promise.all(ids.map((id) => readRaw(`${DATA}/drive/training/1st_manual/${id}_manual1.gif`, 1)));
  const fovs = await Promise.all(ids.map((id) => readRaw(`${DATA}/drive/training/mask/${id}_training_mask.gif`, 1)));
  const { h, w } = imgs[0];
  const stack = (list: { data: Uint8Array }[], c: number): ArrayField => {
    const out = new Uint8Array(list.length * c * h * w);
    list.forEach((x, i) => out.set(x.data, i * c * h * w));
    return { data: out, shape: [list.length, c, h, w] };
  };
  const arrays = shareArrays({ image: stack(imgs, 3), vessel: stack(vessels, 1), fov: stack(fovs, 1) });
  for (const size of [64, 96]) {
    const transforms: TransformSpec[] = [
      // Crop a margin first so the affine/elastic warps have real pixels to pull in, then crop to size.
      {
        type: 'randCrop',
        size: [size + 16, size + 16],
        masks: ['vessel', 'fov'],
        foreground: { key: 'vessel', p: 0.5 },
      },
      { type: 'toFloat', scale: 1 / 255, masks: ['vessel', 'fov'] },
      { type: 'randAffine', masks: ['vessel', 'fov'], rotate: 30, scale: 0.1, shear: 0.05, translate: 4 },
      { type: 'randElastic', masks: ['vessel', 'fov'], alpha: [20, 40], sigma: [4, 6], p: 0.7 },
      { type: 'centerCropOrPad', size: [size, size], masks: ['vessel', 'fov'] },
      { type: 'randFlip', masks: ['vessel', 'fov'] },
      { type: 'normalizeIntensity', channelWise: true },
    ];
    await report(
      `drive-patch${size}-affine-elastic-flip`,
      { dataset: { kind: 'arrays', arrays }, transforms, batchSize: 32, seed: 0 },
      { samples: ids.length, size: [size, size] },
    );
  }
}

await pneumonia();
await drive();
