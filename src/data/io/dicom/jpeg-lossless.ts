/**
 * JPEG lossless (process 14, SOF3) through jpeg-lossless-decoder-js, which returns interleaved samples.
 */
import { Decoder } from 'jpeg-lossless-decoder-js';

export interface LosslessFrame {
  width: number;
  height: number;
  componentCount: number;
  pixels: Uint8Array | Uint16Array;
}

export function decodeJpegLossless(encoded: Uint8Array): LosslessFrame {
  // The decoder reads past its input on corrupt data rather than failing: give it an exact private copy.
  const copy = encoded.slice();
  const decoder = new Decoder();
  const result = decoder.decode(copy.buffer, 0, copy.byteLength);
  const frame = decoder.frame as { dimX: number; dimY: number; numComp: number };
  if (!frame || !result) throw new Error('JPEG lossless decoder produced no image');
  const expected = frame.dimX * frame.dimY * frame.numComp;
  if (result.length !== expected)
    throw new Error(`JPEG lossless decoder produced ${result.length} samples, expected ${expected}`);
  return { width: frame.dimX, height: frame.dimY, componentCount: frame.numComp, pixels: result };
}
