/**
 * What a dataset does with a bad file. Without `skipBad` the first bad file throws its one-line
 * MedattnDataError. With `skipBad`, bad files found at creation are left out and listed; a file that only
 * turns out bad when `get` decodes it is listed too, and `get` throws a SkippedSampleError: the dataset's
 * length is fixed by then, so the caller (the loader, an evaluation loop) drops that sample and goes on.
 */
import { MedattnDataError } from '../io/errors.js';
import type { SkippedFile } from './dataset.js';

/** Thrown by `get` of a `skipBad` dataset for a sample whose file could not be read; already listed in `skipped()`. */
export class SkippedSampleError extends MedattnDataError {
  readonly skippedSample = true;

  constructor(error: MedattnDataError) {
    super(error.file, error.reason, { cause: error });
    this.name = 'SkippedSampleError';
  }
}

export class BadFiles {
  private readonly list: SkippedFile[] = [];

  constructor(readonly skipBad: boolean) {}

  /** A bad file found at creation: listed when skipping, thrown otherwise. */
  reject(error: MedattnDataError): void {
    if (!this.skipBad) throw error;
    this.note(error);
  }

  /** Runs a sample read; a data error becomes a SkippedSampleError (and a list entry) when skipping. */
  async read<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (!this.skipBad || !(e instanceof MedattnDataError)) throw e;
      this.note(e);
      throw e instanceof SkippedSampleError ? e : new SkippedSampleError(e);
    }
  }

  /** Entries so far (a copy). */
  entries(): SkippedFile[] {
    return this.list.map((s) => ({ ...s }));
  }

  private note(error: MedattnDataError): void {
    if (!this.list.some((s) => s.file === error.file && s.reason === error.reason)) {
      this.list.push({ file: error.file, reason: error.reason });
    }
  }
}
