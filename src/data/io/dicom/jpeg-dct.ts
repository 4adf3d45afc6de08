/**
 * A small sequential-DCT JPEG decoder (baseline and extended, Huffman coded, SOF0/SOF1) written for the one
 * case no installed codec covers: 12-bit samples (DICOM "JPEG Extended, Process 4"). libjpeg-turbo's WASM
 * build is 8-bit only and jpeg-lossless-decoder-js reads lossless (SOF3) streams only. It uses an exact
 * floating-point IDCT, so values can differ by ±1 from libjpeg's integer IDCT, as any two lossy decoders may.
 */

export interface DctFrame {
  width: number;
  height: number;
  componentCount: number;
  precision: number;
  /** Interleaved samples. */
  pixels: Uint16Array;
  colorConverted: boolean;
}

const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

/** The sample precision (P) of the first SOF segment, or undefined if there is none. */
export function jpegSamplePrecision(b: Uint8Array): number | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let p = 2;
  while (p + 4 < b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return b[p + 4];
    p += 2 + ((b[p + 2] << 8) | b[p + 3]);
  }
  return undefined;
}

interface Huffman {
  maxcode: Int32Array;
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  plane: Float64Array;
  pred: number;
  dc?: Huffman;
  ac?: Huffman;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    valptr[l] = k;
    mincode[l] = code;
    code += counts[l - 1];
    k += counts[l - 1];
    maxcode[l] = counts[l - 1] ? code - 1 : -1;
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, values };
}

