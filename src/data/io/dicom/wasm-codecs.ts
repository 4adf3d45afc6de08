/**
 * The Cornerstone WASM codecs (libjpeg-turbo 8-bit, CharLS JPEG-LS, OpenJPEG JPEG 2000). Each package is an
 * Emscripten CommonJS factory (`dist/*wasm_decode.js`) that loads its `.wasm` from beside itself and resolves
 * to a module with one embind decoder class; we load each one only the first time a file needs it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface DecodedFrame {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
  /** Interleaved samples (component fastest), copied out of WASM memory. */
  pixels: Uint8Array | Uint16Array | Int16Array;
}

interface EmbindDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

type CodecModule = Record<string, new () => EmbindDecoder> & { getExceptionMessage?: (e: unknown) => string };

const SOURCES = {
  jpeg: { pkg: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', cls: 'JPEGDecoder' },
  jpegls: { pkg: '@cornerstonejs/codec-charls/decodewasmjs', cls: 'JpegLSDecoder' },
  j2k: { pkg: '@cornerstonejs/codec-openjpeg/decodewasmjs', cls: 'J2KDecoder' },
} as const;

export type WasmCodec = keyof typeof SOURCES;

const loading = new Map<WasmCodec, Promise<CodecModule>>();

function loadCodec(codec: WasmCodec): Promise<CodecModule> {
  let module = loading.get(codec);
  if (!module) {
    const factory = require(SOURCES[codec].pkg) as (options: object) => Promise<CodecModule>;
    // OpenJPEG logs "[INFO] ..." for every frame: route the module's stdout/stderr nowhere.
    module = factory({ print: () => {}, printErr: () => {} });
    loading.set(codec, module);
  }
  return module;
}

export async function decodeWithWasm(codec: WasmCodec, encoded: Uint8Array): Promise<DecodedFrame> {
  const module = await loadCodec(codec);
  const decoder = new module[SOURCES[codec].cls]();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    try {
      decoder.decode();
    } catch (e) {
      // C++ exceptions arrive as a pointer number; CharLS exports a way to read their text.
      const text = typeof e === 'number' && module.getExceptionMessage ? module.getExceptionMessage(e) : e;
      throw new Error(`${codec} decoder failed: ${text instanceof Error ? text.message : String(text)}`);
    }
    const info = decoder.getFrameInfo();
    const raw = decoder.getDecodedBuffer();
    const bytes = raw.slice(); // copy out: WASM memory is reused by the next decode
    const expected = info.width * info.height * info.componentCount * (info.bitsPerSample > 8 ? 2 : 1);
    if (bytes.length < expected)
      throw new Error(`${codec} decoder returned ${bytes.length} bytes, expected ${expected}`);
    const pixels =
      info.bitsPerSample > 8
        ? info.isSigned
          ? new Int16Array(bytes.buffer, 0, expected / 2)
          : new Uint16Array(bytes.buffer, 0, expected / 2)
        : bytes.subarray(0, expected);
    return { ...info, pixels };
  } finally {
    decoder.delete();
  }
}
