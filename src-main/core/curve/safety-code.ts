// The 30-digit safety code of ARCHITECTURE.md section 4, read aloud or compared by eye.
import { hash } from 'node:crypto';
import { type PublicKey, publicKeyBytes } from './keys.js';

/** Six groups of five digits, separated by single spaces. */
export type SafetyCode = string & { readonly __brand: 'SafetyCode' };

export function safetyCode(publicKey: PublicKey): SafetyCode {
  // One-shot hash: half the cost of a Hash object (a 5,000-identity list computes 5,000 codes).
  const digest = hash('sha256', publicKeyBytes(publicKey), 'buffer');
  const groups: string[] = [];
  for (let chunk = 0; chunk < 6; chunk++) {
    // 40 bits fit a double exactly, so plain numbers do (BigInt costs ten times as much here).
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + digest[chunk * 5 + i]!;
    groups.push((value % 100000).toString().padStart(5, '0'));
  }
  return groups.join(' ') as SafetyCode;
}

/** Compares a code typed or read out by a person: spaces and dashes do not matter. */
export function safetyCodesMatch(expected: SafetyCode, spoken: string): boolean {
  const digits = spoken.replace(/[\s-]/g, '');
  return /^\d{30}$/.test(digits) && digits === expected.replace(/ /g, '');
}