const COS = (() => {
  const t = new Float64Array(64);
  for (let x = 0; x < 8; x++) {
    for (let u = 0; u < 8; u++)
      t[x * 8 + u] = ((u === 0 ? Math.SQRT1_2 : 1) / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
  return t;
})();

export function decodeJpegDct(b: Uint8Array): DctFrame {
  const fail = (reason: string): never => {
    throw new Error(`JPEG: ${reason}`);
  };
  if (b[0] !== 0xff || b[1] !== 0xd8) fail('no SOI marker');
  const qt: Int32Array[] = [];
  const dcTables: Huffman[] = [];
  const acTables: Huffman[] = [];
  let restartInterval = 0;
  let width = 0;
  let height = 0;
  let precision = 8;
  let components: Component[] = [];
  let hmax = 1;
  let vmax = 1;
  let adobeTransform: number | undefined;
  let sawFrame = false;
  let p = 2;
  const u16 = (at: number) => (at + 1 < b.length ? (b[at] << 8) | b[at + 1] : fail('truncated segment'));
  while (true) {
    if (p + 1 >= b.length) fail('truncated before EOI');
    if (b[p] !== 0xff) fail(`expected a marker at byte ${p}`);
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xd9) break; // EOI
    const len = u16(p + 2);
    const seg = p + 4;
    const end = p + 2 + len;
    if (end > b.length) fail('truncated segment');
    if (marker === 0xdb) {
      for (let q = seg; q < end;) {
        const pq = b[q] >> 4;
        const tq = b[q] & 15;
        const table = new Int32Array(64);
        for (let i = 0; i < 64; i++) table[i] = pq ? u16(q + 1 + 2 * i) : b[q + 1 + i];
        qt[tq] = table;
        q += 1 + (pq ? 128 : 64);
      }
    } else if (marker === 0xc4) {
      for (let q = seg; q < end;) {
        const tc = b[q] >> 4;
        const th = b[q] & 15;
        const counts = b.subarray(q + 1, q + 17);
        const total = counts.reduce((a, c) => a + c, 0);
        const table = buildHuffman(counts, b.subarray(q + 17, q + 17 + total));
        (tc === 0 ? dcTables : acTables)[th] = table;
        q += 17 + total;
      }
    } else if (marker === 0xdd) {
      restartInterval = u16(seg);
    } else if (marker === 0xee && len >= 12 && String.fromCharCode(...b.subarray(seg, seg + 5)) === 'Adobe') {
      adobeTransform = b[seg + 11];
    } else if (marker === 0xc0 || marker === 0xc1) {
      precision = b[seg];
      height = u16(seg + 1);
      width = u16(seg + 3);
      const n = b[seg + 5];
      if (!width || !height || !n) fail('empty frame');
      components = [];
      for (let i = 0; i < n; i++) {
        const c = seg + 6 + 3 * i;
        components.push({
          id: b[c],
          h: b[c + 1] >> 4 || 1,
          v: b[c + 1] & 15 || 1,
          tq: b[c + 2],
          blocksPerLine: 0,
          blocksPerColumn: 0,
          plane: new Float64Array(0),
          pred: 0,
        });
      }
      hmax = Math.max(...components.map((c) => c.h));
      vmax = Math.max(...components.map((c) => c.v));
      const mcusX = Math.ceil(width / (8 * hmax));
      const mcusY = Math.ceil(height / (8 * vmax));
      for (const c of components) {
        c.blocksPerLine = mcusX * c.h;
        c.blocksPerColumn = mcusY * c.v;
        c.plane = new Float64Array(c.blocksPerLine * c.blocksPerColumn * 64);
      }
      sawFrame = true;
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      fail(`SOF${marker - 0xc0} (progressive, lossless or arithmetic) is not handled by this decoder`);
    } else if (marker === 0xda) {
      if (!sawFrame) fail('scan before frame header');
      const ns = b[seg];
      const scan: Component[] = [];
      for (let i = 0; i < ns; i++) {
        const id = b[seg + 1 + 2 * i];
        const sel = b[seg + 2 + 2 * i];
        const c = components.find((x) => x.id === id) ?? fail(`scan names unknown component ${id}`);
        c.dc = dcTables[sel >> 4] ?? fail('missing DC Huffman table');
        c.ac = acTables[sel & 15] ?? fail('missing AC Huffman table');
        if (!qt[c.tq]) fail('missing quantisation table');
        scan.push(c);
      }
      p = decodeScan(b, end, scan, width, height, hmax, vmax, restartInterval, qt, fail);
      continue;
    }
    p = end;
  }
  if (!sawFrame) fail('no frame');
  const n = components.length;
  const max = 2 ** precision - 1;
  const shift = 2 ** (precision - 1);
  const pixels = new Uint16Array(width * height * n);
  // Convert YCbCr unless the stream says otherwise (Adobe transform 0 or components named R, G, B).
  const rgbIds = n === 3 && components[0].id === 0x52 && components[1].id === 0x47 && components[2].id === 0x42;
  const colorConverted = n === 3 && (adobeTransform === undefined ? !rgbIds : adobeTransform !== 0);
  const clamp = (v: number) => (v < 0 ? 0 : v > max ? max : Math.round(v));
  const sample = new Float64Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let ci = 0; ci < n; ci++) {
        const c = components[ci];
        const sx = Math.floor((x * c.h) / hmax);
        const sy = Math.floor((y * c.v) / vmax);
        sample[ci] = c.plane[sy * c.blocksPerLine * 8 + sx] + shift;
      }
      const o = (y * width + x) * n;
      if (colorConverted) {
        const [Y, cb, cr] = [sample[0], sample[1] - shift, sample[2] - shift];
        pixels[o] = clamp(Y + 1.402 * cr);
        pixels[o + 1] = clamp(Y - 0.344136 * cb - 0.714136 * cr);
        pixels[o + 2] = clamp(Y + 1.772 * cb);
      } else {
        for (let ci = 0; ci < n; ci++) pixels[o + ci] = clamp(sample[ci]);
      }
    }
  }
  return { width, height, componentCount: n, precision, pixels, colorConverted };
}

