/**
 * bench/fl-splits: configs for the federated PneumoniaMNIST experiment in docs/federated.md: the server's
 * config (validation split) and one config per site over the training split, IID (a seeded shuffle cut in
 * equal parts) or label-skewed (per class, site shares drawn from Dirichlet(alpha), as Hsu et al. 2019),
 * with a small attention CNN (8/16/32 channels: SE, CBAM, non-local) so rounds fit a shared 2-core machine.
 *   node --import tsx bench/fl-splits.ts OUT_DIR [--sites 3] [--alpha 0.5] [--seed 0]
 * writes OUT_DIR/{iid,dirichlet}/{server,site0,site1,...}.json and prints each site's class counts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readNpz } from '../src/data/io/index.js';

const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const out = resolve(process.argv[2] ?? 'bench/out/fl');
const sites = option('sites', 3);
const alpha = option('alpha', 0.5);
let seed = option('seed', 0) * 2654435761 + 12345;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return (seed + 0.5) / 2 ** 32;
};
/** Gamma(a, 1) by Marsaglia-Tsang (a < 1 through the a + 1 boost). */
function gamma(a: number): number {
  if (a < 1) return gamma(a + 1) * random() ** (1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    if (Math.log(random()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
const shuffle = <T>(a: T[]) => {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};

const npz = resolve('../shared/data/pneumoniamnist/pneumoniamnist.npz');
const labels = Array.from((await readNpz(npz)).get('train_labels')!.data as Uint8Array);
const file = '{dataRoot}/pneumoniamnist/pneumoniamnist.npz';
const config = (train: unknown) => ({
  name: 'federated PneumoniaMNIST',
  task: 'classification',
  data: { train, val: { kind: 'medmnist', file, split: 'val' } },
  transforms: {
    train: [
      { type: 'toFloat', scale: 1 / 255 },
      { type: 'randFlip', axes: [1] },
      { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
    ],
    eval: [
      { type: 'toFloat', scale: 1 / 255 },
      { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
    ],
  },
  model: {
    name: 'attention_cnn',
    config: {
      inChannels: 1,
      numClasses: 2,
      stages: [
        { channels: 8, attention: 'se' },
        { channels: 16, attention: 'cbam' },
        { channels: 32, attention: 'nonlocal' },
      ],
      dropout: 0.1,
      reduction: 4,
    },
  },
  loss: { name: 'cross_entropy', classWeights: 'inverse' },
  optimizer: { name: 'adamw', lr: 0.003 },
  training: { epochs: 5, batchSize: 64, workers: 0, seed: 0, monitor: 'auroc' },
  report: { samples: 0 },
});
const subset = (indices: number[]) => ({ kind: 'subset', of: { kind: 'medmnist', file, split: 'train' }, indices });

const all = [...labels.keys()];
const splits: Record<string, number[][]> = {
  iid: Array.from({ length: sites }, () => []),
  dirichlet: Array.from({ length: sites }, () => []),
};
shuffle([...all]).forEach((i, k) => splits.iid[k % sites].push(i));
for (const cls of [0, 1]) {
  const members = shuffle(all.filter((i) => labels[i] === cls));
  const g = Array.from({ length: sites }, () => gamma(alpha));
  const total = g.reduce((a, b) => a + b, 0);
  let start = 0;
  g.forEach((v, s) => {
    const end = s === sites - 1 ? members.length : start + Math.round((members.length * v) / total);
    splits.dirichlet[s].push(...members.slice(start, end));
    start = end;
  });
}
for (const [name, parts] of Object.entries(splits)) {
  mkdirSync(join(out, name), { recursive: true });
  writeFileSync(join(out, name, 'server.json'), JSON.stringify(config(subset(all)), null, 2));
  parts.forEach((p, s) =>
    writeFileSync(join(out, name, `site${s}.json`), JSON.stringify(config(subset(p.sort((a, b) => a - b))), null, 2)),
  );
  console.log(
    name,
    parts.map((p) => [p.filter((i) => labels[i] === 0).length, p.filter((i) => labels[i] === 1).length]),
  );
}
