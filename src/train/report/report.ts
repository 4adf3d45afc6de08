/**
 * The human report of a run folder, laid out as a clinical ML report: what was trained on what (data, sizes,
 * class balance), the headline metrics at the stated decision threshold, ROC curve and confusion matrix,
 * training curves, where the model looked, and the configuration. report.html is one self-contained file
 * (pictures embedded); each chart and grid is also written as a PNG beside it for slides and papers.
 *
 * Epochs are numbered from 1 everywhere the report shows them (metrics.json and log.jsonl count from 0).
 * Everything that comes from the user or the data (config name, class names, case ids, file names) goes
 * through the escaping `html` tag.
 */
import { join } from 'node:path';
import { createDataset, type Dataset } from '../../data/datasets/index.js';
import { createTransform, Rng } from '../../data/transforms/index.js';
import type { MedicalImage } from '../../data/medical-image.js';
import { overlayHeatmap, greyToRgb, maskToRgb } from '../../explain/index.js';
import { binaryAuroc, dice, rocCurve } from '../../metrics/index.js';
import type { AttentionModel } from '../../models/attention-model.js';
import type { TrainingConfig } from '../config.js';
import type { ClassificationEvaluation, SegmentationEvaluation } from '../evaluate-model.js';
import type { DetectionEvaluation } from '../tasks/detection.js';
import { detectionSection } from './detection-section.js';
import type { EpochRecord } from '../trainer.js';
import { confusionMatrixSvg, lineChartSvg, svgSize, svgToPng } from './charts.js';
import { summarizeDataset, type DataSummary } from './data-summary.js';
import { classificationHeadline, detectionHeadline, segmentationHeadline, type MetricRow } from './headline-metrics.js';
import { html, joinHtml, type SafeHtml } from './html.js';
import { colourBar, displayPng, imageTable, maxDisplayFor, pngImg, type ImageRow } from './image-table.js';
import { firstChannel, lookedRow, tile, whereItLooked, writeGrid } from './where-it-looked.js';
import { writeFileAtomic } from '../run-folder-files.js';
import { isTableClassifier } from '../../models/tabular/table-classifier.js';
import { isIcuModel } from '../../explain/icu-attention.js';
import { icuAttentionSection } from './icu-section.js';
import { featureWeightsSection } from './feature-weights.js';
import { writeTextReport } from './text-report.js';

/** Added to a 0-based epoch index (metrics.json, log.jsonl) to give the epoch number the report shows. */
export const EPOCH_DISPLAY_OFFSET = 1;

export interface ReportInput {
  outDir: string;
  config: TrainingConfig;
  history: EpochRecord[];
  monitor: string;
  best?: EpochRecord;
  stoppedBy: string;
  model: AttentionModel;
  valSet: Dataset;
  /** The training set, for its size and class balance; rebuilt from the config when not given. */
  trainSet?: Dataset;
  evaluation?: ClassificationEvaluation | SegmentationEvaluation | DetectionEvaluation;
}

interface ReportSample {
  image: MedicalImage;
  label?: number;
  id: string;
  mask?: ArrayLike<number>;
  roi?: ArrayLike<number>;
}

/** Validation samples (spread over classes when labelled) after the eval transforms. */
async function reportSamples(valSet: Dataset, config: TrainingConfig, count: number): Promise<ReportSample[]> {
  const transform = createTransform(config.transforms.eval);
  const labels = valSet.labels();
  let indices = Array.from({ length: Math.min(count, valSet.length) }, (_, i) => i);
  if (labels && config.task === 'classification') {
    const byClass = new Map<number, number[]>();
    labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
    const per = Math.max(1, Math.ceil(count / byClass.size));
    indices = [...byClass.values()].flatMap((ix) => ix.slice(0, per)).slice(0, count);
  }
  const out: ReportSample[] = [];
  for (const i of indices) {
    const s = transform.apply(await valSet.get(i), Rng.seeded(i));
    out.push({
      image: s.image as MedicalImage,
      label: s.label as number | undefined,
      id: String(s.id ?? i),
      mask: (s.mask as MedicalImage | undefined)?.data as ArrayLike<number> | undefined,
      roi: (s.roi as MedicalImage | undefined)?.data as ArrayLike<number> | undefined,
    });
  }
  return out;
}

