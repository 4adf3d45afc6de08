/** Showing where a model looked: attention and saliency maps over the image. */
export { turbo, normalizeMap, greyToRgb, overlayHeatmap } from './overlay.js';
