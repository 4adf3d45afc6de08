// PNG/TIFF/GIF decoding: files Pillow writes in the real data sets' formats (always), the real DRIVE and ISBI
// 2012 data (when ../shared/data is there), and 16-bit/RGB PNG round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { execFileSync } from 'node:child_process';
import { readImageFile } from '../../../src/data/io/image-file.js';
import { readImage } from '../../../src/data/io/read-image.js';
import { SHARED_DATA as DATA, needsData } from '../../helpers/shared-data.js';

function range(data: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    lo = Math.min(lo, data[i]);
    hi = Math.max(hi, data[i]);
  }
  return [lo, hi];
}

test('TIFF (RGB, LZW and raw), palette GIF and gray PNG written by Pillow decode to the pixels Pillow reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-pil-'));
  const pixels = JSON.parse(
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
rgb = rng.integers(0, 256, (9, 7, 3), dtype=np.uint8)
Image.fromarray(rgb).save(f'{d}/raw.tif')
Image.fromarray(rgb).save(f'{d}/lzw.tif', compression='tiff_lzw')
Image.fromarray((rng.random((9, 7)) < 0.3).astype(np.uint8) * 255).save(f'{d}/mask.gif')
Image.fromarray(rng.integers(0, 256, (9, 7), dtype=np.uint8)).save(f'{d}/gray.png')
read = lambda f: np.array(Image.open(f'{d}/{f}').convert('RGB' if f.endswith('.tif') else 'L'))
print(json.dumps({f: (read(f).transpose(2, 0, 1) if read(f).ndim == 3 else read(f)).ravel().tolist()
                  for f in ('raw.tif', 'lzw.tif', 'mask.gif', 'gray.png')}))`,
        dir,
      ],
      { encoding: 'utf8' },
    ),
  ) as Record<string, number[]>;
  for (const [file, expected] of Object.entries(pixels)) {
    const img = await readImageFile(join(dir, file));
    assert.deepEqual(img.shape, [file.endsWith('.tif') ? 3 : 1, 9, 7], file);
    assert.ok(img.data instanceof Uint8Array, file);
    assert.deepEqual(Array.from(img.data), expected, file);
  }
  assert.deepEqual(new Set(pixels['mask.gif']), new Set([0, 255]));
});

test('DRIVE fundus TIFF: RGB 565x584 uint8, channels first', needsData('drive', 'training'), async () => {
  const img = await readImageFile(join(DATA, 'drive/training/images/21_training.tif'));
  assert.deepEqual(img.shape, [3, 584, 565]);
  assert.ok(img.data instanceof Uint8Array);
  assert.deepEqual(range(img.data), [0, 255]);
  // Fundus photos are red-dominant: mean red > mean green > mean blue.
  const mean = (c: number) =>
    Array.from(img.data.subarray(c * 584 * 565, (c + 1) * 584 * 565)).reduce((a, b) => a + b, 0) / (584 * 565);
  assert.ok(mean(0) > mean(1) && mean(1) > mean(2), `${mean(0)} ${mean(1)} ${mean(2)}`);
});

test('DRIVE GIF masks: gray palette becomes one channel of {0, 255}', needsData('drive', 'training'), async () => {
  for (const f of ['drive/training/1st_manual/21_manual1.gif', 'drive/training/mask/21_training_mask.gif']) {
    const img = await readImageFile(join(DATA, f));
    assert.deepEqual(img.shape, [1, 584, 565], f);
    assert.deepEqual(new Set(img.data), new Set([0, 255]), f);
  }
  // Vessels are a minority of the field of view (about 12% in DRIVE).
  const vessels = await readImageFile(join(DATA, 'drive/training/1st_manual/21_manual1.gif'));
  const fraction = vessels.data.filter((v) => v === 255).length / vessels.data.length;
  assert.ok(fraction > 0.05 && fraction < 0.2, String(fraction));
});

test('ISBI 2012 EM PNGs: 512x512 gray; labels are {0, 255}', needsData('isbi2012-em'), async () => {
  const image = await readImage(join(DATA, 'isbi2012-em/image/0.png'));
  assert.deepEqual(image.shape, [1, 512, 512]);
  assert.deepEqual(range(image.data), [1, 252]);
  const label = await readImage(join(DATA, 'isbi2012-em/label/0.png'));
  assert.deepEqual(label.shape, [1, 512, 512]);
  assert.deepEqual(new Set(label.data), new Set([0, 255]));
});

test('16-bit gray PNG stays 16-bit; RGB JPEG is [3, H, W]', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-img-'));
  const w = 7;
  const h = 5;
  const values = new Uint16Array(w * h).map((_, i) => i * 1000 + 3);
  const png16 = join(dir, 'gray16.png');
  // Written by Pillow (mode I;16), so the reader is checked against another library's 16-bit PNG.
  execFileSync('/usr/bin/python3', [
    '-c',
    `import numpy as np, sys; from PIL import Image; Image.fromarray(np.arange(${w * h}, dtype=np.uint16).reshape(${h}, ${w}) * 1000 + 3).save(sys.argv[1])`,
    png16,
  ]);
  const img = await readImageFile(png16);
  assert.deepEqual(img.shape, [1, h, w]);
  assert.ok(img.data instanceof Uint16Array);
  assert.deepEqual(Array.from(img.data), Array.from(values));

  const rgb = new Uint8Array(w * h * 3).map((_, i) => (i % 3 === 0 ? 200 : i % 3 === 1 ? 100 : 30));
  const jpg = join(dir, 'rgb.jpg');
  await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 100 })
    .toFile(jpg);
  const color = await readImageFile(jpg);
  assert.deepEqual(color.shape, [3, h, w]);
  assert.ok(
    Math.abs(color.data[0] - 200) <= 3 &&
      Math.abs(color.data[w * h] - 100) <= 3 &&
      Math.abs(color.data[2 * w * h] - 30) <= 3,
  );
});
