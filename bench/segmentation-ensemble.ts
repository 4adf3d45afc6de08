// Does averaging the probabilities of several segmentation runs beat each run alone on validation?
//   MEDATTN_THREADS=2 npx tsx bench/segmentation-ensemble.ts RUN_DIR RUN_DIR [RUN_DIR ...] [--out FILE]
// Each run (best weights) predicts the first run's validation images whole with its own eval transforms; the
// pixels inside the ROI are pooled as `medattn train` pools them, and the mean probability of the runs is scored
// at 0.5 (pooled F1) and by pooled AUROC, next to each run's own scores.
import { parseArgs } from 'node:util';
import { loadRun } from '../src/train/run-folder.js';
import { binaryAuroc } from '../src/metrics/index.js';
import { setNumThreads } from '../src/tensor/index.js';
import { writeFileAtomic } from '../src/train/run-folder-files.js';
import { f1At, pooledPixels } from './segmentation-pixels.js';

const { values: o, positionals: runs } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
if (runs.length < 2)
  throw new Error('usage: bench/segmentation-ensemble.ts RUN_DIR RUN_DIR [RUN_DIR ...] [--out FILE]');
setNumThreads(Number(process.env.MEDATTN_THREADS ?? 1));

const valSpec = loadRun(runs[0]).config.data.val!;
const report: Record<string, unknown> = {};
let sum: Float32Array | undefined;
let labels: Int32Array | undefined;
for (const dir of runs) {
  const { config, model } = loadRun(dir);
  if (config.task !== 'segmentation') throw new Error(`${dir}: a segmentation run is needed, got ${config.task}`);
  const val = await pooledPixels(config, model, valSpec);
  if (labels && val.labels.length !== labels.length) throw new Error(`${dir}: predicted a different ROI`);
  labels ??= val.labels;
  sum ??= new Float32Array(val.probs.length);
  for (let i = 0; i < sum.length; i++) sum[i] += val.probs[i];
  report[dir] = {
    pooled_f1: +f1At(val.probs, val.labels, 0.5).toFixed(4),
    pooled_auroc: +binaryAuroc(val.probs, val.labels).toFixed(4),
  };
  console.log(dir, JSON.stringify(report[dir]));
}
const mean = sum!.map((v) => v / runs.length);
report.ensemble = {
  runs: runs.length,
  pooled_f1: +f1At(mean, labels!, 0.5).toFixed(4),
  pooled_auroc: +binaryAuroc(mean, labels!).toFixed(4),
};
console.log('ensemble', JSON.stringify(report.ensemble));
if (o.out) writeFileAtomic(o.out, JSON.stringify(report, null, 2));
