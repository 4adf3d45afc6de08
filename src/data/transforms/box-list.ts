/**
 * Boxes that travel with an image through the transforms: `sample.boxes` holds [x1, y1, x2, y2] per object in
 * continuous pixel coordinates of the current image (pixel i covers [i, i + 1)), `sample.boxes.classes` the
 * class index of each. Geometric box transforms map the corners, clip to the image, and drop a box when too
 * little of it is left inside (`minVisible`, the kept fraction of its area after the mapping) or it is
 * thinner than one pixel, as albumentations' `min_visibility` does.
 */
import { TransformError, type Sample } from './transform.js';

export interface BoxList {
  /** Flat [x1, y1, x2, y2] per box. */
  boxes: Float32Array;
  classes: Int32Array;
}

/** The key box transforms read and write. */
export const BOXES_KEY = 'boxes';

export function isBoxList(v: unknown): v is BoxList {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as BoxList).boxes instanceof Float32Array &&
    (v as BoxList).classes instanceof Int32Array &&
    (v as BoxList).boxes.length === (v as BoxList).classes.length * 4
  );
}

export function getBoxes(sample: Sample, who: string): BoxList {
  const v = sample[BOXES_KEY];
  if (!isBoxList(v))
    throw new TransformError(
      `${who}: sample has no box list under "${BOXES_KEY}" (a detection dataset such as kind 'voc' provides one)`,
    );
  return v;
}

/**
 * Maps every box by `corner` (a point map in continuous pixel coordinates), takes the enclosing box of its four
 * mapped corners, clips it to [0, width] x [0, height], and keeps it when at least `minVisible` of the mapped
 * box's area is inside and it is at least one pixel wide and high.
 */
export function mapBoxes(
  list: BoxList,
  corner: (x: number, y: number) => [number, number],
  width: number,
  height: number,
  minVisible = 0.3,
): BoxList {
  const boxes: number[] = [];
  const classes: number[] = [];
  for (let i = 0; i < list.classes.length; i++) {
    const [x1, y1, x2, y2] = list.boxes.subarray(i * 4, i * 4 + 4);
    const pts = [corner(x1, y1), corner(x2, y1), corner(x1, y2), corner(x2, y2)];
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const [mx1, mx2, my1, my2] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const cx1 = Math.max(0, mx1);
    const cy1 = Math.max(0, my1);
    const cx2 = Math.min(width, mx2);
    const cy2 = Math.min(height, my2);
    const area = (mx2 - mx1) * (my2 - my1);
    const inside = Math.max(0, cx2 - cx1) * Math.max(0, cy2 - cy1);
    if (cx2 - cx1 < 1 || cy2 - cy1 < 1 || !(inside >= minVisible * area)) continue;
    boxes.push(cx1, cy1, cx2, cy2);
    classes.push(list.classes[i]);
  }
  return { boxes: Float32Array.from(boxes), classes: Int32Array.from(classes) };
}
