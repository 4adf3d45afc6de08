// Does a decision threshold chosen on the training images beat 0.5 for a binary segmentation run's pooled F1?
//   MEDATTN_THREADS=1 nice -n 19 npx tsx bench/segmentation-threshold.ts RUN_DIR [RUN_DIR ...] [--out FILE]
// For each run (best weights): predicts its training images whole (the eval transforms, no repeats), pools the
// pixels inside the ROI and picks the F1-maximising threshold there (selectThreshold 'f1'); then scores the
// validation images, pooled inside the ROI, at 0.5 (what `medattn train` reports) and at that threshold. The
// validation's own best threshold is printed too, as the ceiling (it is chosen on the data it scores).
import { parseArgs } from 'node:util';
import { loadRun } from '../src/train/run-folder.js';
import { f1At, once, pooledPixels } from './segmentation-pixels.js';
import { selectThreshold } from '../src/metrics/index.js';
import { setNumThreads } from '../src/tensor/index.js';
import { writeFileAtomic } from '../src/train/run-folder-files.js';

const { values: o, positionals: runs } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
if (!runs.length) throw new Error('usage: bench/segmentation-threshold.ts RUN_DIR [RUN_DIR ...] [--out FILE]');
setNumThreads(Number(process.env.MEDATTN_THREADS ?? 1));

const report: Record<string, unknown> = {};
for (const dir of runs) {
  const { config, model } = loadRun(dir);
  if (config.task !== 'segmentation') throw new Error(`${dir}: a segmentation run is needed, got ${config.task}`);
  const train = await pooledPixels(config, model, once(config.data.train));
  const chosen = selectThreshold(train.probs, train.labels, 'f1');
  const val = await pooledPixels(config, model, config.data.val!);
  const ceiling = selectThreshold(val.probs, val.labels, 'f1');
  report[dir] = {
    train_threshold: +chosen.threshold.toFixed(4),
    train_f1_at_threshold: +chosen.value.toFixed(4),
    train_f1_at_half: +f1At(train.probs, train.labels, 0.5).toFixed(4),
    val_pooled_f1_at_half: +f1At(val.probs, val.labels, 0.5).toFixed(4),
    val_pooled_f1_reported: +(val.metrics.pooled_f1 as number).toFixed(4),
    val_pooled_f1_at_train_threshold: +f1At(val.probs, val.labels, chosen.threshold).toFixed(4),
    val_best_threshold: +ceiling.threshold.toFixed(4),
    val_best_f1: +ceiling.value.toFixed(4),
    val_pooled_auroc: +(val.metrics.pooled_auroc as number).toFixed(4),
  };
  console.log(dir, JSON.stringify(report[dir]));
}
if (o.out) writeFileAtomic(o.out, JSON.stringify(report, null, 2));
