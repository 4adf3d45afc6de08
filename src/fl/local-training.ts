/**
 * A site's local training in one federated round: `epochs` passes over its training loader from the global
 * weights, with the run's optimizer, loss and batches (src/train). FedProx (Li et al. 2020) adds
 * (mu / 2) * ||w - w_global||^2 to the loss, which keeps sites with different data from drifting apart.
 */
import { noGrad, tidy, type Device, type Tensor } from '../tensor/index.js';
import { batchTensors } from '../train/batch-tensors.js';
import type { setupRun } from '../train/trainer.js';
import type { TrainingConfig } from '../train/config.js';

type Run = Awaited<ReturnType<typeof setupRun>>;

export interface LocalTrainingResult {
  samples: number;
  loss: number;
}

export async function trainLocally(
  run: Run,
  config: TrainingConfig,
  o: { epochs: number; mu: number; round: number },
): Promise<LocalTrainingResult> {
  const { model, optimizer, lossFn, trainLoader } = run;
  const params = model.parameters();
  const anchor = o.mu > 0 ? noGrad(() => params.map((p) => p.detach().clone())) : [];
  let lossSum = 0;
  let batches = 0;
  let samples = 0;
  try {
    model.train();
    const perEpoch = Math.min(
      Math.floor(run.trainSet.length / config.training.batchSize),
      config.training.batchesPerEpoch ?? Infinity,
    );
    for (let e = 0; e < o.epochs; e++) {
      let n = 0;
      for await (const batch of trainLoader.epoch(o.round * 1000 + e)) {
        if (!batch.fields.image) continue;
        lossSum += tidy(() => {
          const { x, y, roi } = batchTensors(batch, config.task, config.data.roiKey, config.training.device as Device);
          optimizer.zeroGrad();
          let l: Tensor = lossFn(model.forward(x), y, roi);
          if (o.mu > 0) {
            let prox: Tensor | undefined;
            params.forEach((p, i) => {
              const d = p.sub(anchor[i]).square().sum();
              prox = prox ? prox.add(d) : d;
            });
            if (prox) l = l.add(prox.mul(o.mu / 2));
          }
          l.backward();
          optimizer.step();
          return l.item();
        });
        samples += batch.fields.image.shape[0];
        batches++;
        if (++n >= perEpoch) break;
        await new Promise((r) => setImmediate(r));
      }
    }
  } finally {
    for (const a of anchor) a.dispose();
    model.zeroGrad();
  }
  // FedAvg weights by the site's training set size (not by batches seen).
  return { samples: run.trainSet.length || samples, loss: lossSum / Math.max(1, batches) };
}
