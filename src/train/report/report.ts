/**
 * The human report of a run folder: report.html with loss and metric curves, ROC curve and confusion matrix
 * (classification), and validation images with the model's attention maps overlaid (and, for segmentation,
 * the true and predicted masks). Every picture is a PNG beside the HTML.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../../data/datasets/index.js';
import { createTransform, Rng } from '../../data/transforms/index.js';
import type { MedicalImage } from '../../data/medical-image.js';
import { overlayHeatmap, greyToRgb, maskToRgb } from '../../explain/index.js';
import { rocCurve } from '../../metrics/index.js';
import type { AttentionModel } from '../../models/attention-model.js';
import type { TrainingConfig } from '../config.js';
import type { ClassificationEvaluation, SegmentationEvaluation } from '../evaluate-model.js';
import type { EpochRecord } from '../trainer.js';
import { confusionMatrixSvg, lineChartSvg, svgToPng } from './charts.js';
import { lookedRow, tile, whereItLooked, writeGrid } from './where-it-looked.js';

export interface ReportInput {
  outDir: string;
  config: TrainingConfig;
  history: EpochRecord[];
  monitor: string;
  best?: EpochRecord;
  stoppedBy: string;
  model: AttentionModel;
  valSet: Dataset;
  evaluation?: ClassificationEvaluation | SegmentationEvaluation;
}

/** Validation samples (spread over classes when labelled) after the eval transforms. */
async function reportSamples(
  valSet: Dataset,
  config: TrainingConfig,
  count: number,
): Promise<{ image: MedicalImage; label?: number; id: string }[]> {
  const transform = createTransform(config.transforms.eval);
  const labels = valSet.labels();
  let indices = Array.from({ length: Math.min(count, valSet.length) }, (_, i) => i);
  if (labels && config.task === 'classification') {
    const byClass = new Map<number, number[]>();
    labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
    const per = Math.max(1, Math.ceil(count / byClass.size));
    indices = [...byClass.values()].flatMap((ix) => ix.slice(0, per)).slice(0, count);
  }
  const out = [];
  for (const i of indices) {
    const s = transform.apply(await valSet.get(i), Rng.seeded(i));
    out.push({ image: s.image as MedicalImage, label: s.label as number | undefined, id: String(s.id ?? i) });
  }
  return out;
}

