import { UserError } from '../../user-error.js';

/**
 * The one error type every reader throws for input a user can get wrong (missing, truncated, corrupted or
 * unsupported files). The message is always a single line `<file>: <reason>` so the CLI can print it as is.
 */
export class MedattnDataError extends UserError {
  readonly file: string;
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    const oneLine = reason.replace(/\s+/g, ' ').trim();
    super(`${file}: ${oneLine}`, options);
    this.file = file;
    this.reason = oneLine;
  }
}

/** Text of anything thrown by a library: some (dicom-parser) throw plain strings, codecs throw numbers. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

/**
 * Runs `work` and turns whatever a library throws into a MedattnDataError naming the file, keeping our own
 * errors unchanged so their more precise reason survives.
 */
export function rethrowAsDataError<T>(file: string, what: string, work: () => T): T {
  try {
    return work();
  } catch (thrown) {
    throw asDataError(file, what, thrown);
  }
}

export function asDataError(file: string, what: string, thrown: unknown): MedattnDataError {
  if (thrown instanceof MedattnDataError) return thrown;
  if (thrown instanceof RangeError && /offset|bounds|length/i.test(thrown.message)) {
    return new MedattnDataError(file, `${what}: file is truncated or corrupted (${thrown.message})`, { cause: thrown });
  }
  return new MedattnDataError(file, `${what}: ${describeThrown(thrown)}`, { cause: thrown });
}
