// NIfTI slice and patch datasets on the Colin27 brain (ch2bet) with the AAL atlas, checked against nibabel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createDataset, gridStarts, selectLabels, type NiftiPatchesSpec } from '../../../src/data/datasets/index.js';
import { oneLine, python, sum, TEMPLATES } from './helpers.js';

const IMAGE = join(TEMPLATES, 'ch2bet.nii.gz');
const LABEL = join(TEMPLATES, 'aal.nii.gz');
const HIPPO = [37, 38]; // AAL Hippocampus_L, Hippocampus_R

const ref = python<{
  slices: number[];
  fgPerSlice: number[];
  imageSliceSum: number;
  pixel: number;
  counts: number[];
  patchMask: number;
  patchImage: number;
  names: string[];
}>(`
import json, numpy as np, nibabel as nib
img = np.asanyarray(nib.as_closest_canonical(nib.load(${JSON.stringify(IMAGE)})).dataobj)
lab = np.asanyarray(nib.as_closest_canonical(nib.load(${JSON.stringify(LABEL)})).dataobj)
m = np.isin(lab, ${JSON.stringify(HIPPO)})
per = m.sum(axis=(0, 1))
ks = np.nonzero(per)[0]
k = int(ks[len(ks) // 2])
names = [l.split()[1] for l in open(${JSON.stringify(join(TEMPLATES, 'aal.nii.txt'))}) if l.strip()][36:38]
print(json.dumps({'slices': ks.tolist(), 'fgPerSlice': per[ks].tolist(), 'imageSliceSum': float(img[:, :, k].sum()),
  'pixel': float(img[90, 108, k]), 'counts': [int((lab == 37).sum()), int((lab == 38).sum())],
  'patchMask': int(m[50:82, 90:122, 40:72].sum()), 'patchImage': float(img[50:82, 90:122, 40:72].sum()), 'names': names}))`);

test('niftiSlices: axial slices with hippocampus, counts per slice and pixels equal nibabel', async () => {
  assert.deepEqual(ref.names, ['Hippocampus_L', 'Hippocampus_R']);
  const ds = await createDataset({
    kind: 'niftiSlices',
    image: IMAGE,
    label: LABEL,
    labels: HIPPO,
    axis: 'axial',
    foregroundOnly: true,
  });
  assert.equal(ds.length, ref.slices.length);
  assert.deepEqual(
    ds.ids(),
    ref.slices.map((k) => `ch2bet:axial:${k}`),
  );
  const mid = Math.floor(ref.slices.length / 2);
  const s = await ds.get(mid);
  assert.deepEqual(s.image.shape, [1, 217, 181]); // [C, A (j), R (i)]
  assert.deepEqual(s.mask!.shape, [1, 217, 181]);
  assert.deepEqual(new Set(s.mask!.data), new Set([0, 1]));
  assert.equal(sum(s.mask!.data), ref.fgPerSlice[mid]);
  assert.equal(sum(s.image.data), ref.imageSliceSum);
  assert.equal(s.image.data[108 * 181 + 90], ref.pixel);
  let total = 0;
  for (let i = 0; i < ds.length; i++) total += sum((await ds.get(i)).mask!.data);
  assert.equal(total, ref.counts[0] + ref.counts[1]);
});

