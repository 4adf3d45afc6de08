/** `medattn predict --run DIR FILE... [--out DIR] [--json]`. */
import { predictFiles } from '../../train/predict.js';

export async function predictCommand(
  files: string[],
  o: { run: string; out?: string; json?: boolean; threshold?: number; maps?: boolean },
): Promise<void> {
  const results = await predictFiles(o.run, files, o.out, { threshold: o.threshold, maps: o.maps });
  if (o.json) {
    console.log(JSON.stringify(results));
    return;
  }
  for (const r of results) {
    if (r.maps) console.log(`${r.file}\tmaps ${r.maps} (${r.mapColumns?.join(' | ')})`);
    if (r.probabilities)
      console.log(
        `${r.file}\t${r.predicted}\t${Object.entries(r.probabilities)
          .map(([k, v]) => `${k}=${v.toFixed(4)}`)
          .join(' ')}`,
      );
    else console.log(`${r.file}\tmask ${r.mask}\tforeground ${(100 * (r.foreground ?? 0)).toFixed(2)}%`);
  }
}
