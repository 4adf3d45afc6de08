// Test-time flip averaging: each output position is the mean of the model's outputs at its mirror positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ones, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { flipAveragedLogits } from '../../src/train/test-time-flips.js';

test('2D: a position-dependent model averages over the 4 mirror positions (hand-computed)', () => {
  tidy(() => {
    // forward multiplies by a fixed ramp W = [[0, 1, 2], [3, 4, 5]], so flip averaging gives, at every pixel,
    // the mean of W over its mirror orbit: (0+2+3+5)/4 = 2.5 at the corners, (1+4+1+4)/4 = 2.5 in the middle
    const w = tensor([0, 1, 2, 3, 4, 5], { shape: [1, 1, 2, 3] });
    let calls = 0;
    const forward = (x: Tensor) => {
      calls++;
      return x.mul(w);
    };
    const x = tensor([1, 2, 3, 4, 5, 6], { shape: [1, 1, 2, 3] });
    const got = Array.from(flipAveragedLogits(forward, x).toFloat32Array());
    assert.equal(calls, 4);
    // pixel (r, c): mean over mirrors of x(r, c) * W(mirror) = x(r, c) * mean(W over its orbit) = 2.5 * x
    assert.deepEqual(
      got.map((v) => Math.round(v * 1e5) / 1e5),
      [2.5, 5, 7.5, 10, 12.5, 15],
    );
  });
});

test('a model that mirrors commute with is unchanged; 3D makes 8 passes', () => {
  tidy(() => {
    const x = tensor([1, -2, 3, 0.5, 7, -1], { shape: [1, 1, 3, 2] });
    const same = flipAveragedLogits((v) => v.mul(3).add(1), x);
    assert.deepEqual(Array.from(same.toFloat32Array()), [4, -5, 10, 2.5, 22, -2]);
    let calls = 0;
    const out = flipAveragedLogits(
      (v) => {
        calls++;
        return v;
      },
      ones([1, 1, 2, 2, 2]),
    );
    assert.equal(calls, 8);
    assert.deepEqual(out.shape, [1, 1, 2, 2, 2]);
  });
});
