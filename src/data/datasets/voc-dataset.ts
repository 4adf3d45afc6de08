/**
 * Pascal VOC detection data (`kind: 'voc'`): `root` holds `JPEGImages/`, `Annotations/` and
 * `ImageSets/Main/<split>.txt` (one image id per line). Every annotation of the split is read and checked at
 * creation (cheap: small XML files), so a bad box or a missing annotation is found before training starts;
 * pixels are decoded in `get` and kept (DecodedCache).
 *
 *   { kind: 'voc', root: 'bccd', split: 'train', classes: ['RBC', 'WBC', 'Platelets'] }
 *
 * A sample is `{ id, image, boxes, imageSize }`: `boxes` a BoxList (corners in image pixels, class indices
 * into `classes`), `imageSize` [H, W] of the file, which detection evaluation uses to map boxes back after
 * an eval resize.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import type { BoxList } from '../transforms/box-list.js';
import { BadFiles } from './bad-files.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import { DecodedCache, preloadInto } from './decoded-cache.js';
import { IMAGE_EXTENSIONS, requireFolder } from './image-files.js';
import { readSampleImage } from './read-sample-image.js';
import { readVocAnnotation, type VocAnnotation } from './voc-annotation.js';
import { existsSync } from 'node:fs';

export const vocSpecSchema = z.strictObject({
  kind: z.literal('voc'),
  /** The folder holding `JPEGImages/`, `Annotations/` and `ImageSets/Main/`. */
  root: z.string().min(1),
  /** The split file's name in `ImageSets/Main/` (without `.txt`). */
  split: z.string().min(1).default('train'),
  /** Class names in label order; default: the names found in the split's annotations, sorted. */
  classes: z.array(z.string().min(1)).min(1).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  skipBad: z.boolean().optional(),
  preload: z.boolean().optional(),
});
export type VocSpec = z.input<typeof vocSpecSchema>;

interface VocCase {
  id: string;
  image: string;
  annotation: VocAnnotation;
}

export class VocDataset implements Dataset {
  readonly length: number;
  readonly classNames: string[];
  private readonly cache = new DecodedCache();

  private constructor(
    private readonly spec: z.output<typeof vocSpecSchema>,
    private readonly cases: VocCase[],
    classNames: string[],
    private readonly bad: BadFiles,
  ) {
    this.length = cases.length;
    this.classNames = classNames;
  }

  static async create(
    parsed: z.output<typeof vocSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<VocDataset> {
    const root = resolve(options.baseDir, parsed.root);
    await requireFolder(root, 'VOC root');
    for (const sub of ['JPEGImages', 'Annotations']) await requireFolder(join(root, sub), `VOC ${sub} folder`);
    const splitFile = join(root, 'ImageSets', 'Main', `${parsed.split}.txt`);
    let text: string;
    try {
      text = await readFile(splitFile, 'utf8');
    } catch (e) {
      throw new DatasetSpecError('split', `no split file ${splitFile} (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    // VOC's per-class split files have "id  1" lines: the id is the first word.
    const ids = text
      .split(/\r?\n/)
      .map((l) => l.trim().split(/\s+/)[0])
      .filter(Boolean);
    if (ids.length === 0) throw new MedattnDataError(splitFile, 'split file lists no image ids');
    const bad = new BadFiles(options.skipBad);
    const cases: VocCase[] = [];
    for (const id of ids) {
      const image = findImage(root, id);
      if (!image) {
        bad.reject(
          new MedattnDataError(join(root, 'JPEGImages', `${id}.jpg`), `no image for id '${id}' of ${splitFile}`),
        );
        continue;
      }
      const xml = join(root, 'Annotations', `${id}.xml`);
      if (!existsSync(xml)) {
        bad.reject(new MedattnDataError(image, `image without annotation (no ${xml})`));
        continue;
      }
      try {
        cases.push({ id, image, annotation: await readVocAnnotation(xml) });
      } catch (e) {
        if (!(e instanceof MedattnDataError)) throw e;
        bad.reject(e);
      }
    }
    const classNames =
      parsed.classes ?? [...new Set(cases.flatMap((c) => c.annotation.objects.map((o) => o.name)))].sort();
    const known = new Set(classNames);
    const kept: VocCase[] = [];
    for (const c of cases) {
      const unknown = c.annotation.objects.find((o) => !known.has(o.name));
      if (unknown)
        bad.reject(
          new MedattnDataError(c.annotation.file, `class '${unknown.name}' is not one of ${classNames.join(', ')}`),
        );
      else kept.push(c);
    }
    const spec = { ...parsed, root, ...(options.skipBad ? { skipBad: true } : {}) };
    return new VocDataset(spec, kept, classNames, bad);
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'voc dataset');
    return this.cache.get(index, () => this.decode(index));
  }

  async preload(indices?: Iterable<number>): Promise<void> {
    if (this.spec.preload) await preloadInto(this.cache, indices ?? this.cases.keys(), (i) => this.decode(i));
  }

  /** The boxes of sample `index` without decoding its image. */
  boxes(index: number): BoxList & { imageSize: [number, number] } {
    checkIndex(index, this.length, 'voc dataset');
    const a = this.cases[index].annotation;
    return {
      boxes: Float32Array.from(a.objects.flatMap((o) => o.box)),
      classes: Int32Array.from(a.objects.map((o) => this.classNames.indexOf(o.name))),
      imageSize: [a.height, a.width],
    };
  }

  /** Zero-area boxes left out of the annotations (VOC files that mark no pixels). */
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

  describe(): VocSpec {
    return structuredClone(this.spec);
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }
}

/** `JPEGImages/<id>.<ext>` for the first image extension that exists. */
function findImage(root: string, id: string): string | undefined {
  for (const ext of IMAGE_EXTENSIONS) {
    const p = join(root, 'JPEGImages', `${id}.${ext}`);
    if (existsSync(p)) return p;
  }
  return undefined;
}
