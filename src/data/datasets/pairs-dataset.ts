/**
 * Image/mask pairs in parallel folders, matched by a case id taken from each file name: DRIVE
 * (`images/21_training.tif` + `1st_manual/21_manual1.gif` + ROI `mask/21_training_mask.gif`), ISBI 2012 EM
 * (`image/0.png` + `label/0.png`), ISIC, Kvasir... Folders are listed and every case's files matched at
 * creation (cheap); pixels are read, binarised and size-checked in `get`, and kept decoded (DecodedCache).
 */
import { basename, join, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { BadFiles } from './bad-files.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import { DecodedCache, preloadInto } from './decoded-cache.js';
import { listImageFiles, naturalCompare, requireFolder, stemOf } from './image-files.js';
import { checkSameSize, readMask, readSampleImage } from './read-sample-image.js';

export const pairsSpecSchema = z.strictObject({
  kind: z.literal('pairs'),
  images: z.string().min(1),
  masks: z.string().min(1),
  /** Optional region-of-interest folder (DRIVE's field-of-view masks). */
  roi: z.string().min(1).optional(),
  /**
   * Regular expression with one capture group, applied to file names, giving the case id. Files it does not
   * match are ignored. Default: the leading digits, or else the file stem up to the first '_'.
   */
  caseId: z.string().min(1).optional(),
  /** Only these cases (cross-validation folds, hold-out sets), in this order. */
  ids: z.array(z.string()).optional(),
  /** Mask values above this are foreground (default 0). */
  maskThreshold: z.number().optional(),
  /** Foreground is where the mask is at or below the threshold. */
  invertMask: z.boolean().optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  skipBad: z.boolean().optional(),
  /** Decode every case when a loader opens the dataset (within the cache budget), as PyTorch datasets that read all in `__init__` do. */
  preload: z.boolean().optional(),
});
export type PairsSpec = z.input<typeof pairsSpecSchema>;

interface Case {
  id: string;
  image: string;
  mask: string;
  roi?: string;
}

/** The case id of a file name, or undefined when the rule does not match. */
export function caseIdOf(name: string, rule?: RegExp): string | undefined {
  if (rule) return rule.exec(name)?.[1];
  return /^(\d+)/.exec(name)?.[1] ?? stemOf(name).split('_')[0] ?? undefined;
}

export class PairsDataset implements Dataset {
  readonly length: number;
  private readonly cache = new DecodedCache();

  private constructor(
    private readonly spec: z.output<typeof pairsSpecSchema>,
    private readonly cases: Case[],
    private readonly bad: BadFiles,
  ) {
    this.length = cases.length;
  }

  static async create(
    parsed: z.output<typeof pairsSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<PairsDataset> {
    const dirs = {
      images: resolve(options.baseDir, parsed.images),
      masks: resolve(options.baseDir, parsed.masks),
      roi: parsed.roi === undefined ? undefined : resolve(options.baseDir, parsed.roi),
    };
    const rule = parsed.caseId === undefined ? undefined : compileRule(parsed.caseId);
    const bad = new BadFiles(options.skipBad);
    const images = await indexFolder(dirs.images, 'images folder', rule);
    const masks = await indexFolder(dirs.masks, 'masks folder', rule);
    const rois = dirs.roi ? await indexFolder(dirs.roi, 'roi folder', rule) : undefined;
    let ids = [...images.keys()].sort(naturalCompare);
    if (parsed.ids) {
      for (const id of parsed.ids)
        if (!images.has(id)) throw new DatasetSpecError('ids', `no case '${id}' in ${dirs.images}`);
      ids = parsed.ids;
    }
    const cases: Case[] = [];
    for (const id of ids) {
      const image = images.get(id)!;
      const mask = masks.get(id);
      const roi = rois?.get(id);
      if (!mask) {
        bad.reject(new MedattnDataError(image, `no mask for case '${id}' in ${dirs.masks}`));
        continue;
      }
      if (rois && !roi) {
        bad.reject(new MedattnDataError(image, `no roi mask for case '${id}' in ${dirs.roi}`));
        continue;
      }
      cases.push({ id, image, mask, ...(roi ? { roi } : {}) });
    }
    const spec = {
      ...parsed,
      images: dirs.images,
      masks: dirs.masks,
      ...(dirs.roi ? { roi: dirs.roi } : {}),
      ...(options.skipBad ? { skipBad: true } : {}),
    };
    return new PairsDataset(spec, cases, bad);
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'pairs dataset');
    return this.cache.get(index, () => this.decode(index));
  }

  /** With the spec's `preload`: decodes the cases `indices` (default all) into the cache now. */
  async preload(indices?: Iterable<number>): Promise<boolean> {
    if (!this.spec.preload) return false;
    await preloadInto(this.cache, indices ?? this.cases.keys(), (i) => this.decode(i));
    return true;
  }

  private decode(index: number): Promise<DatasetSample> {
    const c = this.cases[index];
    return this.bad.read(async () => {
      const maskOptions = { threshold: this.spec.maskThreshold, invert: this.spec.invertMask };
      const [image, mask, roi] = await Promise.all([
        readSampleImage(c.image, this.spec.channels),
        readMask(c.mask, maskOptions),
        c.roi ? readMask(c.roi) : undefined,
      ]);
      checkSameSize(image, c.image, mask, c.mask);
      if (roi) checkSameSize(image, c.image, roi, c.roi!, 'roi mask');
      return { id: c.id, image, mask, ...(roi ? { roi } : {}) };
    });
  }

  labels(): undefined {
    return undefined;
  }

  ids(): string[] {
    return this.cases.map((c) => c.id);
  }

  /** The files of each case (for reports and the CLI's inspect). */
  files(): Array<{ id: string; image: string; mask: string; roi?: string }> {
    return this.cases.map((c) => ({ ...c }));
  }

  describe(): PairsSpec {
    return structuredClone(this.spec);
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }
}

function compileRule(source: string): RegExp {
  let rule: RegExp;
  try {
    rule = new RegExp(source);
  } catch (e) {
    throw new DatasetSpecError('caseId', `not a regular expression (${(e as Error).message})`);
  }
  const groups = (new RegExp(`${source}|`).exec('') ?? []).length - 1;
  if (groups !== 1)
    throw new DatasetSpecError(
      'caseId',
      `/${source}/ must have exactly one capture group (the case id), it has ${groups}`,
    );
  return rule;
}

/** case id → file path for the image files of a folder; two files with one id are an error naming both. */
async function indexFolder(dir: string, what: string, rule: RegExp | undefined): Promise<Map<string, string>> {
  await requireFolder(dir, what);
  const byId = new Map<string, string>();
  for (const name of await listImageFiles(dir)) {
    const id = caseIdOf(basename(name), rule);
    if (id === undefined || id === '') continue;
    const path = join(dir, name);
    const other = byId.get(id);
    if (other) {
      throw new MedattnDataError(
        path,
        `has the same case id '${id}' as ${other} (set caseId to a pattern that tells them apart)`,
      );
    }
    byId.set(id, path);
  }
  if (byId.size === 0)
    throw new MedattnDataError(dir, `${what} has no image files${rule ? ` matching /${rule.source}/` : ''}`);
  return byId;
}
