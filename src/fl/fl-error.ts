import { UserError } from '../user-error.js';

/** A federated-learning option, file or exchange a user can get wrong: one line naming it and why. */
export class FlError extends UserError {
  constructor(what: string, reason: string) {
    super(`${what}: ${reason}`);
  }
}
