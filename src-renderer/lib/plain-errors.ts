// What the page says when something failed: one plain sentence for the user. Never an internal
// code (`invalid-input`), never a file-system path, never parser text ("unexpected character at
// column 5"), never command-line text; when the message holds nothing usable, a sentence chosen by
// the failure's code that still says what to do. Used by the status area and by FieldError.svelte.
/** What is known about a failure, whatever threw it. */
interface Failure {
  readonly code: string | null;
  readonly message: string;
}

/** A CallError (lib/contract-client.ts) or any error or `{ code, message }`; read by shape, so this module imports nothing. */
function failureOf(error: unknown): Failure {
  if (typeof error === 'string') return { code: null, message: error };
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : null, message: typeof message === 'string' ? message : '' };
  }
  return { code: null, message: '' };
}

/**
 * Sentences for codes whose message is not for the user (environment, transport, page bugs), and
 * the fallback for every code when its message had nothing left after cleaning.
 */
const BY_CODE: Readonly<Record<string, string>> = {
  'keychain-locked': 'The keychain is locked. Unlock your keyring and try again; nothing was changed.',
  'keychain-unavailable': 'The system keychain is not available, so no secret can be read or stored. Start or unlock your keyring and try again.',
  'data-folder': 'Curvekeep cannot write to its data folder. Check that the disk is not full and that the folder may be written.',
  'store-corrupt': 'The saved Curvekeep data cannot be read, so nothing was changed. The last good copy is kept beside it.',
  'store-tampered': 'The saved Curvekeep data was changed outside Curvekeep, so it is not used until someone reviews that change.',
  'store-busy': 'Curvekeep is saving another change right now. Try again in a moment.',
  'store-rolled-back': 'The saved Curvekeep data is older than the last one written here (an old copy was put back), so it is not used.',
  'store-missing': 'The saved Curvekeep data is gone although this machine wrote it before, so nothing was changed.',
  'audit-key-missing': 'The key that seals the audit log is missing from the keychain, so no change can be recorded.',
  internal: 'Something went wrong inside Curvekeep. Please try again; if it keeps happening, report it.',
  'bridge-unreachable': 'The page lost its connection to Curvekeep. Reload the page once Curvekeep runs again.',
  'bridge-failed': 'Curvekeep did not answer as expected. Reload the page and try again.',
  'token-required': 'This page may not talk to Curvekeep. Open the link Curvekeep showed when it started.',
  'foreign-sender': 'This page may not talk to Curvekeep. Open the link Curvekeep showed when it started.',
  'unknown-channel': 'This page does not match the running Curvekeep. Reload the page and try again.',
  'invalid-arguments': 'This page sent something Curvekeep did not expect. Reload the page and try again.',
  'page-error': 'Something went wrong on this page. Reload it and try again.',
  network: 'The other end could not be reached. Check the address, the port and the network, then try again.',
  'not-found': 'It was not found; it may have been removed in the meantime.',
  'duplicate-name': 'That name is taken already. Choose another one.',
  refused: 'Curvekeep did not do this, to keep your keys safe; nothing was changed.',
  'invalid-input': 'Curvekeep could not use what was entered. Check it and try again.',
  'invalid-key': 'That is not a ZeroMQ public key: a key is 40 characters of Z85 text.',
  'not-owned': 'That folder holds files Curvekeep did not write, so it was left alone. Choose an empty folder.',
  'no-testable-endpoint': 'There is no address to test. Add the endpoint to test and try again.',
  'choose-client-identity': 'Choose which of your identities to test with.',
  'ambiguous-server-ref': 'More than one key has that name. Choose the one you mean from the list.',
  'unlisted-endpoint': 'That address is not one Curvekeep knows for this key. Choose one from the list.',
  cancelled: 'Cancelled; nothing more was done.',
};

const GENERIC = 'That did not work. Please try again; if it keeps failing, report it.';

/** Codes are written like `invalid-input`: a word that must never reach the user. */
const CODE_WORDS = new Set(Object.keys(BY_CODE));

/** Parser and machine text: positions, tokens, errno codes, stack fragments. */
const PARSER_TEXT = [
  /\b(?:at |in )?(?:column|col\.?|line|position|offset|index|char(?:acter)?) \d+/i,
  /\bunexpected (?:character|token|end|eof|input|char)\b/i,
  /\bSyntaxError\b|\bTypeError\b|\bReferenceError\b|\bis not a function\b|\bundefined\b|\bnull\b/,
  /\bJSON\b.*\b(?:parse|position)\b/i,
  /\bE(?:NOENT|ACCES|PERM|ISDIR|NOTDIR|EXIST|NOSPC|ROFS|BUSY|MFILE|CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|TIMEDOUT|ADDRINUSE|NOTEMPTY|INVAL|AGAIN|PIPE|NOTFOUND|XDEV|LOOP|NAMETOOLONG)\b/, // errno codes
  /\b(?:Invalid|Quote|Non-trimable)\b.*\b(?:record|field|quote|delimiter)\b/i, // csv-parse wording
  /\bCSV_[A-Z_]+\b/,
  /\bzod\b|\bZodError\b|\bexpected (?:string|number|object|array|boolean)\b/i,
  /\s{2,}at\s/,
];

