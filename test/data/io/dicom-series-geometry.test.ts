// DICOM series geometry against dcm2niix (Debian's dcm2niix is the reference): a series whose slice gap
// switches from 4 mm to 7 mm is resampled to a uniform 4 mm grid along the measured positions (dcm2niix's
// "_Eq" volume), never stacked at an average spacing; a 15-degree gantry-tilted series keeps a sheared affine
// that maps every voxel to the same world position as dcm2niix's uncorrected output. Series are written by
// test/data/io/fixtures/write-ct-series.py from pydicom's real CT_small pixels, in nested sub-folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicomSeries } from '../../../src/data/io/dicom/series.js';
import { inspectFile } from '../../../src/data/io/inspect.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/write-ct-series.py');

function writeSeries(mode: 'nonuniform' | 'tilt'): { dicom: string; nifti: string } {
  const root = mkdtempSync(join(tmpdir(), `medattn-series-${mode}-`));
  const dicom = join(root, 'dicom');
  const nifti = join(root, 'nifti');
  mkdirSync(nifti);
  execFileSync('/usr/bin/python3', ['-W', 'ignore', FIXTURE, dicom, mode]);
  execFileSync('dcm2niix', ['-o', nifti, '-f', 'ref', dicom], { stdio: 'pipe' });
  return { dicom, nifti };
}

/**
 * For voxels of our volume, the dcm2niix volume's value at the same world position (nibabel maps world →
 * its voxel through the inverse affine; the index must land on a voxel centre). null when outside it.
 */
function referenceAt(file: string, vol: MedicalImage, voxels: number[][]): Array<number | null> {
  const script = `
import json, sys, numpy as np, nibabel as nib
a = json.loads(sys.argv[2]); vox = json.loads(sys.argv[3])
im = nib.load(sys.argv[1]); d = im.get_fdata(); inv = np.linalg.inv(im.affine)
out = []
for i, j, k in vox:
    w = np.array(a) @ np.array([i, j, k, 1.0])
    q = inv @ w
    r = np.round(q[:3]).astype(int)
    assert np.abs(q[:3] - r).max() < 1e-3, (q, r)
    out.append(float(d[tuple(r)]) if all(0 <= r[n] < d.shape[n] for n in range(3)) else None)
print(json.dumps(out))`;
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script, file, JSON.stringify(vol.affine), JSON.stringify(voxels)], {
      encoding: 'utf8',
    }),
  );
}

const at = (vol: MedicalImage, i: number, j: number, k: number) => vol.data[(k * vol.shape[2] + j) * vol.shape[3] + i];

test('non-uniform slice gaps: resampled to 4 mm along measured positions, as dcm2niix _Eq, with one warning', async () => {
  const { dicom, nifti } = writeSeries('nonuniform');
  const vol = await readDicomSeries(dicom);
  // Positions 0 4 8 12 19 26 33 mm: the span 33 mm at the smallest gap 4 mm gives 9 planes (0..32 mm).
  assert.deepEqual(vol.shape, [1, 9, 128, 128]);
  assert.equal(vol.spacing![0], 4);
  assert.equal(vol.meta!.uniformSpacing, false);
  assert.deepEqual(vol.meta!.warnings, [
    `${dicom}: slice spacing varies from 4 to 7 mm; resampled 7 slices to 9 at a uniform 4 mm along their measured positions`,
  ]);
  // Plane 4 (16 mm) lies 4/7 of the way from the 12 mm slice (index 3) to the 19 mm slice (index 4).
  // dcm2niix writes 8 planes (it stops at 28 mm) as rounded int16: compare every plane it has, at 40 voxels.
  const voxels: number[][] = [];
  for (let k = 0; k < 8; k++)
    for (const [i, j] of [
      [60, 60],
      [10, 100],
      [100, 20],
      [64, 64],
      [5, 5],
    ])
      voxels.push([i, j, k]);
  const ref = referenceAt(join(nifti, 'ref_Eq_1.nii'), vol, voxels);
  voxels.forEach(([i, j, k], n) => {
    assert.ok(ref[n] !== null);
    assert.ok(
      Math.abs(at(vol, i, j, k) - ref[n]!) <= 0.5 + 1e-6,
      `voxel ${i},${j},${k}: ${at(vol, i, j, k)} vs ${ref[n]}`,
    );
  });
});

test('gantry tilt 15 degrees: sheared affine matches dcm2niix voxel for voxel; inspect reports the tilt', async () => {
  const { dicom, nifti } = writeSeries('tilt');
  const vol = await readDicomSeries(dicom);
  assert.deepEqual(vol.shape, [1, 6, 128, 128]);
  assert.ok(Math.abs((vol.meta!.gantryTiltDegrees as number) - 15) < 1e-9);
  // Third column: 2.5 mm along z and 2.5·tan 15° = 0.66987 mm along y (LPS −y → RAS +y).
  assert.ok(Math.abs(vol.affine![1][2] - 2.5 * Math.tan((15 * Math.PI) / 180)) < 1e-9);
  assert.equal(vol.affine![2][2], 2.5);
  const voxels: number[][] = [];
  for (let k = 0; k < 6; k++)
    for (const [i, j] of [
      [60, 60],
      [10, 100],
      [127, 0],
    ])
      voxels.push([i, j, k]);
  const ref = referenceAt(join(nifti, 'ref.nii'), vol, voxels);
  voxels.forEach(([i, j, k], n) => assert.equal(at(vol, i, j, k), ref[n]));
  const info = await inspectFile(dicom);
  assert.equal(info.slices, 6);
  assert.equal(info.gantryTiltDegrees, 15);
  assert.deepEqual(info.orientation, [1, 0, 0, 0, 1, 0]);
  assert.deepEqual(info.spacing, [2.5, 0.661468, 0.661468]);
  assert.deepEqual(info.warnings, [`${dicom}: gantry tilt 15 degrees; the affine is sheared to keep slice positions`]);
});

test('a folder with two series: the larger is read, both are listed, --series picks the other', async () => {
  const root = mkdtempSync(join(tmpdir(), 'medattn-two-series-'));
  execFileSync('/usr/bin/python3', ['-W', 'ignore', FIXTURE, join(root, 'a'), 'nonuniform']);
  execFileSync('/usr/bin/python3', ['-W', 'ignore', FIXTURE, join(root, 'b'), 'uniform']);
  const info = await inspectFile(root);
  assert.deepEqual(
    info.series!.map((s) => s.slices),
    [7, 6],
  );
  assert.equal(info.slices, 7);
  const other = await inspectFile(root, { series: info.series![1].seriesInstanceUID });
  assert.equal(other.slices, 6);
  assert.deepEqual(other.spacing, [2.5, 0.661468, 0.661468]);
  assert.deepEqual(other.warnings, []);
});
