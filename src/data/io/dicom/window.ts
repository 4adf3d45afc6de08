/**
 * Display windowing (VOI LUT, linear): maps modality values in [center - width/2, center + width/2] to
 * [0, 1]. The window comes from the file (Window Center/Width) or from a named CT preset.
 */
import type { MedicalImage } from '../../medical-image.js';

export interface Window {
  center: number;
  width: number;
}

/** Common CT presets in Hounsfield units (window center / width). */
export const WINDOW_PRESETS = {
  lung: { center: -600, width: 1500 },
  mediastinum: { center: 50, width: 350 },
  softTissue: { center: 50, width: 400 },
  bone: { center: 400, width: 1800 },
  brain: { center: 40, width: 80 },
} as const satisfies Record<string, Window>;

export type WindowPreset = keyof typeof WINDOW_PRESETS;

/** The window stored in a DICOM image's meta (first value when there are several), if any. */
export function fileWindow(image: MedicalImage): Window | undefined {
  const center = image.meta?.windowCenter;
  const width = image.meta?.windowWidth;
  return typeof center === 'number' && typeof width === 'number' && width > 0 ? { center, width } : undefined;
}

/**
 * Applies a window to modality values, giving Float32 in [0, 1]. Uses the linear function of PS3.3
 * C.11.2.1.2 (center - 0.5, width - 1), which matters for narrow windows.
 */
export function applyWindow(image: MedicalImage, window: Window | WindowPreset): MedicalImage<Float32Array> {
  const w = typeof window === 'string' ? WINDOW_PRESETS[window] : window;
  if (!w || !(w.width >= 1)) throw new RangeError(`window width must be >= 1, got ${w?.width}`);
  const c = w.center - 0.5;
  const width = w.width - 1;
  const lo = c - width / 2;
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = image.data[i];
    out[i] = x <= lo ? 0 : x > c + width / 2 ? 1 : width === 0 ? 1 : (x - lo) / width;
  }
  return { ...image, data: out, meta: { ...image.meta, window: w } };
}
