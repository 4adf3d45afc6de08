/**
 * Grad-CAM (Selvaraju et al., ICCV 2017): where a classifier's evidence for a class lies in its last feature
 * map A. Each channel k is weighted by the spatial mean of d(score)/dA_k, and the map is
 * ReLU(sum_k w_k A_k), resized to the input and scaled to [0, 1] per image. It works for any network that
 * exposes its last feature map, with or without attention blocks, so plain and attention models can be
 * compared on the same picture.
 *
 *   model.eval();
 *   const maps = gradCam(model, x);              // [N, 1, H, W], the predicted class of each image
 *   const maps1 = gradCam(model, x, { classIndex: 1 });
 */
import { enableGrad, F, noGrad, tensor, tidy, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';

/** A classifier split at its last feature map: logits = classify(featureMap(x)). */
export interface GradCamModel extends Module {
  featureMap(x: Tensor): Tensor;
  classify(featureMap: Tensor): Tensor;
}

export function supportsGradCam(model: Module): model is GradCamModel {
  const m = model as unknown as Partial<Pick<GradCamModel, 'featureMap' | 'classify'>>;
  return typeof m.featureMap === 'function' && typeof m.classify === 'function';
}

export interface GradCamOptions {
  /** Class whose score is explained: one for all images, one per image, or (default) each image's prediction. */
  classIndex?: number | number[];
}

/**
 * Grad-CAM maps [N, 1, H, W] in [0, 1] for a 2D classifier and input x [N, C, H, W]. Uses the model's current
 * mode (call eval() first). Parameters get no gradient: only the feature map is differentiated.
 */
export function gradCam(model: GradCamModel, x: Tensor, options: GradCamOptions = {}): Tensor {
  if (x.ndim !== 4)
    throw new RangeError(`gradCam: expected a 2D image batch [N, C, H, W], got shape [${x.shape.join(', ')}]`);
  const params = model.parameters();
  const trainable = params.map((p) => p.requiresGrad);
  for (const p of params) p.requiresGrad = false;
  try {
    return tidy(() => {
      // The feature map becomes a leaf: backward then reaches it and nothing upstream of it.
      const features = noGrad(() => model.featureMap(x))
        .detach()
        .requiresGrad_();
      const n = x.shape[0];
      const weights = enableGrad(() => {
        const logits = model.classify(features);
        const classes = chosenClasses(logits, options.classIndex, n);
        logits
          .gather(1, classes.reshape([n, 1]))
          .sum()
          .backward();
        return features.grad!.mean([2, 3], true);
      });
      const cam = noGrad(() => weights.mul(features.detach()).sum(1, true).relu());
      const peak = cam.max([2, 3], true).clamp(1e-12);
      return F.interpolate(cam.div(peak), { size: x.shape.slice(2), mode: 'bilinear' }).clamp(0, 1);
    });
  } finally {
    params.forEach((p, i) => (p.requiresGrad = trainable[i]));
  }
}

function chosenClasses(logits: Tensor, classIndex: GradCamOptions['classIndex'], n: number): Tensor {
  const numClasses = logits.shape[1];
  if (classIndex === undefined) return logits.argmax(1);
  const list = typeof classIndex === 'number' ? Array(n).fill(classIndex) : classIndex;
  if (list.length !== n) throw new RangeError(`gradCam: classIndex has ${list.length} entries for ${n} images`);
  for (const c of list)
    if (!Number.isInteger(c) || c < 0 || c >= numClasses)
      throw new RangeError(`gradCam: classIndex ${c} is not a class of this model (0..${numClasses - 1})`);
  return tensor(list, { dtype: 'int64' });
}
