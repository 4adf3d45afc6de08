// CLAHE: hand-computed single-tile cases (plain equalisation; clipping with the excess spread over the bins),
// a numpy reference of the tiled algorithm with bilinear blending of tile mappings, and selectChannels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { clahe2d, createTransform, Rng } from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `at ${i}: ${a[i]} vs ${b[i]}`);
};

test('one tile, no clipping: histogram equalisation (hand-computed)', () => {
  // counts: level 0 x2, 100 x1, 200 x1 -> cdf 2, 3, 4 -> lut = cdf / 4 * 255
  const out = clahe2d(Float32Array.from([0, 0, 100, 200]), 2, 2, { tiles: [1, 1], clipLimit: 1000 });
  close(out, [127.5, 127.5, 191.25, 255], 1e-4);
});

test('one tile with clipping: the excess is spread evenly over the 256 bins (hand-computed)', () => {
  // limit = max(1, 64 * 4 / 256) = 1: level 0 loses 1 count, every bin gains 1/256;
  // cdf(0) = 1 + 1/256, cdf(100) = 2 + 101/256, cdf(200) = 3 + 201/256, lut = cdf / 4 * 255
  const out = clahe2d(Float32Array.from([0, 0, 100, 200]), 2, 2, { tiles: [1, 1], clipLimit: 64 });
  const lut = (cdf: number) => (cdf / 4) * 255;
  close(out, [lut(1 + 1 / 256), lut(1 + 1 / 256), lut(2 + 101 / 256), lut(3 + 201 / 256)], 1e-3);
});

test('tiled CLAHE with bilinear blending equals a numpy implementation of the same definition', () => {
  const h = 37;
  const w = 29;
  const src = new Float32Array(h * w);
  let s = 7;
  for (let i = 0; i < src.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const y = Math.floor(i / w);
    src[i] = Math.min(255, Math.max(0, 40 + 3 * y + (s % 60)));
  }
  const opts = { tiles: [4, 3] as [number, number], clipLimit: 2.5 };
  const got = clahe2d(src, h, w, opts);
  const script = `
import json, sys, numpy as np
i = json.load(sys.stdin); h, w = i["h"], i["w"]; ty, tx = i["tiles"]; clip = i["clip"]; bins = 256
img = np.array(i["src"], dtype=np.float64).reshape(h, w)
lev = np.clip(np.floor(img / 255 * 255 + 0.5), 0, 255).astype(int)
rs = [t * h // ty for t in range(ty + 1)]; cs = [t * w // tx for t in range(tx + 1)]
luts = np.zeros((ty, tx, bins))
for a in range(ty):
  for b in range(tx):
    tile = lev[rs[a]:rs[a+1], cs[b]:cs[b+1]]
    n = tile.size
    hist = np.bincount(tile.ravel(), minlength=bins).astype(np.float64)
    limit = max(1.0, clip * n / bins)
    excess = np.maximum(hist - limit, 0).sum()
    hist = np.minimum(hist, limit) + excess / bins
    luts[a, b] = np.cumsum(hist) / n * (bins - 1)
def nb(p, size, tiles):
  f = (p + 0.5) * tiles / size - 0.5
  t0 = min(tiles - 1, max(0, int(np.floor(f)))); t1 = min(tiles - 1, t0 + 1)
  return t0, t1, (0.0 if t1 == t0 else min(1.0, max(0.0, f - t0)))
out = np.zeros((h, w))
for y in range(h):
  a0, a1, wy = nb(y, h, ty)
  for x in range(w):
    b0, b1, wx = nb(x, w, tx); v = lev[y, x]
    top = luts[a0, b0, v] * (1 - wx) + luts[a0, b1, v] * wx
    bot = luts[a1, b0, v] * (1 - wx) + luts[a1, b1, v] * wx
    out[y, x] = top * (1 - wy) + bot * wy
print(json.dumps(out.ravel().tolist()))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify({ h, w, tiles: opts.tiles, clip: opts.clipLimit, src: Array.from(src) }),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  close(got, JSON.parse(r.stdout) as number[], 1e-3);
  // contrast goes up: the output spans more of [0, 255] than the input
  const span = (a: Float32Array) => Math.max(...a) - Math.min(...a);
  assert.ok(span(got) > span(src));
});

test('green channel then CLAHE from a config, per channel; bad options are one-line errors', () => {
  const rgb: MedicalImage = {
    data: Float32Array.from([10, 20, 30, 40, 0, 0, 100, 200, 5, 5, 5, 5]),
    shape: [3, 2, 2],
    spacing: [1, 1],
  } as unknown as MedicalImage;
  const t = createTransform({
    type: 'compose',
    transforms: [
      { type: 'selectChannels', channels: [1] },
      { type: 'clahe', tiles: [1, 1], clipLimit: 1000 },
    ],
  } as never);
  const out = t.apply({ image: rgb }, Rng.seeded(0)).image as MedicalImage<Float32Array>;
  assert.deepEqual(out.shape, [1, 2, 2]);
  close(out.data, [127.5, 127.5, 191.25, 255], 1e-4);
  assert.throws(() => createTransform({ type: 'clahe', tiles: [0, 2] } as never), /clahe: tiles/);
  assert.throws(() => createTransform({ type: 'selectChannels', channels: [] } as never), /selectChannels: channels/);
  assert.throws(
    () => createTransform({ type: 'selectChannels', channels: [3] } as never).apply({ image: rgb }, Rng.seeded(0)),
    /has 3 channels, channel 3/,
  );
});
