import { UserError } from '../user-error.js';

/** Export cannot proceed: a layer without an ONNX emitter, a bad option, an unreadable run. One line. */
export class ExportError extends UserError {}
