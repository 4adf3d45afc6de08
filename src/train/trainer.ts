/**
 * The training loop: epochs over a seeded, prefetching loader; validation after each epoch; the best
 * checkpoint by the monitored metric; early stopping; a resumable last checkpoint written atomically after
 * every epoch; a JSON-lines log. Same config and seed give the same metrics; a resumed run continues with the
 * same schedule and the same data order (the loader's order depends only on seed and epoch).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { medattnVersion } from '../version.js';
import {
  createDataset,
  classCounts,
  classWeights as computeClassWeights,
  type Dataset,
  type DatasetSpec,
} from '../data/datasets/index.js';
import { createTransform, Rng } from '../data/transforms/index.js';
import { createModel, type ModelConfigs, type ModelName } from '../models/registry.js';
import type { AttentionModel } from '../models/attention-model.js';
import { clipGradNorm, type Optimizer, type LRScheduler } from '../optim/index.js';
import {
  channelsLastFormat,
  checkDevice,
  DeviceError,
  loadTensors,
  manualSeed,
  noGrad,
  saveTensors,
  setNumThreads,
  tensor,
  tidy,
  type Device,
  type Tensor,
} from '../tensor/index.js';
import type { DataParallel } from '../distributed/data-parallel.js';
import { parseConfigJson, type TrainingConfig } from './config.js';
import { ConfigError } from './config-error.js';
import { checkRunFits } from './run-fit-checks.js';
import { removeStaleTempFiles, writeFileAtomic } from './run-folder-files.js';
import { createLoss, type LossFn } from './losses.js';
import { buildOptimizer, buildScheduler } from './build-optimizer.js';
import { dpSgdEpsilon, dpSgdGradients } from './dp-sgd.js';
import { fitRunToBudget, fittedTraining, type BudgetFit } from './time-budget.js';
import { batchTensors, type TrainingBatch } from './batch-tensors.js';
import { recomputeBatchNorm, WeightAverage } from './weight-averaging.js';
import { fitTableInputs, withTableSchema } from './tasks/tabular.js';
import { trainText } from './tasks/text.js';
import { openDataLoader } from './data-loader.js';
import { defaultMonitor, isLowerBetter } from './monitor.js';
import {
  evaluateClassifier,
  evaluateSegmenter,
  type ClassificationEvaluation,
  type SegmentationEvaluation,
} from './evaluate-model.js';
import { detectionClasses, detectionLoss, evaluateDetector, type DetectionEvaluation } from './tasks/detection.js';
import type { CenterNet } from '../models/centernet.js';

export interface EpochRecord {
  epoch: number;
  lr: number;
  train_loss: number;
  val_loss: number;
  seconds: number;
  [metric: string]: number | unknown;
}

export type TrainEvent =
  | {
      type: 'start';
      epochs: number;
      batchesPerEpoch: number;
      trainSize: number;
      valSize: number;
      params: number;
      resumedFrom?: number;
    }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  | { type: 'epoch'; record: EpochRecord; improved: boolean; monitor: string }
  /** training.fitToMaxMinutes shortened the run after its first epoch. */
  | BudgetFit
  | { type: 'stop'; reason: string };

export interface TrainOptions {
  outDir: string;
  resume?: boolean;
  onEvent?: (e: TrainEvent) => void;
  /** Polled between batches; true stops after the current batch without writing a partial epoch. */
  shouldStop?: () => boolean;
  /** The config file errors name (default 'config'). */
  configFile?: string;
  /**
   * Data-parallel training over a process group (`medattn train --nproc N`): this rank's shard of each epoch,
   * gradients averaged before every step, and only rank 0 writes the run folder.
   */
  dataParallel?: DataParallel;
}

export interface TrainResult {
  outDir: string;
  history: EpochRecord[];
  best: EpochRecord | undefined;
  monitor: string;
  stoppedBy: string;
  lastEvaluation?: ClassificationEvaluation | SegmentationEvaluation | DetectionEvaluation;
  model: AttentionModel;
  /** Files left out because the data was opened with skipBad (unique, in the order met). */
  skipped: { file: string; reason: string }[];
  /** The datasets the run used (for the report: not built again). */
  trainSet: Dataset;
  valSet: Dataset;
}

/** A model from a config's name and options (the model classes check their options). */
export function createModelFromConfig(name: ModelName, config: Record<string, unknown>): AttentionModel {
  return createModel(name, config as Partial<ModelConfigs[ModelName]>) as AttentionModel;
}

