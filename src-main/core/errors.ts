// Typed errors: a code (and fields where a face needs them), with a plain message that names what
// is wrong and never holds a secret or a command to type. Each face words them: the CLI maps codes
// to exit codes and next commands (cli/errors.ts), the IPC hands code and message to the page.

export abstract class CurvekeepError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidKeyError extends CurvekeepError {
  readonly code = 'invalid-key';
}

export class InvalidInputError extends CurvekeepError {
  readonly code = 'invalid-input';
}

export class NotFoundError extends CurvekeepError {
  readonly code = 'not-found';
}

export class DuplicateNameError extends CurvekeepError {
  readonly code = 'duplicate-name';
}

export class RefusedError extends CurvekeepError {
  readonly code = 'refused';
}

export class KeychainUnavailableError extends CurvekeepError {
  readonly code = 'keychain-unavailable';
}

export class DataFolderError extends CurvekeepError {
  readonly code = 'data-folder';
}

export class StoreCorruptError extends CurvekeepError {
  readonly code = 'store-corrupt';
}

export class StoreTamperedError extends CurvekeepError {
  readonly code = 'store-tampered';
}

export class StoreBusyError extends CurvekeepError {
  readonly code = 'store-busy';
}

export class NetworkError extends CurvekeepError {
  readonly code = 'network';
}

export function isCurvekeepError(error: unknown): error is CurvekeepError {
  return error instanceof CurvekeepError;
}

/** The document is older than the revision sealed in the keychain: an older copy was put back. */
export class StoreRolledBackError extends CurvekeepError {
  readonly code = 'store-rolled-back';
  constructor(message: string, readonly fields: { readonly file: string; readonly revision: number; readonly sealedRevision: number }) {
    super(message);
  }
}

/** The document is gone although the keychain holds the seal of a written one. */
export class StoreMissingError extends CurvekeepError {
  readonly code = 'store-missing';
  constructor(message: string, readonly fields: { readonly file: string; readonly sealedRevision: number | null }) {
    super(message);
  }
}

/** The audit log has entries but its seal key is gone from the keychain; it is never replaced silently. */
export class AuditKeyMissingError extends CurvekeepError {
  readonly code = 'audit-key-missing';
}

/** The keychain is there but locked: nothing was read or changed. */
export class KeychainLockedError extends CurvekeepError {
  readonly code = 'keychain-locked';
}
