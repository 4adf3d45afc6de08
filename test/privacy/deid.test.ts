// `medattn deid IN OUT` on real DICOM files (Debian pydicom's test set), checked with the reference readers:
// pydicom (test/privacy/fixtures/deid_check.py: no Table E.1-1 value left, no private tag, PixelData byte for
// byte, UIDs remapped, de-identification attributes set), dcmtk's dcmdump (re-reads every output without a
// warning) and medattn's own reader (same decoded pixels). Also: burned-in refusal, key files, NIfTI text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASIC_PROFILE } from '../../src/privacy/basic-profile-table.js';
import { readDicom } from '../../src/data/io/dicom/read-dicom.js';
import { shiftDates } from '../../src/privacy/date-shift.js';
import { deidentifyTree } from '../../src/privacy/deidentify-tree.js';
import { cliRunner } from '../helpers/cli.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const here = dirname(fileURLToPath(import.meta.url));
const medattn = cliRunner();

/**
 * Every transfer syntax family the writer handles: explicit/implicit/big endian, deflate, RLE, JPEG 2000,
 * a bare data set (no preamble), an RT plan (nested sequences, implicit VR), a UN-encoded sequence; the four
 * MR_small files are the same instance in four encodings, so they must get the same UIDs.
 */
const FILES = [
  'CT_small.dcm',
  'MR_small.dcm',
  'MR_small_implicit.dcm',
  'MR_small_bigendian.dcm',
  'series/MR_small_RLE.dcm',
  'image_dfl.dcm',
  'JPEG2000.dcm',
  'ExplVR_BigEndNoMeta.dcm',
  'rtplan.dcm',
  'rtstruct.dcm',
  'UN_sequence.dcm',
  'SC_rgb_rle_2frame.dcm',
];

interface Check {
  file: string;
  readError?: string;
  left: string[];
  private: string[];
  pixelsIdentical?: boolean;
  uids: Record<string, string>;
  originalUids: Record<string, string>;
  mediaStorageMatches: boolean;
  patientIdentityRemoved: string;
  method: string[];
  methodCodes: string[];
  shifts: number[];
  transferSyntax: string;
}

function makeInput(): { dir: string; input: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-deid-'));
  const input = join(dir, 'in');
  for (const rel of FILES) {
    mkdirSync(dirname(join(input, rel)), { recursive: true });
    copyFileSync(join(PYDICOM_FILES, rel.split('/').pop()!), join(input, rel));
  }
  writeFileSync(join(input, 'notes.txt'), 'Patient John Doe, MRN 12345\n');
  return { dir, input };
}

