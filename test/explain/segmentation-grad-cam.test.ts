// Segmentation Grad-CAM on a U-Net, against a reference built from finite differences: the channel weight
// w_k is the mean over positions of d(score)/dA_k, i.e. (score(A + eps e_k) - score(A - eps e_k)) / (2 eps HW)
// when channel k is shifted by eps everywhere; the map is ReLU(sum_k w_k A_k), bilinear to the input, / max.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, manualSeed, noGrad, ones, randn, tidy, zeros, type Tensor } from '../../src/tensor/index.js';
import { createModel, type UNet } from '../../src/models/index.js';
import { segmentationGradCam } from '../../src/explain/index.js';

test('channel weights and map match finite differences (U-Net bottleneck and level 1, with a region)', () => {
  tidy(() => {
    manualSeed(11);
    const model = createModel('unet', { inChannels: 3, numClasses: 1, features: [4, 8, 16] }) as unknown as UNet;
    // float64 so that the finite differences are exact to ~1e-8
    model.to('float64').eval();
    const x = randn([1, 3, 16, 16], { dtype: 'float64' });
    const region = zeros([1, 1, 16, 16], { dtype: 'float64' });
    region.narrow(2, 4, 8).fill_(1);
    for (const level of [2, 1]) {
      const got = segmentationGradCam(model, x, { level, region });
      const score = (shift?: Tensor) =>
        noGrad(() =>
          model
            .forwardTapped(x, level, (f) => (shift ? f.add(shift) : f))
            .mul(region)
            .sum()
            .item(),
        );
      let feature: Tensor | undefined;
      noGrad(() => model.forwardTapped(x, level, (f) => (feature = f.clone())));
      const [, c, h, w] = feature!.shape;
      const eps = 1e-5;
      const weights: number[] = [];
      for (let k = 0; k < c; k++) {
        const e = zeros([1, c, 1, 1], { dtype: 'float64' });
        e.narrow(1, k, 1).fill_(eps);
        const shift = e.mul(ones([1, 1, h, w], { dtype: 'float64' }));
        weights.push((score(shift) - score(shift.neg())) / (2 * eps * h * w));
      }
      const data = Float64Array.from(weights);
      const ref = noGrad(() => {
        const wtn = zeros([1, c, 1, 1], { dtype: 'float64' });
        for (let k = 0; k < c; k++) wtn.narrow(1, k, 1).fill_(data[k]);
        const m = wtn.mul(feature!).sum(1, true).relu();
        return F.interpolate(m.div(m.max().clamp(1e-12)), { size: [16, 16], mode: 'bilinear' }).clamp(0, 1);
      });
      const diff = got.sub(ref).abs().max().item();
      assert.ok(diff < 1e-6, `level ${level}: max abs diff ${diff}`);
      assert.ok(got.max().item() > 0.5 && got.min().item() >= 0, 'in [0, 1], peak near 1');
    }
    assert.throws(() => segmentationGradCam(model, x, { level: 3 }), /encoder level 3/);
    model.dispose();
  });
});
