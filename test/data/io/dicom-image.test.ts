// From stored values to images: rescale (vs pydicom's apply_modality_lut), MONOCHROME1, windows,
// series volumes, the unknown-transfer-syntax error, and inspect without/with patient identifiers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicom } from '../../../src/data/io/dicom/read-dicom.js';
import { readDicomSeries } from '../../../src/data/io/dicom/series.js';
import { applyWindow, fileWindow } from '../../../src/data/io/dicom/window.js';
import { inspectFile, formatInspection } from '../../../src/data/io/inspect.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';

const T = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

const pyRef = JSON.parse(
  execFileSync(
    '/usr/bin/python3',
    [
      '-W',
      'ignore',
      '-c',
      `
import json, pydicom, numpy as np
from pydicom.pixel_data_handlers.util import apply_modality_lut
out = {}
for f in ['CT_small.dcm', 'dicomdirtests/77654033/CR1/6154']:
    ds = pydicom.dcmread('${T}/' + f)
    hu = apply_modality_lut(ds.pixel_array, ds)
    out[f] = {'values': hu.astype(float).ravel().tolist(), 'stored': ds.pixel_array.astype(float).ravel().tolist(), 'slope': float(ds.get('RescaleSlope', 1)), 'intercept': float(ds.get('RescaleIntercept', 0)), 'wc': float(ds.get('WindowCenter', 0) if not isinstance(ds.get('WindowCenter'), pydicom.multival.MultiValue) else ds.WindowCenter[0]), 'bits': ds.BitsStored}
print(json.dumps(out))
`,
    ],
    { encoding: 'utf8' },
  ),
) as Record<string, { values: number[]; stored: number[]; slope: number; intercept: number; wc: number; bits: number }>;

test('CT_small: Rescale Slope/Intercept give pydicom apply_modality_lut values (float32 HU)', async () => {
  const img = await readDicom(join(T, 'CT_small.dcm'));
  assert.deepEqual(img.shape, [1, 128, 128]);
  assert.ok(img.data instanceof Float32Array);
  assert.deepEqual(Array.from(img.data), pyRef['CT_small.dcm'].values);
  assert.deepEqual(img.spacing, [0.661468, 0.661468]);
  assert.equal(img.meta?.modality, 'CT');
  // Affine from IPP/IOP (LPS) in RAS: CT_small is axial, IPP (-158.135803, -179.035797, -75.699997).
  assert.deepEqual(img.affine![0], [-0.661468, 0, 0, 158.135803]);
  assert.deepEqual(img.affine![1], [0, -0.661468, 0, 179.035797]);
  const raw = await readDicom(join(T, 'CT_small.dcm'), { raw: true });
  assert.ok(raw.data instanceof Int16Array);
});

test('MONOCHROME1 CR is inverted over its 12-bit range so that higher is brighter', async () => {
  const f = 'dicomdirtests/77654033/CR1/6154';
  const img = await readDicom(join(T, f));
  const { stored, slope, intercept, bits } = pyRef[f];
  assert.equal(bits, 12);
  assert.equal(img.meta?.photometricInterpretation, 'MONOCHROME2');
  // Inversion happens on stored values (before the modality LUT): (4095 - stored) * slope + intercept.
  assert.deepEqual(
    Array.from(img.data),
    stored.map((v) => Math.fround((4095 - v) * slope + intercept)),
  );
  const raw = await readDicom(join(T, f), { raw: true });
  assert.deepEqual(Array.from(raw.data), stored);
});

test('windows: from the file, or a named preset; [0, 1] output', async () => {
  const img = await readDicom(join(T, 'CT_small.dcm'));
  assert.equal(fileWindow(img), undefined); // CT_small has no Window Center/Width
  const lung = applyWindow(img, 'lung');
  assert.ok(lung.data instanceof Float32Array);
  // Lung window [-1350, 150]: -896 HU → (−896.5+1349.5... )/1499 per PS3.3 C.11.2.1.2
  const iMin = img.data.indexOf(-896);
  assert.ok(Math.abs(lung.data[iMin] - (-896 - (-600 - 0.5 - 1499 / 2)) / 1499) < 1e-6);
  const brain = applyWindow(img, { center: 40, width: 80 });
  assert.equal(brain.data[img.data.indexOf(1167)], 1);
  assert.equal(brain.data[iMin], 0);
  const mr = await readDicom(join(T, 'MR_small.dcm'));
  assert.deepEqual(fileWindow(mr), { center: 600, width: 1600 });
});

