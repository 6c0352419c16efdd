import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { exitCodeFor } from '../../../src-main/cli/errors.js';
import { parseZpl, writeZpl, ZPL_MAX_BYTES, type ZplNode } from '../../../src-main/core/formats/zpl.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');
const leaf = (name: string, value: string | null): ZplNode => ({ name, value, children: [] });
const SECRET = 'FN9[]sW3r.Fu9&kRsU8)JDmjZnB5%H<nQlQQeRf^';

/** The error a parse throws, asserted to be an InvalidInputError. */
function parseError(text: string, source = 'test.cert'): InvalidInputError {
  try {
    parseZpl(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected the parse to fail');
}

describe('parseZpl reads what CZMQ and pyzmq write', () => {
  it('reads a CZMQ secret certificate: comments skipped, every value double-quoted', () => {
    const root = parseZpl(fixture('czmq/gateway-07.cert_secret'), 'gateway-07.cert_secret');
    expect(root.name).toBe('');
    expect(root.value).toBeNull();
    expect(root.children).toEqual([
      { name: 'metadata', value: null, children: [leaf('name', 'gateway-07'), leaf('organization', 'Example Field Ops')] },
      {
        name: 'curve',
        value: null,
        children: [leaf('public-key', 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ'), leaf('secret-key', SECRET)],
      },
    ]);
  });

  it('reads pyzmq metadata written unquoted, and an empty metadata section', () => {
    const secret = parseZpl(fixture('pyzmq/field-laptop.key_secret'), 'field-laptop.key_secret');
    expect(secret.children[0]).toEqual({ name: 'metadata', value: null, children: [leaf('owner', 'ops')] });
    const pub = parseZpl(fixture('pyzmq/field-laptop.key'), 'field-laptop.key');
    expect(pub.children[0]).toEqual(leaf('metadata', null));
    expect(pub.children[1]!.children[0]).toEqual(leaf('public-key', '^vYZh+^[o^P9%zlwy2DFeB)AsDZscJz&[BgAUsuj'));
  });

  it('reads CRLF line ends and a UTF-8 byte order mark', () => {
    const text = `\uFEFF${fixture('czmq/gateway-07.cert').replace(/\n/g, '\r\n')}`;
    expect(parseZpl(text, 'crlf.cert')).toEqual(parseZpl(fixture('czmq/gateway-07.cert'), 'lf.cert'));
  });

  it('reads single quotes, bare values up to a comment, trailing comments and blank lines', () => {
    const text = [
      '# a comment at the top',
      '',
      'main',
      "    single = 'say \"hi\"'   # a comment after a quoted value",
      '    double = "a # inside quotes is kept"',
      '    bare = tcp://127.0.0.7:5555   # comment',
      '    # an indented comment',
      '    spaced=  value with spaces  ',
      '    empty =',
      '    section',
      '        deeper = 1',
      '            deepest = "2"',
      '    after = 3',
      'top = "x"',
      '   ',
    ].join('\n');
    const root = parseZpl(text, 'mixed.zpl');
    expect(root.children).toEqual([
      {
        name: 'main',
        value: null,
        children: [
          leaf('single', 'say "hi"'),
          leaf('double', 'a # inside quotes is kept'),
          leaf('bare', 'tcp://127.0.0.7:5555'),
          leaf('spaced', 'value with spaces'),
          leaf('empty', ''),
          { name: 'section', value: null, children: [{ name: 'deeper', value: '1', children: [leaf('deepest', '2')] }] },
          leaf('after', '3'),
        ],
      },
      leaf('top', 'x'),
    ]);
  });

  it('accepts every name character zconfig accepts', () => {
    expect(parseZpl('a$-_@.&+/b9 = 1\n', 'names.zpl').children[0]!.name).toBe('a$-_@.&+/b9');
  });

  it('reads an empty file as an empty tree', () => {
    expect(parseZpl('', 'empty.zpl').children).toEqual([]);
    expect(parseZpl('# only a comment\r\n\r\n', 'comment.zpl').children).toEqual([]);
  });
});

describe('parseZpl names every problem with its source and line', () => {
  it.each([
    ['an indent that is not a multiple of 4', 'curve\n   public-key = "x"\n', 2, /indented 3 spaces; ZPL indents 4 spaces per level/],
    ['a tab indent', 'curve\n\tpublic-key = "x"\n', 2, /indented with a tab/],
    ['a line indented two levels below its parent', 'curve\n        public-key = "x"\n', 2, /indented too deep: 8 spaces where at most 4 fit/],
    ['a first line that is indented', '    public-key = "x"\n', 1, /indented too deep: 4 spaces where at most 0 fit/],
    ['a line starting with a bad name character', 'metadata\n    !name = "x"\n', 2, /expected a name at column 5/],
    ['a name with a bad character inside', 'metadata\n    na!me = "x"\n', 2, /unexpected character at column 7 after the name "na"/],
    ['a name with a space inside', 'metadata\n\n    my name = x\n', 3, /unexpected character at column 8 after the name "my"/],
    ['a name starting with /', '/curve\n', 1, /may not start or end with '\/'/],
    ['an unterminated double quote', 'curve\n    public-key = "abc\n', 2, /unterminated quote: the value of "public-key" has no closing "/],
    ['an unterminated single quote', "curve\n    public-key = 'abc\n", 2, /unterminated quote.*no closing '/],
    ['text after a closing quote', 'curve\n    public-key = "abc" junk\n', 2, /unexpected text after the closing quote of "public-key" at column 24/],
    ['a NUL byte', 'metadata\ncurve\n    public-key = "a\u0000b"\n', 3, /a NUL byte; this looks like a binary file/],
    ['a control character', 'metadata\n\u0001\n', 2, /control character 0x01; this looks like a binary file/],
    ['bytes that were not UTF-8', 'metadata\n    name = "\uFFFD\uFFFD"\n', 2, /not UTF-8 text/],
    ['CRLF with a bad indent', 'curve\r\n  x = 1\r\n', 2, /indented 2 spaces/],
  ])('%s', (_what, text, line, pattern) => {
    const error = parseError(text, 'bad.cert');
    expect(error.message).toMatch(new RegExp(`^bad\\.cert, line ${line}: `));
    expect(error.message).toMatch(pattern);
    expect(exitCodeFor(error)).toBe(2);
  });

  it('refuses input over 64 KiB, counting UTF-8 bytes', () => {
    const big = `metadata\n    note = "${'x'.repeat(ZPL_MAX_BYTES)}"\n`;
    expect(parseError(big, 'huge.cert').message).toMatch(/^huge\.cert is too large \(\d+ bytes; at most 64 KiB/);
    // 40,000 three-byte characters: fewer than 64 Ki UTF-16 units, more than 64 KiB of UTF-8.
    const wide = `metadata\n    note = "${'€'.repeat(40_000)}"\n`;
    expect(wide.length).toBeLessThan(ZPL_MAX_BYTES);
    expect(parseError(wide, 'wide.cert').message).toMatch(/too large \(120\d\d\d bytes/);
    // Exactly at the limit is still read.
    const edge = `a = "${'y'.repeat(ZPL_MAX_BYTES - 7)}"\n`;
    expect(Buffer.byteLength(edge)).toBe(ZPL_MAX_BYTES);
    expect(parseZpl(edge, 'edge.zpl').children).toHaveLength(1);
  });

  it('never repeats the text of a bad line, which may hold a secret key', () => {
    const lines = [
      `curve\n    secret-key = "${SECRET}\n`,
      `curve\n    secret-key = "${SECRET}" ${SECRET}\n`,
      `curve\n   secret-key = "${SECRET}"\n`,
      `curve\n    secret-key "${SECRET}"\n`,
      `curve\n    ${SECRET} = 1\n`,
      `curve\n    secret-key = "${SECRET}\u0000"\n`,
      `curve\n            secret-key = "${SECRET}"\n`,
    ];
    for (const text of lines) {
      const message = parseError(text).message;
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(SECRET.slice(0, 8));
    }
  });
});

describe('writeZpl', () => {
  const tree: ZplNode[] = [
    { name: 'metadata', value: null, children: [leaf('name', 'gateway 07'), leaf('note', 'a # b'), leaf('empty', '')] },
    { name: 'curve', value: null, children: [leaf('public-key', 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ')] },
  ];

  it('writes as CZMQ does: 4-space indent, every value double-quoted, comments then a blank line', () => {
    expect(writeZpl(tree, { comments: ['   first', '   second'] })).toBe(
      [
        '#   first',
        '#   second',
        '',
        'metadata',
        '    name = "gateway 07"',
        '    note = "a # b"',
        '    empty = ""',
        'curve',
        '    public-key = "GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ"',
        '',
      ].join('\n'),
    );
  });

  it('writes bare values when asked, quoting only what would read back differently', () => {
    const text = writeZpl(
      [leaf('plain', 'ops team'), leaf('hash', 'a#b'), leaf('lead', ' x'), leaf('trail', 'x '), leaf('quote', '"x'), leaf('empty', '')],
      { quoting: 'when-needed' },
    );
    expect(text).toBe('plain = ops team\nhash = "a#b"\nlead = " x"\ntrail = "x "\nquote = \'"x\'\nempty = ""\n');
    expect(parseZpl(text, 'bare.zpl').children.map((node) => node.value)).toEqual(['ops team', 'a#b', ' x', 'x ', '"x', '']);
  });

  it('writes a root node (name "") as its children', () => {
    expect(writeZpl({ name: '', value: null, children: tree })).toBe(writeZpl(tree));
  });

  it('refuses what ZPL cannot hold, without repeating the value', () => {
    expect(() => writeZpl([leaf('bad name', 'x')])).toThrow(InvalidInputError);
    expect(() => writeZpl([leaf('/lead', 'x')])).toThrow(/not '\/' first or last/);
    expect(() => writeZpl([leaf('', 'x')])).toThrow(InvalidInputError);
    const both = () => writeZpl([{ name: 'curve', value: null, children: [leaf('secret-key', `${SECRET}'"`)] }]);
    expect(both).toThrow(/the value of curve\/secret-key holds both ' and " quotes/);
    const newline = () => writeZpl([leaf('secret-key', `${SECRET}\nx`)]);
    expect(newline).toThrow(/line break or control character/);
    for (const write of [both, newline]) {
      try {
        write();
      } catch (error) {
        expect((error as Error).message).not.toContain(SECRET);
      }
    }
    expect(() => writeZpl([], { comments: ['two\nlines'] })).toThrow(/line break/);
  });

  it('round-trips any tree of valid names and values, in both quoting styles', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9$\-_@.&+]([A-Za-z0-9$\-_@.&+/]{0,10}[A-Za-z0-9$\-_@.&+])?$/);
    const value = fc.option(
      fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', '#', '"', "'", '=', '\t', 'é', '€', '$', '/'), maxLength: 12 }).filter((v) => !(v.includes('"') && v.includes("'"))),
      { nil: null },
    );
    const level = (children: fc.Arbitrary<ZplNode[]>): fc.Arbitrary<ZplNode> => fc.record({ name, value, children });
    const deepest = level(fc.constant([]));
    const middle = level(fc.array(deepest, { maxLength: 3 }));
    const node = level(fc.array(middle, { maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(node, { maxLength: 4 }), fc.constantFrom('always' as const, 'when-needed' as const), (nodes, quoting) => {
        const text = writeZpl(nodes, { quoting });
        expect(parseZpl(text, 'roundtrip.zpl').children).toEqual(nodes);
      }),
      { numRuns: 300 },
    );
  });
});
