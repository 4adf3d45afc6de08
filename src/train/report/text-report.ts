/**
 * The report of a text run (task 'text'): data sizes and class balance, accuracy / macro-F1 / per-class F1 of
 * the best epoch, the confusion matrix, training curves, validation notes with their tokens shaded by
 * attention (and attention rollout for the transformer) beside the true and predicted class, and the tokens
 * with the most attention per predicted class over the validation set. One self-contained report.html.
 * The charts are our own SVG (trusted markup), so they go in as SafeHtml.
 */
import { join } from 'node:path';
import { TextTokenizer } from '../../data/text/text-tokenizer.js';
import type { TextDataset } from '../../data/datasets/text-dataset.js';
import type { TextModel } from '../../models/text/text-model.js';
import { writeFileAtomic } from '../run-folder-files.js';
import { explainNotes, wordsOf, type NoteExplanation } from '../tasks/text-explain.js';
import { confusionMatrixSvg, lineChartSvg } from './charts.js';
import { html, joinHtml, SafeHtml } from './html.js';
import type { ReportInput } from './report.js';

const STYLE = `body{font-family:DejaVu Sans,Arial,sans-serif;max-width:1240px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}.note{color:#555}
.tokens{font-family:DejaVu Sans Mono,monospace;font-size:13px;line-height:1.9;border:1px solid #ddd;padding:6px;margin:4px 0 14px}
.tokens span{border-radius:2px;padding:0 1px}.wrong{color:#b00}.right{color:#070}.figures{display:flex;flex-wrap:wrap;gap:16px}`;

/** Words shaded by weight (relative to the note's largest), with the weight as a tooltip. */
export function shadedTokens(tokens: string[], weights: number[]): SafeHtml {
  const words = wordsOf(tokens, weights);
  const max = Math.max(1e-12, ...words.map((w) => w.weight));
  return joinHtml(
    words.map((w) => {
      const a = Math.min(1, w.weight / max).toFixed(2);
      return html`<span style="background:rgba(230,80,0,${a})" title="${w.weight.toFixed(4)}">${w.word}</span>`;
    }),
    ' ',
  );
}

/** The `count` words with the most attention, summed over the notes predicted as each class. */
export function topTokensPerClass(
  notes: NoteExplanation[],
  classNames: string[],
  count = 10,
): Record<string, string[]> {
  const sums = classNames.map(() => new Map<string, number>());
  for (const n of notes)
    for (const w of wordsOf(n.tokens, n.weights.tokens))
      if (/[a-z0-9]/i.test(w.word) && w.word.length > 2)
        sums[n.predicted].set(w.word, (sums[n.predicted].get(w.word) ?? 0) + w.weight);
  return Object.fromEntries(
    classNames.map((c, i) => [
      c,
      [...sums[i]]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .map(([w]) => w),
    ]),
  );
}

