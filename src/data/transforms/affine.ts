/**
 * Affine augmentation: rotation, shear, zoom (scale) and shift (translate) about the image centre, composed
 * into one matrix and applied as a single inverse-mapped resampling (one interpolation, not four: each extra
 * resampling would blur the image again). Images use bilinear/trilinear, masks nearest neighbour.
 *
 * Conventions (axes in array order: (y, x) in 2D, (z, y, x) in 3D; pixel centres on integers; centre
 * c = (size - 1) / 2):
 *   forward   out = c + t + R · Sh · S · (in - c)
 *   sampling  in  = c + (R·Sh·S)⁻¹ · (out - c - t)
 * - rotate, in degrees: 2D one angle, positive = counter-clockwise as displayed (rows down), so +90 equals
 *   `np.rot90(img, 1, axes=(H, W))`. 3D: [about axis 0 (z, the (y,x) plane, same as 2D), about axis 1 (y, the
 *   (z,x) plane), about axis 2 (x, the (z,y) plane)], applied as R = R0 · R1 · R2.
 * - scale (zoom): factor per axis, > 1 magnifies the content.
 * - shear: Sh = identity plus off-diagonal coefficients, listed row by row: 2D [s_yx, s_xy] (y += s_yx·x,
 *   x += s_xy·y); 3D [s_zy, s_zx, s_yz, s_yx, s_xz, s_xy].
 * - translate: pixels per axis, positive moves the content towards higher indices.
 */
import { warp, type PaddingMode } from './resample.js';
import type { Rng } from './rng.js';
import {
  checkRange,
  commonSpatialShape,
  getImage,
  resolveKeys,
  TransformError,
  withData,
  type KeyOptions,
  type Sample,
  type Transform,
  checkUnlistedMasks,
} from './transform.js';

export interface AffineParams {
  /** Degrees: one number in 2D, three in 3D (see module doc). */
  rotate?: number | number[];
  /** Zoom factor: one number for all axes or one per axis. */
  scale?: number | number[];
  /** Off-diagonal shear coefficients (2 in 2D, 6 in 3D). */
  shear?: number[];
  /** Shift in pixels per axis. */
  translate?: number[];
}

export interface AffineOptions extends KeyOptions, AffineParams {
  /** Outside the image: `zeros` (default) or `border` (repeat the edge). */
  padding?: PaddingMode;
}

/** Deterministic affine transform with fixed parameters. */
export class Affine implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  private readonly masks: string[];
  constructor(private readonly opts: AffineOptions) {
    ({ keys: this.keys, masks: this.masks } = resolveKeys(opts));
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'Affine');
  }
  apply(sample: Sample): Sample {
    this.check(sample);
    return applyAffine(sample, this.keys, this.masks, this.opts, this.opts.padding ?? 'zeros', 'Affine');
  }
}

/** A range option: `r` means [-r, r]; or an explicit [lo, hi]. */
export type Range = number | [number, number];

export interface RandAffineOptions extends KeyOptions {
  /** Degrees; 2D one range, 3D one range per axis (a single range is used for all three). */
  rotate?: Range | Range[];
  /** Zoom factor is 1 + u with u drawn from this range (0.1 → [0.9, 1.1]); one range or one per axis. */
  scale?: Range | Range[];
  /** Keep the aspect ratio: one zoom draw for all axes (default true). */
  isotropic?: boolean;
  /** Shear coefficient range(s): one for all, or one per coefficient. */
  shear?: Range | Range[];
  /** Shift range(s) in pixels: one for all axes or one per axis. */
  translate?: Range | Range[];
  padding?: PaddingMode;
}

