// The medattn command end to end: train writes the run folder of the contract, evaluate --json prints the
// contract's keys with the metrics train recorded, predict gives probabilities, a resumed run equals an unbroken
// one, and user errors are one line with exit code 1. Run twice: on a synthetic MedMNIST-layout fixture the
// test writes (always, so a clone without ../shared exercises every path) and on a real PneumoniaMNIST subset
// (when ../shared/data is there; CI always has it).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readNpz } from '../../src/data/io/index.js';
import { cudaAvailable } from '../../src/tensor/index.js';
import { writeSyntheticPneumoniamnist } from '../fixtures/synthetic-xrays.js';
import { needsPneumonia, PNEUMONIA_NPZ, pneumoniaSubsets } from '../helpers/pneumonia-subset.js';
import { cliRunner } from '../helpers/cli.js';

const medattn = cliRunner({ threads: 2 });

function trainingConfig(npz: string, trainImages: number, valImages: number) {
  return {
    name: 'cli test',
    task: 'classification',
    data: pneumoniaSubsets(trainImages, valImages, npz),
    transforms: {
      train: [
        { type: 'toFloat', scale: 1 / 255 },
        { type: 'randFlip', axes: [1] },
      ],
      eval: [{ type: 'toFloat', scale: 1 / 255 }],
    },
    model: {
      name: 'attention_cnn',
      config: {
        inChannels: 1,
        numClasses: 2,
        stages: [
          { channels: 8, attention: 'se' },
          { channels: 8, attention: 'cbam' },
          { channels: 8, attention: 'nonlocal' },
        ],
        reduction: 4,
        dropout: 0.1,
      },
    },
    loss: { name: 'cross_entropy', classWeights: 'inverse' },
    optimizer: { name: 'adamw', lr: 0.003 },
    training: { epochs: 3, batchSize: 32, workers: 1, seed: 7 },
    report: { samples: 2 },
  };
}

interface DataSource {
  title: string;
  options: { skip: string | false };
  /** Returns the MedMNIST-layout .npz to train on (writing it under `dir` when it is a fixture). */
  npz: (dir: string) => string;
  /** Images in the whole val split, and the train/val subset sizes the config uses. */
  valSplit: number;
  trainImages: number;
  valImages: number;
}

