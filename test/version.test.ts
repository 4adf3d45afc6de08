// The version rule for run folders and exported models: same major.minor reads, anything else is a one-line
// error naming the file and both versions; files from before versions were recorded are read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkVersionCompatible, medattnVersion, VersionMismatchError } from '../src/version.js';

test('medattnVersion is package.json version', () => {
  assert.equal(medattnVersion, (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
});

test('same major.minor (any patch, prerelease) is compatible; no recorded version is accepted', () => {
  for (const written of ['0.1.0', '0.1.7', '0.1.2-rc.1', undefined])
    assert.doesNotThrow(() => checkVersionCompatible('run/model.json', written, '0.1.3'));
});

test('another minor or major, or not a version, is a one-line VersionMismatchError naming the file and both versions', () => {
  for (const written of ['0.2.0', '1.1.0', '0.0.9', 'banana', 7]) {
    assert.throws(
      () => checkVersionCompatible('run/model.json', written, '0.1.3'),
      (e: Error) =>
        e instanceof VersionMismatchError &&
        !e.message.includes('\n') &&
        e.message.startsWith(`run/model.json: written by medattn ${String(written)}, this is medattn 0.1.3; `) &&
        e.message.includes('(0.1.x)'),
    );
  }
});
