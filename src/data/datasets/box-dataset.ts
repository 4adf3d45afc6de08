/**
 * What the detection dataset kinds (`voc`, `boxCsv`, `coco`) share once their annotation files are read:
 * a list of images with checked boxes, class names in label order, decoding with a size check, and the
 * sample format `{ id, image, boxes, imageSize }` (`boxes` a BoxList of corners in file pixels and class
 * indices, `imageSize` [H, W] of the file, which detection evaluation uses to map boxes back after an eval
 * resize). Each kind only turns its files into `BoxCase`s.
 */
import { MedattnDataError } from '../io/errors.js';
import type { BoxList } from '../transforms/box-list.js';
import type { BoxAnnotation } from './box-annotation.js';
import type { BadFiles } from './bad-files.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { DecodedCache, preloadInto } from './decoded-cache.js';
import { readSampleImage } from './read-sample-image.js';
import type { DatasetSpec } from './spec.js';

export interface BoxCase {
  id: string;
  /** The image file. */
  image: string;
  annotation: BoxAnnotation;
}

/**
 * The cases whose classes are all in `classes` (default: every name found, sorted); a case with another class
 * is rejected through `bad` (an error, or a listed skip).
 */
export function keepKnownClasses(
  cases: BoxCase[],
  classes: string[] | undefined,
  bad: BadFiles,
): { cases: BoxCase[]; classNames: string[] } {
  const classNames = classes ?? [...new Set(cases.flatMap((c) => c.annotation.objects.map((o) => o.name)))].sort();
  const known = new Set(classNames);
  const kept: BoxCase[] = [];
  for (const c of cases) {
    const unknown = c.annotation.objects.find((o) => !known.has(o.name));
    if (unknown)
      bad.reject(
        new MedattnDataError(c.annotation.file, `class '${unknown.name}' is not one of ${classNames.join(', ')}`),
      );
    else kept.push(c);
  }
  return { cases: kept, classNames };
}

export class BoxDataset<Spec extends DatasetSpec & { channels?: 1 | 3; preload?: boolean }> implements Dataset {
  readonly length: number;
  readonly classNames: string[];
  private readonly cache = new DecodedCache();

  protected constructor(
    private readonly spec: Spec,
    private readonly cases: BoxCase[],
    classNames: string[],
    private readonly bad: BadFiles,
  ) {
    this.length = cases.length;
    this.classNames = classNames;
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, `${this.spec.kind} dataset`);
    return this.cache.get(index, () => this.decode(index));
  }

  async preload(indices?: Iterable<number>): Promise<boolean> {
    if (!this.spec.preload) return false;
    await preloadInto(this.cache, indices ?? this.cases.keys(), (i) => this.decode(i));
    return true;
  }

  /** The boxes of sample `index` without decoding its image. */
  boxes(index: number): BoxList & { imageSize: [number, number] } {
    checkIndex(index, this.length, `${this.spec.kind} dataset`);
    const a = this.cases[index].annotation;
    return {
      boxes: Float32Array.from(a.objects.flatMap((o) => o.box)),
      classes: Int32Array.from(a.objects.map((o) => this.classNames.indexOf(o.name))),
      imageSize: [a.height, a.width],
    };
  }

  /** Zero-area boxes left out of the annotations (they mark no pixels). */
  droppedBoxes(): number {
    return this.cases.reduce((s, c) => s + c.annotation.dropped, 0);
  }

  private decode(index: number): Promise<DatasetSample> {
    const c = this.cases[index];
    return this.bad.read(async () => {
      const image = await readSampleImage(c.image, this.spec.channels);
      const [h, w] = image.shape.slice(1);
      const a = c.annotation;
      if (h !== a.height || w !== a.width)
        throw new MedattnDataError(c.image, `is ${w}x${h} but ${a.file} says ${a.width}x${a.height}`);
      const { boxes, classes, imageSize } = this.boxes(index);
      return { id: c.id, image, boxes: { boxes, classes }, imageSize };
    });
  }

  labels(): undefined {
    return undefined;
  }

  ids(): string[] {
    return this.cases.map((c) => c.id);
  }

  /** Image and annotation file of each sample (for reports and predict). */
  files(): Array<{ id: string; image: string; annotation: string }> {
    return this.cases.map((c) => ({ id: c.id, image: c.image, annotation: c.annotation.file }));
  }

  describe(): Spec {
    return structuredClone(this.spec);
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }
}
