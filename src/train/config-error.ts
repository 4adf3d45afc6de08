import { UserError } from '../user-error.js';

/** A configuration that cannot work: the message is one line naming the file and the option. */
export class ConfigError extends UserError {
  constructor(
    readonly file: string,
    readonly option: string,
    reason: string,
  ) {
    super(`${file}: ${option ? `${option}: ` : ''}${reason}`);
  }
}
