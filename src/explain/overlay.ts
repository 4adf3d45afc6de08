/**
 * Heat-map overlays: a [0, 1] map coloured with a perceptual colormap and blended over a grey image, the way
 * attention and Grad-CAM maps are shown to clinicians.
 */

/** Turbo colormap (Mikhailov 2019), polynomial approximation: t in [0, 1] -> RGB in [0, 255]. */
export function turbo(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const r =
    0.13572138 + x * (4.6153926 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  const g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  const b =
    0.1066733 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  const c = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [c(r), c(g), c(b)];
}

/** Scales values to [0, 1] by their min and max (a constant map becomes 0). */
export function normalizeMap(map: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    lo = Math.min(lo, map[i]);
    hi = Math.max(hi, map[i]);
  }
  const span = hi - lo;
  return Float32Array.from(map, (v) => (span > 0 ? (v - lo) / span : 0));
}

/**
 * Grey image as interleaved RGB bytes: min-max scaled, or through a display window (e.g. a CT Hounsfield
 * window `WINDOW_PRESETS.brain`) so that a CT overlay shows tissue the way a radiologist reads it.
 */
export function greyToRgb(image: ArrayLike<number>, window?: { center: number; width: number }): Uint8Array {
  const g = window ? windowed(image, window) : normalizeMap(image);
  const out = new Uint8Array(g.length * 3);
  for (let i = 0; i < g.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = Math.round(g[i] * 255);
  return out;
}

function windowed(image: ArrayLike<number>, w: { center: number; width: number }): Float32Array {
  const out = new Float32Array(image.length);
  const lo = w.center - w.width / 2;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, (image[i] - lo) / w.width));
  return out;
}

/** A binary mask (> 0.5 is foreground) as white on black RGB bytes, never rescaled: an all-foreground mask stays white. */
export function maskToRgb(mask: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(mask.length * 3);
  for (let i = 0; i < mask.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = mask[i] > 0.5 ? 255 : 0;
  return out;
}

/**
 * Blends the coloured map over the grey image: alpha * colour + (1 - alpha) * grey, per pixel. The map is
 * min-max scaled (attention maps have no fixed range) unless `range` fixes it, as for probabilities ([0, 1]).
 */
export function overlayHeatmap(
  image: ArrayLike<number>,
  map: ArrayLike<number>,
  alpha = 0.45,
  range?: [number, number],
): Uint8Array {
  if (image.length !== map.length)
    throw new RangeError(`overlayHeatmap: image has ${image.length} pixels, map ${map.length}`);
  const base = greyToRgb(image);
  const m = range ? Float32Array.from(map, (v) => (v - range[0]) / (range[1] - range[0])) : normalizeMap(map);
  for (let i = 0; i < m.length; i++) {
    const [r, g, b] = turbo(m[i]);
    base[3 * i] = Math.round(alpha * r + (1 - alpha) * base[3 * i]);
    base[3 * i + 1] = Math.round(alpha * g + (1 - alpha) * base[3 * i + 1]);
    base[3 * i + 2] = Math.round(alpha * b + (1 - alpha) * base[3 * i + 2]);
  }
  return base;
}