function cliSuite(source: DataSource): void {
  describe(source.title, source.options, () => {
    let dir = '';
    let npz = '';
    let config!: ReturnType<typeof trainingConfig>;
    let configPath = '';
    let full = '';
    let trained!: ReturnType<typeof medattn>;

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'medattn-cli-'));
      npz = source.npz(dir);
      config = trainingConfig(npz, source.trainImages, source.valImages);
      configPath = join(dir, 'config.json');
      writeFileSync(configPath, JSON.stringify(config));
      full = join(dir, 'full');
      trained = medattn('train', '--config', configPath, '--out', full);
    });

    test('train writes the run folder of the contract', () => {
      assert.equal(trained.code, 0, trained.stderr);
      for (const f of [
        'config.json',
        'model.json',
        'best.safetensors',
        'last.safetensors',
        'metrics.json',
        'log.jsonl',
        'report.html',
        'loss.png',
        'metrics.png',
        'roc.png',
        'confusion.png',
        'attention.png',
      ])
        assert.ok(existsSync(join(full, f)), `missing ${f}`);
      const recorded = JSON.parse(readFileSync(join(full, 'model.json'), 'utf8')) as { medattnVersion?: string };
      const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
      assert.equal(recorded.medattnVersion, version, 'model.json records the medattn version that trained the run');
      const metrics = JSON.parse(readFileSync(join(full, 'metrics.json'), 'utf8'));
      assert.equal(metrics.history.length, 3);
      assert.equal(metrics.monitor, 'auroc');
      assert.equal(readFileSync(join(full, 'log.jsonl'), 'utf8').trim().split('\n').length, 3);
      assert.match(trained.stderr, /epoch 3\/3 .*auroc/, 'one line per epoch when not on a terminal');
      assert.match(trained.stdout, /report: .*report\.html/);
      assert.match(
        readFileSync(join(full, 'report.html'), 'utf8'),
        /Columns: input \| [^<]*\| Grad-CAM of the predicted class\./,
      );
    });

    test('evaluate --json prints the contract keys, equal to the best epoch train recorded', () => {
      const r = medattn('evaluate', '--run', full, '--data', npz, '--split', 'val', '--json');
      assert.equal(r.code, 0, r.stderr);
      const all = JSON.parse(r.stdout);
      for (const k of ['n', 'accuracy', 'auroc', 'precision', 'recall', 'specificity', 'f1'])
        assert.equal(typeof all[k], 'number', k);
      assert.equal(all.n, source.valSplit);
      // The same model on the same validation subset reproduces the recorded best metrics.
      const subset = join(dir, 'val-subset.json');
      writeFileSync(subset, JSON.stringify(config.data.val));
      const s = JSON.parse(medattn('evaluate', '--run', full, '--data', subset, '--json').stdout);
      const best = JSON.parse(readFileSync(join(full, 'metrics.json'), 'utf8')).best;
      for (const k of ['n', 'accuracy', 'auroc', 'f1', 'specificity'])
        assert.ok(Math.abs(s[k] - best[k]) < 1e-6, `${k}: ${s[k]} vs ${best[k]}`);
    });

    test('predict gives class probabilities for an image file', async () => {
      const arrays = await readNpz(npz, { keys: ['val_images'] });
      const images = arrays.get('val_images')!;
      const png = join(dir, 'xray.png');
      await sharp(Buffer.from((images.data as Uint8Array).subarray(0, 28 * 28)), {
        raw: { width: 28, height: 28, channels: 1 },
      })
        .png()
        .toFile(png);
      const r = medattn('predict', '--run', full, '--json', png);
      assert.equal(r.code, 0, r.stderr);
      const [p] = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(p.probabilities), ['normal', 'pneumonia']);
      assert.ok(Math.abs(p.probabilities.normal + p.probabilities.pneumonia - 1) < 1e-5);

      // --maps: one row of 160 px tiles, 4 px apart: input, the spatial attention maps, Grad-CAM.
      const out = join(dir, 'maps');
      const m = medattn('predict', '--run', full, '--json', '--maps', '--out', out, png);
      assert.equal(m.code, 0, m.stderr);
      const [withMaps] = JSON.parse(m.stdout);
      assert.equal(withMaps.maps, join(out, 'xray_maps.png'));
      assert.equal(withMaps.mapColumns[0], 'input');
      assert.equal(withMaps.mapColumns.at(-1), 'Grad-CAM of the predicted class');
      assert.deepEqual(withMaps.probabilities, p.probabilities, 'the maps do not change the prediction');
      const meta = await sharp(withMaps.maps).metadata();
      assert.deepEqual([meta.width, meta.height], [withMaps.mapColumns.length * 164 - 4, 160]);
    });

    test('a threshold chosen on validation data (youden) is stored with the weights and used by evaluate and predict', async () => {
      const chosen = join(dir, 'youden');
      const r = medattn(
        'train',
        '--config',
        configPath,
        '--out',
        chosen,
        '--set',
        'training.threshold=youden',
        '--set',
        'training.epochs=2',
      );
      assert.equal(r.code, 0, r.stderr);
      const best = JSON.parse(readFileSync(join(chosen, 'metrics.json'), 'utf8')).best;
      assert.ok(
        best.threshold > 0 && best.threshold < 1 && best.threshold !== 0.5,
        `chosen threshold ${best.threshold}`,
      );
      const subset = join(dir, 'val-subset-youden.json');
      writeFileSync(subset, JSON.stringify(config.data.val));
      const stored = JSON.parse(medattn('evaluate', '--run', chosen, '--data', subset, '--json').stdout);
      assert.equal(stored.threshold, best.threshold);
      for (const k of ['accuracy', 'f1', 'specificity', 'recall'])
        assert.ok(Math.abs(stored[k] - best[k]) < 1e-6, `${k}: ${stored[k]} vs ${best[k]}`);
      const forced = JSON.parse(
        medattn('evaluate', '--run', chosen, '--data', subset, '--json', '--threshold', '0.5').stdout,
      );
      assert.equal(forced.threshold, 0.5);
      // predict decides pneumonia exactly when its probability reaches the stored threshold.
      const arrays = await readNpz(npz, { keys: ['val_images'] });
      const images = arrays.get('val_images')!.data as Uint8Array;
      const files: string[] = [];
      for (let i = 0; i < 8; i++) {
        files.push(join(dir, `youden-${i}.png`));
        await sharp(Buffer.from(images.subarray(i * 784, (i + 1) * 784)), {
          raw: { width: 28, height: 28, channels: 1 },
        })
          .png()
          .toFile(files[i]);
      }
      const predictions = JSON.parse(medattn('predict', '--run', chosen, '--json', ...files).stdout) as {
        probabilities: Record<string, number>;
        predicted: string;
        threshold: number;
      }[];
      for (const p of predictions) {
        assert.equal(p.threshold, best.threshold);
        assert.equal(p.predicted, p.probabilities.pneumonia >= best.threshold ? 'pneumonia' : 'normal');
      }
      const bad = medattn('evaluate', '--run', chosen, '--data', subset, '--threshold', '1.5');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^medattn: .*--threshold: must be a probability between 0 and 1, got '1.5'\n$/);
    });

    test('a resumed run ends with the same metrics as an unbroken one; a rerun with the same seed too', () => {
      const part = join(dir, 'part');
      assert.equal(
        medattn(
          'train',
          '--config',
          configPath,
          '--out',
          part,
          '--set',
          'training.epochs=3',
          '--set',
          'training.maxMinutes=0.0001',
        ).code,
        0,
      );
      assert.equal(
        JSON.parse(readFileSync(join(part, 'metrics.json'), 'utf8')).history.length,
        1,
        'stopped after one epoch',
      );
      const resumed = medattn('train', '--resume', part, '--set', 'training.maxMinutes=1000');
      assert.equal(resumed.code, 0, resumed.stderr);
      const a = JSON.parse(readFileSync(join(full, 'metrics.json'), 'utf8')).history;
      const b = JSON.parse(readFileSync(join(part, 'metrics.json'), 'utf8')).history;
      assert.equal(b.length, 3);
      for (let i = 0; i < 3; i++)
        for (const k of ['train_loss', 'val_loss', 'auroc', 'accuracy'])
          assert.equal(b[i][k], a[i][k], `epoch ${i + 1} ${k}`);
    });

    test('fitToMaxMinutes: a budget the first epoch spends shortens the run to 1 epoch, and --resume keeps it', () => {
      const fitted = join(dir, 'fitted');
      const sets = ['training.epochs=3', 'training.maxMinutes=0.0001', 'training.fitToMaxMinutes=true'];
      const run = medattn('train', '--config', configPath, '--out', fitted, ...sets.flatMap((v) => ['--set', v]));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /fitting the run to training\.maxMinutes 0\.0001: 1 of the planned 3 epochs/);
      assert.match(run.stderr, /stopped: epochs\n/);
      assert.equal(JSON.parse(readFileSync(join(fitted, 'config.json'), 'utf8')).training.epochs, 1);
      const resumed = medattn('train', '--resume', fitted, '--set', 'training.maxMinutes=1000');
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(JSON.parse(readFileSync(join(fitted, 'metrics.json'), 'utf8')).history.length, 1);
    });

    test('user errors: one line on stderr, exit code 1', () => {
      const cases = [
        medattn('train', '--config', join(dir, 'missing.json')),
        medattn('evaluate', '--run', dir, '--data', npz, '--json'),
        medattn('evaluate', '--run', full, '--data', join(dir, 'nothing.npz')),
        medattn('inspect', join(dir, 'config.json')),
        medattn('train'),
        ...(cudaAvailable()
          ? []
          : [medattn('train', '--config', configPath, '--out', join(dir, 'gpu'), '--set', 'training.device=cuda')]),
      ];
      for (const r of cases) {
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, /^medattn: /);
      }
    });

    test('--skip-bad leaves an unreadable file out and lists it; without it the file is a one-line error', async () => {
      const arrays = await readNpz(npz, { keys: ['val_images', 'val_labels'] });
      const images = arrays.get('val_images')!.data as Uint8Array;
      const labels = arrays.get('val_labels')!.data as Uint8Array;
      const root = join(dir, 'folder');
      const { mkdirSync } = await import('node:fs');
      for (const c of ['normal', 'pneumonia']) mkdirSync(join(root, c), { recursive: true });
      for (let i = 0; i < 12; i++) {
        const cls = labels[i] ? 'pneumonia' : 'normal';
        await sharp(Buffer.from(images.subarray(i * 784, (i + 1) * 784)), {
          raw: { width: 28, height: 28, channels: 1 },
        })
          .png()
          .toFile(join(root, cls, `${i}.png`));
      }
      const good = readFileSync(join(root, labels[0] ? 'pneumonia' : 'normal', '0.png'));
      const broken = join(root, 'normal', 'broken.png');
      writeFileSync(broken, good.subarray(0, 40));
      const strict = medattn('evaluate', '--run', full, '--data', root, '--json');
      assert.equal(strict.code, 1);
      assert.match(strict.stderr, /^medattn: .*broken\.png: /);
      assert.equal(strict.stderr.trim().split('\n').length, 1);
      const lenient = medattn('evaluate', '--run', full, '--data', root, '--json', '--skip-bad');
      assert.equal(lenient.code, 0, lenient.stderr);
      assert.equal(JSON.parse(lenient.stdout).n, 12);
      assert.match(lenient.stderr, /skipped 1 unreadable file:\n {2}.*broken\.png: /);
    });
  });
}

cliSuite({
  title: 'on a synthetic MedMNIST-layout fixture',
  options: { skip: false },
  npz: (dir) => writeSyntheticPneumoniamnist(join(dir, 'data'), { train: 160, val: 96 }).file,
  valSplit: 96,
  trainImages: 160,
  valImages: 64,
});

cliSuite({
  title: 'on a PneumoniaMNIST subset of ../shared/data',
  options: needsPneumonia(),
  npz: () => PNEUMONIA_NPZ,
  valSplit: 524,
  trainImages: 320,
  valImages: 128,
});
