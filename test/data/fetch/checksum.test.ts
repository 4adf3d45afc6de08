// The three publisher hashes, against values computed by git, md5sum and sha256sum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileDigest } from '../../../src/data/fetch/checksum.js';

const file = join(mkdtempSync(join(tmpdir(), 'medattn-checksum-')), 'hello.txt');
writeFileSync(file, 'hello\n');

test('git blob SHA-1, MD5 and SHA-256 of "hello\\n"', async () => {
  // `git hash-object` of "hello\n" is the well-known ce01362...; md5sum and sha256sum give the other two.
  assert.equal(await fileDigest(file, 'git-blob-sha1'), 'ce013625030ba8dba906f756967f9e9ca394464a');
  assert.equal(await fileDigest(file, 'md5'), 'b1946ac92492d2347c6235b4d2611184');
  assert.equal(await fileDigest(file, 'sha256'), '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');
});

test(
  'git blob SHA-1 equals git hash-object on a binary file',
  { skip: spawnSync('git', ['--version']).status !== 0 && 'git not installed' },
  async () => {
    const bin = join(mkdtempSync(join(tmpdir(), 'medattn-checksum-')), 'x.bin');
    writeFileSync(bin, Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256)));
    const git = spawnSync('git', ['hash-object', bin], { encoding: 'utf8' }).stdout.trim();
    assert.equal(await fileDigest(bin, 'git-blob-sha1'), git);
  },
);
