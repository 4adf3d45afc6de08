// What the levers that need no retraining do to binary classifier runs on their validation data: the decision
// threshold (0.5 against the Youden / balanced-accuracy threshold), horizontal test-time flips, temperature
// scaling, and the ensemble of the given runs (seeds). Written for the PneumoniaMNIST study (issue 20).
//   MEDATTN_THREADS=1 nice -n 19 npx tsx bench/classifier-posthoc.ts RUN_DIR [RUN_DIR ...] [--probe] [--out FILE]
// Per run and variant (plain, hflip = mean logits of the image and its left-right mirror): AUROC, accuracy and
// balanced accuracy at 0.5 and at the Youden threshold (chosen on the same data, so that row is optimistic),
// NLL and ECE at T = 1 and at the temperature that minimises the NLL. Then mean ± sample std over the runs and,
// for hflip - plain, the paired difference with a 95 % t interval. --probe also scores each run on the validation
// images under fixed intensity changes (gamma, contrast, blur: a stand-in for acquisition shift, not the real
// shift), deciding at 0.5 and at the Youden threshold chosen on the unchanged validation images.
import { parseArgs } from 'node:util';
import { createDataset } from '../src/data/datasets/index.js';
import { openDataLoader } from '../src/train/data-loader.js';
import { loadRun } from '../src/train/run-folder.js';
import { batchTensors } from '../src/train/batch-tensors.js';
import { classificationReport, pairedDifference, selectThreshold } from '../src/metrics/index.js';
import { noGrad, setNumThreads, tidy, type Tensor } from '../src/tensor/index.js';
import { writeFileAtomic } from '../src/train/run-folder-files.js';
import { Rng, type TransformSpec } from '../src/data/transforms/index.js';

const { values: o, positionals: runs } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, probe: { type: 'boolean' } },
});
if (!runs.length) throw new Error('usage: bench/classifier-posthoc.ts RUN_DIR [RUN_DIR ...] [--out FILE]');
setNumThreads(Number(process.env.MEDATTN_THREADS ?? 1));

