// Run-folder files are written whole or not at all, and the temp files a killed writer leaves behind are
// removed on the next start, without touching a live writer's temp or the user's own files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from '../../src/train/run-folder-files.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'medattn-run-files-'));
// Above Linux's pid_max (4,194,304): no process can have it, so its temps are stale.
const DEAD = 99999999;

test('writeFileAtomic replaces the file and leaves no temp file', () => {
  const dir = fresh();
  const path = join(dir, 'metrics.json');
  writeFileSync(path, 'old');
  writeFileAtomic(path, '{"new":true}');
  assert.equal(readFileSync(path, 'utf8'), '{"new":true}');
  assert.deepEqual(readdirSync(dir), ['metrics.json']);
});

test('a writeFileAtomic that fails after writing its temp file throws and removes the temp', () => {
  const dir = fresh();
  // The rename cannot replace a non-empty folder of that name.
  mkdirSync(join(dir, 'metrics.json'));
  writeFileSync(join(dir, 'metrics.json', 'inside'), 'x');
  assert.throws(
    () => writeFileAtomic(join(dir, 'metrics.json'), '{}'),
    (e: NodeJS.ErrnoException) => ['EISDIR', 'ENOTEMPTY'].includes(e.code ?? ''),
  );
  assert.deepEqual(readdirSync(dir), ['metrics.json']);
});

test('removeStaleTempFiles removes the temps of dead writers and nothing else', () => {
  const dir = fresh();
  const stale = [
    `.last.safetensors.${DEAD}.0a1b2c3d.tmp`, // safetensors writer killed mid-write
    `.metrics.json.${DEAD}.deadbeef.tmp`, // writeFileAtomic
    `metrics.json.tmp-${DEAD}`, // the JSON writer of earlier versions
    'report.html.tmp', // the report writer
    'loss.png.tmp',
  ];
  const kept = ['last.safetensors', 'notes.tmp', 'my-data.tmp-3', 'config.json', '.hidden'];
  for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), 'x');
  assert.deepEqual(removeStaleTempFiles(dir).sort(), [...stale].sort());
  assert.deepEqual(readdirSync(dir).sort(), [...kept].sort());
});

test("removeStaleTempFiles keeps the temp of a writer that is still running, and removes this process's own", async () => {
  const dir = fresh();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  await new Promise((ready) => child.on('spawn', ready));
  try {
    const live = `.best.safetensors.${child.pid}.00ff00ff.tmp`;
    const own = `.best.safetensors.${process.pid}.11ee11ee.tmp`;
    writeFileSync(join(dir, live), 'x');
    writeFileSync(join(dir, own), 'x');
    assert.deepEqual(removeStaleTempFiles(dir), [own]);
    assert.deepEqual(readdirSync(dir), [live]);
  } finally {
    child.kill();
  }
});
