// The training and validation sets are built once per run: the trainer builds them, its loaders read those
// objects (workers: 0), and the report and the CLI reuse them from the TrainResult instead of building again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseConfig } from '../../src/train/config.js';
import { trainAndReport } from '../../src/cli/commands/train.js';

const fixture = fileURLToPath(new URL('./fixtures/counted-dataset.ts', import.meta.url));

test('train + report (the CLI path) build each dataset once', async () => {
  // The loader imports the module by this URL; importing it here gives the same module instance and its counts.
  const { builds } = (await import(pathToFileURL(fixture).href)) as { builds: Map<string, number> };
  const config = parseConfig({
    task: 'classification',
    data: {
      train: { kind: 'module', module: fixture, options: { name: 'train', length: 16 } },
      val: { kind: 'module', module: fixture, options: { name: 'val', length: 8 } },
    },
    model: {
      name: 'attention_cnn',
      config: { inChannels: 1, numClasses: 2, stages: [{ channels: 4, attention: 'se' }], reduction: 2 },
    },
    training: { epochs: 1, batchSize: 8, workers: 0 },
    report: { samples: 2 },
  });
  const result = await trainAndReport(config, mkdtempSync(join(tmpdir(), 'medattn-built-once-')));
  result.model.dispose();
  assert.equal(result.valSet.length, 8);
  assert.deepEqual(Object.fromEntries(builds), { train: 1, val: 1 });
});
