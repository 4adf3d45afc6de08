// The real PneumoniaMNIST file of ../shared/data and the small train/val subsets the training tests use.
import { resolve } from 'node:path';

export const PNEUMONIA_NPZ = resolve('..', 'shared', 'data', 'pneumoniamnist', 'pneumoniamnist.npz');

/** A config `data` block: the first `train` training images and the first `val` validation images. */
export function pneumoniaSubsets(train: number, val: number) {
  const subset = (split: 'train' | 'val', n: number) => ({
    kind: 'subset' as const,
    of: { kind: 'medmnist' as const, file: PNEUMONIA_NPZ, split },
    indices: Array.from({ length: n }, (_, i) => i),
  });
  return { train: subset('train', train), val: subset('val', val) };
}
