/**
 * The boxes of one image as every detection dataset kind (VOC XML, box CSV, COCO JSON) reads them, and the
 * one check they share: a box with xmin > xmax (or ymin > ymax) or reaching outside the image is an error
 * naming the file and the object; a zero-width or zero-height box marks no pixels and is dropped (counted).
 * Corners are continuous pixel coordinates, as YOLO/COCO conversions of VOC sets use them.
 */
import { MedattnDataError } from '../io/errors.js';

export interface BoxObject {
  name: string;
  box: [number, number, number, number];
  difficult: boolean;
}

export interface BoxAnnotation {
  /** The file the boxes come from (an XML, CSV or JSON file), named in errors. */
  file: string;
  /** Image file name as the annotation writes it (may be absent). */
  filename?: string;
  width: number;
  height: number;
  objects: BoxObject[];
  /** Objects with a zero-area box, left out. */
  dropped: number;
}

/**
 * Checks corners `box` of an object in a `width` x `height` image: throws a one-line error naming `file` and
 * `where` (the object) when the box is inverted or outside the image; false for a zero-area box (drop it).
 */
export function checkBox(
  box: readonly [number, number, number, number],
  width: number,
  height: number,
  file: string,
  where: string,
): boolean {
  const [x1, y1, x2, y2] = box;
  if (x1 > x2 || y1 > y2)
    throw new MedattnDataError(file, `${where}: box [${x1}, ${y1}, ${x2}, ${y2}] has xmin > xmax or ymin > ymax`);
  if (x1 < 0 || y1 < 0 || x2 > width || y2 > height)
    throw new MedattnDataError(
      file,
      `${where}: box [${x1}, ${y1}, ${x2}, ${y2}] reaches outside the ${width}x${height} image`,
    );
  return x1 !== x2 && y1 !== y2;
}
