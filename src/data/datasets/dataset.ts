/**
 * The contract every dataset keeps. A dataset is an indexable list of samples that decodes lazily: `get(i)`
 * reads files, while `length`, `labels()` and `ids()` answer without decoding any image (class counts,
 * weights and stratified splits need labels for thousands of samples before training starts).
 *
 * `describe()` returns the spec that rebuilds the same dataset with `createDataset`: the loader's worker threads
 * cannot receive a dataset object, only data (structured-cloned), so every dataset must be rebuildable from its
 * spec. The loader, the trainer and the CLI all read samples through this one interface.
 */
import type { MedicalImage } from '../medical-image.js';
import type { DatasetSpec } from './spec.js';

/**
 * One example as a dataset hands it out; transforms take it as their `Sample` dictionary.
 * Images are channels-first ([C, H, W] or [C, D, H, W]); `mask` and `roi` are uint8 with the image's spatial
 * shape, binary 0/1 (or 0..k for multi-class NIfTI label maps).
 */
export type DatasetSample = {
  /** Stable name of the sample (case id, file path, `name:split:index`): used by id-based splits and reports. */
  id: string;
  image: MedicalImage;
  /** Class index into the dataset's `classNames`. */
  label?: number;
  mask?: MedicalImage<Uint8Array>;
  /** Region of interest (e.g. DRIVE's field of view) where segmentation metrics are computed. */
  roi?: MedicalImage<Uint8Array>;
  /** Multi-label targets (one 0/1 per class), e.g. ChestMNIST. */
  multiLabel?: Uint8Array;
  /** Further manifest columns, kept as text. */
  extra?: Record<string, string>;
  /** Further fields of in-memory (`arrays`) or module datasets (e.g. a `vessel` mask), passed to transforms. */
  [field: string]: unknown;
};

/** A file a `skipBad` dataset left out, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface Dataset {
  readonly length: number;
  /** Class names indexed by label, when the dataset has classes. */
  readonly classNames?: string[];
  /** Decodes sample `index` (0 <= index < length). */
  get(index: number): Promise<DatasetSample>;
  /** Every sample's label without decoding images, or undefined for unlabelled data. */
  labels(): Int32Array | undefined;
  /** Every sample's id without decoding images. */
  ids(): string[];
  /** The JSON spec that rebuilds this dataset (absolute paths, so it works from any working directory). */
  describe(): DatasetSpec;
  /** Files left out so far with `skipBad` (at creation, and by `get` calls in this process). */
  skipped(): SkippedFile[];
  /**
   * Decodes ahead what the spec asks to keep in memory (`preload`), for the samples `indices` (default all).
   * Loaders call it once when they open the dataset, in each worker thread. Resolves true when the spec asked
   * for it (the samples are now held in memory): the loader then also caches the output of the pipeline's
   * leading deterministic transforms per sample (loader/prefix-cache.ts).
   */
  preload?(indices?: Iterable<number>): Promise<boolean | void>;
  /**
   * The sample that `index` shows again (a subset's `repeat` lists each sample several times): indices with equal
   * source indices are the same sample. Absent: every index is its own sample. Per-sample caches key on it.
   */
  sourceIndex?(index: number): number;
}

/** Throws a RangeError unless `index` addresses a sample of a dataset of `length` samples. */
export function checkIndex(index: number, length: number, who: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${who}: index ${index} outside 0..${length - 1}`);
  }
}
