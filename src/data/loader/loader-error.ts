/** A user-caused loader problem (bad dataset description, mismatched sample shapes, a failing worker). */
export class LoaderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LoaderError';
  }
}
