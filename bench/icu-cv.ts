// 5-fold stratified cross-validation of the ICU mortality models on PhysioNet 2012 set A.
//   MEDATTN_THREADS=1 nice -n 10 npx tsx bench/icu-cv.ts --model icu_rnn [--folds 5] [--epochs 20] [--out DIR]
// Writes DIR/folds.json (record ids of each test fold; bench/peer/icu_baselines.py reads the same file) and
// DIR/<model>.json (per-fold AUROC, AUPRC, epochs; mean ± std). Each fold trains on the other four, keeps 15 %
// of them (stratified) to pick the epoch by AUROC, and is scored once on its test fold. --fold-seconds caps the
// training time of each fold (epochs end early, the best epoch so far is scored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDataset, holdOut, kFold } from '../src/data/datasets/index.js';
import type { Physionet2012Dataset } from '../src/data/icu/physionet2012-dataset.js';
import { createModel, type ModelName } from '../src/models/index.js';
import { AdamW } from '../src/optim/index.js';
import { binaryAuroc, binaryAveragePrecision } from '../src/metrics/index.js';
import { F, manualSeed, noGrad, setNumThreads, tensor, tidy, type Tensor } from '../src/tensor/index.js';
import { Rng } from '../src/data/transforms/index.js';

const { values: o } = parseArgs({
  options: {
    model: { type: 'string', default: 'icu_rnn' },
    config: { type: 'string', default: '{}' },
    folds: { type: 'string', default: '5' },
    only: { type: 'string' },
    epochs: { type: 'string', default: '20' },
    patience: { type: 'string', default: '4' },
    lr: { type: 'string', default: '0.001' },
    batch: { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    data: { type: 'string', default: '../shared/data/physionet2012' },
    out: { type: 'string', default: 'bench/out/icu' },
    tag: { type: 'string' },
    'fold-seconds': { type: 'string', default: '115' },
    hours: { type: 'string', default: '48' },
  },
});
setNumThreads(Number(process.env.MEDATTN_THREADS ?? 1));
const k = Number(o.folds);
const seed = Number(o.seed);
const ds = (await createDataset({
  kind: 'physionet2012',
  records: join(o.data!, 'set-a'),
  outcomes: join(o.data!, 'Outcomes-a.txt'),
  hours: Number(o.hours),
})) as Physionet2012Dataset;
const n = ds.length;
const first = await ds.get(0);
const sampleShape = first.image.shape;
const size = sampleShape.reduce((a, b) => a * b, 1);
const grids = new Float32Array(n * size);
for (let i = 0; i < n; i++) grids.set((await ds.get(i)).image.data as Float32Array, i * size);
const labels = ds.labels();
const ids = ds.ids();
const folds = kFold(n, { k, seed, labels });
mkdirSync(o.out!, { recursive: true });
writeFileSync(
  join(o.out!, 'folds.json'),
  JSON.stringify({ seed, k, folds: folds.map((f) => f.val.map((i) => ids[i])) }),
);

const batchOf = (idx: number[]) => {
  const x = new Float32Array(idx.length * size);
  idx.forEach((i, j) => x.set(grids.subarray(i * size, (i + 1) * size), j * size));
  return tensor(x, { shape: [idx.length, ...sampleShape] });
};

function predict(model: ReturnType<typeof createModel>, idx: number[]): Float32Array {
  model.eval();
  const out = new Float32Array(idx.length);
  for (let s = 0; s < idx.length; s += 256) {
    const part = idx.slice(s, s + 256);
    const p = tidy(() => noGrad(() => model.forward(batchOf(part)).softmax(1).select(1, 1).toFloat32Array()));
    out.set(p, s);
  }
  return out;
}

const score = (p: Float32Array, idx: number[]) => ({
  auroc: binaryAuroc(
    p,
    idx.map((i) => labels[i]),
  ),
  auprc: binaryAveragePrecision(
    p,
    idx.map((i) => labels[i]),
  ),
});

const results: { fold: number; auroc: number; auprc: number; epochs: number; bestEpoch: number; seconds: number }[] =
  [];
for (let f = 0; f < k; f++) {
  if (o.only !== undefined && Number(o.only) !== f) continue;
  const started = Date.now();
  manualSeed(seed * 1000 + f);
  const rest = folds[f].train;
  const inner = holdOut(rest.length, { fraction: 0.15, seed: seed + f, labels: rest.map((i) => labels[i]) });
  const trainIdx = inner.train.map((j) => rest[j]);
  const valIdx = inner.val.map((j) => rest[j]);
  const model = createModel(o.model as ModelName, JSON.parse(o.config!) as never);
  const opt = new AdamW(model.parameters(), { lr: Number(o.lr), weightDecay: 1e-4 });
  const rng = Rng.seeded(seed * 7919 + f);
  let best = -1;
  let bestEpoch = -1;
  let bestState: Map<string, Tensor> | undefined;
  let epoch = 0;
  for (; epoch < Number(o.epochs); epoch++) {
    model.train();
    const order = [...trainIdx];
    rng.shuffle(order);
    const bs = Number(o.batch);
    let loss = 0;
    for (let s = 0; s + bs <= order.length; s += bs) {
      const part = order.slice(s, s + bs);
      loss += tidy(() => {
        opt.zeroGrad();
        const l = F.crossEntropy(
          model.forward(batchOf(part)),
          tensor(Int32Array.from(part, (i) => labels[i])).to('int64'),
        );
        l.backward();
        opt.step();
        return l.item();
      });
    }
    const v = score(predict(model, valIdx), valIdx).auroc;
    console.log(
      `fold ${f} epoch ${epoch + 1} loss ${(loss / Math.floor(order.length / bs)).toFixed(4)} inner-val AUROC ${v.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
    if (v > best) {
      best = v;
      bestEpoch = epoch;
      bestState?.forEach((t) => t.dispose());
      bestState = new Map([...model.stateDict()].map(([name, t]) => [name, t.clone()]));
    } else if (epoch - bestEpoch >= Number(o.patience)) break;
    // A wall-clock budget per fold keeps a whole run near 10 minutes on a shared machine.
    if ((Date.now() - started) / 1000 > Number(o['fold-seconds'])) break;
  }
  model.loadStateDict(bestState!);
  const test = folds[f].val;
  const m = score(predict(model, test), test);
  results.push({ fold: f, ...m, epochs: epoch + 1, bestEpoch: bestEpoch + 1, seconds: (Date.now() - started) / 1000 });
  console.log(`fold ${f}: test AUROC ${m.auroc.toFixed(4)} AUPRC ${m.auprc.toFixed(4)}`);
  model.dispose();
  writeSummary(); // after every fold: a run stopped by its time limit still leaves the folds it finished
}
function writeSummary() {
  const stat = (key: 'auroc' | 'auprc') => {
    const v = results.map((r) => r[key]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
    return { mean, std };
  };
  const summary = {
    model: o.model,
    config: JSON.parse(o.config!),
    hours: Number(o.hours),
    folds: results,
    auroc: stat('auroc'),
    auprc: stat('auprc'),
  };
  writeFileSync(join(o.out!, `${o.tag ?? o.model}.json`), JSON.stringify(summary, null, 2));
  return summary;
}
const summary = writeSummary();
console.log(
  `${o.tag ?? o.model}: AUROC ${summary.auroc.mean.toFixed(4)} ± ${summary.auroc.std.toFixed(4)}, AUPRC ${summary.auprc.mean.toFixed(4)} ± ${summary.auprc.std.toFixed(4)}`,
);
