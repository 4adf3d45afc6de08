/**
 * Pascal VOC detection data (`kind: 'voc'`): `root` holds `JPEGImages/`, `Annotations/` and
 * `ImageSets/Main/<split>.txt` (one image id per line). Every annotation of the split is read and checked at
 * creation (cheap: small XML files), so a bad box or a missing annotation is found before training starts;
 * pixels are decoded in `get` and kept (DecodedCache).
 *
 *   { kind: 'voc', root: 'bccd', split: 'train', classes: ['RBC', 'WBC', 'Platelets'] }
 *
 * Samples, decoding and class order are BoxDataset's (box-dataset.ts), shared with `boxCsv` and `coco`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { BadFiles } from './bad-files.js';
import { BoxDataset, keepKnownClasses, type BoxCase } from './box-dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import { IMAGE_EXTENSIONS, requireFolder } from './image-files.js';
import { readVocAnnotation } from './voc-annotation.js';

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

export class VocDataset extends BoxDataset<z.output<typeof vocSpecSchema>> {
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
    const cases: BoxCase[] = [];
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
    const known = keepKnownClasses(cases, parsed.classes, bad);
    const spec = { ...parsed, root, ...(options.skipBad ? { skipBad: true } : {}) };
    return new VocDataset(spec, known.cases, known.classNames, bad);
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
