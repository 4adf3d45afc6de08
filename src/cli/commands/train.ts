/** `medattn train --config FILE [--out DIR] [--set key=value ...]` and `medattn train --resume DIR`. */
import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { applyOverrides, loadConfig, parseConfig, type TrainingConfig } from '../../train/config.js';
import { readRunConfig, train, withSkipBad, type TrainResult } from '../../train/trainer.js';
import { writeReport } from '../../train/report/report.js';
import { progressPrinter } from '../progress.js';
import { UsageError } from '../user-error.js';
import { DataParallel, launchRanks } from '../../distributed/index.js';

export interface TrainCommandOptions {
  config?: string;
  out?: string;
  set?: string[];
  resume?: string;
  skipBad?: boolean;
  /** Data-parallel processes on this machine (torch.distributed, Gloo). */
  nproc?: number;
}

/** Lists the files --skip-bad left out, after the run. */
export function reportSkipped(skipped: { file: string; reason: string }[]): void {
  if (!skipped.length) return;
  process.stderr.write(
    `skipped ${skipped.length} unreadable file${skipped.length > 1 ? 's' : ''}:\n${skipped.map((s) => `  ${s.file}: ${s.reason}`).join('\n')}\n`,
  );
}

/** Trains, writes the report, and returns the result; Ctrl-C stops after the current batch. */
export async function trainAndReport(
  config: TrainingConfig,
  outDir: string,
  resume = false,
  configFile?: string,
  dataParallel?: DataParallel,
): Promise<TrainResult & { report: string | undefined }> {
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130); // second Ctrl-C: leave now; checkpoints are written atomically
    stop = true;
    process.stderr.write('\ninterrupt: stopping after this batch (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await train(config, {
      outDir,
      resume,
      configFile,
      // Rank 0 speaks for a data-parallel run (the launcher drops the other ranks' output anyway).
      onEvent: dataParallel && !dataParallel.isWriter ? undefined : progressPrinter(),
      shouldStop: () => stop,
      dataParallel,
    });
    if (result.stoppedBy === 'interrupted') {
      process.stderr.write(
        `interrupted: the last completed epoch is saved; resume with: medattn train --resume ${outDir}\n`,
      );
      process.exit(130);
    }
    if (dataParallel && !dataParallel.isWriter) return { ...result, report: undefined };
    const report = await writeReport({
      outDir,
      config,
      history: result.history,
      monitor: result.monitor,
      best: result.best,
      stoppedBy: result.stoppedBy,
      model: result.model,
      valSet: result.valSet,
      trainSet: result.trainSet,
      evaluation: result.lastEvaluation,
    });
    return { ...result, report };
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export async function trainCommand(o: TrainCommandOptions): Promise<void> {
  let config: TrainingConfig;
  let outDir: string;
  if (o.resume) {
    outDir = resolve(o.resume);
    // --set still applies when resuming (e.g. more epochs, a longer time budget).
    const file = join(outDir, 'config.json');
    config = parseConfig(applyOverrides(readRunConfig(outDir), o.set ?? [], file), file);
    if (!existsSync(join(outDir, 'last.safetensors')))
      process.stderr.write(
        `${outDir}: no checkpoint yet (stopped before its first epoch ended): training from the start\n`,
      );
  } else {
    if (!o.config) throw new UsageError('train: give --config FILE (or --resume DIR)');
    config = loadConfig(o.config, o.set ?? []);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    outDir = resolve(o.out ?? join('runs', `${basename(o.config, extname(o.config))}-${stamp}`));
  }
  if (o.skipBad) config = withSkipBad(config);
  if (o.nproc !== undefined && o.nproc > 1 && !process.env.WORLD_SIZE) {
    // This process launches the ranks; each rank is this same command with the rendezvous in its environment
    // and the run folder fixed here (a default name would differ between ranks by its time stamp).
    process.exitCode = await launchRanks({ nprocPerNode: o.nproc, args: rankArgs(outDir, !o.out && !o.resume) });
    return;
  }
  const dataParallel = await DataParallel.fromEnv();
  try {
    await trainOneRank(config, outDir, o, dataParallel);
  } finally {
    dataParallel?.destroy();
  }
}

/** This command line for one rank: without --nproc, with --out when the run folder name was chosen here. */
function rankArgs(outDir: string, addOut: boolean): string[] {
  const args = process.argv.slice(1);
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--nproc') i++;
    else if (!args[i].startsWith('--nproc=')) kept.push(args[i]);
  }
  return [...process.execArgv, ...kept, ...(addOut ? ['--out', outDir] : [])];
}

async function trainOneRank(
  config: TrainingConfig,
  outDir: string,
  o: TrainCommandOptions,
  dataParallel: DataParallel | undefined,
): Promise<void> {
  const configFile = o.resume ? join(outDir, 'config.json') : o.config;
  const result = await trainAndReport(config, outDir, !!o.resume, configFile, dataParallel);
  if (dataParallel && !dataParallel.isWriter) return;
  reportSkipped(result.skipped);
  const best = result.best;
  process.stderr.write(
    `best ${result.monitor} ${best ? Number(best[result.monitor]).toFixed(4) : 'n/a'} at epoch ${best ? best.epoch + 1 : '-'}\n`,
  );
  console.log(`run folder: ${outDir}\nreport: ${result.report}`);
}
