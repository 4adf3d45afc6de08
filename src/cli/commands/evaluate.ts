/** `medattn evaluate --run DIR --data DATA [--split NAME] [--json]`. */
import { evaluateRun } from '../../train/evaluate-run.js';
import { evaluateRunOnnx, onnxFileOf, resolveEngine } from '../../runtime/index.js';
import { reportSkipped } from './train.js';

export async function evaluateCommand(o: {
  run: string;
  data: string;
  split?: string;
  json?: boolean;
  skipBad?: boolean;
  threshold?: number;
  engine?: string;
}): Promise<void> {
  const skipped = new Map<string, string>();
  const engine = resolveEngine(o.run, o.engine);
  const options = {
    split: o.split,
    skipBad: o.skipBad,
    threshold: o.threshold,
    onSkipped: (list: { file: string; reason: string }[]) => list.forEach((f) => skipped.set(f.file, f.reason)),
  };
  const metrics =
    engine === 'torch'
      ? await evaluateRun(o.run, o.data, options)
      : await evaluateRunOnnx(o.run, onnxFileOf(o.run, engine), o.data, options);
  reportSkipped([...skipped].map(([file, reason]) => ({ file, reason })));
  if (o.json) {
    console.log(JSON.stringify(metrics, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
    return;
  }
  for (const [k, v] of Object.entries(metrics)) {
    if (k === 'confusion_matrix') console.log(`${k.padEnd(18)} ${JSON.stringify(v)}`);
    else console.log(`${k.padEnd(18)} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`);
  }
}
