// Spacing-aware resampling on the real Colin27 T1 MRI (Debian mricron-data, 1 mm) to 2.5 x 2 x 3 mm,
// against scipy.ndimage.map_coordinates (order 1, edge clamp) on nibabel's array, and the new affine against
// nibabel's affine composed with the zoom (voxel -> world stays consistent). A NIfTI whose pixdim is 0 is a
// one-line MissingSpacingError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNifti } from '../../../src/data/io/nifti.js';
import { resampleToSpacing, MissingSpacingError } from '../../../src/data/transforms/resample-to-spacing.js';

const CH2 = '/usr/share/mricron/templates/ch2.nii.gz';
const skip = existsSync(CH2) ? false : 'needs Debian mricron-data (scripts/apt-packages.txt)';

test(
  'Colin27 to 3 x 2 x 2.5 mm (z, y, x): values as scipy on nibabel, affine as nibabel affine @ zoom',
  { skip },
  async () => {
    const image = await readNifti(CH2);
    const target = [3, 2, 2.5];
    const out = resampleToSpacing(image, target, { source: CH2 });
    const ref = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `
import json, numpy as np, nibabel as nib
from scipy.ndimage import map_coordinates
im = nib.load('${CH2}'); a = np.asarray(im.dataobj, dtype=np.float32)  # a[i, j, k] = x, y, z
z = np.array(im.header.get_zooms()[:3]); t = np.array([2.5, 2, 3])  # target by i, j, k
n = np.maximum(1, np.floor(np.array(a.shape) * z / t + 0.5)).astype(int)  # half rounds up (108.5 -> 109)
r = t / z
g = np.meshgrid(*[np.arange(m) * r[d] for d, m in enumerate(n)], indexing='ij')
v = map_coordinates(a, g, order=1, mode='nearest')
A = im.affine @ np.diag([r[0], r[1], r[2], 1])
pick = [(0, 0, 0), (36, 50, 30), (50, 80, 40), (71, 107, 59), (10, 100, 55)]
print(json.dumps({'shape': n.tolist()[::-1], 'affine': A.tolist(), 'values': [float(v[p]) for p in pick], 'pick': pick}))
`,
        ],
        { encoding: 'utf8' },
      ),
    );
    assert.deepEqual(out.shape, [1, ...ref.shape]);
    assert.deepEqual(out.spacing, target);
    out.affine!.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - ref.affine[r][c]) < 1e-5)));
    const [, , H, W] = out.shape;
    (ref.pick as number[][]).forEach(([i, j, k], n) =>
      assert.ok(Math.abs(out.data[(k * H + j) * W + i] - ref.values[n]) < 1e-3, `voxel ${i},${j},${k}`),
    );
  },
);

test('a NIfTI whose pixdim is 0 is refused in one line naming the file', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'medattn-nospacing-')), 'nospacing.nii');
  execFileSync('/usr/bin/python3', [
    '-c',
    `
import numpy as np, nibabel as nib
im = nib.Nifti1Image(np.arange(24, dtype=np.float32).reshape(2, 3, 4), None)
im.header['pixdim'][1:4] = 0
nib.save(im, '${file}')`,
  ]);
  const image = await readNifti(file);
  assert.throws(
    () => resampleToSpacing(image, [1, 1, 1], { source: file }),
    (e: Error) => {
      assert.ok(e instanceof MissingSpacingError);
      assert.equal(e.message, `${file}: the volume's voxel spacing is missing ([1, 1, 1]); set it in the file header`);
      return true;
    },
  );
});
