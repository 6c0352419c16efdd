// The schema version of the metadata document, apart from its zod schemas so that opening a
// store (which every command does) does not load the validator until a document is read.
export const SCHEMA_VERSION = 2;
