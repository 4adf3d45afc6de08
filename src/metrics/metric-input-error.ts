import { UserError } from '../user-error.js';

/**
 * Thrown when a metric is given inputs it cannot score (mismatched lengths, labels out of range, shapes that
 * disagree). The message is one line and names the function and what was expected, so the CLI can print it.
 */
export class MetricInputError extends UserError {
  constructor(
    readonly where: string,
    problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}
