// The pin verdict: does the chain a server presents carry a key that the applying pin sets pin?
// Any certificate of the chain (leaf, intermediate or root) matching any pin of the sets passes,
// as OkHttp and Android judge it.
import type { FindingData, PinVerdict } from '../../common/pins.js';
import type { PinSet } from '../store/document.js';
import type { ChainCertificate, Pin } from './pin.js';
import { isPinSetExpired } from './pin-set.js';

export type { PinVerdict } from '../../common/pins.js';

export interface PinCheck {
  readonly verdict: PinVerdict;
  readonly hostname: string;
  /** The patterns of the sets that applied. */
  readonly patterns: ReadonlyArray<string>;
  /** The chain certificate whose pin matched. */
  readonly matched: ChainCertificate | null;
  readonly pinned: ReadonlyArray<Pin>;
  readonly chain: ReadonlyArray<Pick<ChainCertificate, 'role' | 'subject' | 'pin'>>;
  /** Sets past their expiry date (Android stops enforcing them), with that date. */
  readonly expiredSets: ReadonlyArray<string>;
  readonly expiredOn: Readonly<Record<string, string>>;
  /** For a mismatch: the chain's pins beside the pinned ones, as OkHttp reports it. */
  readonly message: string;
}

export function checkPins(chain: ReadonlyArray<ChainCertificate>, hostname: string, sets: ReadonlyArray<PinSet>, now = new Date()): PinCheck {
  const pinned = [...new Set(sets.flatMap((s) => [...s.pins, ...s.backupPins]))];
  const patterns = sets.map((s) => s.host);
  const expired = sets.filter((s) => isPinSetExpired(s, now));
  const expiredSets = expired.map((s) => s.host);
  const expiredOn = Object.fromEntries(expired.map((s) => [s.host, s.expires ?? '']));
  const summary = chain.map(({ role, subject, pin }) => ({ role, subject, pin }));
  const base = { hostname, patterns, pinned, chain: summary, expiredSets, expiredOn };
  if (sets.length === 0) return { ...base, verdict: 'no-pin-set', matched: null, message: `no pin set applies to ${hostname}` };
  const matched = chain.find((c) => pinned.includes(c.pin)) ?? null;
  if (matched) return { ...base, verdict: 'match', matched, message: `pin matched on the ${matched.role} certificate (${matched.subject}): ${matched.pin}` };
  const message = [
    'Certificate pinning failure!',
    '  Peer certificate chain:',
    ...chain.map((c) => `    ${c.pin}: ${c.subject} (${c.role})`),
    `  Pinned certificates for ${hostname}:`,
    ...pinned.map((p) => `    ${p}`),
  ].join('\n');
  return { ...base, verdict: 'mismatch', matched: null, message };
}

/** The verdict as findings beside the TLS report's. */
export function pinFindings(check: PinCheck): FindingData[] {
  const base = { check: 'pins', setting: null } as const;
  const verdict: FindingData =
    check.verdict === 'match'
      ? { ...base, code: 'pin-match', severity: 'ok', certificate: { role: check.matched!.role, subject: check.matched!.subject }, facts: { pin: check.matched!.pin } }
      : check.verdict === 'mismatch'
        ? { ...base, code: 'pin-mismatch', severity: 'error', certificate: null, facts: { hostname: check.hostname } }
        : { ...base, code: 'no-pin-set', severity: 'info', certificate: null, facts: { hostname: check.hostname } };
  return [
    verdict,
    ...check.expiredSets.map((host): FindingData => ({ ...base, code: 'pin-set-expired', severity: 'warning', certificate: null, facts: { host, expires: check.expiredOn[host] ?? '?' } })),
  ];
}
