// The document of a data folder that has none yet, apart from document.ts so that the paths that
// need only this (a first run, a link test that uses nothing stored) do not load zod.
import type { DocumentData } from './document.js';

export function emptyDocument(): DocumentData {
  return { identities: [], peers: [], pinSets: [], backupKeys: [], devices: [], batches: [], auditHead: { seq: 0, hash: '' } };
}
