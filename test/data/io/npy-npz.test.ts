// NumPy .npy/.npz against numpy itself (files written live by /usr/bin/python3) and the real MedMNIST file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '../../../src/data/io/npy.js';
import { readNpz } from '../../../src/data/io/npz.js';
import { needsPneumonia, PNEUMONIA_NPZ } from '../../helpers/pneumonia-subset.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-npy-'));
// Every dtype x byte order x memory order; values = arange(24) shaped (2,3,4), with negatives for signed.
const script = `
import numpy as np, json, sys
d = sys.argv[1]
cases = []
for code in ['u1','i1','u2','i2','u4','i4','i8','u8','f2','f4','f8','b1']:
    for order in ['<', '>']:
        if code in ('u1','i1','b1') and order == '>': continue
        for fortran in (False, True):
            a = np.arange(24).reshape(2,3,4)
            if code[0] in 'if': a = a - 7
            if code == 'b1': a = (a % 3 == 0)
            a = a.astype(np.dtype(order + code) if code != 'b1' else np.bool_)
            if code[0] == 'f': a = a / 4
            if fortran: a = np.asfortranarray(a)
            name = f'{code}{"be" if order == ">" else "le"}{"F" if fortran else "C"}'
            np.save(f'{d}/{name}.npy', a)
            cases.append({'name': name, 'shape': list(a.shape), 'values': a.astype(np.float64).ravel(order='C').tolist()})
np.savez(f'{d}/stored.npz', x=np.arange(10, dtype=np.int16), y=np.eye(3))
np.savez_compressed(f'{d}/deflated.npz', x=np.arange(10, dtype=np.int16), y=np.eye(3))
json.dump(cases, sys.stdout)
`;
const cases = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' })) as Array<{
  name: string;
  shape: number[];
  values: number[];
}>;

test('.npy: every dtype, both byte orders, C and Fortran order equal numpy', async () => {
  assert.equal(cases.length, 42); // 9 multi-byte dtypes x 2 byte orders x 2 orders + 3 one-byte x 2 orders
  for (const c of cases) {
    const arr = await readNpy(join(dir, `${c.name}.npy`));
    assert.deepEqual(arr.shape, c.shape, c.name);
    assert.deepEqual(Array.from(arr.data), c.values, c.name);
  }
  const f4 = await readNpy(join(dir, 'f4beF.npy'));
  assert.equal(f4.dtype, 'float32');
  assert.ok(f4.data instanceof Float32Array);
});

test('.npz: stored and deflated archives', async () => {
  for (const name of ['stored.npz', 'deflated.npz']) {
    const m = await readNpz(join(dir, name));
    assert.deepEqual([...m.keys()].sort(), ['x', 'y']);
    assert.deepEqual(Array.from(m.get('x')!.data), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(m.get('x')!.dtype, 'int16');
    assert.deepEqual(Array.from(m.get('y')!.data), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  }
  assert.ok(readFileSync(join(dir, 'deflated.npz')).length < readFileSync(join(dir, 'stored.npz')).length);
});

test('PneumoniaMNIST: shapes, dtypes and the class balance of the README', needsPneumonia(), async () => {
  const m = await readNpz(PNEUMONIA_NPZ);
  assert.deepEqual([...m.keys()].sort(), ['train_images', 'train_labels', 'val_images', 'val_labels']);
  const images = m.get('train_images')!;
  assert.deepEqual(images.shape, [4690, 28, 28]);
  assert.equal(images.dtype, 'uint8');
  const labels = m.get('train_labels')!;
  assert.deepEqual(labels.shape, [4690, 1]);
  const pneumonia = Array.from(labels.data).reduce((a, b) => a + b, 0);
  assert.equal(pneumonia, 3477);
  assert.equal(4690 - pneumonia, 1213);
  assert.deepEqual(m.get('val_images')!.shape, [524, 28, 28]);
  const only = await readNpz(PNEUMONIA_NPZ, { keys: ['val_labels'] });
  assert.deepEqual([...only.keys()], ['val_labels']);
  await assert.rejects(
    readNpz(PNEUMONIA_NPZ, { keys: ['test_images'] }),
    /no array named 'test_images' \(has: train_images, train_labels, val_images, val_labels\)/,
  );
});