test('deid: pydicom finds no profile attribute, private tag or changed pixel; dcmdump and medattn re-read', () => {
  const { dir, input } = makeInput();
  try {
    const output = join(dir, 'out');
    const run = medattn('deid', input, output, '--json');
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.dicom, FILES.length);
    // The text file is not copied (it could identify someone) and is reported.
    assert.deepEqual(summary.skipped, [{ path: 'notes.txt', outcome: 'skipped', reason: 'not DICOM or NIfTI' }]);
    assert.equal(existsSync(join(output, 'notes.txt')), false);

    const profile = join(dir, 'profile.json');
    writeFileSync(profile, JSON.stringify(BASIC_PROFILE));
    const lines = execFileSync(
      '/usr/bin/python3',
      [join(here, 'fixtures/deid_check.py'), profile, input, output, ...FILES],
      { encoding: 'utf8' },
    );
    const checks = lines
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Check);
    assert.equal(checks.length, FILES.length);
    for (const c of checks) {
      assert.equal(c.readError, undefined, `${c.file}: pydicom cannot read the output`);
      assert.deepEqual(c.left, [], `${c.file}: profile attributes left`);
      assert.deepEqual(c.private, [], `${c.file}: private tags left`);
      if (c.pixelsIdentical !== undefined) assert.equal(c.pixelsIdentical, true, `${c.file}: PixelData changed`);
      assert.equal(c.patientIdentityRemoved, 'YES');
      assert.equal(c.method[0], 'DICOM PS3.15 E.1 Basic Application Confidentiality Profile');
      assert.deepEqual(c.methodCodes, ['113100', '113107']);
      // All dates of one file move by the same whole number of days, backwards, at most ten years.
      assert.ok(c.shifts.length <= 1, `${c.file}: dates shifted by different offsets ${c.shifts}`);
      for (const s of c.shifts) assert.ok(s <= -1 && s >= -3650, `${c.file}: shift ${s}`);
      for (const [k, v] of Object.entries(c.uids)) {
        if (c.originalUids[k] === '') continue;
        assert.match(v, /^2\.25\.\d{1,39}$/, `${c.file} ${k}`);
        assert.notEqual(v, c.originalUids[k]);
      }
      if (c.uids.SOPInstanceUID) assert.equal(c.mediaStorageMatches, true, c.file);
    }
    // Same instance in four encodings -> same UIDs and the same date shift; another study -> other UIDs.
    const byFile = Object.fromEntries(checks.map((c) => [c.file, c]));
    const mr = ['MR_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'series/MR_small_RLE.dcm'];
    for (const f of mr.slice(1)) {
      assert.deepEqual(byFile[f].uids, byFile[mr[0]].uids, f);
      assert.deepEqual(byFile[f].shifts, byFile[mr[0]].shifts, f);
    }
    assert.notEqual(byFile['CT_small.dcm'].uids.StudyInstanceUID, byFile['MR_small.dcm'].uids.StudyInstanceUID);
    // The transfer syntax is kept (a bare data set is written as a Part 10 file in the one it was read as).
    assert.equal(byFile['MR_small_bigendian.dcm'].transferSyntax, '1.2.840.10008.1.2.2');
    assert.equal(byFile['image_dfl.dcm'].transferSyntax, '1.2.840.10008.1.2.1.99');
    assert.equal(byFile['MR_small_implicit.dcm'].transferSyntax, '1.2.840.10008.1.2');

    for (const rel of FILES) {
      const dump = spawnSync('dcmdump', ['-q', join(output, rel)], { encoding: 'utf8' });
      assert.equal(dump.status, 0, `dcmdump ${rel}: ${dump.stderr}`);
      assert.equal(dump.stderr, '', `dcmdump ${rel} warned`);
      assert.doesNotMatch(dump.stdout, /CompressedSamples|Last\^First/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deid: medattn reads the same pixels back from the de-identified files', async () => {
  const { dir, input } = makeInput();
  try {
    const output = join(dir, 'out');
    deidentifyTree(input, output); // in process: the CLI path is the first test's
    for (const rel of ['CT_small.dcm', 'MR_small_bigendian.dcm', 'series/MR_small_RLE.dcm', 'JPEG2000.dcm']) {
      const a = await readDicom(join(input, rel));
      const b = await readDicom(join(output, rel));
      assert.deepEqual(b.shape, a.shape, rel);
      assert.deepEqual(Array.from(b.data), Array.from(a.data), rel);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deid: BurnedInAnnotation YES is refused (others still written) unless --allow-burned-in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-deid-burn-'));
  try {
    const input = join(dir, 'in');
    mkdirSync(input);
    copyFileSync(join(PYDICOM_FILES, 'MR_small.dcm'), join(input, 'a.dcm'));
    execFileSync('/usr/bin/python3', [
      '-c',
      `import pydicom; d = pydicom.dcmread('${PYDICOM_FILES}/CT_small.dcm'); d.BurnedInAnnotation = 'YES'; d.save_as('${input}/b.dcm')`,
    ]);
    const refused = medattn('deid', input, join(dir, 'out'));
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr.trim(),
      /^medattn: b\.dcm: not written: .*BurnedInAnnotation is YES.*--allow-burned-in/,
    );
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    assert.equal(existsSync(join(dir, 'out/b.dcm')), false);
    assert.equal(existsSync(join(dir, 'out/a.dcm')), true);
    const allowed = deidentifyTree(input, join(dir, 'out2'), { allowBurnedIn: true });
    assert.equal(allowed.refused.length, 0);
    assert.equal(existsSync(join(dir, 'out2/b.dcm')), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deid: a key file gives the same UIDs across runs; without one each run has its own mapping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-deid-key-'));
  try {
    const file = join(PYDICOM_FILES, 'CT_small.dcm');
    const key = join(dir, 'key');
    writeFileSync(key, 'a secret of at least sixteen bytes');
    const uidOf = (out: string) => {
      // The first 2.25 UID in the file: the Media Storage SOP Instance UID.
      const m = /2\.25\.\d+/.exec(readFileSync(out).toString('latin1'));
      assert.ok(m, out);
      return m[0];
    };
    // In process (each CLI start costs seconds here); the CLI's own key-file handling is checked below.
    const keyBytes = readFileSync(key);
    for (const [name, k] of [
      ['k1', keyBytes],
      ['k2', keyBytes],
      ['r1', undefined],
      ['r2', undefined],
    ] as const)
      deidentifyTree(file, join(dir, name), { key: k });
    assert.equal(uidOf(join(dir, 'k1/CT_small.dcm')), uidOf(join(dir, 'k2/CT_small.dcm')));
    assert.notEqual(uidOf(join(dir, 'r1/CT_small.dcm')), uidOf(join(dir, 'r2/CT_small.dcm')));
    writeFileSync(key, 'short');
    const bad = medattn('deid', file, join(dir, 'k3'), '--key-file', key);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /key must be at least 16 bytes/);
    const inside = medattn('deid', dir, join(dir, 'sub'));
    assert.equal(inside.code, 1);
    assert.match(inside.stderr, /OUT must not be IN or inside it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deid --nifti: descrip, aux_file, intent_name and extensions cleared, voxels unchanged (nibabel)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-deid-nii-'));
  try {
    mkdirSync(join(dir, 'in'));
    const py = (code: string) => execFileSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' }).trim();
    py(`
import nibabel as nib, numpy as np
img = nib.Nifti1Image(np.arange(24, dtype=np.int16).reshape(2, 3, 4), np.eye(4))
img.header['descrip'] = b'Doe^John 1970-01-01'
img.header['aux_file'] = b'MRN12345'
img.header['intent_name'] = b'patient'
img.header.extensions.append(nib.nifti1.Nifti1Extension(6, b'Doe John comment'))
nib.save(img, '${dir}/in/a.nii.gz')
nib.save(nib.Nifti2Image(np.ones((2, 2, 2), np.float32), np.eye(4), header=None), '${dir}/in/b.nii')
`);
    assert.equal(deidentifyTree(join(dir, 'in'), join(dir, 'skip')).skipped.length, 2);
    const run = medattn('deid', join(dir, 'in'), join(dir, 'out'), '--nifti', '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).nifti, 2);
    const out = py(`
import nibabel as nib, numpy as np, json
a = nib.load('${dir}/out/a.nii.gz'); h = a.header
print(json.dumps([h['descrip'].item().decode(), h['aux_file'].item().decode(), h['intent_name'].item().decode(),
  len(h.extensions), a.get_fdata().ravel().tolist() == list(range(24)),
  nib.load('${dir}/out/b.nii').get_fdata().sum().item()]))
`);
    assert.deepEqual(JSON.parse(out), ['', '', '', 0, true, 8]);
    assert.equal(readFileSync(join(dir, 'out/a.nii.gz')).subarray(0, 2).toString('hex'), '1f8b');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('date shift: whole days across month, leap-year and multi-valued values; unknown forms become empty', () => {
  assert.equal(shiftDates('20040301', 'DA', -1), '20040229');
  assert.equal(shiftDates('20000101\\19991231 ', 'DA', -365), '19990101\\19981231');
  assert.equal(shiftDates('20040826185059.5457+0100', 'DT', -30), '20040727185059.5457+0100');
  assert.equal(shiftDates('2004.08.26', 'DA', -1), '');
  assert.equal(shiftDates('20040231', 'DA', -1), '');
});
