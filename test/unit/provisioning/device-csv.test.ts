// The device CSV: columns by name in any order and case, BOM, quoted cells, per-row checks.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { checkDeviceRow, readDeviceRows, splitTags } from '../../../src-main/core/provisioning/device-csv.js';

describe('readDeviceRows', () => {
  it('reads columns by name, numbers rows by file line, and ignores extra columns', () => {
    const key = generateKeyPair().publicKey;
    const rows = readDeviceRows(`\uFEFFLocation,Public Key,NAME\r\n"Hall 1, north",${key},valve-1\r\n\r\nhall 2,,valve-2\r\n`, 'd.csv');
    expect(rows).toEqual([
      { row: 2, name: 'valve-1', endpoint: '', tags: '', publicKey: key },
      { row: 4, name: 'valve-2', endpoint: '', tags: '', publicKey: '' },
    ]);
  });

  it('refuses a file without a name column, or one that is not CSV', () => {
    expect(() => readDeviceRows('device,endpoint\nx,y\n', 'd.csv')).toThrow(/no "name" column/);
    expect(() => readDeviceRows('', 'd.csv')).toThrow(InvalidInputError);
    expect(() => readDeviceRows('name\n"unclosed\n', 'd.csv')).toThrow(/not a readable CSV file/);
  });
});

describe('checkDeviceRow', () => {
  const row = { row: 5, name: 'valve-1', endpoint: '', tags: 'a;b c', publicKey: '' };

  it('takes the default endpoint and splits tags', () => {
    expect(checkDeviceRow(row, 'tcp://127.0.0.1:5555')).toEqual({ row: 5, name: 'valve-1', endpoint: 'tcp://127.0.0.1:5555', tags: ['a', 'b', 'c'], publicKey: null });
    expect(splitTags('x|y, z')).toEqual(['x', 'y', 'z']);
  });

  it('gives the reason of a bad row', () => {
    expect(() => checkDeviceRow({ ...row, name: '' }, 'tcp://h:1')).toThrow('name is missing');
    expect(() => checkDeviceRow({ ...row, name: '../etc' }, 'tcp://h:1')).toThrow(/device name "..\/etc" is not allowed/);
    expect(() => checkDeviceRow(row, null)).toThrow(/no endpoint/);
    expect(() => checkDeviceRow({ ...row, endpoint: 'http//x' }, null)).toThrow(/endpoint "http\/\/x" is not valid/);
    expect(() => checkDeviceRow({ ...row, publicKey: 'short' }, 'tcp://h:1')).toThrow(/public_key "short" must be 40 Z85 characters/);
    expect(() => checkDeviceRow({ ...row, tags: 'ok bad/tag' }, 'tcp://h:1')).toThrow(/tag "bad\/tag"/);
  });
});
