/**
 * Detection boxes from a COCO-JSON file (`kind: 'coco'`): `images` ({ id, file_name, width, height }),
 * `annotations` ({ image_id, category_id, bbox: [x, y, w, h] }) and `categories` ({ id, name }). A bbox
 * becomes the corners [x, y, x + w, y + h] and is checked like a VOC box (negative width or height, outside
 * the image: an error naming the annotation; zero area: dropped). An image with no annotation is an image
 * without annotation (an error, or a listed skip with skipBad), as in `voc`. Crowd annotations (`iscrowd` 1)
 * are read as ordinary boxes.
 *
 *   { kind: 'coco', file: 'train.json', images: 'JPEGImages', classes: ['RBC', 'WBC', 'Platelets'] }
 *
 * `file_name` is relative to `images` (default: the JSON file's folder); a sample's id is `file_name`
 * without the extension.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { BadFiles } from './bad-files.js';
import { checkBox, type BoxObject } from './box-annotation.js';
import { BoxDataset, keepKnownClasses, type BoxCase } from './box-dataset.js';

export const cocoSpecSchema = z.strictObject({
  kind: z.literal('coco'),
  /** The COCO-JSON annotation file. */
  file: z.string().min(1),
  /** Folder the images' `file_name`s are relative to; default the JSON file's folder. */
  images: z.string().min(1).optional(),
  /** Class names in label order; default: the categories in the file, by id. */
  classes: z.array(z.string().min(1)).min(1).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  skipBad: z.boolean().optional(),
  preload: z.boolean().optional(),
});
export type CocoSpec = z.input<typeof cocoSpecSchema>;

const id = z.union([z.number(), z.string()]);
const cocoFileSchema = z.object({
  images: z.array(z.object({ id, file_name: z.string().min(1), width: z.number(), height: z.number() })),
  annotations: z.array(
    z.object({
      id: id.optional(),
      image_id: id,
      category_id: id,
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    }),
  ),
  categories: z.array(z.object({ id, name: z.string().min(1) })).min(1),
});

export class CocoDataset extends BoxDataset<z.output<typeof cocoSpecSchema>> {
  static async create(
    parsed: z.output<typeof cocoSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<CocoDataset> {
    const file = resolve(options.baseDir, parsed.file);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      const why = e instanceof SyntaxError ? e.message : ((e as NodeJS.ErrnoException).code ?? String(e));
      throw new MedattnDataError(file, `cannot read COCO JSON (${why})`);
    }
    const result = cocoFileSchema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new MedattnDataError(file, `not COCO JSON: ${issue.path.join('.') || 'top level'}: ${issue.message}`);
    }
    const coco = result.data;
    const categories = new Map(coco.categories.map((c) => [String(c.id), c.name]));
    const byImage = new Map(coco.images.map((im) => [String(im.id), [] as typeof coco.annotations]));
    for (const [i, a] of coco.annotations.entries()) {
      const where = `annotation ${a.id ?? `#${i}`}`;
      if (!byImage.has(String(a.image_id)))
        throw new MedattnDataError(file, `${where}: image_id ${a.image_id} is not in images`);
      if (!categories.has(String(a.category_id)))
        throw new MedattnDataError(file, `${where}: category_id ${a.category_id} is not in categories`);
      byImage.get(String(a.image_id))!.push(a);
    }
    const base = parsed.images ? resolve(options.baseDir, parsed.images) : dirname(file);
    const bad = new BadFiles(options.skipBad);
    const cases: BoxCase[] = [];
    for (const im of coco.images) {
      const image = resolve(base, im.file_name);
      const anns = byImage.get(String(im.id))!;
      try {
        if (!existsSync(image)) throw new MedattnDataError(image, `image not found (image ${im.id} of ${file})`);
        if (anns.length === 0)
          throw new MedattnDataError(image, `image without annotation (image ${im.id} has none in ${file})`);
        const objects: BoxObject[] = [];
        let dropped = 0;
        for (const [i, a] of anns.entries()) {
          const name = categories.get(String(a.category_id))!;
          const [x, y, w, h] = a.bbox;
          const where = `annotation ${a.id ?? `#${i} of image ${im.id}`} (${name}, bbox [${x}, ${y}, ${w}, ${h}])`;
          if (checkBox([x, y, x + w, y + h], im.width, im.height, file, where))
            objects.push({ name, box: [x, y, x + w, y + h], difficult: false });
          else dropped++;
        }
        cases.push({
          id: im.file_name.replace(/\.[^./\\]+$/, ''),
          image,
          annotation: { file, filename: im.file_name, width: im.width, height: im.height, objects, dropped },
        });
      } catch (e) {
        if (!(e instanceof MedattnDataError)) throw e;
        bad.reject(e);
      }
    }
    // Default class order: the categories by id, as COCO tools number them.
    const byId = [...coco.categories].sort((a, b) =>
      typeof a.id === 'number' && typeof b.id === 'number' ? a.id - b.id : String(a.id).localeCompare(String(b.id)),
    );
    const known = keepKnownClasses(cases, parsed.classes ?? byId.map((c) => c.name), bad);
    const spec = {
      ...parsed,
      file,
      ...(parsed.images ? { images: base } : {}),
      ...(options.skipBad ? { skipBad: true } : {}),
    };
    return new CocoDataset(spec, known.cases, known.classNames, bad);
  }
}
