/**
 * A MedMNIST `.npz` (Yang et al., MedMNIST v2) by split: arrays `<split>_images` (N, H, W), (N, H, W, 3) or
 * (N, D, H, W) uint8 and `<split>_labels` (N, 1), or (N, k) 0/1 for the multi-label ChestMNIST.
 *
 * The whole split is decoded once per process and shared (module-level cache): each loader worker rebuilds
 * the dataset from its spec, and inflating 4690 images again for every creation would dominate start-up.
 */
import { basename, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { readNpz } from '../io/npz.js';
import type { NpyArray } from '../io/npy.js';
import type { MedicalImage } from '../medical-image.js';
import { BadFiles } from './bad-files.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';

export const medmnistSpecSchema = z.strictObject({
  kind: z.literal('medmnist'),
  /** Path of the `.npz` (relative to the spec's base folder). */
  file: z.string().min(1),
  split: z.enum(['train', 'val', 'test']).default('train'),
  /** Overrides the known (or generic) class names. */
  classNames: z.array(z.string()).optional(),
  skipBad: z.boolean().optional(),
});
export type MedmnistSpec = z.input<typeof medmnistSpecSchema>;

/** Class names of the MedMNIST v2 sets (medmnist's INFO), by the file name's prefix. */
const KNOWN_CLASSES: Record<string, string[]> = {
  pneumoniamnist: ['normal', 'pneumonia'],
  breastmnist: ['malignant', 'normal, benign'],
  octmnist: ['choroidal neovascularization', 'diabetic macular edema', 'drusen', 'normal'],
  chestmnist: [
    'atelectasis',
    'cardiomegaly',
    'effusion',
    'infiltration',
    'mass',
    'nodule',
    'pneumonia',
    'pneumothorax',
    'consolidation',
    'edema',
    'emphysema',
    'fibrosis',
    'pleural',
    'hernia',
  ],
  pathmnist: [
    'adipose',
    'background',
    'debris',
    'lymphocytes',
    'mucus',
    'smooth muscle',
    'normal colon mucosa',
    'cancer-associated stroma',
    'colorectal adenocarcinoma epithelium',
  ],
  dermamnist: [
    'actinic keratoses and intraepithelial carcinoma',
    'basal cell carcinoma',
    'benign keratosis-like lesions',
    'dermatofibroma',
    'melanoma',
    'melanocytic nevi',
    'vascular lesions',
  ],
  bloodmnist: [
    'basophil',
    'eosinophil',
    'erythroblast',
    'immature granulocytes',
    'lymphocyte',
    'monocyte',
    'neutrophil',
    'platelet',
  ],
  retinamnist: ['0', '1', '2', '3', '4'],
  organamnist: organs(),
  organcmnist: organs(),
  organsmnist: organs(),
  organmnist3d: organs(),
  nodulemnist3d: ['benign', 'malignant'],
  adrenalmnist3d: ['normal', 'hyperplasia'],
  vesselmnist3d: ['vessel', 'aneurysm'],
  synapsemnist3d: ['inhibitory synapse', 'excitatory synapse'],
};

function organs(): string[] {
  return [
    'bladder',
    'femur-left',
    'femur-right',
    'heart',
    'kidney-left',
    'kidney-right',
    'liver',
    'lung-left',
    'lung-right',
    'pancreas',
    'spleen',
  ];
}

interface SplitArrays {
  images: NpyArray;
  labels: NpyArray;
}

const cache = new Map<string, Promise<SplitArrays>>();

/** The decoded split, shared by every dataset of this process that reads the same file and split. */
function loadSplit(file: string, split: string): Promise<SplitArrays> {
  const key = `${file}\u0000${split}`;
  let pending = cache.get(key);
  if (!pending) {
    const imagesKey = `${split}_images`;
    const labelsKey = `${split}_labels`;
    pending = readNpz(file, { keys: [imagesKey, labelsKey] }).then((arrays) => ({
      images: arrays.get(imagesKey)!,
      labels: arrays.get(labelsKey)!,
    }));
    cache.set(key, pending);
    pending.catch(() => cache.delete(key)); // a fixed file can be read again
  }
  return pending;
}

/** Forgets decoded MedMNIST files (tests, long-lived servers). */
export function clearMedmnistCache(): void {
  cache.clear();
}

export class MedmnistDataset implements Dataset {
  readonly length: number;
  readonly classNames: string[];
  private readonly labelArray: Int32Array | undefined;
  private readonly multiLabels: Uint8Array | undefined;
  private readonly sampleShape: number[];
  private readonly channelsLast: boolean;
  private readonly name: string;

  private constructor(
    private readonly spec: MedmnistSpec & { file: string; split: 'train' | 'val' | 'test' },
    private readonly arrays: SplitArrays,
    private readonly bad: BadFiles,
  ) {
    const { file } = spec;
    const { images, labels } = arrays;
    const n = images.shape[0];
    this.name = basename(file).replace(/\.npz$/i, '');
    if (images.shape.length < 3 || images.shape.length > 4) {
      throw new MedattnDataError(
        file,
        `${spec.split}_images has shape (${images.shape.join(', ')}), expected (N, H, W), (N, H, W, 3) or (N, D, H, W)`,
      );
    }
    if (labels.shape[0] !== n || labels.shape.length > 2) {
      throw new MedattnDataError(
        file,
        `${spec.split}_labels has shape (${labels.shape.join(', ')}), expected (${n}, k) to match ${n} images`,
      );
    }
    this.length = n;
    // (N, H, W, 3) is RGB stored channels-last; the 3D sets are (N, 28, 28, 28).
    this.channelsLast = images.shape.length === 4 && images.shape[3] === 3;
    const [, a, b, c] = images.shape;
    this.sampleShape = images.shape.length === 3 ? [1, a, b] : this.channelsLast ? [3, a, b] : [1, a, b, c];
    const columns = labels.shape.length === 2 ? labels.shape[1] : 1;
    if (columns === 1) {
      this.labelArray = Int32Array.from(labels.data as ArrayLike<number>);
      this.multiLabels = undefined;
    } else {
      this.labelArray = undefined;
      this.multiLabels = Uint8Array.from(labels.data as ArrayLike<number>);
    }
    const known = KNOWN_CLASSES[this.name.replace(/_\d+$/, '').toLowerCase()]; // MedMNIST+ files end in _64, _128, _224
    let maxLabel = 0;
    if (this.labelArray) for (const v of this.labelArray) maxLabel = Math.max(maxLabel, v);
    const k = this.labelArray ? maxLabel + 1 : columns;
    this.classNames = spec.classNames ?? known ?? Array.from({ length: k }, (_, i) => `class ${i}`);
    if (this.classNames.length < k) {
      throw new MedattnDataError(
        file,
        `labels go up to ${k - 1} but only ${this.classNames.length} class names are given`,
      );
    }
  }

  /** `spec` as validated by createDataset (defaults filled in). */
  static async create(
    parsed: z.output<typeof medmnistSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<MedmnistDataset> {
    const file = resolve(options.baseDir, parsed.file);
    const arrays = await loadSplit(file, parsed.split);
    const full = { ...parsed, file, ...(options.skipBad ? { skipBad: true } : {}) };
    return new MedmnistDataset(full, arrays, new BadFiles(options.skipBad));
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'medmnist dataset');
    const size = this.sampleShape.reduce((a, b) => a * b, 1);
    // A copy, not a view: posting a view to another thread would copy the whole split's buffer.
    const raw = (this.arrays.images.data as Uint8Array).slice(index * size, (index + 1) * size);
    const data = this.channelsLast ? toChannelsFirst(raw, 3) : raw;
    const image: MedicalImage = {
      data,
      shape: this.sampleShape.slice(),
      meta: { format: 'medmnist', source: this.spec.file },
    };
    const sample: DatasetSample = { id: `${this.name}:${this.spec.split}:${index}`, image };
    if (this.labelArray) sample.label = this.labelArray[index];
    if (this.multiLabels) {
      const k = this.classNames.length;
      sample.multiLabel = this.multiLabels.slice(index * k, (index + 1) * k);
    }
    return sample;
  }

  labels(): Int32Array | undefined {
    return this.labelArray?.slice();
  }

  ids(): string[] {
    return Array.from({ length: this.length }, (_, i) => `${this.name}:${this.spec.split}:${i}`);
  }

  describe(): MedmnistSpec {
    return structuredClone(this.spec);
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }
}

function toChannelsFirst(hwc: Uint8Array, channels: number): Uint8Array {
  const pixels = hwc.length / channels;
  const out = new Uint8Array(hwc.length);
  for (let c = 0; c < channels; c++) for (let i = 0; i < pixels; i++) out[c * pixels + i] = hwc[i * channels + c];
  return out;
}
