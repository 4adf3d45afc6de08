// parseTiff (the pure TIFF reader the browser page uses) against sharp/libvips (readImageFile, what the server
// uses): a real DRIVE fundus TIFF (LZW, RGB, 146 strips) and the same real image written by libvips in each
// compression the reader takes, with horizontal differencing, 16-bit grey, planar RGB, RGB with alpha: equal
// values, shapes and channel counts. Files it does not take give one line naming the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImageBytes, MedattnDataError } from '../../../src/data/io/index.js';
import { parseTiff } from '../../../src/data/io/tiff.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';

async function sameAsSharp(bytes: Uint8Array, what: string) {
  const want = await decodeImageBytes(bytes, what);
  const got = parseTiff(bytes, what);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.data.constructor, want.data.constructor, `${what}: sample type`);
  assert.ok(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer)), `${what}: values differ`);
}

const drive = needsData('drive', 'training', 'images', '36_training.tif');

test('a real DRIVE TIFF (LZW, RGB, strips) decodes to the values libvips gives', drive, async () => {
  const bytes = new Uint8Array(readFileSync(dataPath('drive', 'training', 'images', '36_training.tif')));
  await sameAsSharp(bytes, '36_training.tif');
});

test(
  'libvips-written TIFFs of a real image: none, LZW, Deflate, PackBits, predictor, 16-bit, alpha',
  drive,
  async () => {
    const source = sharp(dataPath('drive', 'training', 'images', '36_training.tif')).extract({
      left: 100,
      top: 120,
      width: 201,
      height: 157,
    });
    const cases: Array<[string, Promise<Buffer>]> = [
      ['none', source.clone().tiff({ compression: 'none' }).toBuffer()],
      ['lzw', source.clone().tiff({ compression: 'lzw' }).toBuffer()],
      ['lzw+predictor', source.clone().tiff({ compression: 'lzw', predictor: 'horizontal' }).toBuffer()],
      ['deflate+predictor', source.clone().tiff({ compression: 'deflate', predictor: 'horizontal' }).toBuffer()],
      ['packbits', source.clone().tiff({ compression: 'packbits' }).toBuffer()],
      ['grey lzw', source.clone().toColourspace('b-w').tiff({ compression: 'lzw' }).toBuffer()],
      ['grey 16-bit', source.clone().toColourspace('grey16').tiff({ compression: 'deflate' }).toBuffer()],
      [
        'rgb16 lzw+predictor',
        source.clone().toColourspace('rgb16').tiff({ compression: 'lzw', predictor: 'horizontal' }).toBuffer(),
      ],
      ['rgba', source.clone().ensureAlpha(0.5).tiff({ compression: 'lzw' }).toBuffer()],
    ];
    for (const [what, made] of cases) await sameAsSharp(new Uint8Array(await made), what);
  },
);

test('refused TIFFs: one line naming the file', async () => {
  const tiled = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
    .tiff({ tile: true, tileWidth: 16, tileHeight: 16 })
    .toBuffer();
  assert.throws(
    () => parseTiff(new Uint8Array(tiled), 'tiled.tif'),
    (e: Error) => {
      assert.ok(e instanceof MedattnDataError);
      assert.equal(e.message, 'tiled.tif: tiled TIFF is not supported here');
      return true;
    },
  );
  const good = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
    .tiff({ compression: 'none' })
    .toBuffer();
  assert.throws(
    () => parseTiff(new Uint8Array(good.subarray(0, 200)), 'cut.tif'),
    /^MedattnDataError: cut\.tif: (strip 0 is past the end of the file \(truncated\?\)|truncated)/,
  );
});
