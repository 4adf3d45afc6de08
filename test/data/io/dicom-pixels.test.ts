// DICOM pixel data checked against a reference decoder, frame by frame, for every file with Pixel Data in
// Debian pydicom's test set. The reference values come live from test/data/io/fixtures/dicom-reference.py
// (pydicom, or dcmtk/gdcm decompression + pydicom where Debian's pydicom lacks the codec).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDicomFile } from '../../../src/data/io/dicom/dicom-file.js';
import { decodePixelData } from '../../../src/data/io/dicom/pixel-data.js';
import { readDicom } from '../../../src/data/io/dicom/read-dicom.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const here = dirname(fileURLToPath(import.meta.url));

interface RefEntry {
  file: string;
  method?: string;
  shape?: number[];
  bin?: string;
  error?: string;
}

/** Lossy files whose reference comes from a different decoder, with the largest difference we accept. */
const LOSSY_TOLERANCE: Record<string, { maxAbs: number; why: string }> = {
  // Our 12-bit decoder uses an exact float IDCT; dcmtk's libijg12 uses an integer IDCT (1683 of 262144
  // pixels differ by 1). The 8-bit JPEG baseline files all match Pillow/libjpeg exactly, so no tolerance there.
  'JPEG-lossy.dcm': { maxAbs: 1, why: 'float vs integer IDCT (12-bit)' },
  'JPGExtended.dcm': { maxAbs: 1, why: 'float vs integer IDCT (12-bit)' },
};

/** Files with Pixel Data that must fail, with the reason and the text our one-line error must contain. */
const EXPECTED_ERRORS: Record<string, { why: string; message: RegExp }> = {
  'MR_truncated.dcm': { why: 'pixel data cut short (pydicom fails too)', message: /truncated/ },
  'badVR.dcm': {
    why: "Number of Frames is '1A' (pydicom fails too)",
    message: /invalid Number of Frames \(0028,0008\) '1A'/,
  },
  'meta_missing_tsyntax.dcm': {
    why: 'no Transfer Syntax UID in the meta header (pydicom fails too)',
    message: /no Transfer Syntax UID/,
  },
  'nested_priv_SQ.dcm': {
    why: 'no image attributes, only a 2-byte Pixel Data (pydicom fails too)',
    message: /cannot parse DICOM data set|missing or invalid Rows/,
  },
  'JPEG2000-embedded-sequence-delimiter.dcm': {
    why: 'its J2K codestream declares ~4e9 tiles; OpenJPEG (ours and gdcmconv) and Pillow all reject it',
    // Its SIZ says 3722445056 wide: refused before the decoder runs.
    message: /codestream is 3722445056x1024x1, the header says 256x1024x1/,
  },
};

let reference: { entries: RefEntry[]; dir: string } | undefined;
function loadReference() {
  if (!reference) {
    const dir = mkdtempSync(join(tmpdir(), 'medattn-dicom-ref-'));
    const out = execFileSync('/usr/bin/python3', [join(here, 'fixtures', 'dicom-reference.py'), dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    reference = { entries: JSON.parse(out) as RefEntry[], dir };
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return reference;
}

test('the reference covers pydicom test files with pixel data (incl. the DICOMDIR series)', () => {
  const { entries } = loadReference();
  assert.ok(entries.length >= 75, `only ${entries.length} files`);
  for (const e of entries) {
    if (e.error) assert.ok(EXPECTED_ERRORS[e.file], `reference failed on ${e.file} (${e.error}) but it is not listed`);
  }
});

test('every pydicom test file with pixel data decodes to the reference values, frame by frame', async () => {
  const { entries } = loadReference();
  const summary: Record<string, number> = {};
  for (const e of entries) {
    const path = join(PYDICOM_FILES, e.file);
    if (EXPECTED_ERRORS[e.file]) continue;
    assert.ok(e.bin && e.shape && existsSync(e.bin), `no reference for ${e.file}: ${e.error}`);
    const decoded = await decodePixelData(await readDicomFile(path));
    assert.deepEqual(decoded.shape, e.shape, `${e.file}: shape`);
    const buf = readFileSync(e.bin); // small files come from Buffer's shared pool: copy out our bytes only
    const ref = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    assert.equal(decoded.data.length, ref.length, `${e.file}: length`);
    const [c, f, h, w] = decoded.shape;
    const tolerance = LOSSY_TOLERANCE[e.file]?.maxAbs ?? 0;
    for (let frame = 0; frame < f; frame++) {
      let maxAbs = 0;
      for (let ch = 0; ch < c; ch++) {
        const base = (ch * f + frame) * h * w;
        for (let i = base; i < base + h * w; i++) maxAbs = Math.max(maxAbs, Math.abs(decoded.data[i] - ref[i]));
      }
      assert.ok(maxAbs <= tolerance, `${e.file} frame ${frame}: max |ours - ${e.method}| = ${maxAbs} > ${tolerance}`);
    }
    summary[e.method!] = (summary[e.method!] ?? 0) + 1;
  }
  // All remaining files compared: 75 by pydicom itself, 5 through dcmtk/gdcm decompression.
  assert.deepEqual(summary, { pydicom: 75, dcmdjpeg: 3, dcmdjpls: 1, gdcmconv: 1 });
});

test('files that cannot be decoded give a one-line error naming the file and the reason', async () => {
  for (const [file, { message }] of Object.entries(EXPECTED_ERRORS)) {
    const path = join(PYDICOM_FILES, file);
    await assert.rejects(readDicom(path), (err: unknown) => {
      assert.ok(err instanceof MedattnDataError, `${file}: ${String(err)}`);
      assert.ok(err.message.startsWith(`${path}: `), err.message);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
});
