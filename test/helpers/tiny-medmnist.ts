// A tiny MedMNIST-format .npz (uint8 .npy arrays in a stored zip, as np.savez writes it), so the
// CLI tests train in seconds without ../shared: label 1 images are brighter than label 0 ones.
import { writeNpz, type Uint8NdArray } from '../fixtures/npz.js';

export interface TinySplit {
  /** Number of images. */
  n: number;
  /** Label of image i (default: alternating 0, 1). */
  label?: (i: number) => number;
}

/**
 * Writes `<file>` with `<split>_images` (N, size, size) and `<split>_labels` (N, 1) for each split given.
 * Pixel values are a deterministic function of the index and the label.
 */
export function writeTinyMedmnist(file: string, splits: Record<string, TinySplit>, size = 16): void {
  const arrays: Record<string, Uint8NdArray> = {};
  for (const [split, { n, label = (i: number) => i % 2 }] of Object.entries(splits)) {
    const images = new Uint8Array(n * size * size);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = label(i);
      for (let p = 0; p < size * size; p++)
        images[i * size * size + p] = (labels[i] ? 150 : 40) + ((i * 31 + p * 7) % 60);
    }
    arrays[`${split}_images`] = { shape: [n, size, size], data: images };
    arrays[`${split}_labels`] = { shape: [n, 1], data: labels };
  }
  writeNpz(file, arrays, false);
}

/** A small valid training config over a tiny .npz (a 2-stage attention CNN, 2 epochs); override what a test needs. */
export function tinyConfig(npz: string) {
  return {
    name: 'tiny',
    task: 'classification',
    data: {
      train: { kind: 'medmnist', file: npz, split: 'train' },
      val: { kind: 'medmnist', file: npz, split: 'val' },
    },
    transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
    model: {
      name: 'attention_cnn',
      config: {
        inChannels: 1,
        numClasses: 2,
        stages: [
          { channels: 4, attention: 'se' },
          { channels: 4, attention: 'none' },
        ],
      },
    },
    training: { epochs: 2, batchSize: 8, workers: 0, threads: 1 },
    report: { samples: 1 },
  };
}
