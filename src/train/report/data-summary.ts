/**
 * What a model was trained and validated on, as a report states it: where the data came from, how many
 * samples, and the class balance (read from labels, no image decoded).
 */
import { basename } from 'node:path';
import { classCounts, type Dataset } from '../../data/datasets/index.js';

export interface DataSummary {
  /** One line naming the source, e.g. `medmnist pneumoniamnist.npz (split train)`. */
  source: string;
  size: number;
  /** Per class: name, count and share of the set (classification with labels only). */
  classes?: { name: string; count: number; fraction: number }[];
}

/** Keys of a dataset spec that name where its data lives. */
const PATH_KEYS = ['file', 'root', 'images', 'masks', 'manifest', 'image', 'labels', 'module'];

/** A short description of a dataset spec: its kind, the file or folder names, split and subset size. */
export function describeSource(spec: unknown): string {
  if (typeof spec !== 'object' || spec === null) return 'unknown';
  const s = spec as Record<string, unknown>;
  const kind = typeof s.kind === 'string' ? s.kind : 'dataset';
  if (kind === 'subset') {
    const picked = Array.isArray(s.indices) ? s.indices.length : Array.isArray(s.ids) ? s.ids.length : undefined;
    const repeat = typeof s.repeat === 'number' && s.repeat > 1 ? `, repeated ${s.repeat} times` : '';
    return `${picked === undefined ? 'all' : picked} samples of ${describeSource(s.of)}${repeat}`;
  }
  const paths = PATH_KEYS.filter((k) => typeof s[k] === 'string').map((k) => `${k} ${basename(s[k] as string)}`);
  const split = typeof s.split === 'string' ? ` (split ${s.split})` : '';
  const ids = Array.isArray(s.ids) ? ` (${s.ids.length} case ids)` : '';
  return `${kind}${paths.length ? `: ${paths.join(', ')}` : ''}${split}${ids}`;
}

export function summarizeDataset(set: Dataset, classification: boolean): DataSummary {
  const summary: DataSummary = { source: describeSource(set.describe()), size: set.length };
  const labels = classification ? set.labels() : undefined;
  if (labels) {
    const counts = classCounts(labels, set.classNames?.length);
    summary.classes = counts.map((count, i) => ({
      name: set.classNames?.[i] ?? String(i),
      count,
      fraction: labels.length ? count / labels.length : 0,
    }));
  }
  return summary;
}
