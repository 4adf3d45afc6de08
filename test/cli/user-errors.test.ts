// Every error a user can cause, fed through the real command line: each class that extends UserError in src
// (found by scanning the sources, so a new class without a case here fails this test) has an invocation on
// small generated inputs that raises it, and the CLI must answer exit code 1 with exactly one line on stderr
// that names the file or option. MEDATTN_ERROR_CLASS_FILE makes the CLI record which class the line came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { AttentionCNNConfig } from '../../src/models/attention-cnn.js';
import { createModel } from '../../src/models/registry.js';
import { saveTensors } from '../../src/tensor/index.js';
import { writeSafetensorsFile } from '../../src/tensor/safetensors.js';
import { tinyConfig, writeTinyMedmnist } from '../helpers/tiny-medmnist.js';

const SRC = resolve('src');

/** Names of every class in src that extends UserError, directly or through another class. */
function userErrorClasses(): string[] {
  const parent = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/\bclass\s+(\w+)(?:<[^{]*?>)?\s+extends\s+(\w+)/g))
          parent.set(m[1], m[2]);
    }
  };
  walk(SRC);
  const isUserError = (name: string, seen = new Set<string>()): boolean => {
    const p = parent.get(name);
    if (!p || seen.has(name)) return false;
    seen.add(name);
    return p === 'UserError' || isUserError(p, seen);
  };
  return [...parent.keys()].filter((name) => isUserError(name)).sort();
}

const dir = mkdtempSync(join(tmpdir(), 'medattn-user-errors-'));
const at = (...parts: string[]) => join(dir, ...parts);

// Inputs: a tiny .npz, a valid config over it, and variants written by the cases below.
const npz = at('tiny.npz');
writeTinyMedmnist(npz, { train: { n: 32 }, val: { n: 16 } });
const negativesOnly = at('negatives.npz');
writeTinyMedmnist(negativesOnly, { train: { n: 32 }, val: { n: 16, label: () => 0 } });
const config = tinyConfig(npz);
type Config = ReturnType<typeof tinyConfig>;

function writeConfig(name: string, change: (c: Config) => unknown = (c) => c): string {
  const path = at(name);
  writeFileSync(path, JSON.stringify(change(structuredClone(config))));
  return path;
}

/** A run folder as `train` writes it (config.json, model.json), with the checkpoint a case asks for. */
function fakeRun(name: string, model: object, checkpoint: (file: string) => void): string {
  const run = at(name);
  mkdirSync(run);
  writeFileSync(join(run, 'config.json'), JSON.stringify(config));
  writeFileSync(join(run, 'model.json'), JSON.stringify({ ...model, task: 'classification', inputShape: [1, 16, 16] }));
  checkpoint(join(run, 'best.safetensors'));
  return run;
}
const cnn = { model: 'attention_cnn', config: config.model.config };
/** The weights of the config's model, as training would have saved them. */
const realWeights = (file: string) =>
  saveTensors(file, createModel('attention_cnn', config.model.config as AttentionCNNConfig).stateDict());
const oneTensor = (file: string) =>
  writeSafetensorsFile(file, { 'not.a.weight': { dtype: 'F32', shape: [1], data: new Uint8Array(4) } });

/** Class folders of PNGs: `sizes[i]` is the side of image i (alternating classes a and b). */
async function pngFolder(name: string, sizes: number[]): Promise<string> {
  const root = at(name);
  for (const [i, size] of sizes.entries()) {
    const cls = join(root, i % 2 ? 'b' : 'a');
    mkdirSync(cls, { recursive: true });
    const pixels = Buffer.alloc(size * size, i % 2 ? 200 : 50);
    await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
      .png()
      .toFile(join(cls, `${i}.png`));
  }
  return root;
}

interface Case {
  /** Arguments after `medattn`, built when the case runs (it may write its inputs first). */
  args: () => string[] | Promise<string[]>;
  /** What the one line must say: it names the file or option. */
  line: RegExp;
}

