/**
 * Grad-CAM for segmentation networks (Vinogradova et al., AAAI 2020): the score is the sum of the
 * foreground logit over the pixels (optionally only those in a region), differentiated with respect to one
 * encoder level of a U-Net; channels weighted by their mean gradient, ReLU, resized to the input and scaled
 * to [0, 1] per image. It gives a plain U-Net a map comparable with an attention network's own maps.
 */
import { enableGrad, F, noGrad, tidy, type Tensor } from '../tensor/index.js';
import type { UNet } from '../models/unet.js';

export interface SegmentationGradCamOptions {
  /** Encoder level (0 = full resolution; default the bottleneck). */
  level?: number;
  /** Foreground channel of the logits (default 0 for one-channel sigmoid outputs, else 1). */
  channel?: number;
  /** [N, 1, H, W] weights of the pixels whose logits are summed (e.g. the field of view); default all. */
  region?: Tensor;
}

/** Maps [N, 1, H, W] in [0, 1]; uses the model's current mode (call eval() first). */
export function segmentationGradCam(model: UNet, x: Tensor, options: SegmentationGradCamOptions = {}): Tensor {
  const level = options.level ?? model.config.features.length - 1;
  const channel = options.channel ?? (model.config.numClasses === 1 ? 0 : 1);
  const params = model.parameters();
  const trainable = params.map((p) => p.requiresGrad);
  for (const p of params) p.requiresGrad = false;
  try {
    return tidy(() => {
      let feature: Tensor | undefined;
      const weights = enableGrad(() => {
        const logits = model.forwardTapped(x, level, (f) => {
          feature = f.detach().requiresGrad_();
          return feature;
        });
        let score = logits.narrow(1, channel, 1);
        if (options.region) score = score.mul(options.region);
        score.sum().backward();
        return feature!.grad!.mean([2, 3], true);
      });
      const cam = noGrad(() => weights.mul(feature!.detach()).sum(1, true).relu());
      const peak = cam.max([2, 3], true).clamp(1e-12);
      return F.interpolate(cam.div(peak), { size: x.shape.slice(2), mode: 'bilinear' }).clamp(0, 1);
    });
  } finally {
    params.forEach((p, i) => (p.requiresGrad = trainable[i]));
  }
}
