// Every shipped config's transform pipelines take a real sample of its own data: in particular each transform
// that moves pixels names the masks the dataset hands out (an unnamed `mask`/`roi` is a TransformError, see
// checkUnlistedMasks; RandomApply's `p` is dropped so every transform runs), so no shipped config moves an image and leaves its mask behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createDataset, type DatasetSpec } from '../../src/data/datasets/index.js';
import { createTransform, Rng, type TransformSpec } from '../../src/data/transforms/index.js';
import type { MedicalImage } from '../../src/data/medical-image.js';
import { loadConfig } from '../../src/train/config.js';
import { needsData } from '../helpers/shared-data.js';

const shipped: Array<[string, { skip: string | false }]> = [
  ['configs/drive.json', needsData('drive', 'training')],
  ['configs/bccd.json', needsData('bccd')],
  ['configs/pneumoniamnist.json', needsData('pneumoniamnist')],
  [
    'configs/colin27-3d.json',
    existsSync('/usr/share/mricron/templates/ch2.nii.gz') ? { skip: false } : { skip: 'needs mricron-data' },
  ],
];

/** The spec with every RandomApply `p` removed, so each transform runs on the test sample. */
function always(spec: TransformSpec): TransformSpec {
  const { p: _p, ...rest } = spec as TransformSpec & { p?: number; transforms?: TransformSpec[] };
  const nested = (rest as { transforms?: TransformSpec[] }).transforms;
  return (nested ? { ...rest, transforms: nested.map(always) } : rest) as TransformSpec;
}

for (const [file, when] of shipped)
  test(`${file}: train and eval transforms apply to the first sample of train and val`, when, async () => {
    const config = loadConfig(file);
    const transforms = config.transforms as { train: TransformSpec[]; eval: TransformSpec[] };
    for (const [split, pipeline] of [
      ['train', transforms.train],
      ['val', transforms.eval],
    ] as const) {
      const ds = await createDataset(config.data[split] as DatasetSpec);
      const sample = await ds.get(0);
      const out = createTransform(pipeline.map(always)).apply(sample, Rng.seeded(1));
      const image = out.image as MedicalImage;
      for (const key of ['mask', 'roi'])
        if (out[key])
          assert.deepEqual((out[key] as MedicalImage).shape.slice(1), image.shape.slice(1), `${split} ${key}`);
    }
  });
