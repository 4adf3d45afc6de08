// A tiny MedMNIST-format .npz written here (a stored zip of uint8 .npy arrays, as np.savez writes it), so the
// CLI tests train in seconds without ../shared: label 1 images are brighter than label 0 ones.
import { writeFileSync } from 'node:fs';
import { crc32 } from '../../src/data/io/zip-archive.js';

/** One `.npy` (format 1.0) of uint8 values. */
function npyBytes(shape: number[], values: Uint8Array): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${dims}), }`;
  // The magic, version and length take 10 bytes; numpy pads the header with spaces to a multiple of 64.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + values.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(values, 10 + header.length);
  return out;
}

/** A zip archive of stored (uncompressed) members. */
function storedZip(members: { name: string; data: Uint8Array }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of members) {
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, Buffer.from(data));
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export interface TinySplit {
  /** Number of images. */
  n: number;
  /** Label of image i (default: alternating 0, 1). */
  label?: (i: number) => number;
}

/**
 * Writes `<file>` with `<split>_images` (N, size, size) and `<split>_labels` (N, 1) for each split given.
 * Pixel values are a deterministic function of the index and the label.
 */
export function writeTinyMedmnist(file: string, splits: Record<string, TinySplit>, size = 16): void {
  const members: { name: string; data: Uint8Array }[] = [];
  for (const [split, { n, label = (i: number) => i % 2 }] of Object.entries(splits)) {
    const images = new Uint8Array(n * size * size);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = label(i);
      for (let p = 0; p < size * size; p++)
        images[i * size * size + p] = (labels[i] ? 150 : 40) + ((i * 31 + p * 7) % 60);
    }
    members.push({ name: `${split}_images.npy`, data: npyBytes([n, size, size], images) });
    members.push({ name: `${split}_labels.npy`, data: npyBytes([n, 1], labels) });
  }
  writeFileSync(file, storedZip(members));
}

/** A small valid training config over a tiny .npz (a 2-stage attention CNN, 2 epochs); override what a test needs. */
export function tinyConfig(npz: string) {
  return {
    name: 'tiny',
    task: 'classification',
    data: {
      train: { kind: 'medmnist', file: npz, split: 'train' },
      val: { kind: 'medmnist', file: npz, split: 'val' },
    },
    transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
    model: {
      name: 'attention_cnn',
      config: {
        inChannels: 1,
        numClasses: 2,
        stages: [
          { channels: 4, attention: 'se' },
          { channels: 4, attention: 'none' },
        ],
      },
    },
    training: { epochs: 2, batchSize: 8, workers: 0, threads: 1 },
    report: { samples: 1 },
  };
}
