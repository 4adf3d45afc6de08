/**
 * A folder of class folders, the Keras `flow_from_directory` layout: `root/<split>/<class>/*.png` (or
 * `root/<class>/...` without split folders). Classes are the sub-folder names sorted alphabetically, as Keras
 * and torchvision's ImageFolder sort them, so label indices agree with models trained there.
 */
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { BadFiles } from './bad-files.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { DecodedCache, preloadInto } from './decoded-cache.js';
import { IMAGE_EXTENSIONS, listFolders, listImageFiles, requireFolder } from './image-files.js';
import { readSampleImage } from './read-sample-image.js';

export const folderSpecSchema = z.strictObject({
  kind: z.literal('folder'),
  root: z.string().min(1),
  /** Sub-folder of `root` holding the class folders (`train`, `val`, ...). */
  split: z.string().min(1).optional(),
  /** Class folders to use, in label order. Default: every sub-folder, sorted alphabetically. */
  classNames: z.array(z.string().min(1)).min(1).optional(),
  /** Force gray (1) or RGB (3) images. Default: what each file holds. */
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  /** Image file extensions to take (default: every format medattn reads). */
  extensions: z.array(z.string().min(1)).min(1).optional(),
  skipBad: z.boolean().optional(),
  /** Decode every image when a loader opens the dataset (within the cache budget). */
  preload: z.boolean().optional(),
});
export type FolderSpec = z.input<typeof folderSpecSchema>;

export class FolderDataset implements Dataset {
  private readonly cache = new DecodedCache();
  readonly length: number;

  private constructor(
    private readonly spec: z.output<typeof folderSpecSchema>,
    readonly classNames: string[],
    /** Paths relative to the class root (`<class>/<file>`), and each one's label. */
    private readonly files: string[],
    private readonly labelArray: Int32Array,
    private readonly classRoot: string,
    private readonly bad: BadFiles,
  ) {
    this.length = files.length;
  }

  static async create(
    parsed: z.output<typeof folderSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<FolderDataset> {
    const root = resolve(options.baseDir, parsed.root);
    await requireFolder(root, 'dataset folder');
    const classRoot = parsed.split ? join(root, parsed.split) : root;
    if (parsed.split) await requireFolder(classRoot, `split folder '${parsed.split}'`);
    const found = await listFolders(classRoot);
    const classNames = parsed.classNames ?? found.slice().sort();
    if (classNames.length === 0)
      throw new MedattnDataError(classRoot, 'has no class folders (expected <class>/<image files>)');
    for (const name of classNames) {
      if (!found.includes(name)) throw new MedattnDataError(join(classRoot, name), `class folder '${name}' not found`);
    }
    const files: string[] = [];
    const labels: number[] = [];
    const extensions = parsed.extensions ?? IMAGE_EXTENSIONS;
    for (const [label, name] of classNames.entries()) {
      const folder = join(classRoot, name);
      const inClass = await listImageFiles(folder, { recursive: true, extensions });
      // An empty class is a layout mistake, not a bad file: skipping it would silently change the classes.
      if (inClass.length === 0) {
        throw new MedattnDataError(
          folder,
          `class folder '${name}' has no image files (${extensions.map((e) => `.${e}`).join(', ')})`,
        );
      }
      for (const f of inClass) {
        files.push(`${name}/${f}`);
        labels.push(label);
      }
    }
    const spec = { ...parsed, root, ...(options.skipBad ? { skipBad: true } : {}) };
    return new FolderDataset(
      spec,
      classNames,
      files,
      Int32Array.from(labels),
      classRoot,
      new BadFiles(options.skipBad),
    );
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'folder dataset');
    return this.cache.get(index, () => this.decode(index));
  }

  /** With the spec's `preload`: decodes the images `indices` (default all) into the cache now. */
  async preload(indices?: Iterable<number>): Promise<boolean> {
    if (!this.spec.preload) return false;
    await preloadInto(this.cache, indices ?? this.files.keys(), (i) => this.decode(i));
    return true;
  }

  private async decode(index: number): Promise<DatasetSample> {
    const path = join(this.classRoot, this.files[index]);
    const image = await this.bad.read(() => readSampleImage(path, this.spec.channels));
    return { id: this.files[index], image, label: this.labelArray[index] };
  }

  labels(): Int32Array {
    return this.labelArray.slice();
  }

  ids(): string[] {
    return this.files.slice();
  }

  describe(): FolderSpec {
    return structuredClone(this.spec);
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }
}
