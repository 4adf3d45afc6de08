/** Small builders shared by the transform tests. */
import assert from 'node:assert/strict';
import type { MedicalImage } from '../../../src/data/medical-image.js';

export function img2d(rows: number[][], channels = 1): MedicalImage<Float32Array> {
  const H = rows.length;
  const W = rows[0].length;
  const plane = rows.flat();
  const data = new Float32Array(channels * H * W);
  for (let c = 0; c < channels; c++)
    data.set(
      plane.map((v) => v + 100 * c),
      c * H * W,
    );
  return { data, shape: [channels, H, W] };
}

/** A 1-channel image whose pixel (y, x) is f(y, x). */
export function fromFn(H: number, W: number, f: (y: number, x: number) => number): MedicalImage<Float32Array> {
  const data = new Float32Array(H * W);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = f(y, x);
  return { data, shape: [1, H, W] };
}

export function rowsOf(img: MedicalImage, c = 0): number[][] {
  const [, H, W] = img.shape;
  return Array.from({ length: H }, (_, y) =>
    Array.from(img.data.subarray(c * H * W + y * W, c * H * W + (y + 1) * W) as ArrayLike<number>),
  );
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5, msg = ''): void {
  assert.equal(actual.length, expected.length, `${msg} length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      assert.fail(`${msg} index ${i}: got ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}

export function valueSet(a: ArrayLike<number>): number[] {
  return [...new Set(Array.from(a))].sort((x, y) => x - y);
}

/** A random binary mask of blobs (deterministic). */
export function blobMask(H: number, W: number): MedicalImage<Float32Array> {
  return fromFn(H, W, (y, x) =>
    Math.sin(y / 3) + Math.cos(x / 4) > 0.6 || (x - W / 2) ** 2 + (y - H / 3) ** 2 < 30 ? 1 : 0,
  );
}
