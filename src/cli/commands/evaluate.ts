/** `medattn evaluate --run DIR --data DATA [--split NAME] [--json]`. */
import { evaluateRun } from '../../train/evaluate-run.js';

export async function evaluateCommand(o: { run: string; data: string; split?: string; json?: boolean }): Promise<void> {
  const metrics = await evaluateRun(o.run, o.data, o.split);
  if (o.json) {
    console.log(JSON.stringify(metrics, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
    return;
  }
  for (const [k, v] of Object.entries(metrics)) {
    if (k === 'confusion_matrix') console.log(`${k.padEnd(18)} ${JSON.stringify(v)}`);
    else console.log(`${k.padEnd(18)} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`);
  }
}
