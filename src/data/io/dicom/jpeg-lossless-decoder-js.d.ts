// jpeg-lossless-decoder-js names `release/lossless.d.ts` in its package.json but does not ship it.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer | null, numBytes?: number);
    frame: unknown;
    decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
    decompress(buffer: ArrayBuffer, offset: number, length: number): ArrayBuffer;
  }
}
