/**
 * Training progress for humans: a progress bar per epoch on a terminal, one line per epoch otherwise (CI
 * logs, pipes). Reads trainer events; writes to stderr so stdout stays clean for --json.
 */
import cliProgress from 'cli-progress';
import type { TrainEvent } from '../train/trainer.js';

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (e: TrainEvent) => void {
  const tty = stream.isTTY;
  let bar: cliProgress.SingleBar | undefined;
  let epochs = 0;
  return (e) => {
    switch (e.type) {
      case 'start':
        epochs = e.epochs;
        stream.write(
          `training on ${e.trainSize} samples (${e.batchesPerEpoch} batches/epoch), validating on ${e.valSize}; ${e.params.toLocaleString('en')} parameters${e.resumedFrom !== undefined ? `; resumed at epoch ${e.resumedFrom + 1}` : ''}\n`,
        );
        break;
      case 'batch':
        if (!tty) break;
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: `epoch ${e.epoch + 1}/${epochs} [{bar}] {value}/{total} loss {loss}`, stream, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.batches, 0, { loss: '-' });
        }
        bar.update(e.batch, { loss: e.loss.toFixed(4) });
        break;
      case 'epoch': {
        bar?.stop();
        bar = undefined;
        const r = e.record;
        const metric = (k: string) => (typeof r[k] === 'number' ? `${k} ${(r[k] as number).toFixed(4)}` : '');
        const keys = ['auroc', 'accuracy', 'f1', 'dice', 'pooled_auroc', 'pooled_f1'].filter(
          (k) => typeof r[k] === 'number',
        );
        const label =
          typeof r.swa_epochs === 'number'
            ? `weight average of ${r.swa_epochs} epochs`
            : `epoch ${r.epoch + 1}/${epochs}`;
        stream.write(
          `${label}  loss ${r.train_loss.toFixed(4)}  val_loss ${Number(r.val_loss).toFixed(4)}  ${keys.map(metric).join('  ')}  lr ${r.lr.toExponential(2)}  ${r.seconds.toFixed(1)} s${e.improved ? `  * best ${e.monitor}` : ''}\n`,
        );
        break;
      }
      case 'fit':
        epochs = e.epochs;
        stream.write(
          `fitting the run to training.maxMinutes ${e.maxMinutes}: ${e.epochs} of the planned ${e.planned} epochs (the first took ${e.epochSeconds.toFixed(1)} s), schedule shortened to match${e.averagedEpochs ? `, weight average of the last ${e.averagedEpochs}` : ''}\n`,
        );
        break;
      case 'stop':
        bar?.stop();
        stream.write(`stopped: ${e.reason}\n`);
        break;
    }
  };
}
