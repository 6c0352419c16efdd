// ZPL (ZeroMQ RFC 4) as CZMQ's zconfig reads and writes it: the text of zcert and pyzmq
// certificate files and of the QR payload. The reader follows zconfig_chunk_load line by line
// (4-space indents, `name = "value"`, `name = 'value'`, `name = value`, `#` comments) but names
// every problem with its line, where CZMQ only logs it and returns nothing.
import { InvalidInputError } from '../errors.js';

export interface ZplNode {
  readonly name: string;
  /** null for a bare name (a section such as `curve`); a string for `name = value`. */
  readonly value: string | null;
  readonly children: ReadonlyArray<ZplNode>;
}

export interface ZplWriteOptions {
  /** Comment lines written first, each as `#` + text, followed by one blank line (as zconfig_save does). */
  readonly comments?: ReadonlyArray<string>;
  /**
   * `always`: every value in double quotes, as CZMQ writes (single quotes when the value holds a
   * double quote). `when-needed`: bare values, as pyzmq writes metadata, quoted only when a bare
   * value would read back differently.
   */
  readonly quoting?: 'always' | 'when-needed';
}

/** Certificate files and QR payloads are small; anything larger is not one of them. */
export const ZPL_MAX_BYTES = 64 * 1024;

const INDENT = 4;
// zconfig's s_is_namechar: alphanumerics and $ - _ @ . & + /
const NAME = /^[A-Za-z0-9$\-_@.&+/]+$/;
// Control characters other than tab, CR and LF do not occur in a text file.
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const BINARY_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

interface MutableNode {
  name: string;
  value: string | null;
  children: MutableNode[];
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Refuses what cannot be a ZPL text file: too large, binary, or not UTF-8. */
export function checkTextInput(text: string, source: string, maxBytes = ZPL_MAX_BYTES): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    throw new InvalidInputError(
      `${source} is too large (${bytes} bytes; at most ${maxBytes / 1024} KiB is accepted): it is not a key or certificate file`,
    );
  }
  const binary = BINARY_CHAR.exec(text);
  if (binary) {
    const what = binary[0] === '\u0000' ? 'a NUL byte' : `control character 0x${binary[0].charCodeAt(0).toString(16).padStart(2, '0')}`;
    throw new InvalidInputError(
      `${source}, line ${lineOf(text, binary.index)}: ${what}; this looks like a binary file, not a text key or certificate file`,
    );
  }
  const replacement = text.indexOf('\uFFFD');
  if (replacement >= 0) {
    throw new InvalidInputError(
      `${source}, line ${lineOf(text, replacement)}: bytes that are not UTF-8 text; this looks like a binary file, not a text key or certificate file`,
    );
  }
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

/** `text` without the spaces and tabs at its end. */
function trimBlanksEnd(text: string): string {
  let end = text.length;
  while (end > 0 && isSpace(text[end - 1])) end--;
  return end === text.length ? text : text.slice(0, end);
}

const NAME_AT = /[A-Za-z0-9$\-_@.&+/]+/y;
const LINE_BREAK = /\r\n|\n|\r/;

