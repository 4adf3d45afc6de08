/** A DICOM file on disk -> MedicalImage (the conversion itself is dicom-image.ts). */
import type { MedicalImage } from '../../medical-image.js';
import { readDicomFile } from './dicom-file.js';
import { dicomToImage, type ReadDicomOptions } from './dicom-image.js';

export { dicomToImage, sliceAffine, affineFromGeometry, type ReadDicomOptions } from './dicom-image.js';

export async function readDicom(path: string, options: ReadDicomOptions = {}): Promise<MedicalImage> {
  return dicomToImage(await readDicomFile(path), options);
}
