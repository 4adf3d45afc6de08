/**
 * Files of a run folder written whole or not at all. A write goes to a hidden temp file
 * `.<name>.<pid>.<random>.tmp` (the safetensors writer's pattern), is fsynced and renamed over the file, so a
 * process killed mid-write leaves the old file and a temp file that no reader takes for a complete one;
 * `removeStaleTempFiles` deletes such leftovers when a run starts or resumes.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Writes `data` (text as UTF-8, or bytes) to `path` atomically (temp file, fsync, rename). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or never written.
    }
    throw e;
  }
}

/**
 * Temp files medattn writers leave when killed: `.<name>.<pid>.<hex>.tmp` (this module, safetensors),
 * `<name>.tmp-<pid>` and `<name>.tmp` (earlier writers and the report). Only temps of run-folder outputs match,
 * so other files in a folder the user chose with --out are left alone.
 */
const TEMP_FILE =
  /^\.?(?:[\w.-]+\.(?:json|jsonl|safetensors|html|png|onnx|pbtxt))(?:\.(\d+)\.[0-9a-f]+\.tmp|\.tmp-(\d+)|\.tmp)$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the temp files a killed writer left in `dir` (not recursive); a temp of another process that is
 * still running is kept. Returns the names removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = TEMP_FILE.exec(name);
    if (!m) continue;
    const pid = Number(m[1] ?? m[2] ?? NaN);
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // Removed meanwhile, or a folder of that name: nothing of ours to clean.
    }
  }
  return removed;
}
