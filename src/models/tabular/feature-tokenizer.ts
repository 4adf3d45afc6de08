/**
 * One token per feature (Gorishniy et al. 2021, "Revisiting Deep Learning Models for Tabular Data"): a numeric
 * feature x_j becomes x_j * W_j + b_j, a categorical one its category's embedding + b_j, and a missing one a
 * learned "missing" token M_j of its own, so missingness is information the model can use rather than a zero.
 *
 * The scaling of numbers (standardisation by the mean and standard deviation of the training rows where the
 * value is present, then clipped to ±5) and the categories seen in training are buffers, fitted by `fit` on the
 * training set only and saved with the weights: evaluation and `predict` apply exactly what training fitted.
 * A category never seen in training counts as missing.
 */
import { noGrad, tensor, where, type Tensor } from '../../tensor/index.js';
import { Module, init } from '../../nn/index.js';
import type { TableColumn } from '../../data/datasets/table-schema.js';

/** Standardised values beyond this are clipped: one extreme lab value must not dominate a token. */
const CLIP = 5;

export class FeatureTokenizer extends Module {
  readonly numFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly missingToken: Tensor;
  readonly categoryEmbedding: Tensor;
  /** Fitted on the training set: per-feature mean and standard deviation (0 and 1 for categorical columns). */
  readonly mean: Tensor;
  readonly std: Tensor;
  /** 1 for each category code (offset by its column) seen in training; row 0 is the unused "no category". */
  readonly known: Tensor;
  private readonly isNumeric: Tensor;
  private readonly maxCode: Tensor;
  private readonly offsets: Tensor;
  private readonly offsetList: number[];

  constructor(
    readonly columns: TableColumn[],
    readonly dim: number,
  ) {
    super();
    const f = columns.length;
    this.numFeatures = f;
    this.offsetList = [];
    let next = 1;
    for (const c of columns) {
      this.offsetList.push(c.type === 'categorical' ? next : 0);
      if (c.type === 'categorical') next += c.categories?.length ?? 0;
    }
    const bound = 1 / Math.sqrt(dim);
    this.weight = this.param(
      'weight',
      init.uniform_(tensor(new Float32Array(f * dim), { shape: [f, dim] }), -bound, bound),
    );
    this.bias = this.param(
      'bias',
      init.uniform_(tensor(new Float32Array(f * dim), { shape: [f, dim] }), -bound, bound),
    );
    this.missingToken = this.param(
      'missing_token',
      init.uniform_(tensor(new Float32Array(f * dim), { shape: [f, dim] }), -bound, bound),
    );
    this.categoryEmbedding = this.param(
      'category_embedding',
      init.uniform_(tensor(new Float32Array(next * dim), { shape: [next, dim] }), -bound, bound),
    );
    this.mean = this.buffer('mean', tensor(new Float32Array(f)));
    this.std = this.buffer('std', tensor(new Float32Array(f).fill(1)));
    this.known = this.buffer('known', tensor(new Float32Array(next).fill(1)));
    this.isNumeric = this.buffer(
      'is_numeric',
      tensor(Float32Array.from(columns, (c) => (c.type === 'numeric' ? 1 : 0))),
    );
    this.maxCode = this.buffer(
      'max_code',
      tensor(Float32Array.from(columns, (c) => Math.max(0, (c.categories?.length ?? 1) - 1))),
    );
    this.offsets = this.buffer('offsets', tensor(Int32Array.from(this.offsetList)).to('int64'));
  }

  /** Fits the scaling and the known categories on training inputs (each a [2, F] row: values, missing). */
  fit(rows: Float32Array[]): { mean: number[]; std: number[] } {
    const f = this.numFeatures;
    const mean = new Float64Array(f);
    const sq = new Float64Array(f);
    const count = new Float64Array(f);
    const known = new Float32Array(this.known.numel);
    for (const r of rows) {
      for (let j = 0; j < f; j++) {
        if (r[f + j] > 0.5) continue;
        if (this.columns[j].type === 'categorical') known[this.offsetList[j] + Math.round(r[j])] = 1;
        else {
          mean[j] += r[j];
          sq[j] += r[j] * r[j];
          count[j]++;
        }
      }
    }
    const m = Array.from(mean, (s, j) => (count[j] ? s / count[j] : 0));
    const s = Array.from(sq, (q, j) => {
      const v = count[j] > 1 ? (q - count[j] * m[j] * m[j]) / (count[j] - 1) : 0;
      return v > 1e-12 ? Math.sqrt(v) : 1;
    });
    noGrad(() => {
      this.mean.copy_(tensor(Float32Array.from(m)));
      this.std.copy_(tensor(Float32Array.from(s)));
      this.known.copy_(tensor(known));
    });
    return { mean: m, std: s };
  }

  /**
   * values, missing: [N, F] -> tokens [N, F, dim] and the effective missing mask [N, F] (1 = missing, also for
   * categories unseen in training).
   */
  forward(values: Tensor, missing: Tensor): { tokens: Tensor; missing: Tensor } {
    const isCat = this.isNumeric.rsub(1);
    // Category rows: offset + code where present and categorical, else row 0.
    const codes = values.mul(isCat).mul(missing.rsub(1)).clamp(0).minimum(this.maxCode).round().long();
    const index = codes.add(this.offsets).mul(missing.lt(0.5).long()).mul(isCat.gt(0.5).long());
    const unseen = this.known.indexSelect(0, index.flatten()).view(values.shape).rsub(1).mul(isCat);
    const miss = missing.add(unseen).clamp(0, 1);
    const z = values.sub(this.mean).div(this.std).clamp(-CLIP, CLIP).mul(this.isNumeric).mul(miss.rsub(1));
    const numeric = z.unsqueeze(-1).mul(this.weight).mul(this.isNumeric.unsqueeze(-1));
    const categorical = this.categoryEmbedding.indexSelect(0, index.flatten()).view([...values.shape, this.dim]);
    const present = numeric.add(categorical.mul(isCat.unsqueeze(-1))).add(this.bias);
    const tokens = where(miss.unsqueeze(-1).gt(0.5), this.missingToken.expandAs(present), present);
    return { tokens, missing: miss };
  }
}
