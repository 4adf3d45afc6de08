// The direct PNG decoder: pixels equal Pillow's (an independent decoder) for every plain colour type and bit
// depth, with Pillow's adaptive per-row filters and multi-IDAT files; equal sharp's on the real ISBI 2012 PNGs;
// files it leaves to sharp (palette) still decode; damaged files are one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodePlainPng, type InflateZlib } from '../../../src/data/io/png-decode.js';
import { decodeImageBytes } from '../../../src/data/io/image-file.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';

const inflate: InflateZlib = (d, max) => inflateSync(d, { maxOutputLength: max });

function chunkTypes(png: Uint8Array): string[] {
  const types: string[] = [];
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let at = 8; at < png.length; at += 12 + view.getUint32(at))
    types.push(String.fromCharCode(...png.subarray(at + 4, at + 8)));
  return types;
}

test('plain PNGs of every colour type and depth decode to the pixels Pillow reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-png-'));
  const expected = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `
import json, sys
import numpy as np
from PIL import Image
d = sys.argv[1]
rng = np.random.default_rng(0)
h, w = 157, 203
yy, xx = np.mgrid[0:h, 0:w]
smooth = (xx * 255 // w + yy) % 256          # a gradient, so every filter type wins some rows
noisy = lambda c: np.clip(smooth[..., None] + rng.integers(-20, 21, (h, w, c)), 0, 255).astype(np.uint8)
Image.fromarray(noisy(1)[..., 0]).save(f'{d}/gray8.png')
Image.fromarray((smooth * 257 + rng.integers(0, 200, (h, w))).astype(np.uint16)).save(f'{d}/gray16.png')
Image.fromarray(noisy(3)).save(f'{d}/rgb8.png')
Image.fromarray(noisy(4), 'RGBA').save(f'{d}/rgba8.png')
big = rng.integers(0, 256, (400, 300, 3), dtype=np.uint8)  # incompressible: Pillow splits IDAT
Image.fromarray(big).save(f'{d}/rgb8-multi-idat.png')
Image.fromarray(noisy(3)).convert('P', palette=Image.ADAPTIVE, colors=16).save(f'{d}/palette.png')
out = {}
for f in ('gray8', 'gray16', 'rgb8', 'rgba8', 'rgb8-multi-idat', 'palette'):
    im = Image.open(f'{d}/{f}.png')
    a = np.array(im.convert('RGB') if f == 'palette' else im).astype(np.int64)
    out[f] = (a.transpose(2, 0, 1) if a.ndim == 3 else a[None]).tolist()
print(json.dumps(out))`,
        dir,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    ),
  ) as Record<string, number[][][]>;
  for (const [name, planes] of Object.entries(expected)) {
    const bytes = readFileSync(join(dir, `${name}.png`));
    const want = planes.flat(2);
    const shape = [planes.length, planes[0].length, planes[0][0].length];
    const direct = decodePlainPng(bytes, name, inflate);
    const viaReader = await decodeImageBytes(bytes, name);
    if (name === 'palette') {
      assert.equal(direct, undefined, 'palette files are left to sharp');
      assert.deepEqual(Array.from(viaReader.data), want, name);
      continue;
    }
    assert.ok(direct, `${name}: the direct decoder takes a plain PNG`);
    assert.deepEqual(direct.shape, shape, name);
    assert.equal(direct.data instanceof Uint16Array, name === 'gray16', name);
    assert.deepEqual(Array.from(direct.data), want, name);
    assert.deepEqual(viaReader.shape, shape, name);
    assert.deepEqual(viaReader.meta, { format: 'png', bitsPerSample: name === 'gray16' ? 16 : 8, palette: false });
  }
  const multi = chunkTypes(readFileSync(join(dir, 'rgb8-multi-idat.png')));
  assert.ok(multi.filter((t) => t === 'IDAT').length > 1, `several IDAT chunks: ${multi.join(' ')}`);
});

test('real ISBI 2012 PNGs: the direct decoder gives exactly sharp pixels', needsData('isbi2012-em'), async () => {
  for (const sub of ['image', 'label']) {
    const folder = dataPath('isbi2012-em', sub);
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.png'))) {
      const bytes = readFileSync(join(folder, file));
      const direct = decodePlainPng(bytes, file, inflate);
      assert.ok(direct, `${sub}/${file} is a plain PNG`);
      const { data, info } = await sharp(bytes).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual(direct.shape, [info.channels, info.height, info.width], file);
      assert.ok(Buffer.from(direct.data.buffer, direct.data.byteOffset, direct.data.byteLength).equals(data), file);
    }
  }
});

test('a damaged or oversized PNG is a one-line error naming the upload', async () => {
  const raw = Buffer.alloc(40 * 30 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) % 256;
  const png = await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
    .png()
    .toBuffer();
  const idat = png.indexOf('IDAT');
  const flipped = Buffer.from(png);
  flipped[idat + 10] ^= 0xff;
  assert.throws(() => decodePlainPng(flipped, 'upload', inflate), /^MedattnDataError: upload: .*bad CRC in chunk IDAT/);
  assert.throws(
    () => decodePlainPng(png.subarray(0, idat + 20), 'upload', inflate),
    /upload: .*chunk IDAT runs past the end of the file/,
  );
  assert.throws(() => decodePlainPng(png, 'upload', inflate, 1000), /upload: 40x30 = 1200 pixels, more than the 1000/);
  assert.equal(decodePlainPng(Buffer.from('GIF89a....'), 'upload', inflate), undefined, 'not a PNG');
});
