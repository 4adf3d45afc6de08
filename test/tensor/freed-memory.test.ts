// Freed tensor memory is kept for reuse (native keepFreedMemory, on when the tensor module loads): after
// warm-up a training step allocates the same activation sizes it freed a step earlier, so it should touch no
// fresh pages. With glibc's defaults (MEDATTN_KEEP_FREED_MEMORY=0) every activation above the adaptive mmap
// threshold is unmapped and faulted in again, about 13,700 minor faults per step of this model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { F, manualSeed, randint, randn, tidy } from '../../src/tensor/index.js';
import { AdamW } from '../../src/optim/index.js';
import { AttentionCNN } from '../../src/models/attention-cnn.js';

/** Minor page faults of this process so far (field 10 of /proc/self/stat). */
function minorFaults(): number {
  const afterName = readFileSync('/proc/self/stat', 'utf8').split(') ')[1];
  return Number(afterName.split(' ')[7]);
}

/** Page faults per training step of the PneumoniaMNIST-sized attention CNN, after 3 warm-up steps. */
function faultsPerStep(): number {
  manualSeed(0);
  const model = new AttentionCNN({
    inChannels: 1,
    numClasses: 2,
    stages: [
      { channels: 32, attention: 'se', convs: 2 },
      { channels: 64, attention: 'cbam', convs: 2 },
      { channels: 128, attention: 'nonlocal', convs: 2 },
    ],
  });
  const opt = new AdamW(model.parameters(), { lr: 1e-3 });
  const x = randn([64, 1, 28, 28]);
  const y = randint(0, 2, [64]);
  const step = () =>
    tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
    });
  for (let i = 0; i < 3; i++) step();
  const before = minorFaults();
  const steps = 5;
  for (let i = 0; i < steps; i++) step();
  const perStep = (minorFaults() - before) / steps;
  model.dispose();
  return perStep;
}

if (process.argv.includes('--faults-per-step')) {
  console.log(faultsPerStep());
} else {
  test('a training step reuses the memory the previous step freed (few page faults)', () => {
    const perStep = faultsPerStep();
    assert.ok(perStep < 1000, `${perStep} page faults per step after warm-up (glibc defaults give ~13,700)`);
  });

  test('MEDATTN_KEEP_FREED_MEMORY=0 keeps glibc defaults, and then every step faults its activations in again', () => {
    const self = fileURLToPath(import.meta.url);
    const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--faults-per-step'], {
      env: { ...process.env, MEDATTN_KEEP_FREED_MEMORY: '0' },
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    const perStep = Number(child.stdout.trim().split('\n').pop());
    assert.ok(perStep > 5000, `expected the default allocator to fault thousands of pages per step, got ${perStep}`);
  });
}
