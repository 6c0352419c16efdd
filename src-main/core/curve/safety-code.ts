// The 30-digit safety code of ARCHITECTURE.md section 4, read aloud or compared by eye.
import { hash } from 'node:crypto';
import { type PublicKey, publicKeyBytes } from './keys.js';

/** Six groups of five digits, separated by single spaces. */
export type SafetyCode = string & { readonly __brand: 'SafetyCode' };

/** The key's bytes, decoded here for each code: hashed at once, never kept. */
const KEY_BYTES = new Uint8Array(32);

export function safetyCode(publicKey: PublicKey): SafetyCode {
  // A 5,000-identity list computes 5,000 codes: one-shot hash (half the cost of a Hash object),
  // the key decoded into one reused buffer, and no array, join or padStart per code.
  const digest = hash('sha256', publicKeyBytes(publicKey, KEY_BYTES), 'buffer');
  let code = '';
  for (let at = 0; at < 30; at += 5) {
    // 40 bits fit a double exactly, so plain numbers do (BigInt costs ten times as much here).
    const value = (digest[at]! * 256 + digest[at + 1]!) * 16_777_216 + (digest[at + 2]! * 65_536 + digest[at + 3]! * 256 + digest[at + 4]!);
    const group = String(value % 100_000);
    code += (at === 0 ? '' : ' ') + '00000'.slice(group.length) + group;
  }
  return code as SafetyCode;
}

/** Compares a code typed or read out by a person: spaces and dashes do not matter. */
export function safetyCodesMatch(expected: SafetyCode, spoken: string): boolean {
  const digits = spoken.replace(/[\s-]/g, '');
  return /^\d{30}$/.test(digits) && digits === expected.replace(/ /g, '');
}