/** Decodes one scan's entropy-coded data starting at `start`; returns the offset of the next marker. */
function decodeScan(
  b: Uint8Array,
  start: number,
  scan: Component[],
  width: number,
  height: number,
  hmax: number,
  vmax: number,
  restartInterval: number,
  qt: Int32Array[],
  fail: (reason: string) => never,
): number {
  let p = start;
  let bitBuf = 0;
  let bitCount = 0;
  const readBit = (): number => {
    if (bitCount === 0) {
      if (p >= b.length) fail('entropy-coded data truncated');
      const byte = b[p++];
      if (byte === 0xff) {
        const next = b[p];
        if (next === 0) p++;
        else fail(`unexpected marker 0xFF${next?.toString(16)} inside entropy-coded data`);
      }
      bitBuf = byte;
      bitCount = 8;
    }
    bitCount--;
    return (bitBuf >> bitCount) & 1;
  };
  const receive = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | readBit();
    return v;
  };
  const extend = (v: number, n: number) => (n === 0 ? 0 : v < 1 << (n - 1) ? v - (1 << n) + 1 : v);
  const decodeHuff = (h: Huffman): number => {
    let code = readBit();
    let l = 1;
    while (code > h.maxcode[l]) {
      code = (code << 1) | readBit();
      if (++l > 16) fail('bad Huffman code');
    }
    return h.values[h.valptr[l] + code - h.mincode[l]];
  };
  const coef = new Float64Array(64);
  const tmp = new Float64Array(64);
  const decodeBlock = (c: Component, row: number, col: number) => {
    coef.fill(0);
    const q = qt[c.tq];
    const t = decodeHuff(c.dc!);
    c.pred += extend(receive(t), t);
    coef[0] = c.pred * q[0];
    for (let k = 1; k < 64;) {
      const rs = decodeHuff(c.ac!);
      const s = rs & 15;
      const r = rs >> 4;
      if (s === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) fail('AC coefficient index out of range');
      coef[ZIGZAG[k]] = extend(receive(s), s) * q[k];
      k++;
    }
    // Separable 2-D IDCT: rows (u → x), then columns (v → y).
    for (let v = 0; v < 8; v++) {
      for (let x = 0; x < 8; x++) {
        let s = 0;
        for (let u = 0; u < 8; u++) s += COS[x * 8 + u] * coef[v * 8 + u];
        tmp[v * 8 + x] = s;
      }
    }
    const stride = c.blocksPerLine * 8;
    const base = row * 8 * stride + col * 8;
    for (let x = 0; x < 8; x++) {
      for (let y = 0; y < 8; y++) {
        let s = 0;
        for (let v = 0; v < 8; v++) s += COS[y * 8 + v] * tmp[v * 8 + x];
        c.plane[base + y * stride + x] = s;
      }
    }
  };
  const restart = () => {
    bitCount = 0;
    while (p + 1 < b.length && !(b[p] === 0xff && b[p + 1] >= 0xd0 && b[p + 1] <= 0xd7)) p++;
    if (p + 1 >= b.length) fail('missing restart marker');
    p += 2;
    for (const c of scan) c.pred = 0;
  };
  for (const c of scan) c.pred = 0;
  if (scan.length === 1) {
    const c = scan[0];
    const cols = Math.ceil(Math.ceil((width * c.h) / hmax) / 8);
    const rows = Math.ceil(Math.ceil((height * c.v) / vmax) / 8);
    for (let n = 0; n < rows * cols; n++) {
      if (restartInterval && n > 0 && n % restartInterval === 0) restart();
      decodeBlock(c, Math.floor(n / cols), n % cols);
    }
  } else {
    const mcusX = Math.ceil(width / (8 * hmax));
    const mcusY = Math.ceil(height / (8 * vmax));
    for (let n = 0; n < mcusX * mcusY; n++) {
      if (restartInterval && n > 0 && n % restartInterval === 0) restart();
      const mr = Math.floor(n / mcusX);
      const mc = n % mcusX;
      for (const c of scan) {
        for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) decodeBlock(c, mr * c.v + v, mc * c.h + h);
      }
    }
  }
  // Skip any fill bytes up to the next marker.
  while (p + 1 < b.length && !(b[p] === 0xff && b[p + 1] !== 0 && !(b[p + 1] >= 0xd0 && b[p + 1] <= 0xd7))) p++;
  return p;
}
