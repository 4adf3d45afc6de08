// The attention study's localisation figure: how much of a segmentation network's attention (its own
// spatial maps: attention gates, SA-UNet's bottleneck spatial attention) and of its Grad-CAM (the map a
// plain twin can give) lies on the target structure, on a run's validation images, inside the ROI.
//   MEDATTN_THREADS=1 nice -n 19 npx tsx bench/attention-mass.ts RUN_DIR [RUN_DIR ...] [--level N] [--out FILE]
// For each run and map: per-image fraction of the map's mass on target pixels, prevalence (a uniform map's
// score) and lift = fraction / prevalence, with mean ± sample std over the images. Grad-CAM differentiates
// the summed foreground logit inside the ROI with respect to encoder level --level (default the bottleneck).
import { parseArgs } from 'node:util';
import { createDataset } from '../src/data/datasets/index.js';
import { openDataLoader } from '../src/train/data-loader.js';
import { loadRun } from '../src/train/run-folder.js';
import { batchTensors } from '../src/train/batch-tensors.js';
import { cropTo, padToMultiple } from '../src/train/pad-to-multiple.js';
import { attentionMass } from '../src/metrics/index.js';
import { segmentationGradCam } from '../src/explain/index.js';
import { UNet } from '../src/models/index.js';
import { noGrad, setNumThreads, tidy, type Tensor } from '../src/tensor/index.js';
import { writeFileAtomic } from '../src/train/run-folder-files.js';

const { values: o, positionals: runs } = parseArgs({
  allowPositionals: true,
  options: { level: { type: 'string' }, out: { type: 'string' } },
});
if (!runs.length) throw new Error('usage: bench/attention-mass.ts RUN_DIR [RUN_DIR ...] [--level N] [--out FILE]');
setNumThreads(Number(process.env.MEDATTN_THREADS ?? 1));

const stats = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean: +mean.toFixed(4), std: +std.toFixed(4), values: v.map((x) => +x.toFixed(4)) };
};

const report: Record<string, unknown> = {};
for (const dir of runs) {
  const { config, model } = loadRun(dir);
  if (config.task !== 'segmentation' || !(model instanceof UNet))
    throw new Error(`${dir}: a segmentation U-Net run is needed, got ${config.task} ${model.modelName}`);
  const dataset = await createDataset(config.data.val!);
  const loader = await openDataLoader(dataset, config, { train: false, workers: 0 });
  const perMap = new Map<string, { fraction: number[]; prevalence: number[]; lift: number[] }>();
  const add = (
    key: string,
    map: Float32Array,
    target: Float32Array,
    roi: Float32Array | undefined,
    shape: number[],
  ) => {
    const m = attentionMass({ data: map, shape }, { data: target, shape }, roi ? { data: roi, shape } : undefined);
    const e = perMap.get(key) ?? { fraction: [], prevalence: [], lift: [] };
    e.fraction.push(m.fraction);
    e.prevalence.push(m.prevalence);
    e.lift.push(m.lift);
    perMap.set(key, e);
  };
  model.eval();
  try {
    for await (const batch of loader.epoch(0)) {
      tidy(() => {
        const { x, y, roi } = batchTensors(batch, 'segmentation', config.data.roiKey);
        const { padded, spatial } = padToMultiple(x, config.training.padMultiple);
        const { attention } = noGrad(() => model.forwardWithAttention(padded));
        const maps: [string, Tensor][] = [...attention].filter(([k]) => k.endsWith('.spatial'));
        const region = roi ? padToMultiple(roi, config.training.padMultiple).padded : undefined;
        const level = o.level === undefined ? undefined : Number(o.level);
        maps.push(['grad_cam', segmentationGradCam(model, padded, { level, region })]);
        for (let i = 0; i < x.size(0); i++) {
          const target = y.select(0, i).select(0, 0).toFloat32Array();
          const r = roi?.select(0, i).select(0, 0).toFloat32Array();
          for (const [key, map] of maps) {
            const m = cropTo(map, spatial).select(0, i).select(0, 0).toFloat32Array();
            add(key, m, target, r, spatial);
          }
        }
      });
    }
  } finally {
    await loader.close();
  }
  report[dir] = {
    model: model.modelName,
    maps: Object.fromEntries(
      [...perMap].map(([k, v]) => [
        k,
        { fraction: stats(v.fraction), prevalence: stats(v.prevalence), lift: stats(v.lift) },
      ]),
    ),
  };
}
const text = JSON.stringify(report, null, 2);
if (o.out) writeFileAtomic(o.out, text + '\n');
console.log(text);
