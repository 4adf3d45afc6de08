/** `medattn predict --run DIR RECORDID.txt... [--out DIR] [--json]` for an ICU series run. */
import { isIcuModel } from '../../explain/icu-attention.js';
import { loadRun } from '../../train/run-folder.js';
import { formatIcuPrediction, predictIcuRecords } from '../../train/predict-icu.js';
import { ConfigError } from '../../train/config-error.js';
import { readRunModelJson } from '../../train/run-model-json.js';

/** Whether the run folder holds an ICU series model (read from model.json without loading weights). */
export function isIcuRun(dir: string): boolean {
  const json = readRunModelJson(dir);
  return isIcuModel(json?.model ?? '', json?.config);
}

export async function predictIcuCommand(
  files: string[],
  o: { run: string; out?: string; json?: boolean; threshold?: number; maps?: boolean; engine?: string },
): Promise<void> {
  if (!files.length) throw new ConfigError('predict', 'FILE', 'give at least one ICU record (RECORDID.txt)');
  if (o.engine !== undefined && o.engine !== 'torch')
    throw new ConfigError('command line', '--engine', 'ICU series models predict with torch');
  const results = await predictIcuRecords(loadRun(o.run), files, { threshold: o.threshold, out: o.out });
  if (o.json) console.log(JSON.stringify(results));
  else for (const r of results) console.log(formatIcuPrediction(r));
}
