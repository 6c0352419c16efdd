// Typed errors. Each carries what the user needs to fix the input and never a secret.
// `exitCode` follows CLI.md: 1 a check failed, 2 bad usage or input, 3 environment problem.

export abstract class CurvekeepError extends Error {
  abstract readonly code: string;
  readonly exitCode: 1 | 2 | 3 = 2;

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

/** A check ran and failed (a bad verdict, a pin mismatch, a broken audit chain). */
export class CheckFailedError extends CurvekeepError {
  readonly code = 'check-failed';
  override readonly exitCode = 1;
}

export class KeychainUnavailableError extends CurvekeepError {
  readonly code = 'keychain-unavailable';
  override readonly exitCode = 3;
}

export class DataFolderError extends CurvekeepError {
  readonly code = 'data-folder';
  override readonly exitCode = 3;
}

export class StoreCorruptError extends CurvekeepError {
  readonly code = 'store-corrupt';
  override readonly exitCode = 3;
}

export class StoreTamperedError extends CurvekeepError {
  readonly code = 'store-tampered';
  override readonly exitCode = 3;
}

export class StoreBusyError extends CurvekeepError {
  readonly code = 'store-busy';
  override readonly exitCode = 3;
}

export class NetworkError extends CurvekeepError {
  readonly code = 'network';
  override readonly exitCode = 1;
}

export function isCurvekeepError(error: unknown): error is CurvekeepError {
  return error instanceof CurvekeepError;
}

/** The document is older than the revision sealed in the keychain: an older copy was put back. */
export class StoreRolledBackError extends CurvekeepError {
  readonly code = 'store-rolled-back';
  override readonly exitCode = 3;
  constructor(message: string, readonly fields: { readonly file: string; readonly revision: number; readonly sealedRevision: number }) {
    super(message);
  }
}

/** The document is gone although the keychain holds the seal of a written one. */
export class StoreMissingError extends CurvekeepError {
  readonly code = 'store-missing';
  override readonly exitCode = 3;
  constructor(message: string, readonly fields: { readonly file: string; readonly sealedRevision: number | null }) {
    super(message);
  }
}

/** The audit log has entries but its seal key is gone from the keychain; it is never replaced silently. */
export class AuditKeyMissingError extends CurvekeepError {
  readonly code = 'audit-key-missing';
  override readonly exitCode = 3;
}

/** The keychain is there but locked: nothing was read or changed. */
export class KeychainLockedError extends CurvekeepError {
  readonly code = 'keychain-locked';
  override readonly exitCode = 3;
}
