import { UserError } from '../../user-error.js';

/** A user-caused loader problem (bad dataset description, mismatched sample shapes, a failing worker). */
export class LoaderError extends UserError {}
