/** A `medattn serve` / `medattn token` option or file a user got wrong (token file, certificate, run folder). */
import { UserError } from '../user-error.js';

export class ServeError extends UserError {
  constructor(option: string, reason: string) {
    super(`${option}: ${reason}`);
  }
}
