/**
 * The publishers' hashes of a file: MD5 (Zenodo, MedMNIST's info.py), SHA-256 (PhysioNet's SHA256SUMS.txt)
 * and the git blob SHA-1 (a file in a GitHub repository at a pinned commit: SHA-1 of "blob <size>\0" + bytes).
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

export type ChecksumAlgorithm = 'md5' | 'sha256' | 'git-blob-sha1';

export interface Checksum {
  algorithm: ChecksumAlgorithm;
  /** Lower-case hex digest. */
  value: string;
}

/** The hex digest of a file with `algorithm`, streamed (archives can be large). */
export async function fileDigest(path: string, algorithm: ChecksumAlgorithm): Promise<string> {
  const hash = createHash(algorithm === 'git-blob-sha1' ? 'sha1' : algorithm);
  if (algorithm === 'git-blob-sha1') hash.update(`blob ${statSync(path).size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
