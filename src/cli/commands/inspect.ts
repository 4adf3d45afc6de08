/** `medattn inspect FILE [--json] [--phi]`: what a medical image file holds, without patient identifiers. */
import { formatInspection, inspectFile } from '../../data/io/inspect.js';

export async function inspectCommand(
  file: string,
  o: { json?: boolean; phi?: boolean; series?: string },
): Promise<void> {
  const result = await inspectFile(file, { phi: o.phi, series: o.series });
  for (const w of result.warnings ?? []) console.error(`warning: ${w}`);
  console.log(o.json ? JSON.stringify(result) : formatInspection(result));
}
