/**
 * Task 'text': note classification with attention over tokens. The trainer hands a text config here
 * (trainer.ts dispatches on config.task): the WordPiece tokenizer is trained on the training notes only and
 * saved as tokenizer.json; notes are encoded once (head + tail cut to text.maxTokens); batches are bucketed by
 * length (notes sorted by token count, cut into batches, batch order shuffled per epoch with the seed), so a
 * batch of short notes is padded to its own longest note, not to the longest in the data set.
 *
 * The run folder has what image runs have (config.json, model.json with task 'text' and classNames,
 * best.safetensors, last.safetensors, metrics.json, log.jsonl) plus tokenizer.json. Metrics per epoch:
 * accuracy, macro_f1, per-class F1 (f1_<class>), confusion matrix. Resuming a text run starts it again.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDataset, type DatasetSpec } from '../../data/datasets/index.js';
import { TextDataset } from '../../data/datasets/text-dataset.js';
import { Rng } from '../../data/transforms/rng.js';
import { TextTokenizer, PAD_ID, UNK_ID, type EncodedText } from '../../data/text/text-tokenizer.js';
import { accuracy, confusionMatrix, f1Score } from '../../metrics/index.js';
import { createTextModel, isTextModelName } from '../../models/text/text-models.js';
import type { TextModel } from '../../models/text/text-model.js';
import { classCounts, classWeights as computeClassWeights } from '../../data/datasets/index.js';
import { clipGradNorm } from '../../optim/index.js';
import {
  loadTensors,
  manualSeed,
  noGrad,
  saveTensors,
  setNumThreads,
  tensor,
  tidy,
  type Tensor,
} from '../../tensor/index.js';
import { buildOptimizer, buildScheduler } from '../build-optimizer.js';
import type { TrainingConfig } from '../config.js';
import { fitRunToBudget, fittedTraining } from '../time-budget.js';
import { ConfigError } from '../config-error.js';
import { createLoss } from '../losses.js';
import { defaultMonitor, isLowerBetter } from '../monitor.js';
import { removeStaleTempFiles, writeFileAtomic } from '../run-folder-files.js';
import type { EpochRecord, TrainOptions, TrainResult } from '../trainer.js';
import { metricsSummary } from '../trainer.js';
import type { AttentionModel } from '../../models/attention-model.js';
import { readRunModelJson } from '../run-model-json.js';

/**
 * A text dataset from a spec, or a `subset` of one (a cross-validation fold from `medattn cv`/`search`);
 * another kind is a one-line error naming the option.
 */
export async function openTextDataset(spec: DatasetSpec, where: string, file = 'config'): Promise<TextDataset> {
  if (spec.kind === 'subset' && !spec.ids && (spec.repeat ?? 1) === 1) {
    const whole = await openTextDataset(spec.of, `${where}.of`, file);
    return spec.indices ? whole.subset(spec.indices) : whole;
  }
  const ds = await createDataset(spec);
  if (!(ds instanceof TextDataset))
    throw new ConfigError(file, where, `task 'text' needs a dataset of kind 'text', got '${spec.kind}'`);
  return ds;
}

/** Batches of indices with similar token counts; the order of batches is shuffled by `rng` when given. */
export function bucketBatches(lengths: ArrayLike<number>, batchSize: number, rng?: Rng): number[][] {
  const order = Array.from({ length: lengths.length }, (_, i) => i);
  // Random tie-breaking (and a little jitter) varies batch membership between epochs without mixing lengths.
  const key = order.map((i) => lengths[i] * (rng ? 1 + 0.1 * rng.next() : 1));
  order.sort((a, b) => key[a] - key[b] || a - b);
  const batches: number[][] = [];
  for (let s = 0; s < order.length; s += batchSize) batches.push(order.slice(s, s + batchSize));
  if (rng) rng.shuffle(batches);
  return batches;
}

/** Token ids [B, longest] int64, padded with PAD_ID; an empty encoding becomes one [UNK]. */
export function idsTensor(encoded: EncodedText[]): Tensor {
  const longest = Math.max(1, ...encoded.map((e) => e.ids.length));
  const data = new BigInt64Array(encoded.length * longest).fill(BigInt(PAD_ID));
  encoded.forEach((e, r) => {
    if (e.ids.length === 0) data[r * longest] = BigInt(UNK_ID);
    e.ids.forEach((id, c) => (data[r * longest + c] = BigInt(id)));
  });
  return tensor(data, { shape: [encoded.length, longest] });
}