/** Random affine: draws rotation, zoom, shear and shift per sample, applies them in one resampling. */
export class RandAffine implements Transform {
  private readonly keys: string[];
  private readonly masks: string[];
  constructor(private readonly opts: RandAffineOptions) {
    ({ keys: this.keys, masks: this.masks } = resolveKeys(opts));
    for (const name of ['rotate', 'scale', 'shear', 'translate'] as const) {
      const v = opts[name];
      if (v === undefined) continue;
      for (const r of listOf(v)) checkRange(toRange(r), name, 'RandAffine');
    }
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'RandAffine');
  }
  apply(sample: Sample, rng: Rng): Sample {
    this.check(sample);
    const d = commonSpatialShape(sample, [...this.keys, ...this.masks], 'RandAffine').length;
    const o = this.opts;
    const draw = (v: Range | Range[] | undefined, count: number): number[] | undefined => {
      if (v === undefined) return undefined;
      const list = listOf(v);
      return Array.from({ length: count }, (_, i) => {
        const [lo, hi] = toRange(list.length === 1 ? list[0] : (list[i] ?? 0));
        return rng.uniform(lo, hi);
      });
    };
    const params: AffineParams = {};
    if (o.rotate !== undefined) params.rotate = draw(o.rotate, d === 2 ? 1 : 3);
    if (o.scale !== undefined) {
      const iso = o.isotropic ?? true;
      const u = draw(o.scale, iso ? 1 : d)!;
      params.scale = (iso ? [u[0]] : u).map((x) => 1 + x);
    }
    if (o.shear !== undefined) params.shear = draw(o.shear, d === 2 ? 2 : 6);
    if (o.translate !== undefined) params.translate = draw(o.translate, d);
    return applyAffine(sample, this.keys, this.masks, params, o.padding ?? 'zeros', 'RandAffine');
  }
}

/**
 * A range option as a list of ranges. Two plain numbers are ONE range [lo, hi]; a per-axis list must spell
 * each range as a number (symmetric) or a pair: `[[-4, 4], [-2, 2]]`, `[10, 0, 0]`.
 */
function listOf(v: Range | Range[]): Range[] {
  if (!Array.isArray(v)) return [v];
  if (v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return [v as [number, number]];
  return v as Range[];
}

function toRange(r: Range): [number, number] {
  return typeof r === 'number' ? [-Math.abs(r), Math.abs(r)] : r;
}

/** The forward linear part R·Sh·S (d×d, array-axis order) for the given parameters. */
export function affineMatrix(d: 2 | 3, p: AffineParams, who = 'Affine'): number[][] {
  const deg = p.rotate === undefined ? [] : typeof p.rotate === 'number' ? [p.rotate] : p.rotate;
  if (deg.length > (d === 2 ? 1 : 3))
    throw new TransformError(`${who}: rotate takes ${d === 2 ? 1 : 3} angle(s) in ${d}D`);
  let m = identity(d);
  if (d === 2) {
    if (deg.length) m = mul(m, planeRotation(2, 0, 1, deg[0]));
  } else {
    // Rotation about axis k turns the plane of the two other axes.
    const planes: [number, number][] = [
      [1, 2],
      [0, 2],
      [0, 1],
    ];
    for (let k = 0; k < deg.length; k++) if (deg[k]) m = mul(m, planeRotation(3, planes[k][0], planes[k][1], deg[k]));
  }
  if (p.shear) {
    const sh = identity(d);
    const need = d === 2 ? 2 : 6;
    if (p.shear.length !== need) throw new TransformError(`${who}: shear takes ${need} coefficients in ${d}D`);
    let k = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) sh[i][j] = p.shear[k++];
    m = mul(m, sh);
  }
  if (p.scale !== undefined) {
    const s = typeof p.scale === 'number' ? [p.scale] : p.scale;
    if (s.length !== 1 && s.length !== d) throw new TransformError(`${who}: scale takes 1 or ${d} factors`);
    const sm = identity(d);
    for (let i = 0; i < d; i++) sm[i][i] = s.length === 1 ? s[0] : s[i];
    if (sm.some((row, i) => !(row[i] > 0))) throw new TransformError(`${who}: scale factors must be > 0`);
    m = mul(m, sm);
  }
  return m;
}

