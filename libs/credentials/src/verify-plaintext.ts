import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';

// timingSafeEqual needs equal lengths, and comparing the raw strings would leak the stored
// length. Comparing fixed-size MACs under a key the attacker never sees leaks neither.
const comparisonKey = randomBytes(32);

/** Compares a candidate against a legacy plaintext password in time independent of both lengths and contents. */
export function verifyPlaintext(
  candidate: string | Uint8Array,
  stored: string | Uint8Array,
): boolean {
  return timingSafeEqual(mac(candidate), mac(stored));
}

function mac(value: string | Uint8Array): Buffer {
  return createHmac('sha256', comparisonKey).update(value).digest();
}
