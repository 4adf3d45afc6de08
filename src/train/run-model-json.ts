/**
 * A run folder's model.json read without loading weights, so commands can pick the run's kind (table, ICU,
 * text, image) before loading it. A missing or broken file reads as undefined: loadRun reports it properly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fields commands read; `config` is the model's own config. */
export interface RunModelJson {
  model?: string;
  task?: string;
  config?: unknown;
}

export function readRunModelJson(dir: string): RunModelJson | undefined {
  const file = join(dir, 'model.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunModelJson;
  } catch {
    return undefined;
  }
}
