// Sliding-window inference with Gaussian blending: the importance map and the blended output against hand-
// computed values and against MONAI's sliding_window_inference algorithm written out in numpy (MONAI is not
// on Debian): scan intervals, last window shifted back inside, symmetric zero padding, Gaussian weights
// exp(-x^2 / (2 (0.125 roi)^2)) clamped at max(min, 1e-3), sum(w * y) / sum(w).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  gaussianImportanceMap,
  slidingWindowInference,
  windowStarts,
  SlidingWindowError,
} from '../../src/train/sliding-window-inference.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('Gaussian importance map: hand-computed 1D and 3D values, peak 1, floor 1e-3', () => {
  // roi 4, sigma 0.5: x = ±0.5 → exp(-0.5), x = ±1.5 → exp(-4.5).
  const m = gaussianImportanceMap([4]);
  [Math.exp(-4.5), Math.exp(-0.5), Math.exp(-0.5), Math.exp(-4.5)].forEach((v, i) => close(m[i], v, 1e-7));
  // roi 5: centre 1; 3D product: corner = exp(-2 / (2 * 0.625^2))^3 = exp(-7.68) ≈ 4.6e-4 → clamped to 1e-3.
  const m3 = gaussianImportanceMap([5, 5, 5]);
  close(m3[62], 1, 1e-7);
  close(m3[0], 1e-3, 1e-9);
  close(m3[2 * 25 + 2 * 5 + 1], Math.exp(-1 / (2 * 0.625 ** 2)), 1e-7);
});

test('window starts as MONAI: interval roi*(1-overlap), last window shifted back inside', () => {
  assert.deepEqual(windowStarts(10, 4, 0.5), [0, 2, 4, 6]);
  assert.deepEqual(windowStarts(11, 4, 0.25), [0, 3, 6, 7]);
  assert.deepEqual(windowStarts(4, 4, 0.5), [0]);
  assert.deepEqual(windowStarts(3, 4, 0.5), [0]);
});

test('blending two 1D windows by hand: (w0 y0 + w1 y1) / (w0 + w1)', async () => {
  // Length 6, roi 4, overlap 0.5 → windows at 0 and 2; window 0 predicts 1, window 1 predicts 3.
  let call = 0;
  const out = await slidingWindowInference(
    new Float32Array(6),
    [1, 6],
    async (_x, n) => {
      const v = call++ === 0 ? 1 : 3;
      return { data: new Float32Array(n * 4).fill(v), channels: 1 };
    },
    { roi: [4], overlap: 0.5 },
  );
  const a = Math.exp(-4.5);
  const b = Math.exp(-0.5);
  const want = [1, 1, (b * 1 + a * 3) / (a + b), (a * 1 + b * 3) / (a + b), 3, 3];
  want.forEach((v, i) => close(out.data[i], v));
});

test('3D volume with padding and two output channels equals MONAI algorithm in numpy', async () => {
  // Predictor depends on the window (its index) so blending weights matter; input is a smooth ramp.
  const shape = [1, 7, 13, 10];
  const roi = [8, 6, 6]; // depth 7 < 8 → padded to 8, one window along depth
  const input = Float32Array.from({ length: 7 * 13 * 10 }, (_, i) => Math.sin(i * 0.37) * 10);
  let w = 0;
  const ours = await slidingWindowInference(
    input,
    shape,
    async (x, n) => {
      const per = 8 * 6 * 6;
      const out = new Float32Array(n * 2 * per);
      for (let b = 0; b < n; b++, w++)
        for (let r = 0; r < per; r++) {
          out[b * 2 * per + r] = x[b * per + r] * 2 + w;
          out[(b * 2 + 1) * per + r] = -x[b * per + r] + 0.5 * w * w;
        }
      return { data: out, channels: 2 };
    },
    { roi, overlap: 0.4, batchSize: 3 },
  );
  const ref = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `
import json, math, sys, numpy as np
x = np.array(json.loads(sys.stdin.read()), dtype=np.float32).reshape(1, 7, 13, 10)
roi, overlap = [8, 6, 6], 0.4
size = list(x.shape[1:])
pad = [(max(r - s, 0) // 2, max(r - s, 0) - max(r - s, 0) // 2) for r, s in zip(roi, size)]
xp = np.pad(x, [(0, 0)] + pad)
ps = list(xp.shape[1:])
def starts(s, r):
    iv = r if r == s else max(int(r * (1 - overlap)), 1)
    num = int(math.ceil(s / iv))
    sd = next((d for d in range(num) if d * iv + r >= s), None)
    n = sd + 1 if sd is not None else 1
    return [i * iv - max(i * iv + r - s, 0) for i in range(n)]
g = None
for i, r in enumerate(roi):
    t = np.arange(-(r - 1) / 2.0, (r - 1) / 2.0 + 1, dtype=np.float32)
    t = np.exp(t ** 2 / (-2 * (r * 0.125) ** 2))
    g = t if g is None else np.multiply.outer(g, t)
g = g.astype(np.float32)
g = np.maximum(g, max(g.min(), 1e-3))
acc = np.zeros((2, *ps), np.float32); cnt = np.zeros(ps, np.float32)
w = 0
for a in starts(ps[0], roi[0]):
  for b in starts(ps[1], roi[1]):
    for c in starts(ps[2], roi[2]):
      p = xp[0, a:a+8, b:b+6, c:c+6]
      y = np.stack([p * 2 + w, -p + 0.5 * w * w])
      acc[:, a:a+8, b:b+6, c:c+6] += y * g; cnt[a:a+8, b:b+6, c:c+6] += g; w += 1
out = (acc / cnt)[:, pad[0][0]:pad[0][0]+size[0], pad[1][0]:pad[1][0]+size[1], pad[2][0]:pad[2][0]+size[2]]
print(json.dumps(out.ravel().tolist()))
`,
      ],
      { input: JSON.stringify(Array.from(input)), encoding: 'utf8' },
    ),
  ) as number[];
  assert.deepEqual(ours.shape, [2, 7, 13, 10]);
  assert.equal(ref.length, ours.data.length);
  let maxErr = 0;
  ref.forEach((v, i) => (maxErr = Math.max(maxErr, Math.abs(v - ours.data[i]))));
  assert.ok(maxErr < 1e-4, `max |ours - numpy MONAI| = ${maxErr}`);
});

test('bad options are one-line SlidingWindowErrors', async () => {
  const noop = async () => ({ data: new Float32Array(0), channels: 1 });
  await assert.rejects(slidingWindowInference(new Float32Array(8), [1, 2, 4], noop, { roi: [4] }), SlidingWindowError);
  await assert.rejects(
    slidingWindowInference(new Float32Array(8), [1, 2, 4], noop, { roi: [2, 2], overlap: 1 }),
    /overlap must be in \[0, 1\), got 1/,
  );
});
