// DropBlock: identity in eval; in training it zeroes whole b x b blocks centred on seeds drawn at rate gamma
// (the paper's formula), rescales the kept values by numel / kept, and drops about dropProb of the positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, manualSeed, ones, rand, randn, tidy } from '../../src/tensor/index.js';
import { DropBlock } from '../../src/nn/index.js';
import { growSeeds } from '../../src/nn/layers/drop-block.js';

test('gamma follows Ghiasi et al. eq. 1: p / b^2 * HW / ((H - b + 1)(W - b + 1))', () => {
  const d = new DropBlock(0.18, 7);
  // 0.18 / 49 * (96 * 96) / (90 * 90)
  assert.ok(Math.abs(d.gamma(96, 96) - 0.0041795918) < 1e-9);
  assert.ok(Math.abs(new DropBlock(0.1, 3).gamma(10, 12) - (0.1 / 9) * (120 / 80)) < 1e-12);
});

test('identity in eval, blocks of zeros and a numel/kept rescale in training', () => {
  tidy(() => {
    manualSeed(1);
    const d = new DropBlock(0.2, 5);
    const x = randn([2, 3, 64, 64]);
    d.eval();
    assert.equal(d.forward(x).sub(x).abs().max().item(), 0);
    d.train();
    const y = d.forward(ones([4, 8, 64, 64]));
    const v = y.toFloat32Array();
    const kept = v.filter((e) => e !== 0);
    // every kept value carries the same scale numel / kept
    const scale = v.length / kept.length;
    for (const e of kept) assert.ok(Math.abs(e - scale) < 1e-4 * scale);
    // about dropProb of the positions are dropped (overlapping blocks make it a little less)
    const dropped = 1 - kept.length / v.length;
    assert.ok(dropped > 0.12 && dropped < 0.24, `dropped fraction ${dropped}`);
    // zeros come in blocks: a zero at an interior point has a zero in each direction within the block
    let isolated = 0;
    for (let i = 0; i < 64 * 64; i++) {
      const r = Math.floor(i / 64);
      const c = i % 64;
      if (v[i] !== 0 || r < 2 || r > 61 || c < 2 || c > 61) continue;
      const run = [-2, -1, 1, 2].filter((k) => v[i + k] === 0).length;
      if (run < 2) isolated++;
    }
    assert.equal(isolated, 0, 'a dropped pixel with fewer than 2 dropped horizontal neighbours within the block');
  });
});

test('seeds grow into the b x b blocks that max_pool2d at stride 1 gives, edges and maps smaller than b too', () => {
  tidy(() => {
    manualSeed(3);
    for (const [h, w] of [
      [23, 17],
      [5, 4],
    ]) {
      const seeds = rand([2, 3, h, w]).lt(0.05).float();
      for (const b of [1, 3, 5, 7, 9]) {
        const r = (b - 1) / 2;
        // zero padding first: max_pool2d refuses padding above half its kernel, so maps smaller than b need it
        const expected = F.maxPool2d(F.pad(seeds, [r, r, r, r]), b, { stride: 1 });
        const got = growSeeds(seeds, b);
        assert.deepEqual(got.shape, [2, 3, h, w]);
        assert.equal(got.sub(expected).abs().max().item(), 0, `b = ${b}, ${h}x${w}`);
      }
    }
  });
});

test('bad options are rejected', () => {
  assert.throws(() => new DropBlock(1, 7), /dropProb/);
  assert.throws(() => new DropBlock(0.1, 4), /blockSize/);
});
