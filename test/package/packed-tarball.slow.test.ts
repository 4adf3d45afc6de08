// What a user gets from npm: `npm pack` (prepack builds dist/), then `npm install <tarball>` into an empty folder,
// whose install script compiles the native addon against the system's libtorch. From there, without tsx and
// without the sources, `npx medattn --help` works, a tiny 1-epoch train over a folder of generated PNGs writes its
// run folder (loader worker included), `evaluate --json` reads it back, and importing `medattn/metrics` or
// `medattn/io` from the installed package maps no libtorch until a tensor is made. Slow tier: the build, the
// install and the addon compile take minutes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const work = mkdtempSync(join(tmpdir(), 'medattn-pack-'));
const app = join(work, 'app');

// npm's own variables (set when this runs under `npm run test:slow`) would leak the checkout's settings into
// the install; the user's shell has none of them.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const started = Date.now();
  const r = spawnSync(command, args, { encoding: 'utf8', env: cleanEnv, maxBuffer: 64 << 20, ...options });
  const seconds = (Date.now() - started) / 1000;
  const out = { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), seconds };
  const tail = (s: string) => s.trim().split('\n').slice(-15).join('\n');
  assert.equal(
    r.status,
    0,
    `${command} ${args.join(' ')} exited ${r.status}:\n${tail(out.stderr)}\n${tail(out.stdout)}`,
  );
  return out;
}

interface PackEntry {
  filename: string;
  files: { path: string }[];
}

let tarball = '';
let packedFiles: string[] = [];
const seconds: Record<string, number> = {};

before(() => {
  mkdirSync(app);
  const pack = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repoRoot });
  // prepack's build output can precede npm's JSON on stdout.
  const entries = JSON.parse(pack.stdout.slice(pack.stdout.search(/^\[/m))) as PackEntry[];
  tarball = join(work, entries[0].filename);
  packedFiles = entries[0].files.map((f) => f.path);
  seconds.pack = pack.seconds;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // onnxruntime-node's install script would fetch its CUDA provider from nuget.org, which CI cannot reach;
  // its CPU binaries ship inside the npm package (the README says to set this when installing offline).
  seconds.install = run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: app,
    env: { ...cleanEnv, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  }).seconds;
});

after(() => {
  console.log(
    `npm pack (with prepack build) ${seconds.pack?.toFixed(0)} s, npm install ${seconds.install?.toFixed(0)} s`,
  );
  rmSync(work, { recursive: true, force: true });
});

test('the tarball ships compiled JavaScript, declarations and the addon sources, not the TypeScript sources', () => {
  for (const path of [
    'bin/medattn.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli/main.js',
    'dist/data/loader/worker.js',
    'dist/metrics/index.d.ts',
    'dist/data/io/index.js',
    'native/build.mjs',
    'native/src/addon.cc',
    'binding.gyp',
    'configs/pneumoniamnist.json',
  ]) {
    assert.ok(packedFiles.includes(path), `${path} missing from the tarball`);
  }
  const unwanted = packedFiles.filter(
    (p) => /^(src|test|bench|build)\//.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts')),
  );
  assert.deepEqual(unwanted, []);
});

test('the installed package built its addon and has no tsx', () => {
  const pkg = join(app, 'node_modules', 'medattn');
  assert.ok(existsSync(join(pkg, 'build', 'Release', 'medattn.node')), 'the install script did not build the addon');
  assert.equal(existsSync(join(app, 'node_modules', 'tsx')), false);
  assert.equal(existsSync(join(pkg, 'src')), false);
});

test('npx medattn --help runs from the installed package', () => {
  const r = run('npx', ['--no', '--', 'medattn', '--help'], { cwd: app });
  for (const command of ['train', 'evaluate', 'predict', 'inspect', 'models'])
    assert.match(r.stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
});

/** 16x16 grey PNGs: class 'bright' around 200, class 'dark' around 50, a few grey levels of spread. */
async function writeImages(root: string, split: string, perClass: number): Promise<void> {
  for (const [cls, level] of [
    ['bright', 200],
    ['dark', 50],
  ] as const) {
    const folder = join(root, split, cls);
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(16 * 16, level + ((i * 7) % 21) - 10);
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(folder, `${i}.png`));
    }
  }
}

test('a tiny train and evaluate run from the installed package, loader worker included', async () => {
  const images = join(app, 'images');
  await writeImages(images, 'train', 8);
  await writeImages(images, 'val', 4);
  const config = {
    name: 'packed tiny',
    task: 'classification',
    data: {
      train: { kind: 'folder', root: 'images', split: 'train' },
      val: { kind: 'folder', root: 'images', split: 'val' },
    },
    transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
    model: {
      name: 'attention_cnn',
      config: { inChannels: 1, numClasses: 2, stages: [{ channels: 4, attention: 'se', convs: 1 }] },
    },
    training: { epochs: 1, batchSize: 4, seed: 0, workers: 1 },
  };
  writeFileSync(join(app, 'tiny.json'), JSON.stringify(config));
  const env = { ...cleanEnv, MEDATTN_THREADS: '2' };
  run('npx', ['--no', '--', 'medattn', 'train', '--config', 'tiny.json', '--out', 'run'], { cwd: app, env });
  for (const file of ['config.json', 'model.json', 'best.safetensors', 'metrics.json', 'report.html']) {
    assert.ok(existsSync(join(app, 'run', file)), `run/${file} missing`);
  }
  const metrics = JSON.parse(readFileSync(join(app, 'run', 'metrics.json'), 'utf8')) as { history: unknown[] };
  assert.equal(metrics.history.length, 1);
  const evaluated = run(
    'npx',
    ['--no', '--', 'medattn', 'evaluate', '--run', 'run', '--data', 'images', '--split', 'val', '--json'],
    {
      cwd: app,
      env,
    },
  );
  const result = JSON.parse(evaluated.stdout) as Record<string, number>;
  assert.equal(result.n, 8);
  for (const key of ['accuracy', 'auroc', 'precision', 'recall', 'specificity', 'f1']) {
    assert.equal(typeof result[key], 'number', key);
  }
  // Bright against dark images: one epoch already ranks every validation image right (measured: AUROC 1).
  assert.equal(result.auroc, 1);
});

test('the installed medattn/metrics and medattn/io load no libtorch until a tensor is made', () => {
  copyFileSync(join(here, 'fixtures', 'lazy-native-probe.mjs'), join(app, 'probe.mjs'));
  const { before: untouched, after: used } = JSON.parse(run(process.execPath, ['probe.mjs'], { cwd: app }).stdout) as {
    before: Record<string, unknown>;
    after: Record<string, unknown>;
  };
  assert.deepEqual(
    [untouched.auroc, untouched.pngPixels, untouched.npyValues, untouched.libtorch, untouched.addon],
    [0.75, [0, 50, 100, 150, 200, 250], [1.5, -2, 0.25, 8], false, false],
  );
  assert.deepEqual([used.sum, used.libtorch, used.addon], [6, true, true]);
});
