/**
 * The in-memory image every reader returns and every transform takes: channels-first pixel data in a typed
 * array, plus the physical geometry when the file has one.
 */
export type PixelArray =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface MedicalImage<T extends PixelArray = PixelArray> {
  /** Row-major pixel data; its length is the product of `shape`. */
  data: T;
  /** Channels first: [C, H, W] for 2D, [C, D, H, W] for 3D. */
  shape: number[];
  /** Physical size of one pixel/voxel along the spatial axes, in mm (same order as the spatial shape). */
  spacing?: number[];
  /** 4x4 voxel-to-world (RAS+, mm) matrix, row-major, for volumes that have one. */
  affine?: number[][];
  /** Format-specific facts (modality, transfer syntax, window...). Never patient identifiers by default. */
  meta?: Record<string, unknown>;
}

/** Number of elements a shape holds. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
