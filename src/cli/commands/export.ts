/** `medattn export --run DIR [--out FILE] [--opset 17] [--json]`. */
import { exportRun } from '../../export/index.js';

export function exportCommand(o: { run: string; out?: string; opset: number; json?: boolean }): void {
  const started = performance.now();
  const { path, bytes, exported } = exportRun(o.run, { out: o.out, opset: o.opset });
  const seconds = (performance.now() - started) / 1000;
  if (o.json) {
    console.log(JSON.stringify({ file: path, bytes, input: exported.input, outputs: exported.outputs }));
    return;
  }
  const maps = exported.outputs.filter((x) => x.name.startsWith('attention/')).length;
  console.log(
    `${path}\t${(bytes / 1e6).toFixed(2)} MB, input ${exported.input.name} [${exported.input.dims}], ` +
      `${exported.outputs.length - maps} outputs + ${maps} attention maps (${seconds.toFixed(1)} s)`,
  );
}
