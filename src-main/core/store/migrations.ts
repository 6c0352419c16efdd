// Migrations between schema versions, from the first release on: MIGRATIONS[n] turns a version-n
// document body into a version-(n+1) body. Version 1 is the first. A migration is frozen once
// released: it names the shapes of its time (no import of today's schemas or vocabulary).
import { StoreCorruptError } from '../errors.js';
import { SCHEMA_VERSION } from './schema-version.js';

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** The tag provisioning gave the peers it made in schema 1 (core/provisioning PROVISION_TAG then). */
const V1_PROVISION_TAG = 'provisioned';

interface V1Peer {
  id: string;
  name: string;
  publicKey: string;
  endpoints: string[];
  tags: string[];
  allowed: boolean;
  createdAt: string;
  source?: string;
}
interface V1Identity {
  id: string;
  name: string;
  role: string;
  endpoints: string[];
}

/**
 * 1 → 2: devices and batches. The peers provisioning made (source `provision`, tag `provisioned`)
 * become devices of their server: the one own identity (a server first) or other peer whose
 * endpoint is the device's endpoint. A provisioned peer whose server cannot be told stays a peer.
 * The device id is derived from the peer id, so that reading the same document twice gives the
 * same ids before it is written back. The batch was not recorded in schema 1: null.
 */
export function migrate1to2(data: Record<string, unknown>): Record<string, unknown> {
  const peers = (Array.isArray(data.peers) ? data.peers : []) as V1Peer[];
  const identities = (Array.isArray(data.identities) ? data.identities : []) as V1Identity[];
  const devices: unknown[] = Array.isArray(data.devices) ? [...(data.devices as unknown[])] : [];
  const isProvisioned = (p: V1Peer): boolean => p?.source === 'provision' && Array.isArray(p.tags) && p.tags.includes(V1_PROVISION_TAG);
  const serverOf = (endpoint: string | undefined): string | null => {
    if (!endpoint) return null;
    const own = identities.filter((i) => Array.isArray(i?.endpoints) && i.endpoints.includes(endpoint));
    const servers = own.filter((i) => i.role === 'server');
    if (servers.length === 1) return servers[0]!.id;
    if (own.length === 1) return own[0]!.id;
    if (own.length > 1) return null;
    const others = peers.filter((p) => !isProvisioned(p) && Array.isArray(p?.endpoints) && p.endpoints.includes(endpoint));
    return others.length === 1 ? others[0]!.id : null;
  };
  const deviceIdentities = new Set(identities.filter((i) => i?.role === 'device').map((i) => i.name));
  const kept: V1Peer[] = [];
  for (const peer of peers) {
    const server = isProvisioned(peer) ? serverOf(peer.endpoints?.[0]) : null;
    if (server === null) {
      kept.push(peer);
      continue;
    }
    devices.push({
      id: `dev_${String(peer.id).replace(/^peer_/, '')}`,
      name: peer.name,
      publicKey: peer.publicKey,
      server,
      batch: null,
      bundleDir: null,
      tags: peer.tags.filter((t) => t !== V1_PROVISION_TAG),
      state: peer.allowed ? 'active' : 'removed',
      createdAt: peer.createdAt,
      keptSecret: deviceIdentities.has(peer.name),
    });
  }
  return { ...data, peers: kept, devices, batches: Array.isArray(data.batches) ? data.batches : [] };
}

export const MIGRATIONS: Readonly<Record<number, Migration>> = { 1: migrate1to2 };

/** Refuses a schema this version cannot read, before anything else is looked at. */
export function checkSchema(schema: number, file: string): void {
  if (!Number.isInteger(schema) || schema < 1) {
    throw new StoreCorruptError(`${file} has an invalid schema version ${JSON.stringify(schema)}; it has not been changed`);
  }
  if (schema > SCHEMA_VERSION) {
    throw new StoreCorruptError(
      `${file} was written by a newer Curvekeep (schema ${schema}, this one reads up to ${SCHEMA_VERSION}); upgrade Curvekeep`,
    );
  }
}

export function migrate(schema: number, data: Record<string, unknown>, file: string): Record<string, unknown> {
  checkSchema(schema, file);
  let body = data;
  for (let version = schema; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version];
    if (!step) throw new StoreCorruptError(`no migration from schema ${version} for ${file}`);
    body = step(body);
  }
  return body;
}