const cases: Record<string, Case> = {
  UsageError: { args: () => ['train'], line: /^medattn: train: give --config FILE \(or --resume DIR\)$/ },
  ConfigError: {
    args: () => ['train', '--config', writeConfig('epochs.json'), '--set', 'training.epochs=0'],
    line: /epochs\.json: training\.epochs: /,
  },
  ModelConfigError: {
    args: () => ['train', '--config', writeConfig('wide.json'), '--set', 'model.config.stages.0.channels=1e12'],
    line: /attention_cnn: option 'stages\.0\.channels' must be a positive integer up to 65536, got 1000000000000$/,
  },
  UnknownAttentionError: {
    args: () => ['train', '--config', writeConfig('attention.json'), '--set', 'model.config.stages.0.attention=bogus'],
    line: /attention_cnn: option 'stages\.0\.attention': unknown attention 'bogus'; expected one of none, se, /,
  },
  UnknownModelError: {
    args: () => ['evaluate', '--run', fakeRun('unknown-model', { ...cnn, model: 'bogus' }, oneTensor), '--data', npz],
    line: /unknown-model\/model\.json: unknown model 'bogus'; expected one of attention_cnn, /,
  },
  StateDictError: {
    args: () => ['evaluate', '--run', fakeRun('wrong-weights', cnn, oneTensor), '--data', npz],
    line: /wrong-weights\/best\.safetensors: .*not\.a\.weight/,
  },
  SafetensorsError: {
    args: () => [
      'evaluate',
      '--run',
      fakeRun('garbage', cnn, (f) => writeFileSync(f, 'not a checkpoint')),
      '--data',
      npz,
    ],
    line: /garbage\/best\.safetensors: /,
  },
  MedattnDataError: {
    args: () => {
      writeFileSync(at('notes.png'), 'not an image');
      return ['inspect', at('notes.png')];
    },
    line: /notes\.png: /,
  },
  DatasetSpecError: {
    args: () => {
      writeFileSync(at('spec.json'), JSON.stringify({ kind: 'medmnist', file: npz, spilt: 'val' }));
      return ['evaluate', '--run', fakeRun('for-spec', cnn, realWeights), '--data', at('spec.json')];
    },
    line: /dataset spec: kind 'medmnist': spilt: unknown option$/,
  },
  TransformError: {
    args: () => [
      'train',
      '--config',
      writeConfig('crop.json', (c) => ({
        ...c,
        transforms: { ...c.transforms, eval: [{ type: 'centerCropOrPad', size: [8, 8, 8] }] },
      })),
    ],
    line: /CenterCropOrPad: size has 3 axes, images have 2/,
  },
  LoaderError: {
    args: async () => {
      const root = await pngFolder('mixed-sizes', [16, 16, 20, 20, 16, 20, 16, 20]);
      const path = writeConfig('mixed.json', (c) => ({
        ...c,
        data: { train: { kind: 'folder', root, channels: 1 }, val: { kind: 'folder', root, channels: 1 } },
        training: { ...c.training, batchSize: 8 },
      }));
      return ['train', '--config', path];
    },
    line: /collate: sample \d+ field "image" has shape \[1,(16|20),\1\] but sample \d+ has \[1,\d+,\d+\]; crop or resize/,
  },
  DeviceError: {
    args: () => ['train', '--config', writeConfig('device.json'), '--set', 'training.device=tpu'],
    line: /device\.json: training\.device: unknown dtype or device 'tpu'/,
  },
  MetricInputError: {
    args: () => [
      'train',
      '--config',
      writeConfig('youden.json', (c) => ({
        ...c,
        data: { ...c.data, val: { ...c.data.val, file: negativesOnly } },
        training: { ...c.training, threshold: 'youden' },
      })),
    ],
    line: /validation data has no positive sample/,
  },
  SkippedSampleError: {
    args: async () => {
      const root = await pngFolder('all-bad', [16, 16]);
      for (const cls of ['a', 'b'])
        for (const f of readdirSync(join(root, cls)))
          writeFileSync(join(root, cls, f), Buffer.from('\x89PNG\r\n\x1a\n broken'));
      const path = writeConfig('all-bad.json', (c) => ({
        ...c,
        data: { train: { kind: 'medmnist', file: npz }, val: { kind: 'folder', root } },
      }));
      return ['train', '--config', path, '--skip-bad'];
    },
    line: /all-bad\/a\/0\.png: /,
  },
  DistributedError: {
    args: () => [
      'launch',
      '--nnodes',
      '2',
      '--node-rank',
      '5',
      '--',
      'train',
      '--config',
      writeConfig('dist.json'),
      '--out',
      at('dist'),
    ],
    line: /^medattn: --node-rank: expected an integer 0\.\.1, got 5$/,
  },
  ServeError: {
    args: () => ['token', 'new', '--token-file', at('no-such-folder/tokens')],
    line: /^medattn: --token-file: .*no-such-folder\/tokens: cannot append to it \(ENOENT\)$/,
  },
  FetchError: { args: () => ['data', 'fetch', 'no-such-dataset', '--dir', at('fetched')], line: /no-such-dataset/ },
  ExportError: {
    args: () => ['export', '--run', fakeRun('export-opset', cnn, realWeights), '--opset', '9'],
    line: /^medattn: --opset: expected one of .*got 9$/,
  },
  DeidError: {
    args: () => ['deid', at('no-such-dicom-folder'), at('deid-out')],
    line: /no-such-dicom-folder: no such file or folder$/,
  },
  FlError: {
    args: () => ['fl', 'client', '--config', at('unused.json'), '--server', 'http://127.0.0.1:1', '--token', 't'],
    line: /^medattn: --server: must be an https:\/\/ URL, got 'http:\/\/127\.0\.0\.1:1'$/,
  },
  OnnxModelError: {
    args: () => {
      const run = fakeRun('corrupt-onnx', cnn, realWeights);
      writeFileSync(join(run, 'model.onnx'), 'not a model');
      return ['evaluate', '--run', run, '--data', npz];
    },
    line: /corrupt-onnx\/model\.onnx: not an ONNX model/,
  },
  VersionMismatchError: {
    args: () => [
      'evaluate',
      '--run',
      fakeRun('old-version', { ...cnn, medattnVersion: '0.0.3' }, realWeights),
      '--data',
      npz,
    ],
    line: /old-version\/model\.json: written by medattn 0\.0\.3, this is medattn \d+\.\d+\.\d+; runs are read by the same major\.minor/,
  },
};