/** In-plane rotation of axes (a, b) by `deg`, counter-clockwise as displayed with rows down. */
function planeRotation(d: number, a: number, b: number, deg: number): number[][] {
  const r = identity(d);
  const t = (deg * Math.PI) / 180;
  // Snap cos/sin of multiples of 90° to exact values so such rotations land exactly on pixel centres.
  const c = snap(Math.cos(t));
  const s = snap(Math.sin(t));
  r[a][a] = c;
  r[a][b] = -s;
  r[b][a] = s;
  r[b][b] = c;
  return r;
}

function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-12 ? r : v;
}

function identity(d: number): number[][] {
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
}

function mul(a: number[][], b: number[][]): number[][] {
  const d = a.length;
  return a.map((_, i) => Array.from({ length: d }, (_, j) => a[i].reduce((acc, _v, k) => acc + a[i][k] * b[k][j], 0)));
}

function invert(m: number[][], who: string): number[][] {
  const d = m.length;
  const a = m.map((row, i) => [...row, ...identity(d)[i]]);
  for (let col = 0; col < d; col++) {
    let piv = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    if (Math.abs(a[piv][col]) < 1e-12) throw new TransformError(`${who}: the affine matrix is singular`);
    [a[col], a[piv]] = [a[piv], a[col]];
    const p = a[col][col];
    for (let j = 0; j < 2 * d; j++) a[col][j] /= p;
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r][col];
      if (f !== 0) for (let j = 0; j < 2 * d; j++) a[r][j] -= f * a[col][j];
    }
  }
  return a.map((row) => row.slice(d));
}

/** Source coordinate maps (one Float64Array per spatial axis) for the affine on a grid of `size`. */
export function affineMaps(size: number[], p: AffineParams, who = 'Affine'): Float64Array[] {
  const d = size.length as 2 | 3;
  const inv = invert(affineMatrix(d, p, who), who);
  const t = p.translate ?? new Array<number>(d).fill(0);
  if (t.length !== d) throw new TransformError(`${who}: translate takes ${d} values in ${d}D`);
  const c = size.map((s) => (s - 1) / 2);
  const n = size.reduce((a, b) => a * b, 1);
  const maps = size.map(() => new Float64Array(n));
  if (d === 2) {
    // 2D fast path: the source coordinate is linear in the output index, so step it incrementally.
    const [H, W] = size;
    const [my, mx] = maps;
    let i = 0;
    for (let y = 0; y < H; y++) {
      const qy = y - c[0] - t[0];
      let sy = c[0] + inv[0][0] * qy + inv[0][1] * (-c[1] - t[1]);
      let sx = c[1] + inv[1][0] * qy + inv[1][1] * (-c[1] - t[1]);
      for (let x = 0; x < W; x++, i++) {
        my[i] = sy;
        mx[i] = sx;
        sy += inv[0][1];
        sx += inv[1][1];
      }
    }
    return maps;
  }
  const q = new Array<number>(d).fill(0);
  const idx = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) q[k] = idx[k] - c[k] - t[k];
    for (let k = 0; k < d; k++) {
      let v = c[k];
      for (let j = 0; j < d; j++) v += inv[k][j] * q[j];
      maps[k][i] = v;
    }
    // Advance the multi-index (last axis fastest).
    for (let k = d - 1; k >= 0; k--) {
      if (++idx[k] < size[k]) break;
      idx[k] = 0;
    }
  }
  return maps;
}

function applyAffine(
  sample: Sample,
  keys: string[],
  masks: string[],
  params: AffineParams,
  padding: PaddingMode,
  who: string,
): Sample {
  const size = commonSpatialShape(sample, [...keys, ...masks], who);
  const maps = affineMaps(size, params, who);
  const out: Sample = { ...sample };
  for (const k of keys) {
    const img = getImage(sample, k, who);
    out[k] = withData(img, warp(img.data, img.shape, maps, 'linear', padding));
  }
  for (const k of masks) {
    const img = getImage(sample, k, who);
    out[k] = withData(img, warp(img.data, img.shape, maps, 'nearest', padding));
  }
  return out;
}