/** Everything a run needs, built from the config: datasets, loaders, model, loss, optimizer, schedule. */
export async function setupRun(config: TrainingConfig, shard?: { rank: number; count: number }) {
  if (config.training.threads) setNumThreads(config.training.threads);
  manualSeed(config.training.seed);
  // Each set is built once here; loaders read these objects (or rebuild them in workers from describe()), and the
  // report and the CLI reuse valSet from the TrainResult.
  const trainSet: Dataset = await createDataset(config.data.train);
  const valSet: Dataset = await createDataset(config.data.val);
  const trainLoader = await openDataLoader(trainSet, config, { train: true, shard });
  const valLoader = await openDataLoader(valSet, config, { train: false });
  const device = checkDevice(config.training.device);
  // Table models take their columns from the data and fit their scaling on the training set only.
  const model = createModelFromConfig(config.model.name, await withTableSchema(config.model.config, trainSet));
  await fitTableInputs(model, trainSet);
  if (device !== 'cpu') model.to(device);
  if (config.training.channelsLast) model.channelsLast();
  let weights: Tensor | undefined;
  const cw = config.loss.classWeights;
  if (Array.isArray(cw)) weights = tensor(cw);
  else if (cw !== 'none') {
    const labels = trainSet.labels();
    if (!labels) throw new Error(`loss.classWeights '${cw}' needs a labelled training set`);
    const classes = trainSet.classNames?.length ?? Math.max(...labels) + 1;
    weights = tensor(computeClassWeights(classCounts(labels, classes), { method: cw }));
  }
  if (weights && device !== 'cpu') weights = weights.to(device);
  const lossFn: LossFn =
    config.task === 'detection'
      ? detectionLoss(detectionClasses(config))
      : createLoss(config.loss.name, {
          classWeights: weights,
          focalGamma: config.loss.focalGamma,
          labelSmoothing: config.loss.labelSmoothing,
          cldiceAlpha: config.loss.cldiceAlpha,
          skeletonIterations: config.loss.skeletonIterations,
        });
  const optimizer = buildOptimizer(model, config);
  const scheduler = buildScheduler(optimizer, config);
  return { trainSet, valSet, trainLoader, valLoader, model, lossFn, optimizer, scheduler };
}

/** The device is checked before any data is read; the error names the config file and option. */
function checkDeviceOption(device: string, configFile = 'config'): void {
  try {
    checkDevice(device);
  } catch (e) {
    if (e instanceof DeviceError) e.message = `${configFile}: training.device: ${e.message.replace(/^medattn: /, '')}`;
    throw e;
  }
}

function isBetter(metric: string, value: number, best: number | undefined): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === undefined) return true;
  return isLowerBetter(metric) ? value < best : value > best;
}

/** Writes a JSON file whole or not at all (a temp file renamed over it; see removeStaleTempFiles). */
function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2));
}

/** Saves model weights, optimizer state and run state in one atomic file (so they can never disagree). */
function saveLast(
  path: string,
  model: AttentionModel,
  optimizer: Optimizer,
  scheduler: LRScheduler | undefined,
  state: object,
  average: WeightAverage | undefined,
): void {
  const tensors = new Map(model.stateDict());
  const opt = optimizer.stateDict();
  for (const [k, t] of opt.tensors) tensors.set(`__optimizer__.${k}`, t);
  for (const [k, t] of average?.tensors() ?? []) tensors.set(`__swa__.${k}`, t);
  saveTensors(path, tensors, {
    optimizer: JSON.stringify(opt.scalars),
    scheduler: JSON.stringify(scheduler?.stateDict() ?? {}),
    state: JSON.stringify(state),
  });
}

/** Saves the weights of `record` as the best checkpoint, with the decision threshold chosen for them. */
function saveBest(path: string, model: AttentionModel, record: EpochRecord, monitor: string): void {
  const threshold: Record<string, string> =
    typeof record.threshold === 'number' ? { threshold: String(record.threshold) } : {};
  saveTensors(path, model.stateDict(), {
    epoch: String(record.epoch),
    monitor,
    value: String(record[monitor]),
    model: JSON.stringify(model.toJSON()),
    ...threshold,
  });
}

