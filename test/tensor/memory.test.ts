// Memory: a long training run must not grow. Native tensors are released deterministically by tidy(), so
// the count of live tensors is exactly flat and RSS stays within a small bound after warm-up. The loop is
// synchronous on purpose: handles are freed by GC-time finalizers, not ones queued for the event loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, liveTensors, manualSeed, randint, randn, setNumThreads, tidy } from '../../src/tensor/index.js';
import { Adam } from '../../src/optim/index.js';
import { AttentionCNN } from '../../src/models/attention-cnn.js';

const STEPS = 2000;
/** Allowed RSS growth between step 300 and the last step (allocator noise, V8 heap). */
const RSS_BOUND_MB = 8;

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
  let rssWarm = 0;
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
    if (step === 300) {
      global.gc?.();
      rssWarm = process.memoryUsage().rss;
      liveWarm = liveTensors();
    }
  }
  global.gc?.();
  const growthMb = (process.memoryUsage().rss - rssWarm) / 2 ** 20;
  assert.equal(liveTensors(), liveWarm, 'live native tensors changed after warm-up');
  assert.ok(growthMb < RSS_BOUND_MB, `RSS grew ${growthMb.toFixed(1)} MB between step 300 and ${STEPS}`);
  assert.ok(lastLoss < 0.1, `the model should fit 8 fixed samples, loss ${lastLoss}`);
  console.log(
    `memory: RSS growth ${growthMb.toFixed(1)} MB over ${STEPS - 300} steps (bound ${RSS_BOUND_MB} MB), live tensors ${liveWarm}`,
  );
});
