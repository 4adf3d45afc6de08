/**
 * Spacing-aware resampling of a volume to a target voxel size in mm (MONAI's `Spacing`): the first voxel
 * centre stays where it is, the output has round(extent / target) voxels per axis, and the affine's columns
 * are rescaled so that voxel → world stays consistent (orientation and origin unchanged). Trilinear for
 * intensities, nearest for label maps. A volume whose spacing is missing is refused: millimetres cannot be
 * guessed.
 */
import { UserError } from '../../user-error.js';
import { MedattnDataError } from '../io/errors.js';
import type { MedicalImage } from '../medical-image.js';
import { warp3d, type Interpolation } from './resample.js';

/** A volume without usable voxel spacing (a data error: the CLI prints `<file>: <reason>`). */
export const MissingSpacingError = MedattnDataError;

/** The volume's voxel size in mm, [dz, dy, dx]; a one-line error naming `source` when it is missing. */
export function requireSpacing(image: MedicalImage, source: string): number[] {
  const s = image.spacing;
  if (image.meta?.spacingMissing === true || !s || s.length !== image.shape.length - 1 || s.some((v) => !(v > 0)))
    throw new MedattnDataError(
      source,
      `the volume's voxel spacing is missing (${s ? `[${s.join(', ')}]` : 'none'}); set it in the file header`,
    );
  return s;
}

export function resampleToSpacing(
  image: MedicalImage,
  target: readonly number[],
  options: { mode?: Interpolation; source?: string } = {},
): MedicalImage<Float32Array> {
  const spacing = requireSpacing(image, options.source ?? 'volume');
  if (image.shape.length !== 4)
    throw new MedattnDataError(options.source ?? 'volume', 'expected a [C, D, H, W] volume');
  if (target.length !== 3 || target.some((v) => !(v > 0)))
    throw new UserError(`target spacing must be 3 positive numbers in mm, got [${target.join(', ')}]`);
  const [C, D, H, W] = image.shape;
  const size = [D, H, W].map((n, a) => Math.max(1, Math.round((n * spacing[a]) / target[a])));
  const ratio = target.map((t, a) => t / spacing[a]);
  const n = size[0] * size[1] * size[2];
  const zs = new Float64Array(n);
  const ys = new Float64Array(n);
  const xs = new Float64Array(n);
  for (let z = 0, i = 0; z < size[0]; z++)
    for (let y = 0; y < size[1]; y++)
      for (let x = 0; x < size[2]; x++, i++) {
        zs[i] = z * ratio[0];
        ys[i] = y * ratio[1];
        xs[i] = x * ratio[2];
      }
  const src = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
  const data = warp3d(src, C, D, H, W, zs, ys, xs, options.mode ?? 'linear', 'border');
  // Affine columns are (x, y, z) = (W, H, D) axes: scale each by its axis' ratio.
  const affine = image.affine?.map((row, r) =>
    r === 3 ? [...row] : [row[0] * ratio[2], row[1] * ratio[1], row[2] * ratio[0], row[3]],
  );
  return { ...image, data, shape: [C, ...size], spacing: [...target], ...(affine ? { affine } : {}) };
}
