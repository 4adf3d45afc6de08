/**
 * Which errors a user caused: every subclass of UserError (bad file, bad config, wrong option), and the
 * file-system errors of a path the user gave. The CLI prints them as one line and exits 1; everything else is
 * an internal error: exit 2 with the stack for a bug report.
 */
import { UserError } from '../user-error.js';

export class UsageError extends UserError {}

const USER_FS_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR']);

export function isUserError(e: unknown): e is Error {
  if (e instanceof UserError) return true;
  return e instanceof Error && USER_FS_CODES.has((e as NodeJS.ErrnoException).code ?? '');
}

export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
