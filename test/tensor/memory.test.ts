// Memory: a long training run must not grow. Native tensors are released deterministically by tidy(), so
// the count of live tensors is exactly flat after warm-up. RSS is checked for leaks the tensor count cannot
// see (autograd graphs, optimizer state): a leak grows RSS steadily, in both halves of the run, while the
// allocator's noise under load is a one-off step (15 MB seen once, in one half). So the test fails when both
// halves grow by more than half the bound. The loop is synchronous on purpose: handles are freed by GC-time
// finalizers, not ones queued for the event loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, liveTensors, manualSeed, randint, randn, setNumThreads, tidy } from '../../src/tensor/index.js';
import { Adam } from '../../src/optim/index.js';
import { AttentionCNN } from '../../src/models/attention-cnn.js';

const STEPS = 2000;
const WARM_UP = 300;
const SAMPLE_EVERY = 50;
/** Allowed RSS growth from step 300 to the last step: a leak of ~5 KB a step fails it. */
const RSS_BOUND_MB = 8;

/** RSS around a step: the median of the samples at it and its neighbours, so one spike does not count. */
function rssNear(samples: Map<number, number>, step: number): number {
  const near = [step - SAMPLE_EVERY, step, step + SAMPLE_EVERY]
    .filter((s) => samples.has(s))
    .map((s) => samples.get(s)!);
  return near.sort((a, b) => a - b)[Math.floor(near.length / 2)];
}

test(`a small attention CNN trains ${STEPS} steps without memory growth`, () => {
  setNumThreads(1); // this test measures memory, not speed: one thread is fastest for a tiny model
  manualSeed(0);
  const model = new AttentionCNN({
    inChannels: 1,
    numClasses: 2,
    stages: [
      { channels: 8, attention: 'se' },
      { channels: 8, attention: 'cbam_spatial' },
      { channels: 8, attention: 'nonlocal' },
    ],
    reduction: 4,
  });
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([8, 1, 16, 16]);
  const y = randint(0, 2, [8]);
  const rssSamples = new Map<number, number>();
  let liveWarm = 0;
  let lastLoss = 0;
  for (let step = 1; step <= STEPS; step++) {
    lastLoss = tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    });
    if (step === WARM_UP) liveWarm = liveTensors();
    if (step >= WARM_UP && step % SAMPLE_EVERY === 0) {
      global.gc?.();
      rssSamples.set(step, process.memoryUsage().rss);
    }
  }
  assert.equal(liveTensors(), liveWarm, 'live native tensors changed after warm-up');
  const middle = WARM_UP + Math.round((STEPS - WARM_UP) / 2 / SAMPLE_EVERY) * SAMPLE_EVERY;
  const mb = (bytes: number) => bytes / 2 ** 20;
  const firstHalf = mb(rssNear(rssSamples, middle) - rssNear(rssSamples, WARM_UP));
  const secondHalf = mb(rssNear(rssSamples, STEPS) - rssNear(rssSamples, middle));
  const growth = `RSS grew ${firstHalf.toFixed(1)} MB from step ${WARM_UP} to ${middle}, ${secondHalf.toFixed(1)} MB from ${middle} to ${STEPS}`;
  assert.ok(
    Math.min(firstHalf, secondHalf) < RSS_BOUND_MB / 2,
    `${growth}: steady growth (bound ${RSS_BOUND_MB / 2} MB a half)`,
  );
  assert.ok(lastLoss < 0.1, `the model should fit 8 fixed samples, loss ${lastLoss}`);
  console.log(`memory: ${growth} (bound ${RSS_BOUND_MB / 2} MB in either half), live tensors ${liveWarm}`);
});
