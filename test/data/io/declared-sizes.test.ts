// Sizes a header declares are checked before anything is allocated for them. Each case is a real file with
// one header integer set to the kind of value the fuzz harness found crashing the readers (a huge Number of
// Frames aborted with a heap out-of-memory or a RangeError); each must now be a one-line MedattnDataError
// that names the file and the field, computed here by hand from the file's real sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { readImage } from '../../../src/data/io/read-image.js';
import { readNpz } from '../../../src/data/io/npz.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';
import { withNumberOfFrames, withUsValue } from '../../helpers/fuzz/mutations.js';
import { NIBABEL_FILES, PYDICOM_FILES } from '../../helpers/fuzz/seeds.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-declared-'));
const ROWS: [number, number] = [0x0028, 0x0010];
const COLUMNS: [number, number] = [0x0028, 0x0011];

function seed(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PYDICOM_FILES, name)));
}

function write(name: string, bytes: Uint8Array | undefined): string {
  assert.ok(bytes, `${name}: the field to change was not found`);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function rejectsWith(path: string, message: RegExp, read: (p: string) => Promise<unknown> = readImage) {
  await assert.rejects(read(path), (e: unknown) => {
    assert.ok(e instanceof MedattnDataError, String(e));
    assert.ok(e.message.startsWith(`${path}: `), e.message);
    assert.ok(!e.message.includes('\n'), e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('native pixel data: Rows x Columns x Samples x Bits x Number of Frames must fit the bytes present', async () => {
  // MR_small: 64 x 64 x 16-bit = 8192 bytes of pixel data, in three encodings (the element is inserted).
  await rejectsWith(
    write('explicit-frames.dcm', withNumberOfFrames(seed('MR_small.dcm'), '2147483647')),
    /pixel data truncated: 8192 bytes present, 17592186036224 expected from Rows x Columns x Samples per Pixel x Bits Allocated x Number of Frames = 64 x 64 x 1 x 16 x 2147483647$/,
  );
  await rejectsWith(
    write('implicit-frames.dcm', withNumberOfFrames(seed('MR_small_implicit.dcm'), '2')),
    /8192 bytes present, 16384 expected .* = 64 x 64 x 1 x 16 x 2$/,
  );
  await rejectsWith(
    write('bigendian-frames.dcm', withNumberOfFrames(seed('MR_small_bigendian.dcm'), '99999999999')),
    /8192 bytes present, 819199999991808 expected/,
  );
  // CT_small: 128 x 128 x 16-bit = 32768 bytes; Rows 65535 needs 65535 * 128 * 2.
  await rejectsWith(
    write('rows.dcm', withUsValue(seed('CT_small.dcm'), ...ROWS, 0xffff)),
    /32768 bytes present, 16776960 expected .* = 65535 x 128 x 1 x 16 x 1$/,
  );
});

test('encapsulated pixel data: no more frames than fragments', async () => {
  await rejectsWith(
    write('jpeg-frames.dcm', withNumberOfFrames(seed('SC_rgb_jpeg_dcmtk.dcm'), '99999999999')),
    /Number of Frames \(0028,0008\) is 99999999999 but the encapsulated pixel data holds only 1 fragment$/,
  );
  await rejectsWith(
    write('rle-frames.dcm', withNumberOfFrames(seed('SC_rgb_rle_2frame.dcm'), '1000000')),
    /Number of Frames \(0028,0008\) is 1000000 but the encapsulated pixel data holds only 2 fragments$/,
  );
});

test('encapsulated pixel data: the codestream header must agree before decoding, RLE within 64x its bytes', async () => {
  await rejectsWith(
    write('j2k-rows.dcm', withUsValue(seed('MR_small_jp2klossless.dcm'), ...ROWS, 0xffff)),
    /frame 0: codestream is 64x64x1, the header says 64x65535x1$/,
  );
  await rejectsWith(
    write('jpeg-columns.dcm', withUsValue(seed('SC_rgb_jpeg_dcmtk.dcm'), ...COLUMNS, 7)),
    /frame 0: codestream is 100x100x3, the header says 7x100x3$/,
  );
  // 64 x 65535 x 16-bit = 8388480 bytes cannot come out of one ~6 KB RLE frame.
  await rejectsWith(
    write('rle-columns.dcm', withUsValue(seed('MR_small_RLE.dcm'), ...COLUMNS, 0xffff)),
    /frame 0: \d+ bytes of RLE cannot hold Rows x Columns x Samples per Pixel = 64 x 65535 x 1 \(8388480 bytes\)$/,
  );
});

test('compressed pixel data decodes to at most the stated ceiling (1 GiB, MEDATTN_MAX_DECODED_MB)', async () => {
  const huge = withUsValue(withUsValue(seed('JPEG2000.dcm'), ...ROWS, 0xffff)!, ...COLUMNS, 0xffff);
  await rejectsWith(
    write('j2k-huge.dcm', huge),
    /Rows x Columns x Samples per Pixel x Number of Frames \(65535 x 65535 x 1 x 1\) would decode to 8192 MiB, over the 1024 MiB limit for compressed pixel data \(MEDATTN_MAX_DECODED_MB raises it\)$/,
  );
  // 100 x 100 x 3 bytes = 0.03 MiB against a 0.01 MiB ceiling.
  const path = write('jpeg-small-limit.dcm', seed('SC_rgb_jpeg_dcmtk.dcm'));
  process.env.MEDATTN_MAX_DECODED_MB = '0.01';
  try {
    await rejectsWith(path, /would decode to 0\.03 MiB, over the 0\.01 MiB limit/);
  } finally {
    delete process.env.MEDATTN_MAX_DECODED_MB;
  }
  assert.deepEqual((await readImage(path)).shape, [3, 100, 100]);
});

test('NIfTI: a vox_offset that is NaN is refused (it used to read voxels from the header)', async () => {
  const bytes = new Uint8Array(readFileSync(join(NIBABEL_FILES, 'anatomical.nii')));
  const view = new DataView(bytes.buffer);
  const littleEndian = view.getInt32(0, true) === 348; // anatomical.nii is big endian
  view.setFloat32(108, NaN, littleEndian);
  await rejectsWith(write('nan-offset.nii', bytes), /invalid vox_offset NaN$/);
});

/** A version 1.0 .npy of uint8 values with the given shape text. */
function npy(shape: string, values: Uint8Array): Uint8Array {
  const header = `{'descr': '|u1', 'fortran_order': False, 'shape': ${shape}, }`.padEnd(117, ' ') + '\n';
  return new Uint8Array([
    ...Buffer.from('\x93NUMPY\x01\x00', 'latin1'),
    header.length,
    0,
    ...Buffer.from(header),
    ...values,
  ]);
}

test('npz: a member whose recorded size is more than deflate can give is refused before inflating', async () => {
  const zip = zipSync({ 'a.npy': npy('(4, 4)', new Uint8Array(16).fill(7)) }, { level: 6 });
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let central = -1;
  for (let p = 0; p + 4 <= zip.length; p++) if (view.getUint32(p, true) === 0x02014b50) central = p;
  const compressed = view.getUint32(central + 20, true);
  view.setUint32(central + 24, 0x7fffffff, true); // uncompressed size
  const path = write('huge-member.npz', zip);
  await rejectsWith(
    path,
    new RegExp(`zip member 'a.npy': recorded size 2147483647 is more than deflate can expand ${compressed} bytes to`),
    readNpz,
  );
});

test('npy: an image with a zero-length axis holds no values', async () => {
  await rejectsWith(
    write('empty.npy', npy('(0, 0, 0)', new Uint8Array(0))),
    /a \.npy of shape \(0, 0, 0\) holds no values$/,
  );
});
