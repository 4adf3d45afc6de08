/**
 * Pseudonyms derived from a secret key with HMAC-SHA256, so one run (or every run given the same key file)
 * maps the same UID, patient or date to the same replacement, and nobody without the key can map back or
 * test a guess. A fresh random key per run gives mappings that are consistent within the run only.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** The longest date shift, in days, backwards (about ten years). */
const MAX_SHIFT_DAYS = 3650;

export class KeyedPseudonyms {
  private readonly uids = new Map<string, string>();

  constructor(private readonly key: Uint8Array = randomBytes(32)) {}

  private digest(domain: string, value: string): Buffer {
    return createHmac('sha256', this.key).update(`${domain}\0${value}`).digest();
  }

  /**
   * A new UID under the 2.25 root (PS3.5 B.2: a UUID's 128 bits as one decimal number), at most 44
   * characters. Well-known DICOM UIDs (1.2.840.10008...: SOP classes, transfer syntaxes) are not identifying
   * and stay as they are.
   */
  uid(original: string): string {
    const uid = original.replace(/[\0 ]+$/, '');
    if (uid === '' || uid.startsWith('1.2.840.10008.')) return uid;
    let mapped = this.uids.get(uid);
    if (mapped === undefined) {
      const bytes = this.digest('uid', uid).subarray(0, 16);
      mapped = `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString()}`;
      this.uids.set(uid, mapped);
    }
    return mapped;
  }

  /** A dummy patient ID that still links a patient's files within the mapping (e.g. for patient-wise splits). */
  patientId(original: string): string {
    return `ANON${this.digest('patient', original.trim()).toString('hex').slice(0, 12).toUpperCase()}`;
  }

  /** Days to add to every date of this patient: between -MAX_SHIFT_DAYS and -1, the same for the patient. */
  dayShift(patient: string): number {
    return -(1 + (this.digest('date', patient.trim()).readUInt32BE(0) % MAX_SHIFT_DAYS));
  }
}