test('niftiSlices: every slice without foregroundOnly; minForeground; multi-class masks', async () => {
  const all = await createDataset({
    kind: 'niftiSlices',
    volumes: [{ image: IMAGE, label: LABEL, id: 'colin' }],
    labels: HIPPO,
    axis: 'sagittal',
  });
  assert.equal(all.length, 181);
  assert.equal(all.ids()[0], 'colin:sagittal:0');
  assert.deepEqual((await all.get(90)).image.shape, [1, 181, 217]);
  const big = await createDataset({
    kind: 'niftiSlices',
    image: IMAGE,
    label: LABEL,
    labels: HIPPO,
    foregroundOnly: true,
    minForeground: 500,
  });
  assert.equal(big.length, ref.fgPerSlice.filter((n) => n >= 500).length);
  const multi = await createDataset({
    kind: 'niftiSlices',
    image: IMAGE,
    label: LABEL,
    labels: HIPPO,
    multiClass: true,
    foregroundOnly: true,
  });
  const counts = [0, 0, 0];
  for (let i = 0; i < multi.length; i++) for (const v of (await multi.get(i)).mask!.data) counts[v]++;
  assert.deepEqual(counts.slice(1), ref.counts);
  assert.deepEqual(Array.from(selectLabels([0, 37, 38, 5, 38], [37, 38], true)), [0, 1, 2, 0, 2]);
  assert.deepEqual(Array.from(selectLabels([0, 37, 38, 5], undefined, false)), [0, 1, 1, 1]);
});

test('niftiPatches: grid covers the volume, patch contents equal nibabel, random patches are seeded', async () => {
  assert.deepEqual(gridStarts(181, 64, 64), [0, 64, 117]);
  assert.deepEqual(gridStarts(217, 64, 64), [0, 64, 128, 153]);
  assert.deepEqual(gridStarts(64, 64, 32), [0]);
  const grid = await createDataset({
    kind: 'niftiPatches',
    image: IMAGE,
    label: LABEL,
    labels: HIPPO,
    patchSize: [64, 64, 64],
  });
  assert.equal(grid.length, 3 * 4 * 3);
  const at = await createDataset({
    kind: 'niftiPatches',
    image: IMAGE,
    label: LABEL,
    labels: HIPPO,
    patchSize: [32, 32, 32],
    stride: [40, 90, 50],
  });
  // corner (d, h, w) = (k, j, i) = (40, 90, 50): nibabel's arr[50:82, 90:122, 40:72]
  const idx = at.ids().indexOf('ch2bet:patch:40,90,50');
  assert.ok(idx >= 0, at.ids().join(' '));
  const p = await at.get(idx);
  assert.deepEqual(p.image.shape, [1, 32, 32, 32]);
  assert.equal(sum(p.mask!.data), ref.patchMask);
  assert.equal(sum(p.image.data), ref.patchImage);
  const spec: NiftiPatchesSpec = {
    kind: 'niftiPatches',
    image: IMAGE,
    label: LABEL,
    labels: HIPPO,
    patchSize: [24, 24, 24],
    mode: 'random',
    count: 6,
    seed: 7,
    foregroundOnly: true,
  };
  const r1 = await createDataset(spec);
  const r2 = await createDataset(JSON.parse(JSON.stringify(r1.describe())));
  assert.equal(r1.length, 6);
  assert.deepEqual(r2.ids(), r1.ids());
  for (let i = 0; i < 6; i++) assert.ok(sum((await r1.get(i)).mask!.data) >= 1);
  const r3 = await createDataset({ ...spec, seed: 8 });
  assert.notDeepEqual(r3.ids(), r1.ids());
  await assert.rejects(
    createDataset({ ...spec, count: undefined }),
    (e: Error) => oneLine(e) === 'dataset spec: count: random patches need a count (patches per volume)',
  );
  await assert.rejects(
    createDataset({ ...spec, patchSize: [200, 8, 8] }),
    (e: Error) => oneLine(e) === `dataset spec: patchSize: [200, 8, 8] is larger than volume ${IMAGE} [181, 217, 181]`,
  );
});

test('NIfTI volumes on different grids: one-line error naming both files', async () => {
  const other = join(TEMPLATES, 'JHU-WhiteMatter-labels-2mm.nii.gz');
  await assert.rejects(createDataset({ kind: 'niftiSlices', image: IMAGE, label: other }), (e: Error) =>
    /^\S+ch2bet\.nii\.gz: volume grid 181x217x181 differs from its label volume \S+JHU-WhiteMatter-labels-2mm\.nii\.gz \(\d+x\d+x\d+\)$/.test(
      oneLine(e),
    ),
  );
});
