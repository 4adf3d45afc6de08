/** `medattn export --run DIR [--out FILE] [--opset 17] [--triton DIR] [--json]`. */
import { exportRun } from '../../export/index.js';

export function exportCommand(o: { run: string; out?: string; opset: number; json?: boolean; triton?: string }): void {
  const started = performance.now();
  const { path, bytes, exported, tritonModel } = exportRun(o.run, { out: o.out, opset: o.opset, triton: o.triton });
  const seconds = (performance.now() - started) / 1000;
  if (o.json) {
    console.log(
      JSON.stringify({
        file: path,
        bytes,
        input: exported.input,
        outputs: exported.outputs,
        ...(tritonModel ? { triton: tritonModel } : {}),
      }),
    );
    return;
  }
  const maps = exported.outputs.filter((x) => x.name.startsWith('attention/')).length;
  console.log(
    `${path}\t${(bytes / 1e6).toFixed(2)} MB, input ${exported.input.name} [${exported.input.dims}], ` +
      `${exported.outputs.length - maps} outputs + ${maps} attention maps (${seconds.toFixed(1)} s)`,
  );
  if (tritonModel) console.log(`${tritonModel}\tTriton model repository entry (config.pbtxt, 1/model.onnx)`);
}
