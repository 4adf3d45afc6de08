import { UserError } from '../user-error.js';

/** A configuration a user can get wrong: names the model, the option and what was expected. */
export class ModelConfigError extends UserError {
  constructor(model: string, option: string, expected: string, got: unknown) {
    super(`${model}: option '${option}' must be ${expected}, got ${JSON.stringify(got)}`);
  }
}
