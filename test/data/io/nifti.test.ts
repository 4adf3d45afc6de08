// NIfTI-1/NIfTI-2 voxel values, affines and canonical reorientation against nibabel (computed live by
// fixtures/nifti-reference.py in one python process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNifti, sliceVolume } from '../../../src/data/io/nifti.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';

const here = dirname(fileURLToPath(import.meta.url));
const NIB = '/usr/lib/python3/dist-packages/nibabel/tests/data';
const FILES = [
  '/usr/share/mricron/templates/ch2.nii.gz',
  '/usr/share/mricron/templates/aal.nii.gz',
  `${NIB}/anatomical.nii`, // big endian int16, LAS
  `${NIB}/example4d.nii.gz`, // 4D
  `${NIB}/example_nifti2.nii.gz`, // NIfTI-2, 4D
  `${NIB}/functional.nii`,
  `${NIB}/reoriented_anat_moved.nii`, // big endian float32, oblique-ish RAS
  `${NIB}/resampled_anat_moved.nii`,
  `${NIB}/standard.nii.gz`,
];

interface Summary {
  shape: number[];
  affine: number[][];
  sum: number;
  weighted: number;
  nanCount: number;
  sampleIndex: number[];
  samples: Array<number | null>;
}

const reference = JSON.parse(
  execFileSync('/usr/bin/python3', [join(here, 'fixtures', 'nifti-reference.py'), ...FILES], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  }),
) as Record<string, { image: Summary; canonical: Summary; axcodes: string }>;

function check(file: string, image: MedicalImage, ref: Summary) {
  // nibabel shape (i, j, k[, t]) is our [t, k, j, i].
  const [c, d, h, w] = image.shape;
  assert.deepEqual([w, h, d, ...(ref.shape.length > 3 ? [c] : [])], ref.shape, `${file}: shape`);
  for (let r = 0; r < 4; r++) {
    for (let q = 0; q < 4; q++)
      assert.ok(
        Math.abs(image.affine![r][q] - ref.affine[r][q]) < 1e-5,
        `${file}: affine[${r}][${q}] ${image.affine![r][q]} vs ${ref.affine[r][q]}`,
      );
  }
  let sum = 0;
  let weighted = 0;
  let nans = 0;
  for (let i = 0; i < image.data.length; i++) {
    const v = image.data[i];
    if (Number.isNaN(v)) nans++;
    else {
      sum += v;
      weighted += v * (i % 1009);
    }
  }
  assert.equal(nans, ref.nanCount, `${file}: NaN voxels`);
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
  const sumTol = image.meta?.scaled ? 1e-6 : 1e-12;
  assert.ok(rel(sum, ref.sum) < sumTol, `${file}: sum ${sum} vs ${ref.sum}`);
  assert.ok(rel(weighted, ref.weighted) < sumTol, `${file}: position-weighted sum ${weighted} vs ${ref.weighted}`);
  // Scaled volumes are float32 here, float64 in nibabel: equal to float32 precision. Unscaled: exactly equal.
  const tol = image.meta?.scaled ? 1e-6 : 0;
  const close = (a: number, b: number) =>
    Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  ref.sampleIndex.forEach((idx, k) =>
    assert.ok(
      close(image.data[idx], ref.samples[k] ?? NaN),
      `${file}: voxel ${idx} ${image.data[idx]} vs ${ref.samples[k]}`,
    ),
  );
}

for (const file of FILES) {
  test(`${file.split('/').pop()}: voxels and affine equal nibabel's, as loaded and as closest canonical`, async () => {
    const ref = reference[file];
    check(file, await readNifti(file, { allowNaN: true }), ref.image);
    const canonical = await readNifti(file, { canonical: true, allowNaN: true });
    check(file, canonical, ref.canonical);
  });
}

test('ch2.nii.gz: Colin27 T1 is 181x217x181 at 1 mm, uint8, RAS, and slices along every axis', async () => {
  const img = await readNifti('/usr/share/mricron/templates/ch2.nii.gz', { canonical: true });
  assert.deepEqual(img.shape, [1, 181, 217, 181]);
  assert.deepEqual(img.spacing, [1, 1, 1]);
  assert.equal(img.meta?.format, 'nifti1');
  const axial = sliceVolume(img, 'axial', 90);
  assert.deepEqual(axial.shape, [1, 217, 181]);
  assert.deepEqual(sliceVolume(img, 'coronal', 100).shape, [1, 181, 181]);
  const sagittal = sliceVolume(img, 'sagittal', 90);
  assert.deepEqual(sagittal.shape, [1, 181, 217]);
  // The same voxel seen from two slicings.
  const [, D, H, W] = img.shape;
  const v = img.data[(90 * H + 100) * W + 90];
  assert.equal(axial.data[100 * 181 + 90], v);
  assert.equal(sagittal.data[90 * 217 + 100], v);
  assert.ok(v > 0, 'centre of the brain is not background');
  assert.equal(D, 181);
});

test('example_nifti2.nii.gz is read as NIfTI-2 with two volumes as channels', async () => {
  const img = await readNifti(`${NIB}/example_nifti2.nii.gz`);
  assert.equal(img.meta?.format, 'nifti2');
  assert.deepEqual(img.shape, [2, 12, 20, 32]);
});

test('NaN voxels are an error unless allowed (resampled_anat_moved.nii has 153)', async () => {
  const file = `${NIB}/resampled_anat_moved.nii`;
  await assert.rejects(readNifti(file), {
    name: 'MedattnDataError',
    message: `${file}: 153 NaN voxels (pass allowNaN to accept them)`,
  });
});