const fixed = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const count = (n: number) => n.toLocaleString('en');
const percent = (f: number) => `${(100 * f).toFixed(1)}%`;

/** A chart as an embedded PNG at its SVG size (the PNG has twice the pixels, for sharp text). */
async function chart(svg: string, outDir: string, file: string, alt: string): Promise<SafeHtml> {
  const png = await svgToPng(svg, join(outDir, file));
  const { width, height } = svgSize(svg);
  return pngImg(png, width, height, alt);
}

function dataTable(rows: [string, DataSummary][]): SafeHtml {
  const balance = (d: DataSummary) =>
    d.classes
      ? joinHtml(
          d.classes.map((c) => html`${c.name}: ${count(c.count)} (${percent(c.fraction)})`),
          '<br>',
        )
      : '';
  return html`<table>
    <thead>
      <tr>
        <th>set</th>
        <th>source</th>
        <th>samples</th>
        ${rows.some(([, d]) => d.classes) ? html`<th>class balance</th>` : ''}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        ([name, d]) =>
          html`<tr>
            <th>${name}</th>
            <td><code>${d.source}</code></td>
            <td class="num">${count(d.size)}</td>
            ${d.classes ? html`<td>${balance(d)}</td>` : ''}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function metricTable(rows: MetricRow[]): SafeHtml {
  const withInterval = rows.some((r) => r.interval);
  return html`<table class="metrics">
    <thead>
      <tr>
        <th>metric</th>
        <th>value</th>
        ${withInterval ? html`<th>95% CI</th>` : ''}
        <th>what it measures</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            <th>${r.name}</th>
            <td class="num">${fixed(r.value)}</td>
            ${withInterval ? html`<td class="num">${r.interval ? `${fixed(r.interval[0], 3)}–${fixed(r.interval[1], 3)}` : ''}</td>` : ''}
            <td>${r.note}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** One row per epoch (numbered from 1), the best one marked. */
function historyTable(history: EpochRecord[], monitor: string, best?: EpochRecord): SafeHtml {
  return html`<table class="history">
    <thead>
      <tr>
        <th>epoch</th>
        <th>learning rate</th>
        <th>train loss</th>
        <th>validation loss</th>
        <th>${monitor}</th>
        <th>seconds</th>
      </tr>
    </thead>
    <tbody>
      ${history.map(
        (r) =>
          html`<tr class="${r === best || r.epoch === best?.epoch ? 'best' : ''}">
            <td class="num">${r.epoch + EPOCH_DISPLAY_OFFSET}${r.epoch === best?.epoch ? ' (best)' : ''}</td>
            <td class="num">${Number(r.lr).toExponential(2)}</td>
            <td class="num">${fixed(r.train_loss)}</td>
            <td class="num">${fixed(r.val_loss)}</td>
            <td class="num">${fixed(Number(r[monitor]))}</td>
            <td class="num">${fixed(r.seconds, 1)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function thresholdSentence(config: TrainingConfig, best: EpochRecord | undefined): string {
  const t = typeof best?.threshold === 'number' ? best.threshold : 0.5;
  const how = config.training.threshold;
  if (how === 'fixed')
    return `Decision threshold: ${t} (fixed): a case is called positive when its probability is at least ${t}.`;
  return `Decision threshold: ${fixed(t)}, chosen on this validation set by ${how === 'youden' ? "Youden's J" : 'maximum F1'}; the rates below are therefore optimistic, as the threshold was fitted to the same cases.`;
}

/** Per-image caption for the where-it-looked grid: case id, truth, probability and the call at the threshold. */
function classificationCaption(
  s: ReportSample,
  output: Float32Array,
  classNames: string[],
  threshold: number,
): SafeHtml {
  const name = (k: number | undefined) => (k === undefined ? 'unknown' : (classNames[k] ?? String(k)));
  let predicted: number;
  let probability: SafeHtml;
  if (output.length === 2) {
    predicted = output[1] >= threshold ? 1 : 0;
    probability = html`P(${name(1)}) = ${output[1].toFixed(3)}`;
  } else {
    predicted = output.indexOf(Math.max(...output));
    probability = html`P(${name(predicted)}) = ${output[predicted].toFixed(3)}`;
  }
  const verdict =
    s.label === undefined
      ? ''
      : s.label === predicted
        ? html` <span class="ok">✓</span>`
        : html` <span class="wrong">✗</span>`;
  return html`<b>${s.id}</b><br />truth: ${name(s.label)}<br />${probability}<br />called: ${name(predicted)}${verdict}`;
}

/** Dice of one image's probability (>= 0.5) against its true mask, inside the ROI when there is one. */
function segmentationDice(
  prob: ArrayLike<number>,
  target: ArrayLike<number>,
  roi: ArrayLike<number> | undefined,
  shape: readonly number[],
): number {
  return dice({ data: prob, shape }, { data: target, shape }, { roi: roi && { data: roi, shape } });
}

export async function writeReport(input: ReportInput): Promise<string> {
  if (input.config.task === 'text') return writeTextReport(input);
  const { outDir, config, history, monitor, best, model } = input;
  const classification = config.task === 'classification';
  const classNames = input.valSet.classNames ?? [];
  const bestEpoch = best ? best.epoch + EPOCH_DISPLAY_OFFSET : undefined;
  const epochs = history.map((r) => r.epoch + EPOCH_DISPLAY_OFFSET);
  const markBest = bestEpoch === undefined ? undefined : { x: bestEpoch, label: `best (epoch ${bestEpoch})` };
  const sections: SafeHtml[] = [];

  // 1. Data
  const trainSet = input.trainSet ?? (await createDataset(config.data.train));
  sections.push(
    html`<h2 id="data">Data</h2>
      ${dataTable([
        ['training', summarizeDataset(trainSet, classification)],
        ['validation', summarizeDataset(input.valSet, classification)],
      ])}
      <p class="note">
        All metrics, curves and pictures below are on the validation set; no separate test set was evaluated.
      </p>`,
  );

  // 2. Headline metrics, 3. ROC and confusion matrix
  const bestMetrics = (best ?? {}) as Record<string, unknown>;
  const positive = classNames[1] ?? 'positive';
  const headline = classification
    ? classificationHeadline(bestMetrics, positive)
    : config.task === 'detection'
      ? detectionHeadline(bestMetrics)
      : segmentationHeadline(bestMetrics);
  sections.push(
    html`<h2 id="metrics">Headline metrics</h2>
      <p>
        ${
          typeof best?.swa_epochs === 'number' && bestEpoch !== undefined
            ? html`Model:
                <b>the mean of the weights of epochs ${bestEpoch - best.swa_epochs}-${bestEpoch - 1}</b> (stochastic
                weight averaging, training.swa), BatchNorm statistics recomputed.`
            : html`Best checkpoint: <b>epoch ${bestEpoch ?? 'none'}</b> of ${history.length}, chosen by validation
                ${monitor}.`
        }
        ${typeof best?.n === 'number' ? `${count(best.n)} validation ${classification ? 'cases' : 'images'}.` : ''}
      </p>
      ${classification ? html`<p>${thresholdSentence(config, best)}</p>` : config.task === 'detection' ? html`` : html`<p>Pixels are called foreground at probability 0.5.</p>`}
      ${headline.length ? metricTable(headline) : html`<p>No validation metrics were recorded.</p>`}`,
  );

  const evaluation = input.evaluation;
  if (classification && best) {
    const figures: SafeHtml[] = [];
    const threshold = typeof best.threshold === 'number' ? best.threshold : 0.5;
    if (evaluation && 'labels' in evaluation && evaluation.probs.length === evaluation.labels.length) {
      // The trainer's last evaluation is of the last epoch, which need not be the best one: say which.
      const roc = rocCurve(evaluation.probs, evaluation.labels);
      const last = history.at(-1);
      const lastThreshold = typeof last?.threshold === 'number' ? last.threshold : 0.5;
      const points =
        typeof last?.recall === 'number' && typeof last.specificity === 'number'
          ? [{ x: 1 - last.specificity, y: last.recall, label: `threshold ${+lastThreshold.toFixed(4)}` }]
          : [];
      const lastEpoch = (last?.epoch ?? 0) + EPOCH_DISPLAY_OFFSET;
      const svg = lineChartSvg(
        `ROC curve, epoch ${lastEpoch} (AUROC ${fixed(binaryAuroc(evaluation.probs, evaluation.labels))})`,
        [{ name: 'model', x: Array.from(roc.fpr), y: Array.from(roc.tpr) }],
        {
          xLabel: '1 − specificity (false positive rate)',
          yLabel: 'sensitivity (true positive rate)',
          xRange: [0, 1],
          yRange: [0, 1],
          diagonal: true,
          points,
        },
      );
      figures.push(
        html`<figure>
          ${await chart(svg, outDir, 'roc.png', 'ROC curve')}
          <figcaption>
            ROC curve of the last epoch (${lastEpoch}) on the validation set; the circle is its operating point at the
            decision threshold.
          </figcaption>
        </figure>`,
      );
    }
    const cm = best.confusion_matrix as number[][] | undefined;
    if (cm) {
      const svg = confusionMatrixSvg(cm, classNames, `Confusion matrix (epoch ${bestEpoch})`);
      figures.push(
        html`<figure>
          ${await chart(svg, outDir, 'confusion.png', 'confusion matrix')}
          <figcaption>
            Counts of the best epoch at threshold ${+threshold.toFixed(4)}; percentages are of each true class (row).
          </figcaption>
        </figure>`,
      );
    }
    if (figures.length)
      sections.push(
        html`<h2 id="roc">ROC curve and confusion matrix</h2>
          <div class="figures">${figures}</div>`,
      );
  }

  // 4. Training curves
  const lossSvg = lineChartSvg(
    'Loss',
    [
      { name: 'train', x: epochs, y: history.map((r) => r.train_loss) },
      { name: 'validation', x: epochs, y: history.map((r) => r.val_loss) },
    ],
    { xLabel: 'epoch', yLabel: 'loss', integerX: true, markX: markBest },
  );
  const metricNames = (
    classification ? ['auroc', 'accuracy', 'f1', 'balanced_accuracy'] : ['dice', 'iou', 'auroc', 'pooled_f1']
  ).filter((m) => history.some((r) => typeof r[m] === 'number'));
  const metricsSvg = lineChartSvg(
    'Validation metrics',
    metricNames.map((m) => ({ name: m, x: epochs, y: history.map((r) => Number(r[m])) })),
    { xLabel: 'epoch', yRange: [0, 1], integerX: true, markX: markBest },
  );
  sections.push(
    html`<h2 id="curves">Training curves</h2>
      <div class="figures">
        <figure>
          ${await chart(lossSvg, outDir, 'loss.png', 'loss per epoch')}
          <figcaption>Training and validation loss per epoch.</figcaption>
        </figure>
        <figure>
          ${await chart(metricsSvg, outDir, 'metrics.png', 'validation metrics per epoch')}
          <figcaption>Validation metrics per epoch; the dashed line marks the best epoch by ${monitor}.</figcaption>
        </figure>
      </div>
      <p>Stopped by: ${input.stoppedBy}.</p>
      ${historyTable(history, monitor, best)}`,
  );

  // 5. Where the model looked: one row per validation image, each attention block's map and Grad-CAM.
  // Detection shows its attention maps beside the boxes (detectionSection) instead.
  // ICU series models show hours x variables heat maps (icuAttentionSection) instead of image overlays.
  const icu = isIcuModel(model.modelName, model.config);
  const samples =
    config.task === 'detection' || icu ? [] : await reportSamples(input.valSet, config, config.report.samples);
  if (samples.length) {
    const rows: ImageRow[] = [];
    const gridRows: Buffer[][] = [];
    let columns: string[] = [];
    const threshold = typeof best?.threshold === 'number' ? best.threshold : 0.5;
    for (const s of samples) {
      const looked = whereItLooked(model, s.image, config);
      columns = looked.columns;
      gridRows.push(await lookedRow(s.image, looked));
      const [, h, w] = s.image.shape;
      const grey = firstChannel(s.image);
      const pictures = [greyToRgb(grey)];
      if (looked.segmentation) pictures.push(overlayHeatmap(grey, looked.output, 0.6, [0, 1]));
      for (const map of looked.maps) pictures.push(overlayHeatmap(grey, map));
      const maxDisplay = maxDisplayFor(pictures.length);
      const cells = [];
      for (const rgb of pictures) cells.push(await displayPng(rgb, w, h, { maxDisplay }));
      let caption: SafeHtml;
      if (classification) caption = classificationCaption(s, looked.output, classNames, threshold);
      else {
        const score = s.mask ? segmentationDice(looked.output, s.mask, s.roi, s.image.shape.slice(1)) : undefined;
        caption = html`<b>${s.id}</b>${score === undefined ? '' : html`<br />Dice ${score.toFixed(3)} (p ≥ 0.5)`}`;
      }
      rows.push({ caption, cells });
    }
    await writeGrid(join(outDir, 'attention.png'), gridRows);
    const [, h, w] = samples[0].image.shape;
    sections.push(
      html`<h2 id="looked">Where the model looked</h2>
        <p>
          Validation images with the best checkpoint's spatial attention
          maps${classification ? ' and the Grad-CAM of the predicted class' : ''} overlaid (${w}×${h} px inputs shown at
          the size below${w < 112 ? ', enlarged with nearest neighbour so each pixel stays a square' : ''}).
        </p>
        ${colourBar('low', 'high', 'attention and Grad-CAM: each map scaled to its own range, so colours compare regions within a map, not across maps')}
        ${classification ? '' : colourBar('0', '1', 'predicted probability of foreground')}
        ${imageTable(columns, rows, { title: `Columns: ${columns.join(' | ')}.` })}`,
    );
  }

  if (config.task === 'detection' && evaluation && 'examples' in evaluation)
    sections.push(
      await detectionSection(
        outDir,
        evaluation as DetectionEvaluation,
        classNames,
        model,
        best as Record<string, unknown>,
      ),
    );
  if (config.task === 'segmentation' && evaluation && 'examples' in evaluation && evaluation.examples.length) {
    const rows: ImageRow[] = [];
    for (const [i, e] of (evaluation as SegmentationEvaluation).examples.entries()) {
      const [, h, w] = e.shape;
      const grey = e.image.subarray(0, h * w);
      const pictures: [Uint8Array, boolean][] = [
        [greyToRgb(grey), false],
        [maskToRgb(e.target), true],
        [maskToRgb(Float32Array.from(e.prob, (p) => (p >= 0.5 ? 1 : 0))), true],
        [overlayHeatmap(grey, e.prob, 0.6, [0, 1]), false],
      ];
      const cells = [];
      for (const [rgb, mask] of pictures)
        cells.push(await displayPng(rgb, w, h, { mask, maxDisplay: maxDisplayFor(4) }));
      rows.push({
        caption: html`<b>validation image ${i + 1}</b><br />Dice
          ${segmentationDice(e.prob, e.target, e.roi, [h, w]).toFixed(3)}`,
        cells,
      });
    }
    await writeSegmentationGrid(outDir, (evaluation as SegmentationEvaluation).examples);
    sections.push(
      html`<h2 id="segmentation">Predicted masks</h2>
        <p>
          Validation images with the last epoch's model: true mask, predicted mask (probability ≥ 0.5) and the predicted
          probability over the image. Dice is inside the region of interest when the data gives one.
        </p>
        ${imageTable(['input', 'true mask', 'predicted mask (p ≥ 0.5)', 'predicted probability'], rows, { captionTitle: 'image' })}`,
    );
  }

  if (isTableClassifier(model)) sections.push(await featureWeightsSection(model, input.valSet, outDir));
  if (icu) sections.push(await icuAttentionSection(model, input.valSet, outDir));

  // 6. Configuration
  sections.push(
    html`<h2 id="config">Configuration</h2>
      <p>The resolved configuration (also <code>config.json</code> in the run folder); seed ${config.training.seed}.</p>
      <pre>${JSON.stringify(config, null, 2)}</pre>
      <h2 id="files">Files in the run folder</h2>
      <ul>
        <li><code>best.safetensors</code>: best weights (PyTorch-compatible names)</li>
        <li><code>last.safetensors</code>: last epoch with optimizer state, for <code>medattn train --resume</code></li>
        <li>
          <code>metrics.json</code>, <code>log.jsonl</code> (epochs counted from 0 there), <code>config.json</code>,
          <code>model.json</code>
        </li>
        <li>the PNG pictures of this report</li>
      </ul>`,
  );

  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${config.name}</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <h1>${config.name}</h1>
        <p class="lede">
          ${classification ? 'Classification' : config.task === 'detection' ? 'Detection' : 'Segmentation'} with
          <code>${config.model.name}</code> (${count(model.numParameters())} parameters), trained for ${history.length}
          epoch${history.length === 1 ? '' : 's'}; best epoch <b>${bestEpoch ?? 'none'}</b> by validation
          ${monitor}${best && typeof best[monitor] === 'number' ? ` (${fixed(best[monitor] as number)})` : ''}.
        </p>
        <p class="note">Epochs are numbered from 1 in this report (metrics.json and log.jsonl count from 0).</p>
        <nav>
          ${joinHtml(
            [
              html`<a href="#data">Data</a>`,
              html`<a href="#metrics">Headline metrics</a>`,
              classification ? html`<a href="#roc">ROC and confusion matrix</a>` : html``,
              html`<a href="#curves">Training curves</a>`,
              samples.length ? html`<a href="#looked">Where the model looked</a>` : html``,
              html`<a href="#config">Configuration</a>`,
            ].filter((a) => a.value),
            ' · ',
          )}
        </nav>
        ${joinHtml(sections, '\n')}
      </body>
    </html>`;
  const path = join(outDir, 'report.html');
  writeFileAtomic(path, page.value);
  return path;
}

/** segmentation.png beside the report: input | true mask | predicted mask | probability, one row per image. */
async function writeSegmentationGrid(outDir: string, examples: SegmentationEvaluation['examples']): Promise<void> {
  const rows: Buffer[][] = [];
  for (const e of examples) {
    const [, h, w] = e.shape;
    const grey = e.image.subarray(0, h * w);
    rows.push([
      await tile(greyToRgb(grey), w, h),
      await tile(maskToRgb(e.target), w, h, { mask: true }),
      await tile(maskToRgb(Float32Array.from(e.prob, (p) => (p >= 0.5 ? 1 : 0))), w, h, { mask: true }),
      await tile(overlayHeatmap(grey, e.prob, 0.6, [0, 1]), w, h),
    ]);
  }
  await writeGrid(join(outDir, 'segmentation.png'), rows);
}

const STYLE = `body{font-family:DejaVu Sans,Arial,sans-serif;max-width:1240px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
.lede{font-size:1.1em}.note{color:#555;font-size:.92em}nav{margin:1em 0;font-size:.95em}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}tbody th{background:#fafafa;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.best td{background:#fff6d5}.figures{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}figure{margin:0 0 1em}
figcaption{color:#444;font-size:.9em;max-width:600px}img{display:block}
.grid-wrap{overflow-x:auto}table.grid td,table.grid th{padding:3px;text-align:center;vertical-align:middle;font-size:.85em}
table.grid td.case{text-align:left;min-width:130px;padding:6px 10px;font-size:.9em;overflow-wrap:anywhere}
table.grid img{image-rendering:pixelated;border:1px solid #bbb}.ok{color:#187a2f;font-weight:bold}.wrong{color:#b3261e;font-weight:bold}
.colourbar{display:flex;align-items:center;gap:.5em;margin:.4em 0;font-size:.9em}.colourbar .bar{display:inline-block;width:240px;height:14px;border:1px solid #888}
.colourbar .bar-label{color:#555}pre{background:#f7f7f7;border:1px solid #ddd;padding:1em;overflow-x:auto;font-size:.85em}`;
