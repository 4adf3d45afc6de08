/**
 * A dataset description that cannot work (unknown kind, missing option, bad regex, unknown id). It is a
 * MedattnDataError so the CLI prints it the same way, in one line: `dataset spec: <option>: <what is wrong>`.
 */
import { MedattnDataError } from '../io/errors.js';

export class DatasetSpecError extends MedattnDataError {
  constructor(option: string, reason: string) {
    super('dataset spec', option ? `${option}: ${reason}` : reason);
    this.name = 'DatasetSpecError';
  }
}
