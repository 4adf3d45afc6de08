// The pieces of report.html, checked against hand-computed values: HTML escaping, round and whole-number
// chart ticks, legends beside (not over) the plot, Wilson intervals, display sizes of small and large images,
// and the one-line description of a dataset's source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChartSvg, niceTicks } from '../../src/train/report/charts.js';
import { describeSource } from '../../src/train/report/data-summary.js';
import { wilsonInterval } from '../../src/train/report/headline-metrics.js';
import { escapeHtml, html } from '../../src/train/report/html.js';
import { displaySize, maxDisplayFor } from '../../src/train/report/image-table.js';

// Called through another name so that prettier does not reformat the templates as HTML.
const markup = html;

test('escapeHtml and the html tag turn markup from data into text; nested html fragments pass through', () => {
  assert.equal(
    escapeHtml(`<img src=x onerror="alert('1')">&`),
    '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;',
  );
  const name = '<script>alert(1)</script>';
  assert.equal(markup`<h1>${name}</h1>`.value, '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
  const items = ['<a>', 'b'].map((x) => markup`<li>${x}</li>`);
  assert.equal(markup`<ul>${items}</ul>`.value, '<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  const attribute = '" onmouseover="x';
  assert.equal(
    markup`<td title="${attribute}">${undefined}${false}${0}</td>`.value,
    '<td title="&quot; onmouseover=&quot;x">0</td>',
  );
});

test('niceTicks: steps of 1, 2, 2.5 or 5 times a power of ten covering the range; whole steps when asked', () => {
  assert.deepEqual(niceTicks(0, 1, 6), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.175, 0.321, 6), [0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceTicks(1, 2, 8, true), [1, 2]);
  assert.deepEqual(niceTicks(1, 12, 8, true), [0, 2, 4, 6, 8, 10, 12]);
  assert.deepEqual(niceTicks(1, 40, 8, true), [0, 10, 20, 30, 40]);
});

/** The x tick labels of a chart, in order. */
function xTickLabels(svg: string): string[] {
  return [...svg.matchAll(/<text [^>]*class="x-tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

test('epoch charts have whole-number ticks within the epochs run, also for one or two epochs', () => {
  const chart = (epochs: number[]) =>
    lineChartSvg('Loss', [{ name: 'train', x: epochs, y: epochs.map((e) => 1 / e) }], { integerX: true });
  assert.deepEqual(xTickLabels(chart([1])), ['1']);
  assert.deepEqual(xTickLabels(chart([1, 2])), ['1', '2']);
  assert.deepEqual(xTickLabels(chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), ['2', '4', '6', '8', '10', '12']);
  // Without integerX the same two epochs would get fractional ticks (the report used to show 1.25, 1.5, 1.75).
  assert.ok(xTickLabels(lineChartSvg('x', [{ name: 'a', x: [1, 2], y: [0, 1] }])).includes('1.2'));
});

test('the legend sits to the right of the plot frame, never over the curves', () => {
  const names = ['auroc', 'accuracy', 'f1', 'balanced_accuracy'];
  const svg = lineChartSvg(
    'Validation metrics',
    names.map((name) => ({ name, x: [1, 2, 3], y: [0.9, 0.95, 0.99] })),
    { integerX: true, yRange: [0, 1], markX: { x: 3, label: 'best (epoch 3)' } },
  );
  const frame = /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="none"/.exec(svg)!;
  const right = Number(frame[1]) + Number(frame[2]);
  const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
  for (const label of [...names, 'best (epoch 3)']) {
    const m = new RegExp(`<text x="([\\d.]+)" y="[\\d.]+">${label.replace(/[()]/g, '\\$&')}</text>`).exec(svg);
    assert.ok(m, `legend entry ${label}`);
    const x = Number(m[1]);
    assert.ok(x > right, `${label} at x ${x}, plot ends at ${right}`);
    assert.ok(x + 7.5 * label.length < width, `${label} fits inside the ${width} px chart`);
  }
});

test('wilsonInterval: the 95% Wilson score interval (8 of 10: 0.490-0.943; 0 of 20: 0-0.161)', () => {
  const [lo, hi] = wilsonInterval(8, 10);
  assert.ok(Math.abs(lo - 0.4902) < 1e-4 && Math.abs(hi - 0.9433) < 1e-4, `${lo} ${hi}`);
  const [lo0, hi0] = wilsonInterval(0, 20);
  assert.equal(lo0, 0);
  assert.ok(Math.abs(hi0 - 0.1611) < 1e-4, `${hi0}`);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
});

test('displaySize: 28 px inputs enlarged 6x (168 px, whole factor), large photographs reduced to 240 px', () => {
  assert.deepEqual(displaySize(28, 28), { width: 168, height: 168, factor: 6 });
  assert.deepEqual(displaySize(64, 32), { width: 128, height: 64, factor: 2 });
  assert.deepEqual(displaySize(160, 120), { width: 160, height: 120, factor: 1 });
  const drive = displaySize(565, 584);
  assert.deepEqual([drive.width, drive.height], [232, 240]);
  // Five DRIVE columns (input, probability, three gates) fit the page at 204 px; four at the full 240.
  assert.equal(maxDisplayFor(5), 204);
  assert.equal(maxDisplayFor(4), 240);
  assert.equal(maxDisplayFor(20), 112);
  const five = displaySize(565, 584, maxDisplayFor(5));
  assert.deepEqual([five.width, five.height], [197, 204]);
});

test('describeSource names the kind, the file or folder and the split or subset size', () => {
  assert.equal(
    describeSource({ kind: 'medmnist', file: '/data/pneumoniamnist.npz', split: 'train' }),
    'medmnist: file pneumoniamnist.npz (split train)',
  );
  assert.equal(
    describeSource({
      kind: 'subset',
      of: { kind: 'pairs', images: '/d/images', masks: '/d/1st_manual', ids: ['21', '22'] },
      repeat: 24,
    }),
    'all samples of pairs: images images, masks 1st_manual (2 case ids), repeated 24 times',
  );
  assert.equal(
    describeSource({ kind: 'subset', of: { kind: 'folder', root: '/x/cls' }, indices: [1, 2, 3] }),
    '3 samples of folder: root cls',
  );
});