export async function writeTextReport(input: ReportInput): Promise<string> {
  const { outDir, config, history, monitor, best } = input;
  const model = input.model as unknown as TextModel;
  const valSet = input.valSet as TextDataset;
  const classNames = valSet.classNames;
  const tokenizer = TextTokenizer.load(join(outDir, 'tokenizer.json'));
  const encoded = await tokenizer.encode(valSet.texts(), config.text.maxTokens);
  const notes = explainNotes(model, encoded);
  const labels = valSet.labels();
  const b = (best ?? {}) as Record<string, number>;
  const epochs = history.map((r) => r.epoch + 1);
  const sections: SafeHtml[] = [];
  const trainCounts = classNames.map((_, c) => input.trainSet?.labels()?.filter((l) => l === c).length ?? 0);
  const valCounts = classNames.map((_, c) => labels.filter((l) => l === c).length);
  sections.push(
    html`<h2>Data and per-class F1 (best epoch ${best ? best.epoch + 1 : 'none'}, by ${monitor})</h2>
      <p>
        Accuracy <b>${(b.accuracy ?? NaN).toFixed(4)}</b>, macro-F1 <b>${(b.macro_f1 ?? NaN).toFixed(4)}</b> on
        ${labels.length} validation notes. Notes longer than ${config.text.maxTokens} tokens keep their first and last
        ${config.text.maxTokens / 2} tokens (${encoded.filter((e) => e.truncated).length} validation notes were cut).
      </p>
      <table>
        <tr>
          <th>class</th>
          <th>training notes</th>
          <th>validation notes</th>
          <th>F1</th>
        </tr>
        ${joinHtml(
          classNames.map(
            (c, i) =>
              html`<tr>
                <td>${c}</td>
                <td>${trainCounts[i]}</td>
                <td>${valCounts[i]}</td>
                <td>${(b[`f1_${c}`] ?? NaN).toFixed(3)}</td>
              </tr>`,
          ),
        )}
      </table>`,
  );
  const predicted = notes.map((n) => n.predicted);
  const cm = classNames.map((_, t) =>
    classNames.map((_, p) => predicted.filter((q, i) => labels[i] === t && q === p).length),
  );
  const figures = [
    confusionMatrixSvg(cm, classNames, 'Confusion matrix (rows true, columns predicted)'),
    lineChartSvg(
      'Loss',
      [
        { name: 'train', x: epochs, y: history.map((r) => r.train_loss) },
        { name: 'validation', x: epochs, y: history.map((r) => r.val_loss) },
      ],
      { xLabel: 'epoch', integerX: true },
    ),
    lineChartSvg(
      'Validation metrics',
      ['accuracy', 'macro_f1'].map((m) => ({ name: m, x: epochs, y: history.map((r) => Number(r[m])) })),
      { xLabel: 'epoch', yRange: [0, 1], integerX: true },
    ),
  ];
  sections.push(
    html`<h2>Confusion matrix and training curves</h2>
      <div class="figures">${joinHtml(figures.map((svg) => html`<figure>${new SafeHtml(svg)}</figure>`))}</div>`,
  );
  const top = topTokensPerClass(notes, classNames);
  sections.push(
    html`<h2>Tokens with the most attention, per predicted class</h2>
      <table>
        <tr>
          <th>class</th>
          <th>words (attention summed over the validation notes predicted as the class)</th>
        </tr>
        ${joinHtml(
          classNames.map(
            (c) =>
              html`<tr>
                <td>${c}</td>
                <td>${top[c].join(', ')}</td>
              </tr>`,
          ),
        )}
      </table>`,
  );
  // A few notes per class: the first ones, right and wrong alike.
  const shown: number[] = [];
  classNames.forEach((_, c) => {
    const idx = [...labels.keys()]
      .filter((i) => labels[i] === c)
      .slice(0, Math.max(1, Math.ceil(config.report.samples / 4)));
    shown.push(...idx);
  });
  sections.push(
    html`<h2>Validation notes, tokens shaded by attention</h2>
      <p class="note">
        Darker = more attention (relative to the note's largest weight; hover for the weight). Sub-word pieces are
        joined back into words.
      </p>
      ${joinHtml(
        shown.map((i) => {
          const n = notes[i];
          const ok = n.predicted === labels[i];
          const maps = Object.keys(n.weights);
          return html`<h3>
              ${valSet.ids()[i]}: true <b>${classNames[labels[i]]}</b>, predicted
              <b class="${ok ? 'right' : 'wrong'}">${classNames[n.predicted]}</b> (p =
              ${n.probs[n.predicted].toFixed(3)})
            </h3>
            ${joinHtml(
              maps.map(
                (m) =>
                  html`<div>${m === 'tokens' ? 'attention' : 'attention rollout'}</div>
                    <div class="tokens">${shadedTokens(n.tokens, n.weights[m])}</div>`,
              ),
            )}`;
        }),
      )}`,
  );
  sections.push(
    html`<h2>Configuration</h2>
      <pre>${JSON.stringify(config, null, 2)}</pre>`,
  );
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${config.name}</title>
        <style>
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body>
        <h1>${config.name}</h1>
        <p>
          Text classification with <code>${config.model.name}</code> (${model.numParameters()} parameters),
          ${history.length} epochs; stopped by ${input.stoppedBy}.
        </p>
        ${joinHtml(sections, '\n')}
      </body>
    </html>`;
  const path = join(outDir, 'report.html');
  writeFileAtomic(path, page.value);
  return path;
}
