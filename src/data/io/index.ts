// Public API of the medical image readers.
export { MedattnDataError } from './errors.ts';
export { readImageFile, type ReadImageFileOptions } from './image-file.ts';
export { readNpy, parseNpy, type NpyArray, type NpyDtype } from './npy.ts';
export { readNpz, parseNpz, listNpz, type ReadNpzOptions } from './npz.ts';
export {
  readNifti,
  parseNifti,
  parseNiftiHeader,
  toCanonical,
  sliceVolume,
  type NiftiHeader,
  type ReadNiftiOptions,
  type VolumeAxis,
} from './nifti.ts';
export { readDicom, dicomToImage, type ReadDicomOptions } from './dicom/read-dicom.ts';
export { readDicomFile, parseDicomBytes, type DicomFile } from './dicom/dicom-file.ts';
export { decodePixelData, type DecodedPixels } from './dicom/pixel-data.ts';
export { readDicomSeries, type ReadSeriesOptions } from './dicom/series.ts';
export { applyWindow, fileWindow, WINDOW_PRESETS, type Window, type WindowPreset } from './dicom/window.ts';
export { lookupTransferSyntax, type TransferSyntax } from './dicom/transfer-syntax.ts';
export { readImage, detectFormat, type FileFormat } from './read-image.ts';
export { inspectFile, formatInspection, type Inspection } from './inspect.ts';
