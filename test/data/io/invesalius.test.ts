// InVesalius `.inv3` projects: Debian's invesalius-examples Cranium.inv3 (a real head CT) read by our reader
// against an independent read with Python's tarfile + plistlib + numpy (per-axis sums of the int16 volume,
// spacing, the masks' voxel counts per slice), and the masks against their own HU threshold ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readImage, readInvesalius } from '../../../src/data/io/index.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';
import { pythonReference } from '../../metrics/python-reference.js';

const CRANIUM = '/usr/share/doc/invesalius-examples/examples/Cranium.inv3';
const options = existsSync(CRANIUM)
  ? { skip: false as const }
  : process.env.CI === 'true'
    ? (() => {
        throw new Error(`CI=true: needs ${CRANIUM} (Debian's invesalius-examples)`);
      })()
    : { skip: `needs ${CRANIUM} (Debian's invesalius-examples)` };

const NUMPY_READ = `
import io, json, plistlib, sys, tarfile
import numpy as np
path = json.load(sys.stdin)
t = tarfile.open(path, 'r:gz')
files = {m.name.split('/')[-1]: m for m in t.getmembers() if m.isfile()}
read = lambda n: t.extractfile(files[n]).read()
main = plistlib.loads(read('main.plist'))
v = np.frombuffer(read(main['matrix']['filename']), dtype='<' + {'int16': 'i2'}[main['matrix']['dtype']])
v = v.reshape(main['matrix']['shape']).astype(np.int64)
masks = []
for k in sorted(main['masks'], key=int):
    mp = plistlib.loads(read(main['masks'][k]))
    m = np.frombuffer(read(mp['mask_file']), dtype=np.uint8).reshape(mp['mask_shape'])[1:, 1:, 1:] > 127
    lo, hi = mp['threshold_range']
    masks.append({'name': mp['name'], 'range': [lo, hi], 'perSlice': m.sum(axis=(1, 2)).tolist(),
                  'thresholdAgreement': float(((v >= lo) & (v <= hi) == m).mean())})
print(json.dumps({'shape': list(v.shape), 'spacing': main['spacing'], 'modality': main['modality'],
    'sumZ': v.sum(axis=(1, 2)).tolist(), 'sumY': v.sum(axis=(0, 2)).tolist(), 'sumX': v.sum(axis=(0, 1)).tolist(),
    'corner': int(v[0, 0, 0]), 'centre': int(v[54, 128, 128]), 'masks': masks}))
`;

function axisSums(data: ArrayLike<number>, [d, h, w]: number[]) {
  const z = new Array<number>(d).fill(0);
  const y = new Array<number>(h).fill(0);
  const x = new Array<number>(w).fill(0);
  for (let k = 0, i = 0; k < d; k++)
    for (let j = 0; j < h; j++)
      for (let l = 0; l < w; l++, i++) {
        z[k] += data[i];
        y[j] += data[i];
        x[l] += data[i];
      }
  return { z, y, x };
}

test('Cranium.inv3: volume, spacing and masks equal the numpy read', options, async () => {
  const ref = pythonReference(NUMPY_READ, CRANIUM);
  const { volume, masks } = await readInvesalius(CRANIUM);
  assert.deepEqual(ref.shape, [108, 256, 256]);
  assert.deepEqual(volume.shape, [1, ...ref.shape]);
  assert.ok(volume.data instanceof Int16Array);
  // Spacing in the volume's axis order [D, H, W] = [z, y, x]; the plist lists [x, y, z].
  assert.deepEqual(volume.spacing, [ref.spacing[2], ref.spacing[1], ref.spacing[0]]);
  assert.deepEqual(volume.spacing, [1.5, 0.9570312, 0.9570312]);
  assert.deepEqual(volume.affine, [
    [-0.9570312, 0, 0, 0],
    [0, -0.9570312, 0, 0],
    [0, 0, 1.5, 0],
    [0, 0, 0, 1],
  ]);
  assert.equal(volume.meta?.modality, ref.modality);
  const sums = axisSums(volume.data, ref.shape);
  assert.deepEqual(sums.z, ref.sumZ);
  assert.deepEqual(sums.y, ref.sumY);
  assert.deepEqual(sums.x, ref.sumX);
  assert.equal(volume.data[0], ref.corner);
  assert.equal(volume.data[(54 * 256 + 128) * 256 + 128], ref.centre);
  assert.equal(masks.length, 2);
  for (const [i, m] of masks.entries()) {
    assert.equal(m.name, ref.masks[i].name);
    assert.deepEqual(m.thresholdRange, ref.masks[i].range);
    assert.deepEqual(axisSums(m.image.data, ref.shape).z, ref.masks[i].perSlice);
  }
  // The first mask is exactly InVesalius's bone threshold 226..3071 HU of this volume (so the crop offset is right).
  assert.deepEqual(ref.masks[0].range, [226, 3071]);
  assert.equal(ref.masks[0].thresholdAgreement, 1);
  // readImage hands out the volume.
  assert.deepEqual((await readImage(CRANIUM)).shape, [1, 108, 256, 256]);
});

test('a .inv3 that is not a project, or lacks the spacing, is a one-line error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inv3-'));
  try {
    const bad = join(dir, 'bad.inv3');
    writeFileSync(bad, 'not gzip');
    await assert.rejects(
      readInvesalius(bad),
      (e: unknown) => e instanceof MedattnDataError && /bad\.inv3: not an InVesalius project/.test(e.message),
    );
    // A tar with a main.plist but no spacing.
    const plist = Buffer.from(
      '<plist><dict><key>matrix</key><dict><key>dtype</key><string>int16</string><key>filename</key><string>matrix.dat</string><key>shape</key><array><integer>1</integer><integer>1</integer><integer>1</integer></array></dict></dict></plist>',
    );
    const header = Buffer.alloc(512);
    header.write('p/main.plist', 0, 'latin1');
    header.write(plist.length.toString(8).padStart(11, '0'), 124, 'latin1');
    header.write('0', 156, 'latin1');
    const body = Buffer.concat([plist, Buffer.alloc(512 - (plist.length % 512))]);
    const nospacing = join(dir, 'nospacing.inv3');
    writeFileSync(nospacing, gzipSync(Buffer.concat([header, body, Buffer.alloc(1024)])));
    await assert.rejects(
      readInvesalius(nospacing),
      /nospacing\.inv3: main\.plist: the volume's voxel spacing is missing/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
