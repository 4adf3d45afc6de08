import { MetricInputError } from './metric-input-error.js';

/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012): for every element, the distance to
 * the nearest non-zero element of `features`, in physical units when `spacing` (one value per axis) is given.
 * Separable: a 1D squared-distance transform along each axis in turn, each the lower envelope of parabolas,
 * so the cost is linear in the number of elements. With no feature at all every distance is +Infinity.
 *
 * Note the convention: scipy's `distance_transform_edt(x)` measures from each non-zero element to the nearest
 * zero, so it equals `euclideanDistanceTransform(x == 0)` here.
 */
export function euclideanDistanceTransform(
  features: ArrayLike<number>,
  shape: readonly number[],
  options: { spacing?: readonly number[]; squared?: boolean } = {},
): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (features.length !== size) {
    throw new MetricInputError(
      'euclideanDistanceTransform',
      `${features.length} values for shape [${shape.join(', ')}]`,
    );
  }
  const spacing = options.spacing ?? shape.map(() => 1);
  if (spacing.length !== shape.length || spacing.some((s) => !(s > 0))) {
    throw new MetricInputError(
      'euclideanDistanceTransform',
      `spacing [${spacing.join(', ')}] must give one positive value per axis of [${shape.join(', ')}]`,
    );
  }
  const d = new Float64Array(size);
  for (let i = 0; i < size; i++) d[i] = features[i] !== 0 ? 0 : Infinity;
  const maxLen = Math.max(1, ...shape);
  const line = new Float64Array(maxLen);
  const out = new Float64Array(maxLen);
  const v = new Int32Array(maxLen);
  const z = new Float64Array(maxLen + 1);
  let stride = size;
  for (let axis = 0; axis < shape.length; axis++) {
    const len = shape[axis];
    stride /= len; // row-major: elements along `axis` are `stride` apart
    const w = spacing[axis] * spacing[axis];
    const outer = size / (len * stride);
    for (let o = 0; o < outer; o++) {
      for (let inner = 0; inner < stride; inner++) {
        const base = o * len * stride + inner;
        for (let q = 0; q < len; q++) line[q] = d[base + q * stride];
        transform1d(line, len, w, out, v, z);
        for (let q = 0; q < len; q++) d[base + q * stride] = out[q];
      }
    }
  }
  if (!options.squared) for (let i = 0; i < size; i++) d[i] = Math.sqrt(d[i]);
  return d;
}

/**
 * 1D pass: out[q] = min_p (f[p] + w (q - p)^2). Infinite f[p] (no feature yet on this line) are skipped so
 * that the parabola intersections stay finite.
 */
function transform1d(f: Float64Array, n: number, w: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let s = intersection(f, w, q, v[k]);
    while (s <= z[k]) {
      k--;
      s = intersection(f, w, q, v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    for (let q = 0; q < n; q++) out[q] = Infinity;
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (z[j + 1] < q) j++;
    const dq = q - v[j];
    out[q] = w * dq * dq + f[v[j]];
  }
}

/** Abscissa where the parabolas rooted at q and p (p < q) cross. */
function intersection(f: Float64Array, w: number, q: number, p: number): number {
  return (f[q] + w * q * q - (f[p] + w * p * p)) / (2 * w * (q - p));
}
