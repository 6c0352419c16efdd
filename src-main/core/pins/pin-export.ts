// A pin set in each ecosystem's syntax. Every export carries the active and the backup pins:
// clients must already accept the backup key when the server moves to it.
import { InvalidInputError } from '../errors.js';
import type { PinSet } from '../store/document.js';
import { pinDigest } from './pin.js';

export const PIN_EXPORT_FORMATS = ['okhttp', 'android', 'curl', 'hpkp', 'json'] as const;
export type PinExportFormat = (typeof PIN_EXPORT_FORMATS)[number];

const DAY_S = 86_400;
/** HPKP max-age when the set has no expiry: 60 days, RFC 7469's suggestion. */
export const DEFAULT_HPKP_MAX_AGE = 60 * DAY_S;

export function parseExportFormat(text: string): PinExportFormat {
  const format = text.trim().toLowerCase();
  if ((PIN_EXPORT_FORMATS as ReadonlyArray<string>).includes(format)) return format as PinExportFormat;
  throw new InvalidInputError(`export format ${JSON.stringify(text)} is not one of ${PIN_EXPORT_FORMATS.join(', ')}`);
}

function allPins(set: Readonly<PinSet>): string[] {
  return [...set.pins, ...set.backupPins];
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** OkHttp's CertificatePinner (Kotlin; the builder chain reads the same in Java). */
export function toOkHttp(set: Readonly<PinSet>): string {
  const lines = [
    `// Pins for ${set.host}${set.expires ? `, valid until ${set.expires}` : ''} (Kotlin; in Java: CertificatePinner certificatePinner = new CertificatePinner.Builder()...)`,
    'val certificatePinner = CertificatePinner.Builder()',
    ...set.pins.map((p) => `    .add(${JSON.stringify(set.host)}, ${JSON.stringify(p)}) // active`),
    ...set.backupPins.map((p) => `    .add(${JSON.stringify(set.host)}, ${JSON.stringify(p)}) // backup`),
    '    .build()',
  ];
  return `${lines.join('\n')}\n`;
}

/** Android's network-security-config. Android has no one-label wildcard: `*.` widens to the domain. */
export function toAndroid(set: Readonly<PinSet>): string {
  const wildcard = set.host.startsWith('**.') || set.host.startsWith('*.');
  const domain = set.host.replace(/^\*\*?\./, '');
  const note = set.host.startsWith('*.')
    ? [`        <!-- ${xml(set.host)}: Android cannot pin exactly one label; this covers ${xml(domain)} and every subdomain -->`]
    : [];
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<network-security-config>',
    '    <domain-config>',
    ...note,
    `        <domain includeSubdomains="${wildcard}">${xml(domain)}</domain>`,
    `        <pin-set${set.expires ? ` expiration="${set.expires}"` : ''}>`,
    ...set.pins.map((p) => `            <pin digest="SHA-256">${pinDigest(p)}</pin>`),
    ...set.backupPins.map((p) => `            <!-- backup --><pin digest="SHA-256">${pinDigest(p)}</pin>`),
    '        </pin-set>',
    '    </domain-config>',
    '</network-security-config>',
  ];
  return `${lines.join('\n')}\n`;
}

/** curl's `--pinnedpubkey` argument (curl takes `sha256//` and `;` between pins). */
export function toCurl(set: Readonly<PinSet>): string {
  return `--pinnedpubkey "${allPins(set).map((p) => `sha256//${pinDigest(p)}`).join(';')}"\n`;
}

/** The HPKP header (RFC 7469). Browsers dropped HPKP; some clients and proxies still read it. */
export function toHpkp(set: Readonly<PinSet>, now: Date): string {
  let maxAge = DEFAULT_HPKP_MAX_AGE;
  if (set.expires) maxAge = Math.max(0, Math.floor((Date.parse(`${set.expires}T00:00:00Z`) - now.getTime()) / 1000));
  const parts = [...allPins(set).map((p) => `pin-sha256="${pinDigest(p)}"`), `max-age=${maxAge}`];
  if (set.host.startsWith('*.') || set.host.startsWith('**.')) parts.push('includeSubDomains');
  return `Public-Key-Pins: ${parts.join('; ')}\n`;
}

export function toJson(set: Readonly<PinSet>): string {
  return `${JSON.stringify({ host: set.host, pins: set.pins, backupPins: set.backupPins, expires: set.expires }, null, 2)}\n`;
}

export function exportPinSet(set: Readonly<PinSet>, format: PinExportFormat, now = new Date()): string {
  switch (format) {
    case 'okhttp':
      return toOkHttp(set);
    case 'android':
      return toAndroid(set);
    case 'curl':
      return toCurl(set);
    case 'hpkp':
      return toHpkp(set, now);
    case 'json':
      return toJson(set);
  }
}
