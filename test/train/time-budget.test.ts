// training.fitToMaxMinutes: the epochs that fit the budget (hand-computed) and a schedule shortened to them, so
// the learning rate still reaches its end inside the budget. The whole run through the CLI is in
// test/cli/train-evaluate-predict.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor/index.js';
import { CosineWarmupLR, PolynomialLR, SGD, StepLR } from '../../src/optim/index.js';
import { epochsWithinBudget, fitRunToBudget, fittedTraining } from '../../src/train/time-budget.js';

test('epochsWithinBudget: all planned epochs when they fit, else as many as fit, at least one', () => {
  assert.equal(epochsWithinBudget(40, 30, 37), 40); // 1800 s / 37 s = 48.6
  assert.equal(epochsWithinBudget(40, 30, 90), 20); // 1800 / 90 = 20 exactly
  assert.equal(epochsWithinBudget(40, 30, 91), 19);
  assert.equal(epochsWithinBudget(40, 0.001, 5), 1); // 0.06 s: the epoch already run
  assert.equal(epochsWithinBudget(40, 30, 0), 40); // an epoch too short to time changes nothing
});

test('fitRunToBudget shortens a cosine schedule after its first epoch: the lr anneals to minLr at the fitted end', () => {
  const o = new SGD([tensor([0], { requiresGrad: true })], { lr: 1 });
  const s = new CosineWarmupLR(o, 40, 1, 0.1);
  const fit = fitRunToBudget({ fitToMaxMinutes: true, maxMinutes: 30 }, 40, 90, s);
  assert.deepEqual(fit, { type: 'fit', planned: 40, epochs: 20, epochSeconds: 90, maxMinutes: 30 });
  const lrs = [];
  for (let i = 0; i < 19; i++) {
    s.step();
    lrs.push(o.lr);
  }
  // after warm-up step 0: 0.1 + 0.45 (1 + cos(pi (step-1)/19)), ending at minLr on step 20 = epoch 20's end
  const expected = Array.from({ length: 19 }, (_, k) => 0.1 + 0.45 * (1 + Math.cos((Math.PI * k) / 19)));
  expected[0] = 1; // step 1: warm-up over, cos(0)
  for (let i = 0; i < 19; i++) assert.ok(Math.abs(lrs[i] - expected[i]) < 1e-12, `step ${i + 1}: ${lrs[i]}`);
  s.step();
  assert.ok(Math.abs(o.lr - 0.1) < 1e-12);
});

test('fitRunToBudget: nothing changes when the run fits, the option is off, or there is no budget', () => {
  const o = new SGD([tensor([0], { requiresGrad: true })], { lr: 1 });
  const poly = new PolynomialLR(o, 40, 0.9);
  assert.equal(fitRunToBudget({ fitToMaxMinutes: true, maxMinutes: 30 }, 40, 37, poly), undefined);
  assert.equal(fitRunToBudget({ fitToMaxMinutes: false, maxMinutes: 30 }, 40, 90, poly), undefined);
  assert.equal(fitRunToBudget({ fitToMaxMinutes: true }, 40, 90, poly), undefined);
  assert.equal(poly.total, 40);
  assert.equal(fitRunToBudget({ fitToMaxMinutes: true, maxMinutes: 30 }, 40, 120, poly)?.epochs, 15);
  assert.equal(poly.total, 15);
  // a schedule without a length (step decay) keeps its own; the run is still shortened
  const step = new StepLR(o, 10, 0.5);
  assert.equal(fitRunToBudget({ fitToMaxMinutes: true, maxMinutes: 30 }, 40, 120, step)?.epochs, 15);
});

test('fitRunToBudget scales a weight-averaging window with the run, and fittedTraining records both', () => {
  const training = { epochs: 40, fitToMaxMinutes: true, maxMinutes: 30, swa: { epochs: 8, lr: 0.01 } };
  const fit = fitRunToBudget(training, 40, 90, undefined)!;
  assert.equal(fit.averagedEpochs, 4); // the last 8 of 40 epochs -> the last 4 of 20
  assert.deepEqual(fittedTraining(training, fit), { ...training, epochs: 20, swa: { epochs: 4, lr: 0.01 } });
  assert.equal(fitRunToBudget(training, 40, 600, undefined)?.averagedEpochs, 1); // 3 epochs: 8 * 3 / 40 -> at least 1
  assert.equal(fitRunToBudget(training, 40, 200, undefined)?.averagedEpochs, 2); // 9 epochs: 8 * 9 / 40 = 1.8
  const plain = { epochs: 40, fitToMaxMinutes: true, maxMinutes: 30 };
  const plainFit = fitRunToBudget(plain, 40, 90, undefined)!;
  assert.equal(plainFit.averagedEpochs, undefined);
  assert.deepEqual(fittedTraining(plain, plainFit), { ...plain, epochs: 20 });
});
