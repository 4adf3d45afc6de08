// Bundles the page's script (web/app.ts -> dist/web/app.js) with esbuild; `npm run build` runs it, and
// `medattn serve` bundles in memory when dist/web/app.js is absent (a source checkout).
import { build } from 'esbuild';
import { webBuildOptions } from '../src/serve/web-assets.js';

await build(webBuildOptions());
