// Names and references shared by identities and peers.
import { randomBytes } from 'node:crypto';
import { DuplicateNameError, InvalidInputError, NotFoundError } from './errors.js';

const MAX_NAME = 128;
const ALLOWED = /^[A-Za-z0-9._@+-]$/;
/** Device names Windows reserves, with or without an extension (NUL.txt and nul.tar.gz are NUL). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** What makes `name` unusable as a file name on Linux, macOS or Windows, or null when it is fine. */
export function fileNameProblem(name: string): string | null {
  if (name === '') return 'it is empty';
  if (name.length > MAX_NAME) return `it is longer than ${MAX_NAME} characters`;
  for (const char of name) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) return `it contains a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
    if (!ALLOWED.test(char)) return `it contains ${JSON.stringify(char)}`;
  }
  if (!/^[A-Za-z0-9]/.test(name)) return 'it starts with something other than a letter or digit';
  if (name.includes('..')) return 'it has two dots in a row';
  if (name.endsWith('.')) return 'it ends with a dot (Windows drops it)';
  const stem = name.split('.', 1)[0]!;
  if (WINDOWS_RESERVED.test(stem)) return `${stem.toUpperCase()} is a reserved device name on Windows`;
  return null;
}

/**
 * Names become file names in exports and bundles (NAME.key, NAME.key_secret, devices/NAME/), so
 * they are checked once, here, against every OS's rules when something is created.
 */
export function checkName(name: string, what: string): string {
  const trimmed = name.trim();
  const problem = fileNameProblem(trimmed);
  if (problem) {
    throw new InvalidInputError(
      `${what} name ${JSON.stringify(name)} is not allowed: ${problem}; use 1-${MAX_NAME} letters, digits, '.', '_', '-', '@' or '+', starting with a letter or digit`,
    );
  }
  return trimmed;
}

/** Random bytes for ids, drawn 6 KiB at a time: one randomBytes call per id cost 10 µs. */
const ID_BYTES = 6;
let idPool = Buffer.alloc(0);
let idAt = 0;

export function newId(prefix: string): string {
  if (idAt + ID_BYTES > idPool.length) {
    idPool = randomBytes(1024 * ID_BYTES);
    idAt = 0;
  }
  const id = idPool.toString('hex', idAt, idAt + ID_BYTES);
  idAt += ID_BYTES;
  return `${prefix}_${id}`;
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
    throw new DuplicateNameError(`${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} named ${JSON.stringify(name)} exists already; choose another name or remove it first`);
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
