// The real files the fuzz harness mutates: Debian's pydicom and nibabel test data (and numpy's own .npy
// test files), always installed by scripts/install.sh, plus ../shared/data files when they are there.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath } from '../shared-data.js';
import type { SeedFormat } from './mutations.js';

export const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
export const NIBABEL_FILES = '/usr/lib/python3/dist-packages/nibabel/tests/data';
export const NUMPY_FILES = '/usr/lib/python3/dist-packages/numpy/lib/tests/data';

export interface Seed {
  path: string;
  format: SeedFormat;
}

function filesIn(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => pattern.test(n))
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile())
    .sort();
}

/** Every seed present on this machine, by format; `shared: false` leaves ../shared/data out. */
export function findSeeds(options: { shared?: boolean } = {}): Seed[] {
  const seeds: Seed[] = [
    ...filesIn(PYDICOM_FILES, /\.dcm$/).map((path) => ({ path, format: 'dicom' as const })),
    ...filesIn(NIBABEL_FILES, /\.nii(\.gz)?$/).map((path) => ({ path, format: 'nifti' as const })),
    // The numeric .npy files (the *-objarr ones hold Python objects, which no reader should take).
    ...filesIn(NUMPY_FILES, /^(python3|win64python2)\.npy$/).map((path) => ({ path, format: 'npy' as const })),
  ];
  if (options.shared !== false) {
    const shared: Array<[SeedFormat, string[]]> = [
      ['npz', ['pneumoniamnist', 'pneumoniamnist.npz']],
      ['png', ['isbi2012-em', 'image', '0.png']],
      ['png', ['isbi2012-em', 'label', '0.png']],
      ['tiff', ['drive', 'training', 'images', '21_training.tif']],
      ['gif', ['drive', 'training', '1st_manual', '21_manual1.gif']],
      ['gif', ['drive', 'training', 'mask', '21_training_mask.gif']],
      ['jpeg', ['bccd', 'JPEGImages', 'BloodImage_00000.jpg']],
    ];
    for (const [format, parts] of shared) {
      const path = dataPath(...parts);
      if (existsSync(path)) seeds.push({ path, format });
    }
  }
  return seeds;
}
