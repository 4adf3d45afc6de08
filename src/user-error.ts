/**
 * The base of every error a user can cause: a bad file, a bad config or option, data of the wrong shape.
 * Its message is one line that names the file or option and what was wrong; the CLI prints it and exits 1.
 * Any other error that escapes is a bug in medattn (exit 2 with the stack).
 *
 * On the ground floor (imports nothing) so that readers, datasets and metrics can throw it without libtorch.
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