export interface TextEvaluation {
  metrics: Record<string, unknown>;
  loss: number;
  /** Softmax probabilities, row-major [n, k]. */
  probs: Float64Array;
  labels: Int32Array;
}

/** Accuracy, macro-F1, per-class F1 and the confusion matrix of probabilities [n * k] against labels. */
export function textMetrics(probs: Float64Array, labels: Int32Array, classNames: string[]): Record<string, unknown> {
  const cm = confusionMatrix(probs, labels);
  const perClass: Record<string, number> = {};
  classNames.forEach((name, c) => {
    const tp = cm[c][c];
    const row = cm[c].reduce((a, b) => a + b, 0);
    const col = cm.reduce((a, r) => a + r[c], 0);
    perClass[name] = row + col === 0 ? 0 : (2 * tp) / (row + col);
  });
  return {
    n: labels.length,
    accuracy: accuracy(probs, labels),
    macro_f1: f1Score(probs, labels, { average: 'macro' }),
    f1_per_class: perClass,
    class_names: classNames,
    confusion_matrix: cm,
  };
}

/** Probabilities of every note (eval mode, no gradients), in dataset order. */
export function predictProbs(model: TextModel, encoded: EncodedText[], batchSize: number): Float64Array {
  const k = (model.config as { numClasses: number }).numClasses;
  const out = new Float64Array(encoded.length * k);
  const wasTraining = model.training;
  model.eval();
  try {
    for (const batch of bucketBatches(
      encoded.map((e) => e.ids.length),
      batchSize,
    )) {
      const p = tidy(() =>
        noGrad(() =>
          model
            .forward(idsTensor(batch.map((i) => encoded[i])))
            .softmax(-1)
            .toFloat32Array(),
        ),
      );
      batch.forEach((i, r) => {
        for (let c = 0; c < k; c++) out[i * k + c] = p[r * k + c];
      });
    }
  } finally {
    if (wasTraining) model.train();
  }
  return out;
}

export function evaluateText(
  model: TextModel,
  encoded: EncodedText[],
  labels: Int32Array,
  classNames: string[],
  batchSize: number,
): TextEvaluation {
  const probs = predictProbs(model, encoded, batchSize);
  const k = classNames.length;
  let loss = 0;
  for (let i = 0; i < labels.length; i++) loss -= Math.log(Math.max(probs[i * k + labels[i]], 1e-12));
  return { metrics: textMetrics(probs, labels, classNames), loss: loss / Math.max(1, labels.length), probs, labels };
}

/** The model of a text config, sized to the tokenizer and the classes. */
export function textModelFor(config: TrainingConfig, vocabSize: number, numClasses: number): TextModel {
  if (!isTextModelName(config.model.name))
    throw new ConfigError(
      'config',
      'model.name',
      `task 'text' needs text_bilstm or text_transformer, got '${config.model.name}'`,
    );
  const extra = config.model.name === 'text_transformer' ? { maxLen: config.text.maxTokens } : {};
  return createTextModel(config.model.name, { ...config.model.config, ...extra, vocabSize, numClasses });
}

