// Typed errors of the workspace store side (the connection's own errors live in connection.ts).
import { CurvekeepError } from '../errors.js';

/** A row the change wanted to write was changed (or added, or removed) by someone else since it was read. */
export class WorkspaceConflictError extends CurvekeepError {
  readonly code = 'workspace-conflict';
  constructor(
    message: string,
    readonly fields: { readonly table: string; readonly subject: string; readonly changedBy: string | null; readonly changedAt: string | null },
  ) {
    super(message);
  }
}

/** An operation of the local data folder (reseal, doctor's repairs) asked of a team workspace. */
export class NotForWorkspaceError extends CurvekeepError {
  readonly code = 'not-for-workspace';
  constructor(readonly operation: string) {
    super(`${operation} is for a local data folder, not for a team workspace (the database keeps the workspace's data)`);
  }
}

/** This login cannot sign audit entries: not a member, or its registered signing key is not in this keychain. */
export class SigningKeyError extends CurvekeepError {
  readonly code = 'workspace-signing-key';
}

/** The workspace holds data already (workspace import without its --force). */
export class WorkspaceNotEmptyError extends CurvekeepError {
  readonly code = 'workspace-not-empty';
}
