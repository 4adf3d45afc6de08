/**
 * The server's upload decoding: upload-decoder.ts with sharp for raster formats and Node's zlib for gzip and
 * DEFLATE. Uploads stay in memory; nothing is written to disk.
 */
import { inflateRawSync, gunzipSync } from 'node:zlib';
import { decodeImageBytes } from '../data/io/image-file.js';
import {
  decodeUploadVolume,
  takeSlice,
  UndecodableUploadError,
  UploadTooLargeError,
  UPLOAD_LABEL,
  type DecodeOptions,
  type DecodedUpload,
  type UploadCodecs,
} from './upload-decoder.js';

export {
  UndecodableUploadError,
  UploadTooLargeError,
  type DecodeOptions,
  type DecodedUpload,
} from './upload-decoder.js';

const nodeCodecs: UploadCodecs = {
  raster: (bytes, _format, maxPixels) => decodeImageBytes(bytes, UPLOAD_LABEL, { maxPixels }),
  gunzip(bytes, maxBytes) {
    try {
      return gunzipSync(bytes, { maxOutputLength: maxBytes }); // checks the CRC-32 too
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw new UploadTooLargeError(`${UPLOAD_LABEL}: the gzip stream inflates past ${maxBytes} bytes`);
      throw new UndecodableUploadError(`${UPLOAD_LABEL}: corrupted gzip stream`);
    }
  },
  inflateRaw: (deflated) => inflateRawSync(deflated),
};

export async function decodeUpload(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedUpload> {
  return takeSlice(await decodeUploadVolume(bytes, options, nodeCodecs), options.slice);
}
