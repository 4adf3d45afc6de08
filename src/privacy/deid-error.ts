import { UserError } from '../user-error.js';

/** A file or option `medattn deid` cannot de-identify safely: one line naming it and why. */
export class DeidError extends UserError {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}
