/**
 * The contract of a table (static-vector) encoder, shared by the tabular classifiers and by fusion models:
 * values [N, F] and a missing mask [N, F] (1 = missing) in, a patient embedding [N, D] out, with per-feature
 * weights [N, F] (non-negative, summing to 1 per patient) saying how much each feature contributed.
 */
import type { Tensor } from '../../tensor/index.js';
import type { Module } from '../../nn/index.js';

export interface TableEncoding {
  /** [N, D] */
  embedding: Tensor;
  /** [N, F], rows sum to 1: the encoder's attention over features for each patient. */
  featureWeights: Tensor;
}

export interface TableEncoder extends Module {
  /** D, the embedding size. */
  readonly outDim: number;
  encode(values: Tensor, missing: Tensor): TableEncoding;
  /** Fits input scaling on training rows ([2, F] each: values, then the missing indicator). */
  fit(rows: Float32Array[]): { mean: number[]; std: number[] };
}

/** A table dataset's [N, 2, F] batch as (values [N, F], missing [N, F]). */
export function splitTableInput(x: Tensor): { values: Tensor; missing: Tensor } {
  return { values: x.select(1, 0), missing: x.select(1, 1) };
}
