// The page decodes uploads with the same upload-decoder.ts as the server, through its own codecs
// (web/browser-codecs.ts: fflate for gzip and DEFLATE, medattn's TIFF reader) where the server has zlib and
// sharp. Here, in Node, both paths decode real files to identical pixels: pydicom's DICOM test files in the
// transfer syntaxes the page reads (explicit/implicit/big endian, deflated, RLE, JPEG extended 12-bit,
// multi-frame), a real NIfTI volume gzip-compressed, and a real DRIVE TIFF. A gzip bomb stops at the pixel
// limit and a corrupted gzip stream is refused, on both paths.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodeUpload, UndecodableUploadError, UploadTooLargeError } from '../../src/serve/decode-upload.js';
import { decodeUploadVolume, takeSlice } from '../../src/serve/upload-decoder.js';
import { browserCodecs } from '../../web/browser-codecs.js';
import { dataPath, needsData } from '../helpers/shared-data.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const NIBABEL = '/usr/lib/python3/dist-packages/nibabel/tests/data';
const limits = { maxPixels: 50_000_000, timeoutMs: 30_000 };

async function bothPaths(bytes: Uint8Array, slice?: number) {
  const server = await decodeUpload(bytes, { ...limits, slice });
  const page = takeSlice(await decodeUploadVolume(bytes, limits, browserCodecs), slice);
  return { server, page };
}

const files: Array<[string, string, number]> = [
  ['CT_small.dcm (explicit VR little endian, HU)', join(PYDICOM, 'CT_small.dcm'), 1],
  ['MR_small_implicit.dcm (implicit VR little endian)', join(PYDICOM, 'MR_small_implicit.dcm'), 1],
  ['MR_small_bigendian.dcm (explicit VR big endian)', join(PYDICOM, 'MR_small_bigendian.dcm'), 1],
  ['image_dfl.dcm (deflated explicit VR)', join(PYDICOM, 'image_dfl.dcm'), 1],
  ['MR_small_RLE.dcm (RLE lossless)', join(PYDICOM, 'MR_small_RLE.dcm'), 1],
  ['JPEG-lossy.dcm (JPEG extended 12-bit)', join(PYDICOM, 'JPEG-lossy.dcm'), 1],
  ['SC_rgb_rle_2frame.dcm (multi-frame RGB)', join(PYDICOM, 'SC_rgb_rle_2frame.dcm'), 2],
];

for (const [what, file, slices] of files) {
  test(`page and server decode ${what} to the same pixels`, async () => {
    const { server, page } = await bothPaths(new Uint8Array(readFileSync(file)));
    assert.deepEqual(page.image.shape, server.image.shape);
    assert.deepEqual(Array.from(page.image.data), Array.from(server.image.data));
    assert.deepEqual([page.slices, page.format], [slices, 'dicom']);
  });
}

test('page and server decode a gzip-compressed NIfTI volume (nibabel anatomical.nii) slice by slice alike', async () => {
  const bytes = new Uint8Array(gzipSync(readFileSync(join(NIBABEL, 'anatomical.nii'))));
  for (const slice of [undefined, 0, 24]) {
    const { server, page } = await bothPaths(bytes, slice);
    assert.deepEqual([page.slices, page.slice], [server.slices, server.slice]);
    assert.deepEqual(page.image.shape, [1, 41, 33]);
    assert.deepEqual(Array.from(page.image.data), Array.from(server.image.data));
  }
});

test(
  'page (medattn TIFF reader) and server (libvips) decode a real DRIVE TIFF alike',
  needsData('drive', 'training', 'images', '36_training.tif'),
  async () => {
    const { server, page } = await bothPaths(
      new Uint8Array(readFileSync(dataPath('drive', 'training', 'images', '36_training.tif'))),
    );
    assert.deepEqual(page.image.shape, [3, 584, 565]);
    assert.ok(Buffer.from(page.image.data.buffer).equals(Buffer.from(server.image.data.buffer)));
  },
);

test('a gzip bomb stops at the pixel limit and a corrupted gzip stream is refused, on both paths', async () => {
  const nifti = readFileSync(join(NIBABEL, 'anatomical.nii'));
  const bomb = new Uint8Array(gzipSync(Buffer.concat([nifti, Buffer.alloc(8 << 20)])));
  const small = { maxPixels: 100_000, timeoutMs: 30_000 };
  await assert.rejects(decodeUpload(bomb, small), UploadTooLargeError);
  await assert.rejects(decodeUploadVolume(bomb, small, browserCodecs), UploadTooLargeError);
  const corrupt = new Uint8Array(gzipSync(nifti));
  corrupt[corrupt.length >> 1] ^= 0xff;
  for (const decoding of [decodeUpload(corrupt, limits), decodeUploadVolume(corrupt, limits, browserCodecs)])
    await assert.rejects(decoding, (e: Error) => e instanceof UndecodableUploadError && /^upload: /.test(e.message));
});
