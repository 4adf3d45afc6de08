/** `medattn predict --run DIR FILE... [--out DIR] [--json]`. */
import { predictFiles } from '../../train/predict.js';
import { isTableRun, predictTableCommand } from './predict-table.js';
import { isIcuRun, predictIcuCommand } from './predict-icu.js';
import { OnnxModel, onnxDetect, onnxFileOf, onnxInfer, onnxLooked, resolveEngine } from '../../runtime/index.js';
import { isTextRun } from '../../train/tasks/text.js';
import { predictTextCommand } from './predict-text.js';
import { ConfigError } from '../../train/config-error.js';

export async function predictCommand(
  files: string[],
  o: { run: string; out?: string; json?: boolean; threshold?: number; maps?: boolean; engine?: string; text?: string },
): Promise<void> {
  if (isTableRun(o.run)) return predictTableCommand(files, o);
  if (isIcuRun(o.run)) return predictIcuCommand(files, o);
  if (isTextRun(o.run)) return predictTextCommand(files, o);
  if (o.text !== undefined) throw new ConfigError('command line', '--text', 'is for runs of task text');
  if (!files.length) throw new ConfigError('command line', 'files', 'give at least one image file');
  const engine = resolveEngine(o.run, o.engine);
  const onnx = engine === 'torch' ? undefined : await OnnxModel.load(onnxFileOf(o.run, engine));
  const results = await predictFiles(o.run, files, o.out, {
    threshold: o.threshold,
    maps: o.maps,
    // ONNX Runtime draws the exported attention maps; Grad-CAM needs libtorch's gradients (--engine torch)
    ...(onnx ? { infer: onnxInfer(onnx), looked: onnxLooked(onnx), detect: onnxDetect(onnx) } : {}),
  }).finally(() => onnx?.release());
  if (o.json) {
    console.log(JSON.stringify(results));
    return;
  }
  for (const r of results) {
    if (r.maps) console.log(`${r.file}\tmaps ${r.maps} (${r.mapColumns?.join(' | ')})`);
    if (r.detections)
      console.log(
        `${r.file}\t${r.detections.length} boxes (${r.boxesImage})\t${r.detections.map((d) => `${d.class} ${d.score.toFixed(2)}`).join(', ')}`,
      );
    else if (r.probabilities)
      console.log(
        `${r.file}\t${r.predicted}\t${Object.entries(r.probabilities)
          .map(([k, v]) => `${k}=${v.toFixed(4)}`)
          .join(' ')}`,
      );
    else console.log(`${r.file}\tmask ${r.mask}\tforeground ${(100 * (r.foreground ?? 0)).toFixed(2)}%`);
  }
}