function table(rows: [string, unknown][]): string {
  const fmt = (v: unknown) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : JSON.stringify(v);
  return `<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${fmt(v)}</td></tr>`).join('')}</table>`;
}

export async function writeReport(input: ReportInput): Promise<string> {
  const { outDir, config, history, monitor, best, model } = input;
  const epochs = history.map((r) => r.epoch + 1);
  const figures: { file: string; caption: string }[] = [];

  await svgToPng(
    lineChartSvg(
      'Loss',
      [
        { name: 'train', x: epochs, y: history.map((r) => r.train_loss) },
        { name: 'validation', x: epochs, y: history.map((r) => r.val_loss) },
      ],
      { xLabel: 'epoch', yLabel: 'loss' },
    ),
    join(outDir, 'loss.png'),
  );
  figures.push({ file: 'loss.png', caption: 'Training and validation loss per epoch.' });
  const metricNames =
    config.task === 'classification'
      ? ['auroc', 'accuracy', 'f1', 'balanced_accuracy']
      : ['dice', 'iou', 'auroc', 'pooled_f1'];
  await svgToPng(
    lineChartSvg(
      'Validation metrics',
      metricNames.map((m) => ({ name: m, x: epochs, y: history.map((r) => Number(r[m])) })),
      { xLabel: 'epoch', yRange: [0, 1] },
    ),
    join(outDir, 'metrics.png'),
  );
  figures.push({
    file: 'metrics.png',
    caption: `Validation metrics per epoch; the best checkpoint maximises ${monitor}.`,
  });

  const evaluation = input.evaluation;
  if (config.task === 'classification' && evaluation && 'labels' in evaluation && best) {
    const binary = evaluation.probs.length === evaluation.labels.length;
    if (binary) {
      const roc = rocCurve(evaluation.probs, evaluation.labels);
      await svgToPng(
        lineChartSvg(
          `ROC (AUROC ${Number(best.auroc).toFixed(4)})`,
          [{ name: 'model', x: Array.from(roc.fpr), y: Array.from(roc.tpr) }],
          { xLabel: 'false positive rate', yLabel: 'true positive rate', yRange: [0, 1], diagonal: true },
        ),
        join(outDir, 'roc.png'),
      );
      figures.push({ file: 'roc.png', caption: 'ROC curve of the best checkpoint on the validation set.' });
    }
    const cm = best.confusion_matrix as number[][] | undefined;
    if (cm) {
      await svgToPng(confusionMatrixSvg(cm, input.valSet.classNames ?? []), join(outDir, 'confusion.png'));
      figures.push({
        file: 'confusion.png',
        caption: `Confusion matrix of the best checkpoint (threshold ${best.threshold ?? 0.5}).`,
      });
    }
  }

  // Attention: each row is one validation image, then each attention block's spatial map over it.
  const samples = await reportSamples(input.valSet, config, config.report.samples);
  let attentionCaption = '';
  if (samples.length) {
    const rows: Buffer[][] = [];
    const captions: string[] = [];
    let columns: string[] = [];
    for (const s of samples) {
      const looked = whereItLooked(model, s.image, config);
      columns = looked.columns;
      rows.push(await lookedRow(s.image, looked));
      captions.push(
        config.task === 'classification'
          ? `${s.id}: true ${input.valSet.classNames?.[s.label ?? -1] ?? s.label}, p = [${Array.from(looked.output, (p) => p.toFixed(3)).join(', ')}]`
          : `${s.id}`,
      );
    }
    await writeGrid(join(outDir, 'attention.png'), rows);
    attentionCaption = `Columns: ${columns.join(' | ')}. Rows: ${captions.join('; ')}.`;
    figures.push({
      file: 'attention.png',
      caption: `Where the model looked (turbo colormap, red = high attention). ${attentionCaption}`,
    });
  }

  if (config.task === 'segmentation' && evaluation && 'examples' in evaluation && evaluation.examples.length) {
    const rows: Buffer[][] = [];
    for (const e of evaluation.examples) {
      const [, h, w] = e.shape;
      const grey = e.image.subarray(0, h * w);
      const truth = maskToRgb(e.target);
      const predicted = maskToRgb(Float32Array.from(e.prob, (p) => (p >= 0.5 ? 1 : 0)));
      rows.push([
        await tile(greyToRgb(grey), w, h),
        await tile(truth, w, h, { mask: true }),
        await tile(predicted, w, h, { mask: true }),
        await tile(overlayHeatmap(grey, e.prob, 0.6, [0, 1]), w, h),
      ]);
    }
    await writeGrid(join(outDir, 'segmentation.png'), rows);
    figures.push({
      file: 'segmentation.png',
      caption: 'Validation images (last epoch): input | true mask | predicted mask (p >= 0.5) | predicted probability.',
    });
  }

  const bestRows: [string, unknown][] = best
    ? Object.entries(best).filter(([k]) => !['confusion_matrix', 'average'].includes(k))
    : [];
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${config.name}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:left}th{background:#f4f4f4}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}</style></head><body>
<h1>${config.name}</h1>
<p>Task: ${config.task}. Model: <code>${config.model.name}</code> with ${model.numParameters().toLocaleString('en')} parameters. Epochs run: ${history.length} (stopped by ${input.stoppedBy}). Best epoch by ${monitor}: ${best ? best.epoch + 1 : 'none'}.</p>
<h2>Best validation metrics</h2>${table(bestRows)}
${figures.map((f) => `<figure><img src="${f.file}" alt="${f.caption}"><figcaption>${f.caption}</figcaption></figure>`).join('\n')}
<h2>Files</h2><ul><li><code>best.safetensors</code>: best weights (PyTorch-compatible names)</li><li><code>last.safetensors</code>: last epoch with optimizer state, for <code>medattn train --resume</code></li><li><code>metrics.json</code>, <code>log.jsonl</code>, <code>config.json</code>, <code>model.json</code></li></ul>
</body></html>`;
  const path = join(outDir, 'report.html');
  writeFileSync(`${path}.tmp`, html);
  renameSync(`${path}.tmp`, path);
  return path;
}
