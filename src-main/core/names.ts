// Names and references shared by identities and peers.
import { randomBytes } from 'node:crypto';
import { DuplicateNameError, InvalidInputError, NotFoundError } from './errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

/** Names become file names in exports and bundles, so they stay portable. */
export function checkName(name: string, what: string): string {
  const trimmed = name.trim();
  if (!NAME.test(trimmed)) {
    throw new InvalidInputError(
      `${what} name ${JSON.stringify(name)} is not allowed: use 1-128 letters, digits, '.', '_', '-', '@' or '+', starting with a letter or digit`,
    );
  }
  return trimmed;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

interface Named {
  readonly id: string;
  readonly name: string;
}

/** A REF is an id, or a unique name. */
export function resolveRef<T extends Named>(items: ReadonlyArray<T>, ref: string, what: string): T {
  const byId = items.find((item) => item.id === ref);
  if (byId) return byId;
  const byName = items.filter((item) => item.name === ref);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new InvalidInputError(`more than one ${what} is named ${JSON.stringify(ref)}; use its id`);
  throw new NotFoundError(`no ${what} with id or name ${JSON.stringify(ref)}`);
}

export function assertNameFree(items: ReadonlyArray<Named>, name: string, what: string): void {
  if (items.some((item) => item.name === name)) {
    throw new DuplicateNameError(`a ${what} named ${JSON.stringify(name)} exists already; choose another name or remove it first`);
  }
}

export function checkEndpoint(endpoint: string): string {
  const trimmed = endpoint.trim();
  if (!/^(tcp|ipc|inproc|ws|wss|tls|udp):\/\/\S+$/.test(trimmed) && !/^[^\s:/]+:\d{1,5}$/.test(trimmed)) {
    throw new InvalidInputError(`endpoint ${JSON.stringify(endpoint)} is not valid: use e.g. tcp://10.0.0.7:5555`);
  }
  return trimmed;
}

export function checkTag(tag: string): string {
  const trimmed = tag.trim();
  if (!/^[\w.:@+-]{1,64}$/.test(trimmed)) throw new InvalidInputError(`tag ${JSON.stringify(tag)} is not valid: 1-64 letters, digits or . _ : @ + -`);
  return trimmed;
}
