/**
 * Bearer tokens for the service. A token is 32 random bytes (base64url); the token file keeps only the SHA-256 of
 * each token, one `sha256:<hex>` line per token (comments with #), so reading the file does not give access.
 * A fast hash is enough here: the tokens are random 256-bit secrets, not passwords that could be guessed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { ServeError } from './serve-error.js';

const PREFIX = 'sha256:';

export function hashToken(token: string): string {
  return PREFIX + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Makes a token, appends its hash to `file` (created with mode 0600) and returns the token: shown once, never stored. */
export function newToken(file: string): string {
  const token = `mdt_${randomBytes(32).toString('base64url')}`;
  try {
    appendFileSync(file, `${hashToken(token)}\n`, { mode: 0o600 });
  } catch (e) {
    throw new ServeError('--token-file', `${file}: cannot append to it (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  return token;
}

/** The token hashes in `file`; a line that is not a hash is an error naming it (a pasted token would be one). */
export function readTokenFile(file: string): Buffer[] {
  if (!existsSync(file))
    throw new ServeError('--token-file', `${file}: no such file (make one with medattn token new)`);
  const hashes: Buffer[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      if (!/^sha256:[0-9a-f]{64}$/.test(line))
        throw new ServeError(
          '--token-file',
          `${file} line ${i + 1}: expected sha256:<64 hex digits> (token hashes only)`,
        );
      hashes.push(Buffer.from(line.slice(PREFIX.length), 'hex'));
    });
  if (!hashes.length)
    throw new ServeError('--token-file', `${file}: holds no token hash (add one with medattn token new)`);
  return hashes;
}

/**
 * Whether `token` is one of `hashes`. Compares fixed-length digests with timingSafeEqual and checks every
 * entry, so the time taken says nothing about how much of a token matched or which entry did.
 */
export function tokenAccepted(hashes: readonly Buffer[], token: string): boolean {
  const digest = createHash('sha256').update(token, 'utf8').digest();
  let ok = false;
  for (const h of hashes) ok = timingSafeEqual(h, digest) || ok;
  return ok;
}
