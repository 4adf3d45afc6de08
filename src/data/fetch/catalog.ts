/**
 * The data sets `medattn data fetch` knows. Every checksum is the publisher's, and each entry says where it was
 * read; none was computed from a downloaded copy. Layouts match ../shared/data (see its README.md).
 */
import { BCCD_COMMIT, BCCD_FILES } from './bccd-files.js';
import type { CatalogEntry, ManualEntry } from './catalog-entry.js';
import { ISBI2012_COMMIT, ISBI2012_FILES } from './isbi2012-files.js';

const gitFiles = (files: readonly (readonly [string, string, number])[]) =>
  files.map(([remote, value, size]) => ({ remote, size, checksum: { algorithm: 'git-blob-sha1' as const, value } }));

export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'pneumoniamnist',
    title: 'MedMNIST v2 PneumoniaMNIST, 28x28 (train 4708, val 524, test 624)',
    license: 'CC BY 4.0 (Kermany et al. 2018; Yang et al., MedMNIST v2, Sci Data 2023)',
    folder: 'pneumoniamnist',
    baseUrl: 'https://zenodo.org/records/10519652/files/',
    urlSuffix: '?download=1',
    files: [
      { remote: 'pneumoniamnist.npz', checksum: { algorithm: 'md5', value: '28209eda62fecd6e6a2d98b1501bb15f' } },
    ],
    checksumSource:
      'MD5 and URL from medmnist/info.py ("pneumoniamnist": "url", "MD5") of github.com/MedMNIST/MedMNIST at commit 805b74237fb5bd2db376fd94e50646b6a8905d9d',
  },
  {
    name: 'bccd',
    title: 'BCCD blood cell detection, 364 smears with Pascal VOC boxes (RBC, WBC, Platelets)',
    license: 'MIT (Shenggan/BCCD_Dataset)',
    folder: 'bccd',
    baseUrl: `https://raw.githubusercontent.com/Shenggan/BCCD_Dataset/${BCCD_COMMIT}/BCCD/`,
    files: gitFiles(BCCD_FILES),
    checksumSource: `git blob SHA-1 and size of every file under BCCD/ at commit ${BCCD_COMMIT} of github.com/Shenggan/BCCD_Dataset (git ls-tree -r -l)`,
  },
  {
    name: 'physionet2012',
    title: 'PhysioNet/CinC Challenge 2012 set A: 4,000 ICU stays and their outcomes',
    license: 'ODC-By 1.0, PhysioNet open access (Silva et al. 2012)',
    folder: 'physionet2012',
    baseUrl: 'https://physionet.org/files/challenge-2012/1.0.0/',
    files: [
      {
        remote: 'set-a.tar.gz',
        unpack: 'tar.gz',
        checksum: { algorithm: 'sha256', value: '8cb250f179cd0952b4b9ebcf8954b63d70383131670fac1cfee13deaa13ca920' },
      },
      {
        remote: 'Outcomes-a.txt',
        size: 79219,
        checksum: { algorithm: 'sha256', value: '2613ea60ccda29f87571a7d6b09ad130858a8ccd66325bd073365925026883c2' },
      },
    ],
    checksumSource:
      "SHA-256 from PhysioNet's SHA256SUMS.txt of challenge-2012/1.0.0, as two public download scripts check it with sha256sum -c (read through the code search; this machine has no internet); Outcomes-a.txt's value also matches ../shared/data's copy byte for byte",
  },
  {
    name: 'isbi2012-em',
    title: 'ISBI 2012 EM segmentation training set: 30 512x512 slices and membrane labels',
    license: 'ISBI 2012 challenge (Cardona et al. 2010), research use',
    folder: 'isbi2012-em',
    baseUrl: `https://raw.githubusercontent.com/zhixuhao/unet/${ISBI2012_COMMIT}/data/membrane/train/`,
    files: gitFiles(ISBI2012_FILES),
    checksumSource: `git blob SHA-1 and size of data/membrane/train/{image,label}/*.png at commit ${ISBI2012_COMMIT} of github.com/zhixuhao/unet (the PNG copy of the challenge's training stack that U-Net tutorials use; the challenge site serves a TIFF stack without checksums)`,
  },
];

/** Data sets the configs or ../shared/data use that `data fetch` cannot get with a publisher's checksum. */
export const MANUAL: readonly ManualEntry[] = [
  {
    name: 'drive',
    title: 'DRIVE retinal vessel segmentation (configs/drive.json)',
    folder: 'drive',
    howTo:
      'needs registration: download from the DRIVE challenge site (drive.grand-challenge.org) and unpack training/ into <data root>/drive/training',
  },
  {
    name: 'tabular',
    title: 'clinical tables (wdbc, pima, heart-cleveland, hepatitis, hypothyroid, ckd)',
    folder: 'tabular',
    howTo:
      'no checksummed copy in this layout: the CSVs are exports of scikit-learn, mlbench, PMLB and UCI tables; export them into <data root>/tabular',
  },
  {
    name: 'mtsamples',
    title: 'mtsamples clinical transcriptions (text/mtsamples.csv)',
    folder: 'text',
    howTo: 'no publisher checksum found for mtsamples.csv; put it at <data root>/text/mtsamples.csv',
  },
];

/** The catalog entry called `name`, or undefined. */
export function catalogEntry(name: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.name === name.toLowerCase());
}
