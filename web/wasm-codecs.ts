/**
 * The page's stand-in for src/data/io/dicom/wasm-codecs.ts (esbuild swaps it in: see webBuildOptions): the
 * WebAssembly codecs for 8-bit JPEG, JPEG-LS and JPEG 2000 DICOM are loaded by Node's require there, so in this
 * browser those transfer syntaxes are refused with a clear message and decoded by the server instead.
 */
export type WasmCodec = 'jpeg' | 'jpegls' | 'j2k';

const NAMES: Record<WasmCodec, string> = { jpeg: 'JPEG baseline', jpegls: 'JPEG-LS', j2k: 'JPEG 2000' };

export function decodeWithWasm(codec: WasmCodec): Promise<never> {
  return Promise.reject(
    new Error(`${NAMES[codec]} is decoded by the server, not in this browser (switch off "run in this browser")`),
  );
}