function loadLast(
  path: string,
  model: AttentionModel,
  optimizer: Optimizer,
  scheduler: LRScheduler | undefined,
  average: WeightAverage | undefined,
) {
  const { tensors, metadata } = loadTensors(path);
  const modelState = new Map<string, Tensor>();
  const optState = new Map<string, Tensor>();
  const averageState = new Map<string, Tensor>();
  for (const [k, t] of tensors) {
    if (k.startsWith('__optimizer__.')) optState.set(k.slice('__optimizer__.'.length), t);
    else if (k.startsWith('__swa__.')) averageState.set(k.slice('__swa__.'.length), t);
    else modelState.set(k, t);
  }
  model.loadStateDict(modelState);
  optimizer.loadStateDict({ tensors: optState, scalars: JSON.parse(metadata.optimizer ?? '{}') });
  scheduler?.loadStateDict(JSON.parse(metadata.scheduler ?? '{}'));
  const state = JSON.parse(metadata.state ?? '{}') as {
    epoch: number;
    history: EpochRecord[];
    bestValue?: number;
    bestEpoch?: number;
    badEpochs: number;
    averaged?: number;
  };
  average?.load(averageState, state.averaged ?? 0);
  for (const t of tensors.values()) t.dispose();
  return state;
}

/** A 4-D (5-D) batch in channels-last memory; other ranks as they are. */
function toChannelsLast(x: Tensor): Tensor {
  const format = channelsLastFormat(x.ndim);
  return format ? x.contiguous(format) : x;
}