/**
 * The CLI's command text (`curvekeep rotate ...`): the app words next steps as buttons, so no view
 * and no message may show it. Lower-case "curvekeep" then a command word, as a shell line reads.
 */
export const COMMAND_LINE = /\bcurvekeep\s+(?:keys|peers|rotate|test|probe|pins|provision|status|audit|serve|devices|doctor|store|workspace|settings|links|--?[a-z])/;

/** Command-line text: a command, a flag, an npm script. */
const COMMAND_TEXT = [COMMAND_LINE, /(?:^|\s)--[a-z][\w-]*/i, /\bnpm (?:run|start|test|install)\b/i, /`[^`]*`/];

/** A path of the file system: POSIX absolute or home-relative, a Windows drive, a UNC share. */
const PATH = /(?:"|')?(?:~\/|\/(?=[\w.-]+\/)|[A-Za-z]:\\|\\\\)[^\s"',;:()]*(?:"|')?/g;

/** Wi-Fi network codes (WIFI:S:name;T:WPA;P:...;;) are a common wrong scan for a peer's key. */
const WIFI = /\bWIFI\b|\bWIFI:/;

function replacePaths(text: string): string {
  return text.replace(PATH, (match) => {
    const bare = match.replace(/^["']|["']$/g, '').replace(/[\\/]+$/, '');
    const looksLikeFolder = /[\\/]$/.test(match.replace(/["']$/, '')) || !/\.[A-Za-z0-9]{1,8}$/.test(bare);
    return looksLikeFolder ? 'the folder' : 'the file';
  });
}

/** "a identity" -> "an identity" (and other vowels), as one fix for every message shown. */
export function fixArticles(text: string): string {
  return text.replace(/\b([Aa]) (?=[aeiouAEIOU])(?!(?:one|once|uni|use|usa|euro|utf)\w*)/g, '$1n ');
}

function sentence(text: string): string {
  let out = text.trim().replace(/\s+/g, ' ');
  if (out === '') return out;
  out = out.charAt(0).toUpperCase() + out.slice(1);
  if (!/[.!?]$/.test(out)) out += '.';
  return out;
}

interface Clause {
  /** What joined it to the clause before: ": ", "; ", ". " (empty for the first). */
  readonly joint: string;
  readonly text: string;
}

/** Splits a message into clauses ("what is wrong: where; why (hint)") so a bad part can go alone. */
function clauses(message: string): Clause[] {
  const parts = message.replace(/\s*\(([^()]*)\)/g, ': $1').split(/((?<=[^:]):\s+|;\s+|\.\s+(?=[A-Za-z]))/);
  const out: Clause[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const text = (parts[i] ?? '').trim();
    const joint = i === 0 ? '' : (parts[i - 1] ?? '').trim() + ' ';
    if (text !== '') out.push({ joint, text });
  }
  return out;
}

function cleanClause(part: string): string | null {
  if (PARSER_TEXT.some((pattern) => pattern.test(part))) return null;
  if (COMMAND_TEXT.some((pattern) => pattern.test(part))) return null;
  const words = part.split(/\s+/);
  if (words.some((word) => CODE_WORDS.has(word.replace(/[^\w-]/g, '')) && word.includes('-'))) return null;
  const withoutPaths = replacePaths(part).trim();
  // A clause that was only a path ("no such file: /tmp/x") says nothing once the path is gone.
  if (/^the (?:file|folder)$/i.test(withoutPaths)) return null;
  return withoutPaths;
}

/** Codes whose core message names the thing and what is wrong with it; it is kept once cleaned. */
const MESSAGE_KEPT = new Set(['invalid-input', 'invalid-key', 'not-found', 'duplicate-name', 'refused', 'network', 'not-owned', 'no-testable-endpoint', 'choose-client-identity', 'ambiguous-server-ref', 'unlisted-endpoint', 'cancelled']);

/**
 * One plain sentence (or two) for the user about `error`: a CallError, an Error, a string or
 * anything thrown. `doing` names what the user asked for ("Testing the link"), shown first ("Testing the link: ...").
 */
export function plainError(error: unknown, doing?: string): string {
  const { code, message } = failureOf(error);
  let text: string;
  if (WIFI.test(message)) {
    text = 'This is a Wi-Fi code, not a ZeroMQ key. Scan the QR code that the peer shows for its ZeroMQ key.';
  } else if (code !== null && code in BY_CODE && !MESSAGE_KEPT.has(code)) {
    text = BY_CODE[code] ?? GENERIC;
  } else {
    let kept = '';
    for (const clause of clauses(message)) {
      const clean = cleanClause(clause.text);
      if (clean === null) continue;
      kept += kept === '' ? clean : `${clause.joint}${clause.joint.startsWith('.') ? clean.charAt(0).toUpperCase() + clean.slice(1) : clean}`;
    }
    text = kept !== '' ? sentence(fixArticles(kept)) : ((code !== null ? BY_CODE[code] : undefined) ?? GENERIC);
  }
  return doing ? `${sentence(doing).replace(/\.$/, '')}: ${text}` : text;
}
