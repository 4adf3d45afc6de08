/**
 * What a client needs to know about an exported model, read from its ONNX metadata_props (`medattn.*`, written by
 * `medattn export`). Pure TypeScript with no Node imports: the server and the browser page both use it.
 */
import type { TransformSpec } from '../data/transforms/spec.js';

export interface ModelInfo {
  task: 'classification' | 'segmentation' | 'detection';
  /** The network's name in medattn's registry (attention_cnn, attention_unet, ...). */
  model: string;
  inputChannels: number;
  /** Fixed spatial input size of classifiers ([H, W]); undefined when height and width are dynamic. */
  inputSize?: number[];
  /** The run's eval transforms, applied to every image before the model. */
  normalization: TransformSpec[];
  classNames: string[];
  /** Binary decision threshold on the positive (second) class, and whether training chose it. */
  threshold: number;
  thresholdSource: string;
  /** Segmenters: pad height and width to a multiple of this (edge replication), then crop the output back. */
  padMultiple: number;
  version: string;
}

export function modelInfoFromMetadata(meta: Record<string, string>, file: string): ModelInfo {
  const json = <T>(key: string, fallback: T): T => {
    if (meta[key] === undefined) return fallback;
    try {
      return JSON.parse(meta[key]) as T;
    } catch {
      throw new Error(`${file}: metadata ${key} is not JSON`);
    }
  };
  const task = meta['medattn.task'];
  if (task !== 'classification' && task !== 'segmentation' && task !== 'detection')
    throw new Error(
      `${file}: metadata medattn.task is '${task}', the service serves classification, segmentation and detection`,
    );
  // tables, ICU grids and token ids (medattn.input_layout) are not images: the service would misread them
  if (meta['medattn.input_layout'] !== undefined)
    throw new Error(
      `${file}: the input is ${meta['medattn.input_layout'].split(':')[0]}, the service serves image models`,
    );
  return {
    task,
    model: meta['medattn.model'] ?? 'unknown',
    inputChannels: Number(meta['medattn.input_channels'] ?? 1),
    inputSize: task === 'classification' ? json<number[] | undefined>('medattn.input_size', undefined) : undefined,
    normalization: json<TransformSpec[]>('medattn.normalization', []),
    classNames: json<string[]>('medattn.class_names', []),
    threshold: Number(meta['medattn.threshold'] ?? 0.5),
    thresholdSource: meta['medattn.threshold_source'] ?? 'default',
    padMultiple: Number(meta['medattn.pad_multiple'] ?? 1),
    version: meta['medattn.version'] ?? '',
  };
}
