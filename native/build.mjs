// Builds the native addon with node-gyp, after checking that libtorch is there, so that a missing libtorch is
// one clear line instead of a page of compiler errors. Skips the build when the addon is newer than its
// sources (npm install runs this every time). --force rebuilds.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'medattn.node');
const libtorch = process.env.LIBTORCH;
const header = libtorch ? join(libtorch, 'include', 'ATen', 'ATen.h') : '/usr/include/ATen/ATen.h';

if (!existsSync(header)) {
  console.error(
    libtorch
      ? `medattn: LIBTORCH=${libtorch} has no include/ATen/ATen.h; point LIBTORCH at an unpacked libtorch folder.`
      : 'medattn: libtorch not found; install it with `sudo apt-get install libtorch-dev libopenblas0-pthread` (or set LIBTORCH=/path/to/libtorch).',
  );
  // Installed as a dependency (no src/ beside: the published package), the readers, datasets and metrics work
  // without libtorch, so the install goes on without the addon; the first tensor says how to build it later.
  // A checkout and an explicit `npm run build:native` still fail.
  if (process.env.npm_lifecycle_event === 'install' && !existsSync(join(root, 'src'))) {
    console.error(
      'medattn: installed without the native addon (tensors, training); after installing libtorch run `npm rebuild medattn`.',
    );
    process.exit(0);
  }
  process.exit(1);
}

const sources = [
  join(root, 'binding.gyp'),
  ...readdirSync(join(root, 'native', 'src')).map((f) => join(root, 'native', 'src', f)),
];
const fresh =
  !process.argv.includes('--force') &&
  existsSync(addon) &&
  sources.every((s) => statSync(s).mtimeMs < statSync(addon).mtimeMs);
if (fresh) process.exit(0);

const started = Date.now();
const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const args = existsSync(gyp) ? [gyp] : [];
const command = existsSync(gyp) ? process.execPath : 'node-gyp';
// Build against the headers of the running Node when they are installed beside it (no download needed).
const nodeDir = process.env.npm_config_nodedir || dirname(dirname(process.execPath));
const nodeDirArg = existsSync(join(nodeDir, 'include', 'node', 'node.h')) ? [`--nodedir=${nodeDir}`] : [];
const result = spawnSync(command, [...args, 'rebuild', '-j', String(cpus().length), ...nodeDirArg], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('medattn: native addon build failed (see the compiler output above).');
  process.exit(result.status ?? 1);
}
console.log(`medattn: native addon built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
