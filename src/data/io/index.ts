// Public API of the medical image readers.
export { MedattnDataError } from './errors.js';
export { readImageFile, decodeImageBytes, type ReadImageFileOptions } from './image-file.js';
export { readNpy, parseNpy, type NpyArray, type NpyDtype } from './npy.js';
export { readNpz, parseNpz, listNpz, type ReadNpzOptions } from './npz.js';
export {
  readNifti,
  parseNifti,
  parseNiftiHeader,
  toCanonical,
  sliceVolume,
  type NiftiHeader,
  type ReadNiftiOptions,
  type VolumeAxis,
} from './nifti.js';
export { readDicom, dicomToImage, type ReadDicomOptions } from './dicom/read-dicom.js';
export { readDicomFile, parseDicomBytes, type DicomFile } from './dicom/dicom-file.js';
export { decodePixelData, type DecodedPixels } from './dicom/pixel-data.js';
export { readDicomSeries, type ReadSeriesOptions } from './dicom/series.js';
export { applyWindow, fileWindow, WINDOW_PRESETS, type Window, type WindowPreset } from './dicom/window.js';
export { lookupTransferSyntax, type TransferSyntax } from './dicom/transfer-syntax.js';
export { readImage, detectFormat, formatOfBytes, type FileFormat } from './read-image.js';
export { readInvesalius, type InvesaliusProject, type InvesaliusMask } from './invesalius.js';
export { parseTiff } from './tiff.js';
export { inspectFile, formatInspection, type Inspection } from './inspect.js';
