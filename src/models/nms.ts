/**
 * Greedy non-maximum suppression in TypeScript: boxes [x1, y1, x2, y2], highest score first; a box is
 * dropped when its IoU with an already kept box exceeds the threshold (torchvision.ops.nms semantics).
 */
export type Box = [number, number, number, number];

export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Indices of the kept boxes, in decreasing score order. */
export function nms(boxes: Box[], scores: number[], iouThreshold: number): number[] {
  const order = scores.map((_, i) => i).sort((i, j) => scores[j] - scores[i]);
  const kept: number[] = [];
  for (const i of order) if (kept.every((k) => iou(boxes[i], boxes[k]) <= iouThreshold)) kept.push(i);
  return kept;
}

/** NMS within each class only (torchvision.ops.batched_nms). */
export function batchedNms(boxes: Box[], scores: number[], classes: number[], iouThreshold: number): number[] {
  const order = scores.map((_, i) => i).sort((i, j) => scores[j] - scores[i]);
  const kept: number[] = [];
  for (const i of order)
    if (kept.every((k) => classes[k] !== classes[i] || iou(boxes[i], boxes[k]) <= iouThreshold)) kept.push(i);
  return kept;
}
