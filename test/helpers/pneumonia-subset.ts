// The PneumoniaMNIST file of ../shared/data (or a MedMNIST-layout fixture standing in for it) and the small
// train/val subsets the training tests use.
import { dataPath, needsData } from './shared-data.js';

export const PNEUMONIA_NPZ = dataPath('pneumoniamnist', 'pneumoniamnist.npz');

/** Test options for a test that reads PNEUMONIA_NPZ: skips (or fails under CI=true) when it is absent. */
export const needsPneumonia = () => needsData('pneumoniamnist', 'pneumoniamnist.npz');

/** A config `data` block: the first `train` training images and the first `val` validation images of `file`. */
export function pneumoniaSubsets(train: number, val: number, file = PNEUMONIA_NPZ) {
  const subset = (split: 'train' | 'val', n: number) => ({
    kind: 'subset' as const,
    of: { kind: 'medmnist' as const, file, split },
    indices: Array.from({ length: n }, (_, i) => i),
  });
  return { train: subset('train', train), val: subset('val', val) };
}
