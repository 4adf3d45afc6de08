// The published package's install script (native/build.mjs) on a machine without libtorch: installed as a
// dependency it warns and lets the install finish (readers, datasets and metrics need no libtorch); in a checkout
// or run by hand it fails with the one-line hint, as before. Runs a copy of the script in a temp package layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const buildScript = resolve(dirname(fileURLToPath(import.meta.url)), '../../native/build.mjs');

/** Runs build.mjs from a package folder with (checkout) or without (published) src/, LIBTORCH pointing nowhere. */
function runBuild(layout: 'published' | 'checkout', lifecycle: string | undefined) {
  const root = mkdtempSync(join(tmpdir(), 'medattn-nolibtorch-'));
  try {
    mkdirSync(join(root, 'native'));
    copyFileSync(buildScript, join(root, 'native', 'build.mjs'));
    if (layout === 'checkout') mkdirSync(join(root, 'src'));
    const env: NodeJS.ProcessEnv = { ...process.env, LIBTORCH: join(root, 'no-libtorch-here') };
    delete env.npm_lifecycle_event;
    if (lifecycle) env.npm_lifecycle_event = lifecycle;
    const r = spawnSync(process.execPath, [join(root, 'native', 'build.mjs')], { cwd: root, env, encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('npm install of the published package finishes without libtorch, saying how to add the addon later', () => {
  const r = runBuild('published', 'install');
  assert.equal(r.code, 0);
  assert.match(r.stderr, /has no include\/ATen\/ATen\.h/);
  assert.match(r.stderr, /installed without the native addon .*`npm rebuild medattn`/);
});

test('a checkout without libtorch still fails its install', () => {
  const r = runBuild('checkout', 'install');
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stderr, /installed without/);
});

test('npm run build:native without libtorch fails', () => {
  assert.equal(runBuild('published', 'build:native').code, 1);
  assert.equal(runBuild('published', undefined).code, 1);
});