export async function train(config: TrainingConfig, options: TrainOptions): Promise<TrainResult> {
  if (config.task === 'text') {
    if (config.training.swa)
      throw new ConfigError(options.configFile ?? 'config', 'training.swa', "task 'text' has no weight averaging");
    return trainText(config, options);
  }
  const { outDir, dataParallel: dp } = options;
  // Only rank 0 writes: the other ranks of a data-parallel run read the run folder (to resume) but never change it.
  const writer = !dp || dp.isWriter;
  if (writer) {
    mkdirSync(outDir, { recursive: true });
    removeStaleTempFiles(outDir); // left by a process killed while writing
  }
  const emit = options.onEvent ?? (() => {});
  checkDeviceOption(config.training.device, options.configFile);
  const run = await setupRun(config, dp && { rank: dp.rank, count: dp.worldSize });
  const { trainLoader, valLoader, model, lossFn, optimizer, scheduler, trainSet, valSet } = run;
  let swa = config.training.swa; // fitToMaxMinutes may shorten its window with the run
  const average = swa ? new WeightAverage() : undefined;
  const monitor = config.training.monitor ?? defaultMonitor(config.task);
  const lastPath = join(outDir, 'last.safetensors');
  const bestPath = join(outDir, 'best.safetensors');
  const logPath = join(outDir, 'log.jsonl');

  let startEpoch = 0;
  let history: EpochRecord[] = [];
  let bestValue: number | undefined;
  let bestEpoch: number | undefined;
  let badEpochs = 0;
  // A run stopped before its first epoch ended has no checkpoint: resuming it is starting it again.
  const resuming = !!options.resume && existsSync(lastPath);
  if (resuming) {
    const state = loadLast(lastPath, model, optimizer, scheduler, average);
    startEpoch = state.epoch + 1;
    history = state.history;
    bestValue = state.bestValue;
    bestEpoch = state.bestEpoch;
    badEpochs = state.badEpochs;
    // Random draws (dropout) continue from a seed derived from the epoch: a resumed run equals an unbroken one.
  }
  const sample = await evalSample(valSet, config);
  // Volumes predicted by windows: HD95 in millimetres from the first volume's voxel spacing.
  const valSpacing = config.training.slidingWindow && valSet.length ? (await valSet.get(0)).image.spacing : undefined;
  const inputShape = (sample.image as { shape: number[] }).shape;
  const sizes = model.config as { inChannels?: unknown; numClasses?: unknown };
  checkRunFits(
    config,
    {
      trainSize: trainSet.length,
      inChannels: typeof sizes.inChannels === 'number' ? sizes.inChannels : undefined,
      numClasses: typeof sizes.numClasses === 'number' ? sizes.numClasses : undefined,
      sampleFields: Object.keys(sample),
      imageShape: inputShape,
    },
    options.configFile,
  );
  if (dp) await dp.broadcastState(model); // every rank starts from rank 0's weights
  if (dp && config.training.syncBatchNorm) dp.syncBatchNorm(model);
  if (writer) writeJsonAtomic(join(outDir, 'config.json'), config); // on resume too: --set overrides are part of the run
  if (writer && !resuming) {
    writeJsonAtomic(join(outDir, 'model.json'), {
      ...model.toJSON(),
      medattnVersion,
      task: config.task,
      classNames: valSet.classNames,
      inputShape,
    });
    writeFileAtomic(logPath, '');
  } else if (writer) {
    // The log may run ahead of the checkpoint (a kill between the two writes): one line per finished epoch.
    writeFileAtomic(logPath, history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
  const batchesPerEpoch = Math.min(
    Math.floor(trainLoader.sampler.shardLength / config.training.batchSize),
    config.training.batchesPerEpoch ?? Infinity,
  );
  emit({
    type: 'start',
    epochs: config.training.epochs,
    batchesPerEpoch,
    trainSize: trainSet.length,
    valSize: valSet.length,
    params: model.numParameters(),
    resumedFrom: resuming ? startEpoch : undefined,
  });

  const skipped = new Map<string, string>();
  const noteSkipped = (list: { file: string; reason: string }[]) => list.forEach((f) => skipped.set(f.file, f.reason));
  noteSkipped([...trainSet.skipped(), ...valSet.skipped()]);
  const evaluate = () =>
    config.task === 'detection'
      ? evaluateDetector(model as unknown as CenterNet, valLoader, {
          classNames: valSet.classNames,
          keep: config.report.samples,
          lossFn,
          onSkipped: noteSkipped,
        })
      : config.task === 'classification'
        ? evaluateClassifier(model, valLoader, {
            threshold: config.training.threshold === 'fixed' ? 0.5 : config.training.threshold,
            lossFn,
            onSkipped: noteSkipped,
          })
        : evaluateSegmenter(model, valLoader, {
            roiKey: config.data.roiKey,
            padMultiple: config.training.padMultiple,
            slidingWindow: config.training.slidingWindow,
            testTimeFlips: config.training.testTimeFlips,
            spacing: valSpacing,
            keep: config.report.samples,
            lossFn,
            onSkipped: noteSkipped,
          });
  /** A loaded batch as tensors on the run's device. */
  const batchInputs = (batch: Parameters<typeof batchTensors>[0]) =>
    batchTensors(batch, config.task, config.data.roiKey, config.training.device as Device);
  /** The loss of the model on a batch, its input in the run's memory layout. */
  const batchLoss = ({ x, y, roi }: TrainingBatch) =>
    lossFn(model.forward(config.training.channelsLast ? toChannelsLast(x) : x), y, roi);
  /** The first epoch of the averaging window (training.swa) for a run of `epochs` epochs; none without it. */
  const averagingFrom = (epochs: number) => (swa ? Math.max(0, epochs - swa.epochs) : Infinity);
  /** The mean loss of one epoch of training batches, forward only, in training mode (BatchNorm updates its statistics). */
  const forwardPassLoss = async (epoch: number): Promise<number> => {
    manualSeed(config.training.seed * 100003 + epoch);
    model.train();
    let lossSum = 0;
    let batches = 0;
    for await (const batch of trainLoader.epoch(epoch)) {
      if (batch.skipped) noteSkipped(batch.skipped);
      if (!batch.fields.image) continue;
      lossSum += tidy(() => noGrad(() => batchLoss(batchInputs(batch)).item()));
      if (++batches >= batchesPerEpoch) break;
    }
    const mean = lossSum / Math.max(1, batches);
    return dp ? await dp.mean(mean) : mean;
  };
  const started = Date.now();
  let stoppedBy = 'epochs';
  let lastEvaluation: ClassificationEvaluation | SegmentationEvaluation | DetectionEvaluation | undefined;
  try {
    let epochs = config.training.epochs; // fitToMaxMinutes may shorten it after the first epoch
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const epochStart = Date.now();
      // The averaged epochs train at a constant rate, set over the schedule's (torch's SWALR without its anneal).
      if (swa?.lr && epoch >= averagingFrom(epochs)) optimizer.lr = swa.lr;
      manualSeed(config.training.seed * 100003 + epoch);
      model.train();
      let lossSum = 0;
      let batches = 0;
      let interrupted = false;
      for await (const batch of trainLoader.epoch(epoch)) {
        if (batch.skipped) noteSkipped(batch.skipped);
        if (!batch.fields.image) continue;
        const privacy = config.training.dp;
        const loss = tidy(() => {
          const inputs = batchInputs(batch);
          if (privacy)
            return dpSgdGradients(
              model.parameters(),
              optimizer,
              (xi, yi, ri) => lossFn(model.forward(xi), yi, ri),
              inputs,
              privacy,
            );
          optimizer.zeroGrad();
          const l = batchLoss(inputs);
          l.backward();
          return l.item();
        });
        // Every rank's stop request travels with the gradients, so all ranks stop after the same batch.
        const stopAsked = dp
          ? await dp.averageGradients(model.parameters(), !!options.shouldStop?.())
          : // Let the event loop run (signals such as Ctrl-C, timers): an in-thread loader only uses microtasks.
            (await new Promise((r) => setImmediate(r)), !!options.shouldStop?.());
        tidy(() => {
          if (config.training.gradClip) clipGradNorm(model.parameters(), config.training.gradClip);
          optimizer.step();
        });
        lossSum += loss;
        batches++;
        emit({ type: 'batch', epoch, batch: batches, batches: batchesPerEpoch, loss });
        if (stopAsked) {
          interrupted = true;
          break;
        }
        if (batches >= batchesPerEpoch) break;
      }
      model.zeroGrad();
      if (interrupted) {
        stoppedBy = 'interrupted';
        break;
      }
      const evaluation = await evaluate();
      lastEvaluation = evaluation;
      const record: EpochRecord = {
        epoch,
        lr: optimizer.lr,
        train_loss: dp ? await dp.mean(lossSum / Math.max(1, batches)) : lossSum / Math.max(1, batches),
        val_loss: evaluation.loss,
        seconds: (Date.now() - epochStart) / 1000,
        ...(evaluation.metrics as Record<string, unknown>),
      };
      if (config.training.dp)
        record.epsilon = dpSgdEpsilon(
          config.training.dp,
          config.training.batchSize,
          trainSet.length,
          (epoch + 1) * batchesPerEpoch,
        );
      if (epoch === 0 && config.training.fitToMaxMinutes) {
        // Every rank must run the same epochs: they agree on the mean of their first-epoch times.
        const epochSeconds = dp ? await dp.mean(record.seconds) : record.seconds;
        const fit = fitRunToBudget(config.training, epochs, epochSeconds, scheduler);
        if (fit) {
          emit(fit);
          const training = fittedTraining(config.training, fit);
          epochs = training.epochs;
          swa = training.swa;
          // The run's config records the fitted length, so --resume continues this run, not the planned one.
          if (writer) writeJsonAtomic(join(outDir, 'config.json'), { ...config, training });
        }
      }
      if (average && epoch >= averagingFrom(epochs)) {
        // The window's first epoch starts the mean afresh: a run resumed with more epochs moves its window.
        if (epoch === averagingFrom(epochs)) average.reset();
        average.update(model);
      }
      if (scheduler) scheduler.step(monitorValue(record, monitor));
      history.push(record);
      const value = monitorValue(record, monitor);
      const improved = isBetter(monitor, value, bestValue);
      if (improved) {
        bestValue = value;
        bestEpoch = epoch;
        badEpochs = 0;
      } else badEpochs++;
      if (writer && improved) saveBest(bestPath, model, record, monitor);
      if (writer) {
        appendFileSync(logPath, `${JSON.stringify(record)}\n`);
        saveLast(
          lastPath,
          model,
          optimizer,
          scheduler,
          { epoch, history, bestValue, bestEpoch, badEpochs, averaged: average?.count },
          average,
        );
        writeJsonAtomic(join(outDir, 'metrics.json'), metricsSummary(history, monitor, bestEpoch));
      }
      emit({ type: 'epoch', record, improved, monitor });
      if (config.training.earlyStopping && badEpochs >= config.training.earlyStopping) {
        stoppedBy = `early stopping (${monitor} did not improve for ${badEpochs} epochs)`;
        break;
      }
      const moreEpochs = epoch + 1 < epochs; // a run that ends now ends by its epochs, not its budget
      if (moreEpochs && config.training.maxMinutes && (Date.now() - started) / 60000 >= config.training.maxMinutes) {
        stoppedBy = `time budget of ${config.training.maxMinutes} min`;
        break;
      }
    }
    if (average?.count && stoppedBy !== 'interrupted') {
      // The averaged weights are the run's model: one more record, after the last epoch, and the best checkpoint.
      const averageStart = Date.now();
      const lastEpoch = history.at(-1)!.epoch;
      average.copyTo(model);
      const trainLoss = await recomputeBatchNorm(model, () => forwardPassLoss(lastEpoch + 1));
      if (dp) await dp.broadcastState(model); // every rank evaluates rank 0's statistics, which rank 0 saves
      const evaluation = await evaluate();
      lastEvaluation = evaluation;
      const record: EpochRecord = {
        epoch: lastEpoch + 1,
        lr: optimizer.lr,
        train_loss: trainLoss,
        val_loss: evaluation.loss,
        seconds: (Date.now() - averageStart) / 1000,
        ...(evaluation.metrics as Record<string, unknown>),
        swa_epochs: average.count,
      };
      history.push(record);
      bestEpoch = record.epoch;
      bestValue = monitorValue(record, monitor);
      if (writer) {
        saveBest(bestPath, model, record, monitor);
        appendFileSync(logPath, `${JSON.stringify(record)}\n`);
        writeJsonAtomic(join(outDir, 'metrics.json'), metricsSummary(history, monitor, bestEpoch));
      }
      emit({ type: 'epoch', record, improved: true, monitor });
    }
  } finally {
    average?.dispose();
    await trainLoader.close();
    await valLoader.close();
  }
  emit({ type: 'stop', reason: stoppedBy });
  // Leave the best weights in the returned model, as the report and evaluation use them.
  if (dp) await dp.barrier(); // rank 0 has written the best checkpoint
  if (existsSync(bestPath)) {
    const { tensors } = loadTensors(bestPath);
    model.loadStateDict(tensors);
    for (const t of tensors.values()) t.dispose();
  }
  const best = history.find((r) => r.epoch === bestEpoch);
  return {
    outDir,
    history,
    best,
    monitor,
    stoppedBy,
    lastEvaluation,
    model,
    skipped: [...skipped].map(([file, reason]) => ({ file, reason })),
    trainSet,
    valSet,
  };
}

/**
 * The first validation sample after the eval transforms: its image shape [C, ...spatial] is what the model sees
 * at evaluation (model.json's inputShape, so `predict` can bring other images to it).
 */
async function evalSample(dataset: Dataset, config: TrainingConfig) {
  const sample = await dataset.get(0);
  return createTransform(config.transforms.eval).apply(sample, Rng.seeded(0));
}

function monitorValue(record: EpochRecord, monitor: string): number {
  const v = record[monitor];
  if (typeof v !== 'number')
    throw new ConfigError(
      'config',
      'training.monitor',
      `metric '${monitor}' not among ${Object.keys(record).join(', ')}`,
    );
  return v;
}

export function metricsSummary(history: EpochRecord[], monitor: string, bestEpoch: number | undefined) {
  return { monitor, best_epoch: bestEpoch ?? null, best: history.find((r) => r.epoch === bestEpoch) ?? null, history };
}

/** Marks every dataset spec of the config to skip unreadable files (the --skip-bad flag). */
export function withSkipBad(config: TrainingConfig): TrainingConfig {
  // Kinds that read no files (in-memory arrays, user modules) have nothing to skip.
  const mark = (spec: DatasetSpec): DatasetSpec =>
    spec.kind === 'subset' || spec.kind === 'split'
      ? { ...spec, of: mark(spec.of) }
      : spec.kind === 'arrays' || spec.kind === 'module'
        ? spec
        : { ...spec, skipBad: true };
  return { ...config, data: { ...config.data, train: mark(config.data.train), val: mark(config.data.val) } };
}

/** Reads a run folder's resolved config (unvalidated: `parseConfig` it); one line when it is missing or broken. */
export function readRunConfig(runDir: string): Record<string, unknown> {
  const file = join(runDir, 'config.json');
  if (!existsSync(runDir)) throw new ConfigError(runDir, '--resume', 'no such folder');
  if (!statSync(runDir).isDirectory()) throw new ConfigError(runDir, '--resume', 'not a folder');
  if (!existsSync(file)) throw new ConfigError(runDir, '--resume', 'not a medattn run folder (no config.json)');
  return parseConfigJson(readFileSync(file, 'utf8'), file);
}
