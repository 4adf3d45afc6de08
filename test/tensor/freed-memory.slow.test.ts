// Slow tier (npm run test:slow): page-fault counts depend on glibc's adaptive heap and on what else the machine
// runs, so they flaked in the default suite. No deterministic default-suite check was found: even one 16 MB
// tensor freed and allocated again faulted its pages in again in 2 of 3 reallocations here.
// Freed tensor memory is kept for reuse (native keepFreedMemory, on when the tensor module loads): after
// warm-up a training step allocates the same activation sizes it freed a step earlier, so it should touch no
// fresh pages. With glibc's defaults (MEDATTN_KEEP_FREED_MEMORY=0) activations above the adaptive mmap
// threshold are unmapped and faulted in again: a median of 4,700-12,500 minor faults per step of this model
// (12 runs here), against 0-16 with the memory kept; but 4 on one CI machine, so that is only reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { F, manualSeed, randint, randn, tidy } from '../../src/tensor/index.js';
import { native } from '../../src/tensor/native.js';
import { AdamW } from '../../src/optim/index.js';
import { AttentionCNN } from '../../src/models/attention-cnn.js';

/** Minor page faults of this process so far (field 10 of /proc/self/stat). */
function minorFaults(): number {
  const afterName = readFileSync('/proc/self/stat', 'utf8').split(') ')[1];
  return Number(afterName.split(' ')[7]);
}

/**
 * Page faults of a typical training step of the PneumoniaMNIST-sized attention CNN: the median over 21 steps
 * after 10 warm-up steps. Kept memory settles in the first ~10 steps (a step may still fault a 6.4 MB
 * activation, 1,568 pages, while the heap finds its layout; seen in CI: a mean over 5 steps after 3 warm-ups
 * reached 1,255), and the median ignores a rare later spike. With glibc's defaults steps keep faulting about
 * 10,000 pages each over 60 steps, but its adaptive threshold gives quiet stretches, so a run's median varies.
 */
function faultsPerStep(): { median: number } {
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
  for (let i = 0; i < 10; i++) step();
  const counts: number[] = [];
  for (let i = 0; i < 21; i++) {
    const before = minorFaults();
    step();
    counts.push(minorFaults() - before);
  }
  model.dispose();
  return { median: counts.sort((a, b) => a - b)[10] };
}

if (process.argv.includes('--faults-per-step')) {
  console.log(JSON.stringify(faultsPerStep()));
} else {
  test('a training step reuses the memory the previous step freed (few page faults)', () => {
    const { median } = faultsPerStep();
    assert.ok(median < 1000, `median ${median} page faults per step after warm-up (glibc defaults: 4,700-12,500)`);
  });

  test('glibc accepts both settings (keepFreedMemory returns true); MEDATTN_KEEP_FREED_MEMORY=0 runs without them', () => {
    assert.equal(native.keepFreedMemory(), true);
    // glibc's own behaviour is what the setting replaces, not what we ship, so it is reported, not asserted: its
    // adaptive threshold faulted 4,700-12,500 pages a step here, and 4 on a CI machine (stop 21).
    const self = fileURLToPath(import.meta.url);
    const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--faults-per-step'], {
      env: { ...process.env, MEDATTN_KEEP_FREED_MEMORY: '0' },
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    const { median } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { median: number };
    console.log(`glibc defaults (MEDATTN_KEEP_FREED_MEMORY=0): median ${median} page faults per step`);
  });
}
