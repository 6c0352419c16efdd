// A pin set in each ecosystem's syntax. Every export carries the active and the backup pins
// (clients must already accept the backup key when the server moves to it), limited to the
// certificate roles the format's client can pin (common/pins.ts PIN_EXPORT_ROLES).
import { type CertificateRole, PIN_EXPORT_FORMATS, PIN_EXPORT_ROLES, type PinExportFormat } from '../../common/pins.js';
import { InvalidInputError } from '../errors.js';
import type { PinSet } from '../store/document.js';
import { PinExportRefusedError } from './errors.js';
import { type Pin, pinDigest } from './pin.js';
import { roleOfPin } from './pin-set.js';

export { PIN_EXPORT_FORMATS, type PinExportFormat } from '../../common/pins.js';

const DAY_S = 86_400;
/** HPKP max-age when the set has no expiry: 60 days, RFC 7469's suggestion. */
export const DEFAULT_HPKP_MAX_AGE = 60 * DAY_S;

export function parseExportFormat(text: string): PinExportFormat {
  const format = text.trim().toLowerCase();
  if ((PIN_EXPORT_FORMATS as ReadonlyArray<string>).includes(format)) return format as PinExportFormat;
  throw new InvalidInputError(`export format ${JSON.stringify(text)} is not one of ${PIN_EXPORT_FORMATS.join(', ')}`);
}

/** The pins a format carries: active pins of a role its client checks (or of no recorded role), and every backup pin. */
export interface ExportedPins {
  readonly pins: ReadonlyArray<Pin>;
  readonly backupPins: ReadonlyArray<Pin>;
  /** Active pins left out because the format's client cannot check their role. */
  readonly excluded: ReadonlyArray<{ readonly pin: Pin; readonly role: CertificateRole }>;
}

/** Which pins of the set go into this format; refuses a set none of whose active pins the client can check. */
export function exportedPins(set: Readonly<PinSet>, format: PinExportFormat): ExportedPins {
  const pinnable = PIN_EXPORT_ROLES[format];
  const excluded: { pin: Pin; role: CertificateRole }[] = [];
  const pins: Pin[] = [];
  for (const pin of set.pins) {
    const role = roleOfPin(set, pin);
    if (role !== null && !pinnable.includes(role)) excluded.push({ pin, role });
    else pins.push(pin);
  }
  if (pins.length === 0) throw new PinExportRefusedError(set.host, format, pinnable, excluded.map((e) => e.role));
  return { pins, backupPins: set.backupPins, excluded };
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** OkHttp's CertificatePinner (Kotlin; the builder chain reads the same in Java). */
export function toOkHttp(set: Readonly<PinSet>, pins: ExportedPins = exportedPins(set, 'okhttp')): string {
  const lines = [
    `// Pins for ${set.host}${set.expires ? `, valid until ${set.expires}` : ''} (Kotlin; in Java: CertificatePinner certificatePinner = new CertificatePinner.Builder()...)`,
    'val certificatePinner = CertificatePinner.Builder()',
    ...pins.pins.map((p) => `    .add(${JSON.stringify(set.host)}, ${JSON.stringify(p)}) // active`),
    ...pins.backupPins.map((p) => `    .add(${JSON.stringify(set.host)}, ${JSON.stringify(p)}) // backup`),
    '    .build()',
  ];
  return `${lines.join('\n')}\n`;
}

/** Android's network-security-config. Android has no one-label wildcard: `*.` widens to the domain. */
export function toAndroid(set: Readonly<PinSet>, pins: ExportedPins = exportedPins(set, 'android')): string {
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
    ...pins.pins.map((p) => `            <pin digest="SHA-256">${pinDigest(p)}</pin>`),
    ...pins.backupPins.map((p) => `            <!-- backup --><pin digest="SHA-256">${pinDigest(p)}</pin>`),
    '        </pin-set>',
    '    </domain-config>',
    '</network-security-config>',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The bare value of curl's `--pinnedpubkey` (`sha256//A;sha256//B`), so that a shell can pass the
 * export's output as the option's argument. curl compares it with the leaf's key only, so CA pins
 * are left out.
 */
export function toCurl(set: Readonly<PinSet>, pins: ExportedPins = exportedPins(set, 'curl')): string {
  return `${[...pins.pins, ...pins.backupPins].map((p) => `sha256//${pinDigest(p)}`).join(';')}\n`;
}

/** The HPKP header (RFC 7469). Browsers dropped HPKP; some clients and proxies still read it. */
export function toHpkp(set: Readonly<PinSet>, now: Date, pins: ExportedPins = exportedPins(set, 'hpkp')): string {
  let maxAge = DEFAULT_HPKP_MAX_AGE;
  if (set.expires) maxAge = Math.max(0, Math.floor((Date.parse(`${set.expires}T00:00:00Z`) - now.getTime()) / 1000));
  const parts = [...[...pins.pins, ...pins.backupPins].map((p) => `pin-sha256="${pinDigest(p)}"`), `max-age=${maxAge}`];
  if (set.host.startsWith('*.') || set.host.startsWith('**.')) parts.push('includeSubDomains');
  return `Public-Key-Pins: ${parts.join('; ')}\n`;
}

export function toJson(set: Readonly<PinSet>): string {
  return `${JSON.stringify({ host: set.host, pins: set.pins, backupPins: set.backupPins, expires: set.expires, ...(set.roles ? { roles: set.roles } : {}) }, null, 2)}\n`;
}

export interface PinExport {
  readonly text: string;
  /** Active pins the format's client cannot check, left out. */
  readonly excluded: ExportedPins['excluded'];
}

/** The set in the format's syntax, with what was left out; throws `PinExportRefusedError` when nothing pinnable is left. */
export function exportPins(set: Readonly<PinSet>, format: PinExportFormat, now = new Date()): PinExport {
  const pins = exportedPins(set, format);
  switch (format) {
    case 'okhttp':
      return { text: toOkHttp(set, pins), excluded: pins.excluded };
    case 'android':
      return { text: toAndroid(set, pins), excluded: pins.excluded };
    case 'curl':
      return { text: toCurl(set, pins), excluded: pins.excluded };
    case 'hpkp':
      return { text: toHpkp(set, now, pins), excluded: pins.excluded };
    case 'json':
      return { text: toJson(set), excluded: pins.excluded };
  }
}

export function exportPinSet(set: Readonly<PinSet>, format: PinExportFormat, now = new Date()): string {
  return exportPins(set, format, now).text;
}
