import { UserError } from '../../user-error.js';

/**
 * A data set could not be fetched: unknown name, a server error, a cut or timed-out connection, a checksum that
 * does not match the publisher's. The message is one line naming the data set and the URL or file.
 */
export class FetchError extends UserError {}
