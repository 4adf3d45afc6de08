import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Resize } from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { assertClose, blobMask, img2d, rowsOf, valueSet } from './helpers.js';

const two = img2d([
  [0, 1],
  [2, 3],
]);

test('bilinear 2x2 -> 4x4, alignCorners false (torch default): positions 0, 0.25, 0.75, 1', () => {
  // src = (dst + 0.5) * 2/4 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (upper tap clamped, so 1).
  // The image is 2y + x, so each output is 2·py + px.
  const out = new Resize({ size: [4, 4] }).apply({ image: two }).image as MedicalImage;
  assert.deepEqual(out.shape, [1, 4, 4]);
  assert.deepEqual(rowsOf(out), [
    [0, 0.25, 0.75, 1],
    [0.5, 0.75, 1.25, 1.5],
    [1.5, 1.75, 2.25, 2.5],
    [2, 2.25, 2.75, 3],
  ]);
});

test('bilinear 2x2 -> 4x4, alignCorners true: positions 0, 1/3, 2/3, 1', () => {
  const out = new Resize({ size: [4, 4], alignCorners: true }).apply({ image: two }).image as MedicalImage;
  const p = [0, 1 / 3, 2 / 3, 1];
  assertClose(
    out.data,
    p.flatMap((py) => p.map((px) => 2 * py + px)),
  );
});

test('bilinear 3x5 -> 7x4 matches torch.nn.functional.interpolate (values computed with torch 1.13)', () => {
  const data = Float32Array.from({ length: 15 }, (_, i) => i ** 1.5);
  const out = new Resize({ size: [7, 4] }).apply({ image: { data, shape: [1, 3, 5] } }).image as MedicalImage;
  // F.interpolate((torch.arange(15.)**1.5).reshape(1,1,3,5), size=(7,4), mode='bilinear', align_corners=False)
  const torch = [
    0.125, 1.6856601238250732, 4.308255195617676, 7.649518966674805, 1.767130732536316, 3.749235153198242,
    6.705252170562744, 10.33579158782959, 6.693522930145264, 9.939959526062012, 13.89624309539795, 18.394609451293945,
    11.619915008544922, 16.13068389892578, 21.08723258972168, 26.453428268432617, 20.452932357788086,
    25.670499801635742, 31.285659790039062, 37.27095413208008, 29.28594970703125, 35.21031188964844, 41.48408508300781,
    48.088478088378906, 32.23028564453125, 38.39025115966797, 44.88356018066406, 51.69432067871094,
  ];
  assertClose(out.data, torch, 1e-4);
});

test('trilinear 3D resize against live torch when /usr/bin/python3 has it', (t) => {
  if (!existsSync('/usr/bin/python3')) return t.skip('no /usr/bin/python3');
  const script = `
import json, torch, torch.nn.functional as F
x = (torch.arange(24.)**1.3).reshape(1,1,2,3,4)
print(json.dumps([F.interpolate(x, size=(3,5,3), mode='trilinear', align_corners=a).flatten().tolist() for a in (False, True)]))`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) return t.skip(`torch unavailable: ${r.stderr.split('\n').filter(Boolean).pop()}`);
  const [exp0, exp1] = JSON.parse(r.stdout) as number[][];
  const data = Float32Array.from({ length: 24 }, (_, i) => i ** 1.3);
  const vol = { data, shape: [1, 2, 3, 4] };
  assertClose(
    (new Resize({ size: [3, 5, 3] }).apply({ image: vol }).image as MedicalImage).data,
    exp0,
    1e-4,
    'align false',
  );
  assertClose(
    (new Resize({ size: [3, 5, 3], alignCorners: true }).apply({ image: vol }).image as MedicalImage).data,
    exp1,
    1e-4,
    'align true',
  );
});

test('masks are resized with nearest neighbour and stay binary; downsampling too', () => {
  const mask = blobMask(30, 26);
  const image = blobMask(30, 26);
  for (const size of [
    [64, 64],
    [11, 17],
  ]) {
    const out = new Resize({ size, masks: ['mask'] }).apply({ image, mask });
    assert.deepEqual((out.mask as MedicalImage).shape, [1, ...size]);
    assert.deepEqual(valueSet((out.mask as MedicalImage).data), [0, 1]);
    assert.ok(valueSet((out.image as MedicalImage).data).length > 2, 'image is interpolated');
  }
  // Nearest 2 -> 4 repeats each pixel twice (centred nearest).
  const up = new Resize({ size: [4, 4], keys: [], masks: ['m'] }).apply({ m: two }).m as MedicalImage;
  assert.deepEqual(rowsOf(up), [
    [0, 0, 1, 1],
    [0, 0, 1, 1],
    [2, 2, 3, 3],
    [2, 2, 3, 3],
  ]);
});

test('resize to the same size copies, and rejects a wrong number of axes', () => {
  const out = new Resize({ size: [2, 2] }).apply({ image: two }).image as MedicalImage;
  assert.deepEqual(Array.from(out.data), [0, 1, 2, 3]);
  assert.notEqual(out.data, two.data);
  assert.throws(() => new Resize({ size: [2, 2, 2] }).apply({ image: two }), { name: 'TransformError' });
  assert.throws(() => new Resize({ size: [0, 2] }), { name: 'TransformError' });
});
