// Slow (npm run test:slow, run by CI after the default suite): the shipped PneumoniaMNIST config trained for
// real, within its 10-minute budget, must beat the published ResNet-18 (28) reference on validation data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsPneumonia } from '../helpers/pneumonia-subset.js';

const PUBLISHED_RESNET18_AUC = 0.944;
const PUBLISHED_RESNET18_ACC = 0.854;

test(
  'configs/pneumoniamnist.json: validation AUROC and accuracy above the published ResNet-18 (28)',
  { ...needsPneumonia(), timeout: 15 * 60_000 },
  () => {
    const out = mkdtempSync(join(tmpdir(), 'medattn-pneumonia-'));
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      ['bin/medattn.js', 'train', '--config', 'configs/pneumoniamnist.json', '--out', out],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const minutes = (Date.now() - started) / 60000;
    const { best } = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    console.log(
      `pneumoniamnist: best epoch ${best.epoch + 1}, AUROC ${best.auroc.toFixed(4)}, accuracy ${best.accuracy.toFixed(4)}, F1 ${best.f1.toFixed(4)}, ${minutes.toFixed(1)} min`,
    );
    assert.ok(best.auroc > PUBLISHED_RESNET18_AUC, `AUROC ${best.auroc}`);
    assert.ok(best.accuracy > PUBLISHED_RESNET18_ACC, `accuracy ${best.accuracy}`);
    assert.ok(minutes < 12, `took ${minutes.toFixed(1)} min`);
    // training.threshold 'youden': the balanced-accuracy threshold chosen on validation travels with the run.
    assert.ok(best.threshold > 0 && best.threshold < 1, `threshold ${best.threshold}`);
    assert.ok(best.balanced_accuracy > 0.95, `balanced accuracy ${best.balanced_accuracy}`);
  },
);
