/**
 * The page's files: web/index.html, its script bundled by esbuild from web/app.ts (in memory at start-up in a
 * source checkout, so an edit never meets a stale bundle; dist/web/app.js, from `npm run build`, when installed) and onnxruntime-web's WebAssembly
 * runtime from node_modules, served from this service (no CDN). A fixed table of names: request values never
 * become paths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface WebAsset {
  type: string;
  body: Buffer;
}

/** onnxruntime-web's files the page loads: its wasm runtime (SIMD, threaded build run with one thread) and loader. */
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];

async function bundleApp(): Promise<Buffer> {
  if (!existsSync(join(root, 'web/app.ts'))) return readFileSync(join(root, 'dist/web/app.js'));
  const { build } = await import('esbuild');
  const out = await build({ ...webBuildOptions(), write: false });
  return Buffer.from(out.outputFiles[0].contents);
}

/**
 * The page bundles medattn's own readers (src/data/io, through src/serve/upload-decoder.ts); their one
 * Node-only piece, the WebAssembly codec loader, is swapped for web/wasm-codecs.ts.
 */
const browserSwaps = {
  name: 'medattn-browser-swaps',
  setup(b: { onResolve(o: { filter: RegExp }, f: (a: { importer: string }) => { path: string } | undefined): void }) {
    b.onResolve({ filter: /^\.\/wasm-codecs\.js$/ }, ({ importer }) =>
      importer.startsWith(join(root, 'src/data/io/dicom/')) ? { path: join(root, 'web/wasm-codecs.ts') } : undefined,
    );
  },
};

/** esbuild's options for the page's script (also used by `npm run build`). */
export function webBuildOptions() {
  return {
    plugins: [browserSwaps],
    // pixel-data.ts reads this optional limit from the environment; a page has none
    define: { 'process.env.MEDATTN_MAX_DECODED_MB': 'undefined' },
    entryPoints: [join(root, 'web/app.ts')],
    bundle: true,
    format: 'esm' as const,
    platform: 'browser' as const,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    outfile: join(root, 'dist/web/app.js'),
    logLevel: 'silent' as const,
  };
}

export async function loadWebAssets(): Promise<Map<string, WebAsset>> {
  const assets = new Map<string, WebAsset>();
  assets.set('index.html', { type: 'text/html; charset=utf-8', body: readFileSync(join(root, 'web/index.html')) });
  assets.set('app.js', { type: 'text/javascript; charset=utf-8', body: await bundleApp() });
  const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  for (const f of ORT_FILES)
    assets.set(`ort/${f}`, {
      type: f.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8',
      body: readFileSync(join(ortDist, f)),
    });
  return assets;
}
