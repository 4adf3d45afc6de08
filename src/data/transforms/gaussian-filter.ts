/**
 * Separable Gaussian smoothing of channels-first data over its spatial axes (each channel independently).
 * The kernel is truncated at 3σ and renormalised; edges are mirrored (scipy's default "reflect": d c b a | a b
 * c d), so a constant image stays constant and smoothed noise keeps the same variance up to the border
 * (repeating the edge value instead would give the border pixels larger random displacements). Used by blur and by elastic deformation (to smooth random displacements).
 */

/** Normalised 1-D Gaussian taps of radius ceil(truncate·σ). */
export function gaussianKernel1d(sigma: number, truncate = 3): Float64Array {
  const r = Math.max(1, Math.ceil(truncate * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Convolves along one axis of `shape` with a centred kernel, borders mirrored. */
export function smoothAxis(
  data: Float32Array,
  shape: readonly number[],
  axis: number,
  kernel: Float64Array,
): Float32Array {
  const len = shape[axis];
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const r = (kernel.length - 1) / 2;
  const out = new Float32Array(data.length);
  // Each line along the axis is copied once into a mirrored, padded buffer, so the tap loop has no bounds
  // checks or index arithmetic.
  const line = new Float64Array(len + 2 * r);
  const taps = kernel.length;
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < inner; j++) {
      const base = a * len * inner + j;
      for (let i = -r; i < len + r; i++) line[i + r] = data[base + reflect(i, len) * inner];
      for (let o = 0; o < len; o++) {
        let acc = 0;
        for (let t = 0; t < taps; t++) acc += kernel[t] * line[o + t];
        out[base + o * inner] = acc;
      }
    }
  }
  return out;
}

/** Mirror index into [0, len) with the edge pixel repeated once (period 2·len). */
function reflect(i: number, len: number): number {
  if (i >= 0 && i < len) return i;
  const period = 2 * len;
  let m = i % period;
  if (m < 0) m += period;
  return m < len ? m : period - 1 - m;
}

/**
 * Smooths every spatial axis of channels-first `data` (shape [C, ...spatial]) with σ (one value, or one per
 * spatial axis; σ <= 0 skips that axis).
 */
export function gaussianSmooth(data: Float32Array, shape: readonly number[], sigma: number | number[]): Float32Array {
  let cur = data;
  for (let a = 1; a < shape.length; a++) {
    const s = typeof sigma === 'number' ? sigma : sigma[a - 1];
    if (!(s > 0)) continue;
    cur = smoothAxis(cur, shape, a, gaussianKernel1d(s));
  }
  return cur === data ? data.slice() : cur;
}
