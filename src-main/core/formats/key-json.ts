// The JSON export of a key: `{"format": "curvekeep-key/1", name, role, publicKey, safetyCode,
// endpoints, secretKey?}`. The secret appears only when the caller passes one (an explicit export).
import { z } from 'zod';
import { assertKeyPairMatches, parsePublicKey, parseSecretKey, type PublicKey, type SecretKey } from '../curve/keys.js';
import { safetyCode, type SafetyCode } from '../curve/safety-code.js';
import { InvalidInputError, InvalidKeyError } from '../errors.js';
import { checkTextInput } from './zpl.js';

export const KEY_JSON_FORMAT = 'curvekeep-key/1';

export interface KeyJsonInput {
  readonly name: string;
  readonly role?: string | null;
  readonly publicKey: PublicKey;
  readonly safetyCode: SafetyCode | string;
  readonly endpoints?: ReadonlyArray<string>;
  readonly secretKey?: SecretKey | null;
}

export interface KeyJson {
  readonly name: string;
  readonly role: string | null;
  readonly publicKey: PublicKey;
  readonly safetyCode: SafetyCode;
  readonly endpoints: ReadonlyArray<string>;
  readonly secretKey: SecretKey | null;
}

/** The JSON text of a key, two-space indented with a final newline. */
export function formatKeyJson(input: KeyJsonInput): string {
  const publicKey = parsePublicKey(input.publicKey);
  const code = safetyCode(publicKey);
  if (input.safetyCode !== code) {
    throw new InvalidKeyError(`the safety code given for ${publicKey} is not its safety code (${code})`);
  }
  const document: Record<string, unknown> = {
    format: KEY_JSON_FORMAT,
    name: input.name,
    ...(input.role ? { role: input.role } : {}),
    publicKey,
    safetyCode: code,
    endpoints: [...(input.endpoints ?? [])],
  };
  if (input.secretKey) {
    const secretKey = parseSecretKey(input.secretKey);
    assertKeyPairMatches(publicKey, secretKey);
    document.secretKey = secretKey;
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}

const KeyJsonSchema = z.object({
  format: z.literal(KEY_JSON_FORMAT).optional(),
  name: z.string().min(1),
  role: z.string().nullish(),
  publicKey: z.string(),
  safetyCode: z.string().optional(),
  endpoints: z.array(z.string()).optional(),
  secretKey: z.string().nullish(),
});

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** Reads a key JSON file; the secret, when present, must belong to the public key. */
export function parseKeyJson(text: string, source: string): KeyJson {
  checkTextInput(text, source);
  const body = text.replace(/^\uFEFF/, '');
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    // V8's message quotes the text around the error, which may be a secret key: keep only the place.
    const position = /position (\d+)/.exec((error as Error).message);
    const where = position ? ` at ${lineAndColumn(body, Number(position[1]))}` : '';
    throw new InvalidInputError(`${source} is not valid JSON${where}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(`${source} is not a key file: expected a JSON object with "name" and "publicKey"`);
  }
  const format = (raw as Record<string, unknown>).format;
  if (format !== undefined && format !== KEY_JSON_FORMAT) {
    throw new InvalidInputError(`${source} has format ${JSON.stringify(format)}; this version of Curvekeep reads "${KEY_JSON_FORMAT}"`);
  }
  const parsed = KeyJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    // zod's messages name the expected type, never the value received.
    throw new InvalidInputError(`${source}: field ${path}: ${issue.message}`);
  }
  const data = parsed.data;
  const publicKey = parsePublicKey(data.publicKey, `publicKey in ${source}`);
  const code = safetyCode(publicKey);
  if (data.safetyCode !== undefined && data.safetyCode.replace(/[\s-]/g, '') !== code.replace(/ /g, '')) {
    throw new InvalidKeyError(`${source}: its safetyCode does not match its publicKey (expected ${code}); the file was edited or damaged`);
  }
  let secretKey: SecretKey | null = null;
  if (data.secretKey) {
    secretKey = parseSecretKey(data.secretKey, `secretKey in ${source}`);
    try {
      assertKeyPairMatches(publicKey, secretKey);
    } catch {
      throw new InvalidKeyError(`${source}: its secretKey does not belong to its publicKey ${publicKey}; refusing it`);
    }
  }
  return {
    name: data.name,
    role: data.role ?? null,
    publicKey,
    safetyCode: code,
    endpoints: data.endpoints ?? [],
    secretKey,
  };
}
