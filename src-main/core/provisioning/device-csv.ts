// The device inventory CSV of bulk provisioning: columns `name` (required), `endpoint`,
// `tags`, `public_key`; other columns are ignored (inventories carry more). A bad row fails
// alone, with its reason; a file that is not CSV at all, or has no `name` column, fails whole.
import { parse } from 'csv-parse/sync';
import { type PublicKey, parsePublicKey } from '../curve/keys.js';
import { InvalidInputError } from '../errors.js';
import { readCsvCell } from '../formats/csv-cell.js';
import { checkEndpoint, checkName, checkTag } from '../names.js';

export interface DeviceRow {
  /** The line of the file the row ends on (the header is line 1), as a spreadsheet numbers it. */
  readonly row: number;
  readonly name: string;
  readonly endpoint: string;
  readonly tags: string;
  readonly publicKey: string;
}

export interface CheckedDevice {
  readonly row: number;
  readonly name: string;
  readonly endpoint: string;
  readonly tags: ReadonlyArray<string>;
  /** The device made its own key: no secret is made or handled for it. */
  readonly publicKey: PublicKey | null;
}

const KNOWN = ['name', 'endpoint', 'tags', 'public_key'];

export function readDeviceRows(text: string, source: string): ReadonlyArray<DeviceRow> {
  let records: Array<{ record: Record<string, string | undefined>; info: { lines: number } }>;
  let columns: string[] = [];
  try {
    records = parse(text, {
      columns: (header: string[]) => (columns = header.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'))),
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
      info: true,
    });
  } catch (error) {
    throw new InvalidInputError(`${source} is not a readable CSV file: ${(error as Error).message}; nothing was provisioned`);
  }
  if (!columns.includes('name')) {
    // The columns found, so that the user sees at once what the file has (a path stays out of the app's message: `source` is the name the user knows).
    const found = columns.filter((c) => c !== '');
    throw new InvalidInputError(
      `the file ${source} has no "name" column: its columns are ${found.length ? found.join(', ') : '(none)'}; expected ${KNOWN.join(', ')} (name is required)`,
    );
  }
  // A cell Curvekeep escaped for spreadsheets (formats/csv-cell.ts) is read back as it was.
  const cell = (value: string | undefined): string => readCsvCell((value ?? '').trim()).trim();
  return records.map(({ record, info }) => ({
    row: info.lines,
    name: cell(record.name),
    endpoint: cell(record.endpoint),
    tags: cell(record.tags),
    publicKey: cell(record.public_key),
  }));
}

/** Tags in one cell, separated by spaces, `;` or `|` (a comma would need quoting in CSV). */
export function splitTags(cell: string): string[] {
  return cell.split(/[\s;|,]+/).filter((t) => t !== '').map(checkTag);
}

/**
 * Checks one row on its own. `defaultEndpoint` is the --endpoint flag or the server's endpoint.
 * Throws InvalidInputError/InvalidKeyError with the reason for results.csv.
 */
export function checkDeviceRow(row: DeviceRow, defaultEndpoint: string | null): CheckedDevice {
  if (row.name === '') throw new InvalidInputError('name is missing');
  const name = checkName(row.name, 'device');
  const endpointText = row.endpoint || defaultEndpoint;
  if (!endpointText) throw new InvalidInputError('no endpoint: give one in the endpoint column, or --endpoint for every row');
  const endpoint = checkEndpoint(endpointText);
  const tags = splitTags(row.tags);
  const publicKey = row.publicKey === '' ? null : parsePublicKey(row.publicKey, 'public_key');
  return { row: row.row, name, endpoint, tags, publicKey };
}
