/** A distributed run that cannot start or continue: rendezvous, a lost rank, a port in use. One line. */
import { UserError } from '../user-error.js';

export class DistributedError extends UserError {
  override name = 'DistributedError';
}
