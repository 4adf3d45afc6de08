/** Data augmentation transforms on dictionaries of images and masks (see transform.ts for the contract). */
export { Rng } from './rng.js';
export {
  TransformError,
  getImage,
  getAnyImage,
  isMedicalImage,
  type Sample,
  type FloatImage,
  type Transform,
  type KeyOptions,
} from './transform.js';
export { Compose } from './compose.js';
export { RandomApply } from './random-apply.js';
export { OneOf } from './one-of.js';
export { warp, warp2d, warp3d, type Interpolation, type PaddingMode } from './resample.js';
export {
  Affine,
  RandAffine,
  affineMatrix,
  affineMaps,
  type AffineParams,
  type AffineOptions,
  type RandAffineOptions,
  type Range,
} from './affine.js';
export { Resize, resizeArray, type ResizeOptions } from './resize.js';
export { CenterCropOrPad, PadTo, extractRegion, type CropOrPadOptions } from './crop-or-pad.js';
export { RandCrop, type RandCropOptions } from './rand-crop.js';
export { NormalizeIntensity, type NormalizeOptions } from './normalize.js';
export { ScaleIntensityRange, type ScaleIntensityRangeOptions } from './scale-intensity-range.js';
export {
  ScaleIntensityPercentiles,
  percentile,
  type ScaleIntensityPercentilesOptions,
} from './scale-intensity-percentiles.js';
export { Window, type WindowOptions } from './window.js';
export { CtWindow, CT_WINDOW_PRESETS, type CtWindowOptions } from './ct-window.js';
export { ToFloat, type ToFloatOptions } from './to-float.js';
export { Flip, RandFlip, type FlipOptions, type RandFlipOptions } from './flip.js';
export { Rot90, RandRot90, type Rot90Options, type RandRot90Options } from './rot90.js';
export { RandElastic, elasticMaps, type RandElasticOptions } from './elastic.js';
export { gaussianSmooth, gaussianKernel1d } from './gaussian-filter.js';
export {
  GaussianBlur,
  RandGaussianBlur,
  type GaussianBlurOptions,
  type RandGaussianBlurOptions,
} from './gaussian-blur.js';
export { RandBrightness, type RandBrightnessOptions } from './brightness.js';
export { RandContrast, type RandContrastOptions } from './contrast.js';
export { RandGamma, type RandGammaOptions } from './gamma.js';
export { Clahe, clahe2d, type ClaheOptions } from './clahe.js';
export { SelectChannels, type SelectChannelsOptions } from './select-channels.js';
export { RandGaussianNoise, type RandGaussianNoiseOptions } from './gaussian-noise.js';
export {
  createTransform,
  transformSpecProblem,
  transformSpecSchema,
  transformTypes,
  type TransformSpec,
} from './spec.js';
export { getBoxes, mapBoxes, isBoxList, BOXES_KEY, type BoxList } from './box-list.js';
export { BoxResize, type BoxResizeOptions } from './box-resize.js';
export { RandBoxFlip, type RandBoxFlipOptions } from './box-flip.js';
export { RandBoxAffine, boxAffine, type RandBoxAffineOptions } from './box-affine.js';
export { RandBoxCrop, type RandBoxCropOptions } from './box-crop.js';
export { RandColorJitter, type RandColorJitterOptions } from './color-jitter.js';
export {
  CenterNetTargets,
  renderCenterNetTargets,
  gaussianRadius,
  type CenterNetTargetOptions,
} from './centernet-targets.js';
export { resampleToSpacing, requireSpacing, MissingSpacingError } from './resample-to-spacing.js';
