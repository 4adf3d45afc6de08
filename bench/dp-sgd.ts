/**
 * bench/dp-sgd: the cost of DP-SGD's per-example gradients (microbatches of one, src/train/dp-sgd.ts) against
 * an ordinary step, on the default PneumoniaMNIST attention CNN (configs/pneumoniamnist.json) with random
 * 28x28 batches: the median of --steps timed steps of each, after one warm-up step. One JSON line.
 *   node --import tsx bench/dp-sgd.ts [--batch 64] [--steps 5] [--threads 1]
 */
import { readFileSync } from 'node:fs';
import { AdamW } from '../src/optim/index.js';
import { manualSeed, randn, randint, setNumThreads, tidy } from '../src/tensor/index.js';
import { createModelFromConfig } from '../src/train/trainer.js';
import { createLoss } from '../src/train/losses.js';
import { dpSgdGradients } from '../src/train/dp-sgd.js';

const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const batch = option('batch', 64);
const steps = option('steps', 5);
setNumThreads(option('threads', 1));
manualSeed(0);
const config = JSON.parse(readFileSync('configs/pneumoniamnist.json', 'utf8'));
const model = createModelFromConfig(config.model.name, config.model.config);
model.train();
const lossFn = createLoss('cross_entropy');
const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
const x = randn([batch, 1, 28, 28]);
const y = randint(0, 2, [batch]);

const plain = () =>
  tidy(() => {
    optimizer.zeroGrad();
    lossFn(model.forward(x), y).backward();
    optimizer.step();
  });
const dp = () =>
  tidy(
    () =>
      dpSgdGradients(
        model.parameters(),
        optimizer,
        (xi, yi) => lossFn(model.forward(xi), yi),
        { x, y },
        {
          noiseMultiplier: 1,
          clipNorm: 1,
          delta: 1e-5,
        },
      ) + (optimizer.step(), 0),
  );

function median(fn: () => unknown): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}
const plainMs = median(plain);
const dpMs = median(dp);
console.log(JSON.stringify({ batch, steps, plainMs, dpMs, ratio: dpMs / plainMs }));