export async function trainText(config: TrainingConfig, options: TrainOptions): Promise<TrainResult> {
  const { outDir } = options;
  const file = options.configFile ?? 'config';
  const emit = options.onEvent ?? (() => {});
  mkdirSync(outDir, { recursive: true });
  removeStaleTempFiles(outDir);
  if (config.training.threads) setNumThreads(config.training.threads);
  manualSeed(config.training.seed);
  const trainSet = await openTextDataset(config.data.train, 'data.train', file);
  const valSet = await openTextDataset(config.data.val, 'data.val', file);
  const classNames = trainSet.classNames;
  if (valSet.classNames.join('\n') !== classNames.join('\n'))
    throw new ConfigError(file, 'data.val', `classes differ from data.train's (give both the same 'labels')`);
  if (!isTextModelName(config.model.name)) textModelFor(config, 2, 2); // the model name error before tokenizer training
  const tokenizer = await TextTokenizer.train(trainSet.texts(), config.text);
  writeFileAtomic(join(outDir, 'tokenizer.json'), tokenizer.toJSON());
  const [trainEnc, valEnc] = [
    await tokenizer.encode(trainSet.texts(), config.text.maxTokens),
    await tokenizer.encode(valSet.texts(), config.text.maxTokens),
  ];
  const net = textModelFor(config, tokenizer.vocabSize, classNames.length);
  const trainLabels = trainSet.labels();
  const valLabels = valSet.labels();
  let weights: Tensor | undefined;
  const cw = config.loss.classWeights;
  if (Array.isArray(cw)) weights = tensor(cw);
  else if (cw !== 'none')
    weights = tensor(computeClassWeights(classCounts(trainLabels, classNames.length), { method: cw }));
  const lossFn = createLoss(config.loss.name, {
    classWeights: weights,
    focalGamma: config.loss.focalGamma,
    labelSmoothing: config.loss.labelSmoothing,
  });
  const optimizer = buildOptimizer(net, config);
  const scheduler = buildScheduler(optimizer, config);
  const monitor = config.training.monitor ?? defaultMonitor('text');
  const bestPath = join(outDir, 'best.safetensors');
  const logPath = join(outDir, 'log.jsonl');
  writeFileAtomic(join(outDir, 'config.json'), JSON.stringify(config, null, 2));
  const truncated = trainEnc.filter((e) => e.truncated).length + valEnc.filter((e) => e.truncated).length;
  writeFileAtomic(
    join(outDir, 'model.json'),
    JSON.stringify(
      { ...net.toJSON(), task: 'text', classNames, maxTokens: config.text.maxTokens, truncatedNotes: truncated },
      null,
      2,
    ),
  );
  writeFileAtomic(logPath, '');
  const batchSize = config.training.batchSize;
  const batchesPerEpoch = Math.min(Math.ceil(trainEnc.length / batchSize), config.training.batchesPerEpoch ?? Infinity);
  emit({
    type: 'start',
    epochs: config.training.epochs,
    batchesPerEpoch,
    trainSize: trainSet.length,
    valSize: valSet.length,
    params: net.numParameters(),
  });
  const history: EpochRecord[] = [];
  let bestValue: number | undefined;
  let bestEpoch: number | undefined;
  let badEpochs = 0;
  let stoppedBy = 'epochs';
  const started = Date.now();
  const lengths = trainEnc.map((e) => e.ids.length);
  let epochs = config.training.epochs; // fitToMaxMinutes may shorten it after the first epoch
  for (let epoch = 0; epoch < epochs; epoch++) {
    const epochStart = Date.now();
    manualSeed(config.training.seed * 100003 + epoch);
    const rng = Rng.seeded(config.training.seed * 7919 + epoch);
    net.train();
    let lossSum = 0;
    let batches = 0;
    let interrupted = false;
    for (const batch of bucketBatches(lengths, batchSize, rng).slice(0, batchesPerEpoch)) {
      const loss = tidy(() => {
        const x = idsTensor(batch.map((i) => trainEnc[i]));
        const y = tensor(Int32Array.from(batch, (i) => trainLabels[i])).long();
        optimizer.zeroGrad();
        const l = lossFn(net.forward(x), y);
        l.backward();
        if (config.training.gradClip) clipGradNorm(net.parameters(), config.training.gradClip);
        optimizer.step();
        return l.item();
      });
      lossSum += loss;
      batches++;
      emit({ type: 'batch', epoch, batch: batches, batches: batchesPerEpoch, loss });
      await new Promise((r) => setImmediate(r));
      if (options.shouldStop?.()) {
        interrupted = true;
        break;
      }
    }
    net.zeroGrad();
    if (interrupted) {
      stoppedBy = 'interrupted';
      break;
    }
    const evaluation = evaluateText(net, valEnc, valLabels, classNames, config.training.evalBatchSize ?? batchSize);
    const { f1_per_class: perClass, confusion_matrix: _cm, class_names: _names, ...scalars } = evaluation.metrics;
    void _cm;
    void _names;
    const record: EpochRecord = {
      epoch,
      lr: optimizer.lr,
      train_loss: lossSum / Math.max(1, batches),
      val_loss: evaluation.loss,
      seconds: (Date.now() - epochStart) / 1000,
      ...(scalars as Record<string, number>),
      ...Object.fromEntries(Object.entries(perClass as Record<string, number>).map(([k, v]) => [`f1_${k}`, v])),
    };
    const value = record[monitor];
    if (typeof value !== 'number')
      throw new ConfigError(
        file,
        'training.monitor',
        `metric '${monitor}' not among ${Object.keys(record).join(', ')}`,
      );
    const fit = epoch === 0 ? fitRunToBudget(config.training, epochs, record.seconds, scheduler) : undefined;
    if (fit) {
      emit(fit);
      epochs = fit.epochs;
      const fitted = { ...config, training: fittedTraining(config.training, fit) };
      writeFileAtomic(join(outDir, 'config.json'), JSON.stringify(fitted, null, 2));
    }
    if (scheduler) scheduler.step(value);
    history.push(record);
    const improved =
      Number.isFinite(value) &&
      (bestValue === undefined || (isLowerBetter(monitor) ? value < bestValue : value > bestValue));
    if (improved) {
      bestValue = value;
      bestEpoch = epoch;
      badEpochs = 0;
      saveTensors(bestPath, net.stateDict(), { epoch: String(epoch), monitor, value: String(value) });
    } else badEpochs++;
    appendFileSync(logPath, `${JSON.stringify(record)}\n`);
    saveTensors(join(outDir, 'last.safetensors'), net.stateDict(), { epoch: String(epoch) });
    writeFileAtomic(join(outDir, 'metrics.json'), JSON.stringify(metricsSummary(history, monitor, bestEpoch), null, 2));
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
  emit({ type: 'stop', reason: stoppedBy });
  if (existsSync(bestPath)) {
    const { tensors } = loadTensors(bestPath);
    net.loadStateDict(tensors);
    for (const t of tensors.values()) t.dispose();
  }
  return {
    outDir,
    history,
    best: history.find((r) => r.epoch === bestEpoch),
    monitor,
    stoppedBy,
    model: net as AttentionModel,
    skipped: [...trainSet.skipped(), ...valSet.skipped()],
    trainSet,
    valSet,
  };
}

/** A text run folder read back: config, classes, tokenizer and the best (else last) weights. */
export interface LoadedTextRun {
  config: TrainingConfig;
  model: TextModel;
  tokenizer: TextTokenizer;
  classNames: string[];
  maxTokens: number;
}

export function isTextRun(dir: string): boolean {
  return readRunModelJson(dir)?.task === 'text';
}

export function loadTextRun(dir: string): LoadedTextRun {
  const spec = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    model: string;
    config: Record<string, unknown>;
    classNames: string[];
    maxTokens: number;
  };
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as TrainingConfig;
  if (!isTextModelName(spec.model))
    throw new ConfigError(join(dir, 'model.json'), 'model', `not a text model: '${spec.model}'`);
  const tokFile = join(dir, 'tokenizer.json');
  if (!existsSync(tokFile)) throw new ConfigError(dir, '--run', 'text run without tokenizer.json');
  const model = createTextModel(spec.model, spec.config);
  const checkpoint = [join(dir, 'best.safetensors'), join(dir, 'last.safetensors')].find((p) => existsSync(p));
  if (!checkpoint) throw new ConfigError(dir, '--run', 'no checkpoint (best.safetensors or last.safetensors)');
  const { tensors } = loadTensors(checkpoint);
  model.loadStateDict(tensors);
  for (const t of tensors.values()) t.dispose();
  model.eval();
  return {
    config,
    model,
    tokenizer: TextTokenizer.load(tokFile),
    classNames: spec.classNames,
    maxTokens: spec.maxTokens,
  };
}

/**
 * `medattn evaluate` on a text run: accuracy, macro_f1, f1_per_class, confusion_matrix. `probabilities` gives
 * them from another engine (ONNX Runtime) in place of the libtorch model.
 */
export async function evaluateTextRun(
  dir: string,
  spec: DatasetSpec,
  probabilities?: (encoded: EncodedText[], numClasses: number) => Promise<Float64Array>,
): Promise<Record<string, unknown>> {
  const run = loadTextRun(dir);
  const ds = await openTextDataset(spec, '--data', 'command line');
  const known = new Map(run.classNames.map((c, i) => [c, i]));
  const unknown = ds.classNames.filter((c) => !known.has(c));
  if (unknown.length)
    throw new ConfigError(
      'command line',
      '--data',
      `labels the run was not trained on: ${unknown.slice(0, 5).join(', ')}`,
    );
  const labels = Int32Array.from(ds.labels(), (l) => known.get(ds.classNames[l])!);
  const encoded = await run.tokenizer.encode(ds.texts(), run.maxTokens);
  if (probabilities) {
    run.model.dispose();
    return textMetrics(await probabilities(encoded, run.classNames.length), labels, run.classNames);
  }
  return evaluateText(run.model, encoded, labels, run.classNames, 32).metrics;
}