/** Runs `medattn ...args` in the temp folder; resolves with the exit code, stderr and the recorded class. */
function medattn(name: string, args: string[]): Promise<{ code: number | null; stderr: string; thrown: string }> {
  const classFile = at(`${name}.class`);
  rmSync(classFile, { force: true });
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve('bin/medattn.js'), ...args], {
      cwd: dir,
      env: { ...process.env, MEDATTN_THREADS: '1', MEDATTN_ERROR_CLASS_FILE: classFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) =>
      done({ code, stderr, thrown: existsSync(classFile) ? readFileSync(classFile, 'utf8') : '(none recorded)' }),
    );
  });
}

// Two invocations at a time: most of each is process start-up.
const results = new Map<string, ReturnType<typeof medattn>>();
{
  const queue = Object.keys(cases);
  let running = Promise.resolve();
  const lanes = [running, running];
  queue.forEach((name, i) => {
    const lane = i % lanes.length;
    const result = lanes[lane].then(async () => medattn(name, await cases[name].args()));
    lanes[lane] = result.then(() => undefined);
    results.set(name, result);
  });
  running = Promise.all(lanes).then(() => undefined);
}

test('every UserError subclass in src has a CLI case', () => {
  const classes = userErrorClasses();
  assert.ok(classes.length >= 14, `found only ${classes.join(', ')}`);
  assert.deepEqual(
    classes.filter((c) => !(c in cases)),
    [],
    'classes without a case in test/cli/user-errors.test.ts',
  );
  assert.deepEqual(
    Object.keys(cases).filter((c) => !classes.includes(c)),
    [],
    'cases for classes that no longer extend UserError',
  );
});

/** The lines `train` prints before an error met while training (one line per epoch without a TTY). */
const PROGRESS = /^(training on \d+ samples .*|epoch \d+\/\d+ .*)$/;

for (const name of Object.keys(cases)) {
  test(`${name} through the CLI: exit 1, one line naming the file or option`, async () => {
    const { code, stderr, thrown } = await results.get(name)!;
    // Errors met while training come after its progress lines; the error itself must be one line.
    const lines = stderr
      .trimEnd()
      .split('\n')
      .filter((l) => !PROGRESS.test(l));
    assert.equal(code, 1, stderr);
    assert.equal(lines.length, 1, `more than one line on stderr:\n${stderr}`);
    assert.equal(thrown, name, `the line came from ${thrown}: ${stderr}`);
    assert.match(lines[0], cases[name].line);
  });
}
