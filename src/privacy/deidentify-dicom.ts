/**
 * De-identifies one DICOM file with the PS3.15 Annex E Basic Application Level Confidentiality Profile:
 * every attribute of Table E.1-1 is removed (X), emptied (Z), given a dummy value (D) or a remapped UID (U),
 * at every depth of nesting; private attributes, curves and overlay data/comments are removed. The combined
 * codes keep as much as the profile allows (X/Z -> Z, anything with D -> D, X/Z/U* -> U) so the files stay
 * valid for their IOD. With `dates: 'shift'` (the Retain Longitudinal Temporal Information with Modified
 * Dates option) the dates the option names are shifted by a per-patient number of days instead.
 * PatientIdentityRemoved, DeidentificationMethod (+ its code sequence) and
 * LongitudinalTemporalInformationModified are set. Pixel data is copied byte for byte.
 */
import { BASIC_PROFILE, type ProfileAction } from './basic-profile-table.js';
import { KeyedPseudonyms } from './keyed-pseudonyms.js';
import { shiftDates } from './date-shift.js';
import { DeidError } from './deid-error.js';
import { readPart10, writePart10 } from '../data/io/dicom/part10-file.js';
import type { DicomElement } from '../data/io/dicom/element-tree.js';

export interface DeidentifyDicomOptions {
  pseudonyms: KeyedPseudonyms;
  /** 'shift' (default): dates the Modified Dates option names move by a per-patient offset; 'remove': profile. */
  dates?: 'shift' | 'remove';
  /** Write files whose BurnedInAnnotation is YES (text in the pixels, which this does not remove). */
  allowBurnedIn?: boolean;
}

interface Rule {
  action: ProfileAction;
  vr: string;
  shiftable: boolean;
}

const RULES = new Map<number, Rule>(
  BASIC_PROFILE.map(([tag, action, vr, shiftable]) => [
    parseInt(tag, 16) >>> 0,
    { action, vr, shiftable: shiftable === 1 },
  ]),
);
const VR_OF = (tag: number) => (RULES.get(tag)?.vr || undefined) as string | undefined;

const PATIENT_NAME = 0x00100010;
const PATIENT_ID = 0x00100020;
const BURNED_IN_ANNOTATION = 0x00280301;
const MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;

/** medattn's implementation class UID (0002,0012): a 2.25 UID fixed for the software, not for a site. */
const IMPLEMENTATION_CLASS_UID = '2.25.186028218361137467542425358063596853961';
const IMPLEMENTATION_VERSION = 'MEDATTN_DEID_1';

const TEXT_DUMMY = 'ANONYMIZED';
const DATE_DUMMY: Record<string, string> = { DA: '19000101', DT: '19000101000000', TM: '000000' };
const BINARY_VRS = new Set([
  'US',
  'SS',
  'UL',
  'SL',
  'FL',
  'FD',
  'OB',
  'OW',
  'OF',
  'OD',
  'OL',
  'OV',
  'SV',
  'UV',
  'AT',
  'UN',
]);

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** A string value padded to even length the DICOM way (UI with NUL, text with space). */
function textValue(text: string, vr: string): Uint8Array {
  const padded = text.length % 2 === 0 ? text : text + (vr === 'UI' ? '\0' : ' ');
  return new Uint8Array(Buffer.from(padded, 'latin1'));
}

function topLevelText(dataSet: readonly DicomElement[], tag: number): string {
  const el = dataSet.find((e) => e.tag === tag);
  return el ? latin1(el.value).replace(/[\0 ]+$/, '') : '';
}

export interface DeidentifiedDicom {
  bytes: Uint8Array;
  /** Days added to this patient's dates (0 when dates were removed). */
  dayShift: number;
}

