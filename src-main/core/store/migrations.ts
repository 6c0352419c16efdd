// Migrations between schema versions, from the first release on: MIGRATIONS[n] turns a version-n
// document body into a version-(n+1) body. Version 1 is the first; none are needed yet.
import { StoreCorruptError } from '../errors.js';
import { SCHEMA_VERSION } from './schema-version.js';

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

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
