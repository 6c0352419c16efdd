// Host patterns as OkHttp writes them: an exact host (or IP address), `*.example.com` (exactly
// one label more) or `**.example.com` (example.com itself and any depth below it).
import { isIP } from 'node:net';
import { InvalidInputError } from '../errors.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The canonical pattern (lower case, no trailing dot), or an error naming what is wrong. */
export function parseHostPattern(text: string): string {
  const host = text.trim().toLowerCase().replace(/\.$/, '');
  const bad = (why: string) => new InvalidInputError(`host ${JSON.stringify(text)} ${why}`);
  if (host.length === 0) throw bad('is empty');
  if (isIP(host)) return host;
  const wildcard = host.startsWith('**.') ? '**.' : host.startsWith('*.') ? '*.' : '';
  const rest = host.slice(wildcard.length);
  if (rest.includes('*')) throw bad("may only start with '*.' or '**.' (OkHttp's wildcards); a '*' elsewhere is not allowed");
  const labels = rest.split('.');
  if (labels.some((l) => !LABEL.test(l))) throw bad('is not a valid host name (letters, digits and hyphens, separated by dots)');
  if (wildcard && labels.length < 2) throw bad(`is too broad: a wildcard needs a domain of at least two labels (e.g. ${wildcard}example.com)`);
  return wildcard + rest;
}

/** OkHttp's matching: `*.` exactly one more label, `**.` zero or more. */
export function hostMatches(pattern: string, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (pattern.startsWith('**.')) {
    const suffix = pattern.slice(3);
    return host === suffix || host.endsWith(`.${suffix}`);
  }
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(2);
    if (!host.endsWith(`.${suffix}`)) return false;
    const first = host.slice(0, host.length - suffix.length - 1);
    return first.length > 0 && !first.includes('.');
  }
  return host === pattern;
}