export function deidentifyDicom(bytes: Uint8Array, path: string, options: DeidentifyDicomOptions): DeidentifiedDicom {
  const { pseudonyms } = options;
  const dates = options.dates ?? 'shift';
  const file = readPart10(bytes, path, VR_OF);
  if (file.meta.some((e) => e.tag === 0x00020002 && latin1(e.value).startsWith('1.2.840.10008.1.3.10')))
    throw new DeidError(
      path,
      'is a DICOMDIR (a media index of byte offsets, not an image): rebuild it from the de-identified files, e.g. dcmmkdir',
    );
  if (!options.allowBurnedIn && topLevelText(file.dataSet, BURNED_IN_ANNOTATION).toUpperCase() === 'YES')
    throw new DeidError(
      path,
      'BurnedInAnnotation is YES: identifying text may be in the pixels, which de-identification does not change (--allow-burned-in to write it anyway)',
    );
  // One patient key for the dates of the whole file: its patient ID, else its name.
  const patient = topLevelText(file.dataSet, PATIENT_ID) || topLevelText(file.dataSet, PATIENT_NAME);
  const dayShift = dates === 'shift' ? pseudonyms.dayShift(patient) : 0;

  const clean = (elements: readonly DicomElement[]): DicomElement[] => {
    const out: DicomElement[] = [];
    for (const el of elements) {
      const kept = cleanElement(el);
      if (kept) out.push(kept);
    }
    return out;
  };

  const cleanElement = (el: DicomElement): DicomElement | undefined => {
    const group = el.tag >>> 16;
    if (group % 2 === 1) return undefined; // private
    if (group >= 0x5000 && group <= 0x50ff) return undefined; // curves
    if (group >= 0x6000 && group <= 0x60ff && ((el.tag & 0xffff) === 0x3000 || (el.tag & 0xffff) === 0x4000))
      return undefined; // overlay data and comments
    const rule = RULES.get(el.tag);
    if (!rule) return el.items ? { ...el, items: el.items.map(clean) } : el;
    const vr = el.vr && el.vr !== 'UN' ? el.vr : rule.vr;
    if (rule.shiftable && dates === 'shift' && (vr === 'DA' || vr === 'DT' || vr === 'TM')) {
      if (vr === 'TM') return el; // a time of day without its date says nothing about the day
      return { ...el, value: textValue(shiftDates(latin1(el.value), vr, dayShift), vr) };
    }
    const action = resolve(rule.action);
    if (action === 'X') return undefined;
    if (el.items) return action === 'Z' ? { ...el, items: [] } : { ...el, items: el.items.map(clean) };
    if (el.encapsulated) return undefined;
    if (action === 'Z') return { ...el, value: new Uint8Array(0) };
    if (action === 'U') return { ...el, value: textValue(remapUids(latin1(el.value)), 'UI') };
    return { ...el, value: dummy(el, vr) };
  };

  const remapUids = (text: string) =>
    text
      .replace(/[\0 ]+$/, '')
      .split('\\')
      .map((u) => pseudonyms.uid(u.trim()))
      .join('\\');

  const dummy = (el: DicomElement, vr: string): Uint8Array => {
    if (el.tag === PATIENT_ID) return textValue(pseudonyms.patientId(latin1(el.value)), 'LO');
    if (vr === 'UI') return textValue(remapUids(latin1(el.value)), 'UI');
    if (BINARY_VRS.has(vr)) return new Uint8Array(el.value.length);
    if (vr === 'DS' || vr === 'IS') return textValue('0', vr);
    if (vr === 'AS') return textValue('000D', vr);
    if (vr in DATE_DUMMY) return textValue(DATE_DUMMY[vr], vr);
    if (vr === 'UR') return new Uint8Array(0);
    return textValue(TEXT_DUMMY, vr);
  };

  const dataSet = clean(file.dataSet);
  setElement(dataSet, { tag: 0x00120062, vr: 'CS', value: textValue('YES', 'CS') });
  setElement(dataSet, { tag: 0x00120063, vr: 'LO', value: textValue(methodText(dates), 'LO') });
  setElement(dataSet, { tag: 0x00120064, vr: 'SQ', value: new Uint8Array(0), items: methodCodes(dates) });
  setElement(dataSet, {
    tag: 0x00280303,
    vr: 'CS',
    value: textValue(dates === 'shift' ? 'MODIFIED' : 'REMOVED', 'CS'),
  });

  // Media Storage SOP Class/Instance UIDs must match the data set's SOP Class/Instance UIDs (PS3.10 7.1).
  const fromDataSet = (tag: number, metaTag: number) =>
    asMeta(
      file.dataSet.find((e) => e.tag === tag),
      metaTag,
    ) ?? file.meta.find((e) => e.tag === metaTag);
  const sopClass = fromDataSet(0x00080016, 0x00020002);
  const sopInstanceSource = fromDataSet(0x00080018, MEDIA_STORAGE_SOP_INSTANCE_UID);
  const meta: DicomElement[] = [{ tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) }];
  if (sopClass) meta.push({ ...sopClass, vr: 'UI' });
  if (sopInstanceSource)
    meta.push({
      tag: MEDIA_STORAGE_SOP_INSTANCE_UID,
      vr: 'UI',
      value: textValue(remapUids(latin1(sopInstanceSource.value)), 'UI'),
    });
  meta.push(
    { tag: 0x00020010, vr: 'UI', value: textValue(file.transferSyntaxUid, 'UI') },
    { tag: 0x00020012, vr: 'UI', value: textValue(IMPLEMENTATION_CLASS_UID, 'UI') },
    { tag: 0x00020013, vr: 'SH', value: textValue(IMPLEMENTATION_VERSION, 'SH') },
  );
  return { bytes: writePart10(meta, dataSet, file.transferSyntaxUid), dayShift };
}

function asMeta(el: DicomElement | undefined, tag: number): DicomElement | undefined {
  return el ? { tag, vr: 'UI', value: el.value } : undefined;
}

/** The profile's combined codes, resolved to the action that keeps the most a valid IOD may need. */
function resolve(action: ProfileAction): 'X' | 'Z' | 'D' | 'U' {
  if (action.includes('U')) return 'U';
  if (action.includes('D')) return 'D';
  if (action.includes('Z')) return 'Z';
  return 'X';
}

/** DeidentificationMethod (LO, each value at most 64 characters). */
function methodText(dates: 'shift' | 'remove'): string {
  const parts = ['DICOM PS3.15 E.1 Basic Application Confidentiality Profile'];
  if (dates === 'shift') parts.push('Retain Longitudinal Temporal Info Modified Dates Option');
  parts.push('medattn deid');
  return parts.join('\\');
}

/** DeidentificationMethodCodeSequence items from CID 7050 (DCM 113100 and 113107). */
function methodCodes(dates: 'shift' | 'remove'): DicomElement[][] {
  const code = (value: string, meaning: string): DicomElement[] => [
    { tag: 0x00080100, vr: 'SH', value: textValue(value, 'SH') },
    { tag: 0x00080102, vr: 'SH', value: textValue('DCM', 'SH') },
    { tag: 0x00080104, vr: 'LO', value: textValue(meaning, 'LO') },
  ];
  const items = [code('113100', 'Basic Application Confidentiality Profile')];
  if (dates === 'shift') items.push(code('113107', 'Retain Longitudinal Temporal Information Modified Dates Option'));
  return items;
}

/** Replaces or inserts `el` keeping the data set sorted by tag. */
function setElement(dataSet: DicomElement[], el: DicomElement): void {
  const at = dataSet.findIndex((e) => e.tag >= el.tag);
  if (at === -1) dataSet.push(el);
  else if (dataSet[at].tag === el.tag) dataSet[at] = el;
  else dataSet.splice(at, 0, el);
}
