/**
 * CT Hounsfield-unit window by preset name (brain 40/80, bone 400/1800, soft tissue 50/400, lung -600/1500,
 * mediastinum 50/350; center/width in HU, the presets of `WINDOW_PRESETS`): the `window` transform without
 * having to remember the numbers.
 */
import { WINDOW_PRESETS, type WindowPreset } from '../io/dicom/window.js';
import { TransformError, type Sample, type Transform } from './transform.js';
import { Window } from './window.js';

export interface CtWindowOptions {
  keys?: string[];
  preset: WindowPreset;
  outMin?: number;
  outMax?: number;
}

export const CT_WINDOW_PRESETS = Object.keys(WINDOW_PRESETS) as WindowPreset[];

export class CtWindow implements Transform {
  readonly deterministic = true;
  private readonly window: Window;
  constructor(opts: CtWindowOptions) {
    const w = WINDOW_PRESETS[opts.preset];
    if (!w)
      throw new TransformError(`CtWindow: unknown preset "${opts.preset}" (one of ${CT_WINDOW_PRESETS.join(', ')})`);
    this.window = new Window({ keys: opts.keys, outMin: opts.outMin, outMax: opts.outMax, ...w });
  }
  apply(sample: Sample): Sample {
    return this.window.apply(sample);
  }
}
