/**
 * `medattn export --run DIR [--out FILE] [--opset 17] [--int8 [--calibration N] [--percentile P] [--ranges mse]
 * [--no-float-ends]]
 * [--triton DIR] [--json]`.
 */
import { exportRun } from '../../export/index.js';

export async function exportCommand(o: {
  run: string;
  out?: string;
  opset: number;
  json?: boolean;
  triton?: string;
  int8?: boolean;
  calibration?: string;
  percentile?: string;
  ranges?: string;
  floatEnds?: boolean;
}): Promise<void> {
  const started = performance.now();
  const { path, bytes, exported, tritonModel, int8 } = await exportRun(o.run, {
    out: o.out,
    opset: o.opset,
    triton: o.triton,
    ...(o.int8
      ? {
          int8: {
            images: o.calibration === undefined ? undefined : Number(o.calibration),
            percentile: o.percentile === undefined ? undefined : Number(o.percentile),
            ranges: o.ranges,
            floatEnds: o.floatEnds,
          },
        }
      : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  if (o.json) {
    console.log(
      JSON.stringify({
        file: path,
        bytes,
        input: exported.input,
        outputs: exported.outputs,
        ...(tritonModel ? { triton: tritonModel } : {}),
        ...(int8 ? { int8 } : {}),
      }),
    );
    return;
  }
  const maps = exported.outputs.filter((x) => x.name.startsWith('attention/')).length;
  console.log(
    `${path}\t${(bytes / 1e6).toFixed(2)} MB, input ${exported.input.name} [${exported.input.dims}], ` +
      `${exported.outputs.length - maps} outputs + ${maps} attention maps (${seconds.toFixed(1)} s)`,
  );
  if (int8)
    console.log(
      `${int8.path}\t${(int8.bytes / 1e6).toFixed(2)} MB (${(int8.bytes / bytes).toFixed(2)}x), int8 QDQ: ${int8.weights} weights, ` +
        `${int8.activations} activations calibrated on ${int8.calibrationImages} training images`,
    );
  if (tritonModel) console.log(`${tritonModel}\tTriton model repository entry (config.pbtxt, 1/model.onnx)`);
}
