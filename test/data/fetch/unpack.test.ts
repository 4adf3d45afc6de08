// Archives unpacked into a folder: tar.gz made by GNU tar (the reference writer, with a name too long for the
// ustar header), zip made by fflate; members that would escape the folder are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { unpackArchive } from '../../../src/data/fetch/unpack.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'medattn-unpack-'));
const LONG = `${'deep-folder-name/'.repeat(8)}record-with-a-long-name.txt`; // 153 characters: past ustar's 100

test('tar.gz from GNU tar: files, folders and a long member name in the same layout', () => {
  const src = fresh();
  mkdirSync(join(src, 'set-a', ...LONG.split('/').slice(0, -1)), { recursive: true });
  writeFileSync(join(src, 'set-a', '132539.txt'), 'Time,Parameter,Value\n00:00,RecordID,132539\n');
  writeFileSync(join(src, 'set-a', LONG), 'long');
  const archive = join(fresh(), 'set-a.tar.gz');
  for (const format of ['gnu', 'pax']) {
    const made = spawnSync('tar', ['-czf', archive, `--format=${format}`, '-C', src, 'set-a']);
    assert.equal(made.status, 0, made.stderr?.toString());
    const out = join(fresh(), 'physionet2012');
    assert.equal(unpackArchive(archive, 'tar.gz', out), 2);
    assert.deepEqual(readdirSync(out), ['set-a']);
    assert.equal(
      readFileSync(join(out, 'set-a', '132539.txt'), 'utf8'),
      'Time,Parameter,Value\n00:00,RecordID,132539\n',
    );
    assert.equal(readFileSync(join(out, 'set-a', LONG), 'utf8'), 'long', format);
  }
});

test('zip: files and folders unpacked', () => {
  const archive = join(fresh(), 'x.zip');
  writeFileSync(archive, zipSync({ 'a/b.txt': new TextEncoder().encode('bee'), 'c.bin': new Uint8Array([1, 2, 3]) }));
  const out = join(fresh(), 'x');
  assert.equal(unpackArchive(archive, 'zip', out), 2);
  assert.equal(readFileSync(join(out, 'a', 'b.txt'), 'utf8'), 'bee');
  assert.deepEqual([...readFileSync(join(out, 'c.bin'))], [1, 2, 3]);
});

test('members that would land outside the folder are refused; a corrupt archive is a clear error', () => {
  const archive = join(fresh(), 'evil.zip');
  writeFileSync(archive, zipSync({ 'ok.txt': new Uint8Array([1]), '../../evil.txt': new Uint8Array([1]) }));
  assert.throws(
    () => unpackArchive(archive, 'zip', join(fresh(), 'x')),
    /archive member '\.\.\/\.\.\/evil\.txt' would land outside/,
  );
  const junk = join(fresh(), 'junk.tar.gz');
  writeFileSync(junk, 'not gzip at all');
  assert.throws(() => unpackArchive(junk, 'tar.gz', join(fresh(), 'y')), /not a readable gzip file/);
});
