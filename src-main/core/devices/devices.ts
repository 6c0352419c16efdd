// Devices: clients provisioned for one of our servers (core/provisioning records them). Not peers:
// never swept or link-tested from here. What a server admits is its active devices (and, during a
// reissue, their previous keys) plus the peers allowed to connect.
import type { PublicKey } from '../curve/keys.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { resolveRef } from '../names.js';
import type { Device, DocumentData } from '../store/document.js';

/** A server: an own identity or a peer, by id or name. */
export interface ServerRef {
  readonly id: string;
  readonly name: string;
}

export function findDeviceServer(data: Readonly<DocumentData>, ref: string): ServerRef {
  const identity = data.identities.find((i) => i.id === ref) ?? null;
  if (identity) return { id: identity.id, name: identity.name };
  const peer = data.peers.find((p) => p.id === ref) ?? null;
  if (peer) return { id: peer.id, name: peer.name };
  const named = [...data.identities.filter((i) => i.name === ref), ...data.peers.filter((p) => p.name === ref)];
  if (named.length === 1) return { id: named[0]!.id, name: named[0]!.name };
  if (named.length > 1) throw new InvalidInputError(`more than one identity or peer is named ${JSON.stringify(ref)}; use its id`);
  throw new NotFoundError(`no identity or peer ${JSON.stringify(ref)} to be a server`);
}

/**
 * The names of devices' servers: a lookup that gives the name of the identity (or peer) with an
 * id, or the id itself when the server is gone. Each id is looked for once, so a page of devices
 * of one server costs one scan, not a map of every identity and peer (10 ms at 20,000).
 */
export function serverNamer(data: Readonly<DocumentData>): (serverId: string) => string {
  const known = new Map<string, string>();
  return (serverId) => {
    let name = known.get(serverId);
    if (name === undefined) {
      name = data.identities.find((i) => i.id === serverId)?.name ?? data.peers.find((p) => p.id === serverId)?.name ?? serverId;
      known.set(serverId, name);
    }
    return name;
  };
}

export function findDevice(devices: ReadonlyArray<Device>, ref: string): Device {
  return resolveRef(devices, ref, 'device');
}

export interface DeviceFilter {
  /** A server's id (already resolved). */
  readonly server?: string | null;
  readonly batch?: string | null;
  readonly tag?: string | null;
  /** Part of the name, id or public key, case-insensitive. */
  readonly text?: string | null;
  /** Removed devices too (default: only active ones). */
  readonly includeRemoved?: boolean;
}

export function filterDevices(devices: ReadonlyArray<Device>, filter: Readonly<DeviceFilter>): Device[] {
  const text = filter.text?.trim().toLowerCase() || null;
  const out: Device[] = [];
  for (const d of devices) {
    if (!filter.includeRemoved && d.state !== 'active') continue;
    if (filter.server && d.server !== filter.server) continue;
    if (filter.batch && d.batch !== filter.batch) continue;
    if (filter.tag && !d.tags.includes(filter.tag)) continue;
    if (text && !d.name.toLowerCase().includes(text) && !d.id.toLowerCase().includes(text) && !d.publicKey.toLowerCase().includes(text)) continue;
    out.push(d);
  }
  return out;
}

export interface AllowEntry {
  readonly name: string;
  readonly publicKey: PublicKey;
  readonly endpoint?: string | null;
}

/**
 * The allowlist of a server (or, without one, of every server): its active devices, their
 * previous keys while a reissue is not finished, and the peers allowed to connect.
 */
export function allowlistEntries(data: Readonly<DocumentData>, serverId: string | null): AllowEntry[] {
  const entries: AllowEntry[] = data.peers.filter((p) => p.allowed).map((p) => ({ name: p.name, publicKey: p.publicKey as PublicKey, endpoint: p.endpoints[0] ?? null }));
  for (const d of data.devices) {
    if (d.state !== 'active' || (serverId !== null && d.server !== serverId)) continue;
    entries.push({ name: d.name, publicKey: d.publicKey as PublicKey, endpoint: d.endpoint ?? null });
    if (d.previousPublicKey) entries.push({ name: `${d.name}.previous`, publicKey: d.previousPublicKey as PublicKey, endpoint: d.endpoint ?? null });
  }
  return entries;
}
