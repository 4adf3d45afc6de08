/** `medattn predict --run DIR FILE... [--out DIR] [--json]`. */
import { predictFiles } from '../../train/predict.js';
import { isTextRun } from '../../train/tasks/text.js';
import { predictTextCommand } from './predict-text.js';
import { ConfigError } from '../../train/config-error.js';
import { OnnxModel, onnxFileOf, onnxInfer, resolveEngine } from '../../runtime/index.js';

export async function predictCommand(
  files: string[],
  o: { run: string; out?: string; json?: boolean; threshold?: number; maps?: boolean; engine?: string; text?: string },
): Promise<void> {
  if (isTextRun(o.run)) return predictTextCommand(files, o);
  if (o.text !== undefined) throw new ConfigError('command line', '--text', 'is for runs of task text');
  if (!files.length) throw new ConfigError('command line', 'files', 'give at least one image file');
  // --maps draws Grad-CAM beside the attention maps, which needs libtorch's gradients
  const engine = o.maps && o.engine === undefined ? 'torch' : resolveEngine(o.run, o.engine);
  if (o.maps && engine !== 'torch')
    throw new ConfigError('command line', '--maps', 'draws Grad-CAM with libtorch; use it with --engine torch');
  const onnx = engine === 'torch' ? undefined : await OnnxModel.load(onnxFileOf(o.run, engine));
  const results = await predictFiles(o.run, files, o.out, {
    threshold: o.threshold,
    maps: o.maps,
    ...(onnx ? { infer: onnxInfer(onnx) } : {}),
  }).finally(() => onnx?.release());
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