test('series folder → volume sorted by position, spacing from positions', async () => {
  const vol = await readDicomSeries(join(T, 'dicomdirtests/98892001/CT5N'));
  assert.deepEqual(vol.shape, [1, 5, 16, 16]);
  assert.deepEqual(vol.spacing, [2.5, 0.488281, 0.488281]);
  // Sorted by z ascending: IPP z -1.2375 (file 3353) first, 8.7625 (2062) last.
  assert.deepEqual(
    (vol.meta!.sliceFiles as string[]).map((p) => p.slice(-4)),
    ['3353', '3023', '2693', '2392', '2062'],
  );
  const first = await readDicom(join(T, 'dicomdirtests/98892001/CT5N/3353'));
  assert.deepEqual(Array.from(vol.data.subarray(0, 256)), Array.from(first.data));
  assert.ok(Math.abs(vol.affine![2][3] - -1.2375) < 1e-9);
  assert.ok(Math.abs(vol.affine![2][2] - 2.5) < 1e-9);
});

test('an unknown transfer syntax is a one-line error naming the file, the UID and its name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-ts-'));
  // Overwrite the UID in place (same element length, NUL padded) in a J2K file whose UID has 22 characters.
  const bytes = readFileSync(join(T, 'JPEG2000.dcm'));
  const uid = Buffer.from('1.2.840.10008.1.2.4.91');
  const at = bytes.indexOf(uid);
  assert.ok(at > 0);
  for (const [replacement, expected] of [
    [
      '1.2.840.10008.1.2.4.94',
      '1.2.840.10008.1.2.4.94 (JPIP Referenced): pixel data is on a JPIP server, not in the file',
    ],
    ['1.2.3.4.5.6.7.8.9', '1.2.3.4.5.6.7.8.9 (unknown transfer syntax): not a transfer syntax medattn knows'],
  ] as const) {
    const copy = Buffer.from(bytes);
    Buffer.from(replacement.padEnd(uid.length, '\0')).copy(copy, at);
    const file = join(dir, `${replacement}.dcm`);
    writeFileSync(file, copy);
    await assert.rejects(readDicom(file), (e: unknown) => {
      assert.ok(e instanceof MedattnDataError);
      assert.equal(e.message, `${file}: unsupported transfer syntax ${expected}`);
      return true;
    });
  }
});

test('inspect: no patient identifiers unless phi is true', async () => {
  const r = await inspectFile(join(T, 'CT_small.dcm'));
  assert.equal(r.format, 'dicom');
  assert.deepEqual(r.dimensions, [1, 128, 128]);
  assert.equal(r.modality, 'CT');
  assert.equal(r.transferSyntax, '1.2.840.10008.1.2.1 (Explicit VR Little Endian)');
  assert.equal(r.min, -896);
  assert.equal(r.max, 1167);
  const text = JSON.stringify(r) + formatInspection(r);
  for (const phi of ['CompressedSamples', '1CT1', 'JFK IMAGING']) assert.ok(!text.includes(phi), phi);
  const withPhi = await inspectFile(join(T, 'CT_small.dcm'), { phi: true });
  assert.equal(withPhi.patient?.PatientName, 'CompressedSamples^CT1');
  assert.equal(withPhi.patient?.PatientID, '1CT1');
  assert.match(formatInspection(withPhi), /PatientName\s+CompressedSamples\^CT1/);
  const nii = await inspectFile('/usr/share/mricron/templates/aal.nii.gz');
  assert.deepEqual([nii.format, nii.dimensions, nii.min, nii.max], ['nifti', [1, 181, 217, 181], 0, 116]);
});