/** Parses ZPL text into a tree under a root node named ''. `source` names the input in errors. */
export function parseZpl(text: string, source: string): ZplNode {
  checkTextInput(text, source);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const root: MutableNode = { name: '', value: null, children: [] };
  // open[d] is the latest node at depth d (the root is depth 0): zconfig_at_depth.
  const open: MutableNode[] = [root];
  const lines = body.split(LINE_BREAK);
  let lineNo = 0;
  const fail = (problem: string): never => {
    throw new InvalidInputError(`${source}, line ${lineNo}: ${problem}`);
  };
  // A plain loop, with no closure made per line: certificate files are read by the thousand.
  for (let index = 0; index < lines.length; index++) {
    lineNo = index + 1;
    const line = trimBlanksEnd(lines[index]!);
    if (line === '') continue;

    let column = 0;
    while (line[column] === ' ') column++;
    if (line[column] === '\t') fail('indented with a tab; ZPL indents with 4 spaces per level');
    if (line[column] === '#') continue;
    if (column % INDENT !== 0) {
      fail(`indented ${column} spaces; ZPL indents 4 spaces per level`);
    }
    const level = column / INDENT;

    NAME_AT.lastIndex = column;
    const nameMatch = NAME_AT.exec(line);
    if (!nameMatch) {
      // Only the column is named: the rest of the line may be a key.
      fail(`expected a name at column ${column + 1} (names use letters, digits and $ - _ @ . & + /)`);
    }
    const name = nameMatch![0];
    if (name.startsWith('/') || name.endsWith('/')) fail(`the name ${JSON.stringify(name)} may not start or end with '/'`);
    let pos = column + name.length;

    while (isSpace(line[pos])) pos++;
    let value: string | null = null;
    if (line[pos] === '=') {
      pos++;
      while (isSpace(line[pos])) pos++;
      const quote = line[pos];
      if (quote === '"' || quote === "'") {
        const end = line.indexOf(quote, pos + 1);
        if (end < 0) fail(`unterminated quote: the value of ${JSON.stringify(name)} has no closing ${quote}`);
        value = line.slice(pos + 1, end);
        pos = end + 1;
        while (isSpace(line[pos])) pos++;
        if (pos < line.length && line[pos] !== '#') {
          fail(`unexpected text after the closing quote of ${JSON.stringify(name)} at column ${pos + 1}`);
        }
      } else {
        // A bare value runs to a comment or the end of the line (trailing blanks dropped).
        const hash = line.indexOf('#', pos);
        value = hash < 0 ? line.slice(pos) : trimBlanksEnd(line.slice(pos, hash));
      }
    } else if (pos < line.length && line[pos] !== '#') {
      fail(
        `unexpected character at column ${pos + 1} after the name ${JSON.stringify(name)} (names use letters, digits and $ - _ @ . & + /; a value follows '=')`,
      );
    }

    if (level > open.length - 1) {
      fail(`indented too deep: ${column} spaces where at most ${(open.length - 1) * INDENT} fit (a child is indented 4 spaces below its parent)`);
    }
    const parent = open[level]!;
    const node: MutableNode = { name, value, children: [] };
    parent.children.push(node);
    open.length = level + 1;
    open.push(node);
  }
  return root;
}

function quoteValue(value: string, what: string, quoting: 'always' | 'when-needed'): string {
  if (quoting === 'when-needed' && value !== '' && !/^[\s"']/.test(value) && !/\s$/.test(value) && !value.includes('#')) {
    return value;
  }
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  throw new InvalidInputError(`${what} holds both ' and " quotes; ZPL cannot write such a value`);
}

function writeNode(node: ZplNode, depth: number, quoting: 'always' | 'when-needed', out: string[], path: string): void {
  const where = path ? `${path}/${node.name}` : node.name;
  if (!NAME.test(node.name) || node.name.startsWith('/') || node.name.endsWith('/')) {
    throw new InvalidInputError(
      `the name ${JSON.stringify(node.name)} cannot be written in ZPL: use letters, digits and $ - _ @ . & + / (not '/' first or last)`,
    );
  }
  const indent = ' '.repeat(depth * INDENT);
  if (node.value === null) {
    out.push(`${indent}${node.name}`);
  } else {
    // The value itself is never repeated in a message: it may be a secret key.
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    if (/[\u0000-\u0008\u000A-\u001F\u007F]/.test(node.value)) {
      throw new InvalidInputError(`the value of ${where} holds a line break or control character; ZPL cannot write it`);
    }
    out.push(`${indent}${node.name} = ${quoteValue(node.value, `the value of ${where}`, quoting)}`);
  }
  for (const child of node.children) writeNode(child, depth + 1, quoting, out, where);
}

/** Writes nodes (or a root node named '' and its children) as ZPL text with `\n` line ends. */
export function writeZpl(nodes: ZplNode | ReadonlyArray<ZplNode>, options: ZplWriteOptions = {}): string {
  const top: ReadonlyArray<ZplNode> = 'name' in nodes ? (nodes.name === '' ? nodes.children : [nodes]) : nodes;
  const out: string[] = [];
  if (options.comments && options.comments.length > 0) {
    for (const comment of options.comments) {
      if (/[\r\n]/.test(comment)) throw new InvalidInputError('a ZPL comment cannot hold a line break');
      out.push(`#${comment}`);
    }
    out.push('');
  }
  for (const node of top) writeNode(node, 0, options.quoting ?? 'always', out, '');
  return out.map((line) => `${line}\n`).join('');
}

/** The first child named `name`, if any. */
export function zplChild(node: ZplNode, name: string): ZplNode | undefined {
  return node.children.find((child) => child.name === name);
}