/** Logit margin (class 1 - class 0) of every validation sample, without and with horizontal flip averaging. */
async function margins(dir: string, shift?: TransformSpec) {
  const { config: runConfig, model } = loadRun(dir);
  if (runConfig.task !== 'classification') throw new Error(`${dir}: a classification run is needed`);
  // The shift goes right after the first eval transform (toFloat), before normalisation.
  const [first, ...rest] = runConfig.transforms.eval;
  const eval_ = shift ? [first, shift, ...rest] : runConfig.transforms.eval;
  const config = { ...runConfig, transforms: { ...runConfig.transforms, eval: eval_ } };
  const dataset = await createDataset(config.data.val!);
  const loader = await openDataLoader(dataset, config, { train: false, workers: 0 });
  const plain: number[] = [];
  const flipped: number[] = [];
  const labels: number[] = [];
  model.eval();
  try {
    for await (const batch of loader.epoch(0)) {
      tidy(() =>
        noGrad(() => {
          const { x, y } = batchTensors(batch, 'classification');
          const margin = (logits: Tensor) => {
            const m = logits.select(1, 1).sub(logits.select(1, 0));
            return Array.from(m.toArray() as Float32Array);
          };
          const a = model.forward(x) as Tensor;
          const b = model.forward(x.flip([x.ndim - 1])) as Tensor;
          plain.push(...margin(a));
          flipped.push(...margin(a.add(b).div(2)));
          for (const v of y.toArray() as BigInt64Array) labels.push(Number(v));
        }),
      );
    }
  } finally {
    await loader.close();
    model.dispose();
  }
  return { plain, flipped, labels };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const nll = (m: number[], y: number[], t: number) =>
  m.reduce((s, z, i) => s - Math.log(Math.max(1e-12, y[i] ? sigmoid(z / t) : 1 - sigmoid(z / t))), 0) / m.length;

/**
 * The Youden rule out of sample: 200 random stratified halvings of the data; the threshold chosen on one half
 * decides the other, against 0.5 on the same half. Mean accuracy and balanced accuracy over the halvings.
 */
function crossFitted(p: number[], y: number[]) {
  const rng = Rng.seeded(0);
  const byClass = [0, 1].map((c) => y.flatMap((v, i) => (v === c ? [i] : [])));
  const out = { accuracy_fixed: 0, balanced_accuracy_fixed: 0, accuracy_youden: 0, balanced_accuracy_youden: 0 };
  const rounds = 200;
  for (let r = 0; r < rounds; r++) {
    const a: number[] = [];
    const b: number[] = [];
    for (const idx of byClass) {
      const order = [...idx];
      rng.shuffle(order);
      a.push(...order.slice(0, order.length >> 1));
      b.push(...order.slice(order.length >> 1));
    }
    for (const [fit, score] of [
      [a, b],
      [b, a],
    ]) {
      const t = selectThreshold(
        fit.map((i) => p[i]),
        fit.map((i) => y[i]),
        'youden',
      ).threshold;
      const ps = score.map((i) => p[i]);
      const ys = score.map((i) => y[i]);
      const fixed = classificationReport(ps, ys, { threshold: 0.5 });
      const youden = classificationReport(ps, ys, { threshold: t });
      out.accuracy_fixed += fixed.accuracy / (2 * rounds);
      out.balanced_accuracy_fixed += fixed.balanced_accuracy / (2 * rounds);
      out.accuracy_youden += youden.accuracy / (2 * rounds);
      out.balanced_accuracy_youden += youden.balanced_accuracy / (2 * rounds);
    }
  }
  return out;
}

function scores(m: number[], y: number[]) {
  const p = m.map(sigmoid);
  const at = (threshold: number) => classificationReport(p, y, { threshold });
  const r = at(0.5);
  const youden = selectThreshold(p, y, 'youden').threshold;
  const ry = at(youden);
  // Temperature by golden-section search on log T in [-3, 3] (the NLL is unimodal in T for a fixed margin).
  let lo = -3;
  let hi = 3;
  for (let i = 0; i < 80; i++) {
    const a = lo + (hi - lo) * 0.382;
    const b = lo + (hi - lo) * 0.618;
    if (nll(m, y, Math.exp(a)) < nll(m, y, Math.exp(b))) hi = b;
    else lo = a;
  }
  const t = Math.exp((lo + hi) / 2);
  const pt = m.map((z) => sigmoid(z / t));
  return {
    auroc: r.auroc,
    accuracy: r.accuracy,
    balanced_accuracy: r.balanced_accuracy,
    specificity: r.specificity,
    recall: r.recall,
    youden_threshold: youden,
    accuracy_youden: ry.accuracy,
    balanced_accuracy_youden: ry.balanced_accuracy,
    nll: nll(m, y, 1),
    ece: r.ece,
    temperature: t,
    nll_t: nll(m, y, t),
    ece_t: classificationReport(pt, y, { threshold: 0.5 }).ece,
    ...Object.fromEntries(Object.entries(crossFitted(p, y)).map(([k, v]) => [`crossfit_${k}`, v])),
  };
}

type Scores = ReturnType<typeof scores>;
const summary = (rows: Scores[]) =>
  Object.fromEntries(
    (Object.keys(rows[0]) as (keyof Scores)[]).map((k) => {
      const v = rows.map((r) => r[k]);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
      return [k, { mean: +mean.toFixed(4), std: +std.toFixed(4) }];
    }),
  );

const probes: [string, TransformSpec][] = [
  ['gamma_0.7', { type: 'randGamma', gamma: [0.7, 0.7] }],
  ['gamma_1.4', { type: 'randGamma', gamma: [1.4, 1.4] }],
  ['contrast_0.75', { type: 'randContrast', factor: [0.75, 0.75] }],
  ['blur_0.6', { type: 'gaussianBlur', sigma: 0.6 }],
];
type Probe = { auroc: number; accuracy: number; balanced_accuracy: number; accuracy_youden: number };
const perRun: Record<string, { plain: Scores; hflip: Scores; probe?: Record<string, Probe> }> = {};
const all: { plain: number[]; flipped: number[]; labels: number[] }[] = [];
for (const dir of runs) {
  const m = await margins(dir);
  all.push(m);
  perRun[dir] = { plain: scores(m.plain, m.labels), hflip: scores(m.flipped, m.labels) };
  if (o.probe) {
    const t = perRun[dir].plain.youden_threshold;
    const probe: Record<string, Probe> = {};
    for (const [name, shift] of probes) {
      const s = await margins(dir, shift);
      const p = s.plain.map(sigmoid);
      const r = classificationReport(p, s.labels, { threshold: 0.5 });
      const ry = classificationReport(p, s.labels, { threshold: t });
      probe[name] = {
        auroc: r.auroc,
        accuracy: r.accuracy,
        balanced_accuracy: r.balanced_accuracy,
        accuracy_youden: ry.accuracy,
      };
    }
    const keys = ['auroc', 'accuracy', 'balanced_accuracy', 'accuracy_youden'] as const;
    probe.mean = Object.fromEntries(
      keys.map((k) => [k, probes.reduce((acc, [n]) => acc + probe[n][k], 0) / probes.length]),
    ) as Probe;
    perRun[dir].probe = probe;
  }
  process.stderr.write(`${dir}: ${JSON.stringify(perRun[dir])}\n`);
}
const rows = Object.values(perRun);
const report: Record<string, unknown> = {
  runs,
  perRun,
  plain: summary(rows.map((r) => r.plain)),
  hflip: summary(rows.map((r) => r.hflip)),
};
if (o.probe) {
  const keys = ['auroc', 'accuracy', 'balanced_accuracy', 'accuracy_youden'] as const;
  report.probe = Object.fromEntries(
    [...probes.map(([n]) => n), 'mean'].map((n) => [
      n,
      Object.fromEntries(
        keys.map((k) => {
          const v = rows.map((r) => r.probe![n][k]);
          const mean = v.reduce((a, b) => a + b, 0) / v.length;
          const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
          return [k, { mean: +mean.toFixed(4), std: +std.toFixed(4) }];
        }),
      ),
    ]),
  );
}
if (rows.length >= 2) {
  for (const k of ['auroc', 'accuracy', 'balanced_accuracy'] as const)
    report[`hflip_minus_plain_${k}`] = pairedDifference(
      rows.map((r) => r.hflip[k]),
      rows.map((r) => r.plain[k]),
    );
  // The ensemble of the runs (mean logit margin): what averaging seeds would give, at their summed cost.
  const mean = (key: 'plain' | 'flipped') =>
    all[0][key].map((_, i) => all.reduce((s, r) => s + r[key][i], 0) / all.length);
  report.ensemble = { plain: scores(mean('plain'), all[0].labels), hflip: scores(mean('flipped'), all[0].labels) };
}
const text = JSON.stringify(report, null, 2);
if (o.out) writeFileAtomic(o.out, text);
console.log(text);
