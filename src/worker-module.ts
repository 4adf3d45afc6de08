/**
 * Starts a worker thread on a sibling module of the caller, in a source checkout (TypeScript through tsx) as in
 * the compiled package (JavaScript). On Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's own entry
 * module, so for a .ts caller a tiny JavaScript bootstrap registers tsx first and then imports the entry.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** `caller` is the calling module's import.meta.url; `entry` the worker module's base name, e.g. './worker'. */
export function spawnModuleWorker(caller: string, entry: string, workerData: unknown): Worker {
  if (caller.endsWith('.ts')) {
    let api: string;
    try {
      api = import.meta.resolve('tsx/esm/api');
    } catch {
      api = `file://${createRequire(caller).resolve('tsx/esm/api')}`;
    }
    const href = new URL(`${entry}.ts`, caller).href;
    const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(href)}); });`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(new URL(`${entry}.js`, caller), { workerData });
}
