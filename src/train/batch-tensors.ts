/** Loader batches (plain typed arrays) to tensors on the training device. */
import type { Batch, BatchField } from '../data/loader/index.js';
import { tensor, type Device, type Tensor } from '../tensor/index.js';
import { detectionBatchTensors } from './tasks/detection.js';

export function fieldTensor(field: BatchField, device: Device = 'cpu'): Tensor {
  return tensor(field.data, { shape: field.shape, device });
}

export interface TrainingBatch {
  x: Tensor;
  /** Class indices [N] int64 (classification) or masks [N, 1, ...] float 0/1 (segmentation). */
  y: Tensor;
  roi?: Tensor;
}

export function batchTensors(
  batch: Batch,
  task: 'classification' | 'segmentation' | 'detection' | 'text',
  roiKey?: string,
  device: Device = 'cpu',
): TrainingBatch {
  if (task === 'detection') return detectionBatchTensors(batch, device);
  const image = batch.fields.image;
  if (!image) throw new Error(`batch has no 'image' field (fields: ${Object.keys(batch.fields).join(', ')})`);
  const x = fieldTensor(image, device);
  if (task === 'classification') {
    const label = batch.fields.label;
    if (!label) throw new Error("classification batch has no 'label' field");
    return { x, y: fieldTensor(label, device).to('int64') };
  }
  const mask = batch.fields.mask;
  if (!mask) throw new Error("segmentation batch has no 'mask' field");
  const roiField = roiKey ? batch.fields[roiKey] : undefined;
  return { x, y: fieldTensor(mask, device), roi: roiField ? fieldTensor(roiField, device) : undefined };
}
