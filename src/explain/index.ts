/** Showing where a model looked: attention and saliency maps over the image. */
export { turbo, normalizeMap, greyToRgb, maskToRgb, overlayHeatmap } from './overlay.js';
export { gradCam, supportsGradCam, type GradCamModel, type GradCamOptions } from './grad-cam.js';
export { drawBoxesPng, imageToRgb, classColor, CLASS_COLORS, type DrawnBox } from './draw-boxes.js';
export {
  maskFeatures,
  maskingFaithfulness,
  permutationImportance,
  predictRows,
  type MaskingFaithfulness,
  type PermutationImportance,
  type TablePredictions,
} from './feature-importance.js';
export { segmentationGradCam, type SegmentationGradCamOptions } from './segmentation-grad-cam.js';
