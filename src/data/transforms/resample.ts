/**
 * Inverse-mapped resampling (the core of affine, elastic and rotation transforms): for every output pixel we
 * are given the *source* coordinate it comes from and interpolate the input there. Coordinates are in pixel
 * index units with pixel centres on integers (x = column, y = row, z = slice).
 *
 * - `linear`: bilinear (2D) / trilinear (3D) for intensity images.
 * - `nearest`: nearest pixel for masks; the output holds only input values (and 0 from zero padding), so a
 *   binary mask stays binary.
 * - padding `zeros` reads 0 outside the image; `border` clamps the coordinate to the edge pixel.
 *
 * 2D bilinear recomputes its weights per channel (cheaper than tap tables); 3D builds tap tables once.
 */
export type Interpolation = 'linear' | 'nearest';
export type PaddingMode = 'zeros' | 'border';

/** Samples each channel of src [C,H,W] at (ys[i], xs[i]) for output pixel i; returns [C, n]. */
export function warp2d(
  src: Float32Array,
  C: number,
  H: number,
  W: number,
  ys: Float64Array,
  xs: Float64Array,
  mode: Interpolation,
  padding: PaddingMode,
): Float32Array {
  const n = xs.length;
  const out = new Float32Array(C * n);
  const plane = H * W;
  if (mode === 'nearest') {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let x = Math.round(xs[i]);
      let y = Math.round(ys[i]);
      if (padding === 'border') {
        x = x < 0 ? 0 : x > W - 1 ? W - 1 : x;
        y = y < 0 ? 0 : y > H - 1 ? H - 1 : y;
      }
      idx[i] = x >= 0 && x < W && y >= 0 && y < H ? y * W + x : -1;
    }
    for (let c = 0; c < C; c++) {
      const base = c * plane;
      const o = c * n;
      for (let i = 0; i < n; i++) {
        const j = idx[i];
        out[o + i] = j >= 0 ? src[base + j] : 0;
      }
    }
    return out;
  }
  // Per channel without tap tables: recomputing the weights is cheaper than allocating and reading 8n numbers.
  for (let c = 0; c < C; c++)
    bilinearSingle(src.subarray(c * plane, (c + 1) * plane), H, W, ys, xs, padding, out.subarray(c * n, (c + 1) * n));
  return out;
}

/** Bilinear sampling of a single channel without the tap tables (the common grayscale case). */
function bilinearSingle(
  src: Float32Array,
  H: number,
  W: number,
  ys: Float64Array,
  xs: Float64Array,
  padding: PaddingMode,
  out: Float32Array,
): Float32Array {
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    let x = xs[i];
    let y = ys[i];
    if (padding === 'border') {
      x = x < 0 ? 0 : x > W - 1 ? W - 1 : x;
      y = y < 0 ? 0 : y > H - 1 ? H - 1 : y;
    }
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    if (x0 < -1 || y0 < -1 || x0 >= W || y0 >= H) continue; // all four taps outside: 0
    const fx = x - x0;
    const fy = y - y0;
    const inX0 = x0 >= 0;
    const inX1 = x0 + 1 < W && fx !== 0;
    const inY0 = y0 >= 0;
    const inY1 = y0 + 1 < H && fy !== 0;
    const r0 = y0 * W;
    const r1 = r0 + W;
    let v = 0;
    if (inY0) {
      if (inX0) v += (1 - fx) * (1 - fy) * src[r0 + x0];
      if (inX1) v += fx * (1 - fy) * src[r0 + x0 + 1];
    }
    if (inY1) {
      if (inX0) v += (1 - fx) * fy * src[r1 + x0];
      if (inX1) v += fx * fy * src[r1 + x0 + 1];
    }
    out[i] = v;
  }
  return out;
}

/** Samples each channel of src [C,D,H,W] at (zs[i], ys[i], xs[i]); returns [C, n]. */
export function warp3d(
  src: Float32Array,
  C: number,
  D: number,
  H: number,
  W: number,
  zs: Float64Array,
  ys: Float64Array,
  xs: Float64Array,
  mode: Interpolation,
  padding: PaddingMode,
): Float32Array {
  const n = xs.length;
  const out = new Float32Array(C * n);
  const vol = D * H * W;
  const clamp = (v: number, hi: number): number => (v < 0 ? 0 : v > hi ? hi : v);
  if (mode === 'nearest') {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let x = Math.round(xs[i]);
      let y = Math.round(ys[i]);
      let z = Math.round(zs[i]);
      if (padding === 'border') {
        x = clamp(x, W - 1);
        y = clamp(y, H - 1);
        z = clamp(z, D - 1);
      }
      idx[i] = x >= 0 && x < W && y >= 0 && y < H && z >= 0 && z < D ? (z * H + y) * W + x : -1;
    }
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < n; i++) out[c * n + i] = idx[i] >= 0 ? src[c * vol + idx[i]] : 0;
    }
    return out;
  }
  const tIdx = new Int32Array(8 * n);
  const tW = new Float32Array(8 * n);
  for (let i = 0; i < n; i++) {
    let x = xs[i];
    let y = ys[i];
    let z = zs[i];
    if (padding === 'border') {
      x = clamp(x, W - 1);
      y = clamp(y, H - 1);
      z = clamp(z, D - 1);
    }
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const z0 = Math.floor(z);
    const fx = x - x0;
    const fy = y - y0;
    const fz = z - z0;
    for (let t = 0; t < 8; t++) {
      const dx = t & 1;
      const dy = (t >> 1) & 1;
      const dz = (t >> 2) & 1;
      const xi = x0 + dx;
      const yi = y0 + dy;
      const zi = z0 + dz;
      const w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) * (dz ? fz : 1 - fz);
      const k = 8 * i + t;
      if (w !== 0 && xi >= 0 && xi < W && yi >= 0 && yi < H && zi >= 0 && zi < D) {
        tIdx[k] = (zi * H + yi) * W + xi;
        tW[k] = w;
      }
    }
  }
  for (let c = 0; c < C; c++) {
    const base = c * vol;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let t = 8 * i; t < 8 * i + 8; t++) acc += tW[t] * src[base + tIdx[t]];
      out[c * n + i] = acc;
    }
  }
  return out;
}

/** Warps an image with maps for its own spatial rank (2 maps for [C,H,W], 3 for [C,D,H,W]). */
export function warp(
  src: Float32Array,
  shape: readonly number[],
  maps: Float64Array[],
  mode: Interpolation,
  padding: PaddingMode,
): Float32Array {
  if (shape.length === 3) return warp2d(src, shape[0], shape[1], shape[2], maps[0], maps[1], mode, padding);
  return warp3d(src, shape[0], shape[1], shape[2], shape[3], maps[0], maps[1], maps[2], mode, padding);
}
