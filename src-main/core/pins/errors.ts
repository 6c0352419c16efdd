// The pins area's refusals as types with the facts a face needs to phrase them; the messages
// name no command (the CLI adds `curvekeep ...`, the page a button).
import type { CertificateRole, PinExportFormat } from '../../common/pins.js';
import { NotFoundError, RefusedError } from '../errors.js';
import type { ChainCertificate } from './pin.js';

/** A set without a backup pin bricks every client at the next key change. */
export class BackupPinRequiredError extends RefusedError {
  readonly reason = 'backup-pin-required';
  constructor(
    readonly host: string,
    /** The set was to pin the live chain (no way to accept the risk there). */
    readonly fromLive: boolean,
  ) {
    super(
      fromLive
        ? `pinning the live chain of ${host} needs a backup pin too: the pin of a key held in reserve for the next certificate`
        : `a pin set for ${host} without a backup pin bricks every client at the next key change; make a backup key and add its pin, or accept the risk explicitly`,
    );
  }
}

/** Pinning what the server presents now needs the user to confirm the chain shown. */
export class LiveChainUnconfirmedError extends RefusedError {
  readonly reason = 'live-chain-unconfirmed';
  constructor(
    readonly endpoint: string,
    readonly trusted: boolean,
    readonly trustError: string | null,
    readonly chain: ReadonlyArray<ChainCertificate>,
  ) {
    super(
      `not pinned: pinning what ${endpoint} presents now trusts this very connection (a man in the middle would be pinned too; ` +
        `chain ${trusted ? 'trusted' : `NOT trusted: ${trustError}`}); compare these pins with what the server's admin expects, then confirm:\n` +
        chain.map((c) => `  ${c.role.padEnd(12)} ${c.pin}  ${c.subject}`).join('\n'),
    );
  }
}

export class PinSetNotFoundError extends NotFoundError {
  readonly reason = 'no-pin-set';
  constructor(readonly host: string) {
    super(`no pin set for ${host}`);
  }
}

export class NoBackupToPromoteError extends RefusedError {
  readonly reason = 'no-backup-to-promote';
  constructor(readonly host: string) {
    super(`the pin set for ${host} has no backup pin to promote; set new pins instead`);
  }
}

/** The format's client cannot check any active pin of the set (e.g. curl checks only the leaf). */
export class PinExportRefusedError extends RefusedError {
  readonly reason = 'roles-not-pinnable';
  constructor(
    readonly host: string,
    readonly format: PinExportFormat,
    /** The roles the format's client can pin. */
    readonly pinnable: ReadonlyArray<CertificateRole>,
    /** The roles of the set's active pins. */
    readonly activeRoles: ReadonlyArray<CertificateRole>,
  ) {
    super(
      `the active pins of ${host} are all ${[...new Set(activeRoles)].join('/')} (CA) pins, and ${format} checks only ${pinnable.join('/')} keys: ` +
        `every connection would fail its pin check; pin the leaf key for ${format} (or use a format whose client takes CA pins: okhttp, android, hpkp)`,
    );
  }
}
