// `curvekeep pins ...`: TLS certificate pins (CLI.md). Each command parses its arguments, calls
// the pins use case (core/usecases/pins.ts) and phrases the result; the use case is imported
// inside each action so that `--help` and usage errors load nothing of it.
import type { Command } from 'commander';
import { CERTIFICATE_ROLES, type CertificateRole, type FindingData, describeFinding } from '../../common/pins.js';
import { CurvekeepError } from '../../core/errors.js';
import type { ChainCertificate } from '../../core/pins/pin.js';
import type { TlsTarget } from '../../core/pins/tls-chain.js';
import { exitCodeFor } from '../errors.js';
import { UsageError, action, collect, table } from '../runner.js';

interface ConnectOptions {
  readonly servername?: string;
  readonly ca?: ReadonlyArray<string>;
  readonly timeout?: string;
}

async function readInput(path: string, what: string): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  const { InvalidInputError } = await import('../../core/errors.js');
  try {
    return await readFile(path);
  } catch (error) {
    throw new InvalidInputError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The `--ca` files of the command or of the program (CLI.md names `--ca` a convention). */
function caFiles(command: Command, own: ConnectOptions): string[] {
  const global = (command.optsWithGlobals() as { ca?: string | string[] }).ca;
  const all = [...(own.ca ?? []), ...(Array.isArray(global) ? global : global ? [global] : [])];
  return [...new Set(all)];
}

async function target(endpoint: string, options: ConnectOptions, command: Command): Promise<TlsTarget> {
  const { parseEndpoint } = await import('../../core/pins/tls-chain.js');
  const { host, port } = parseEndpoint(endpoint);
  const files = caFiles(command, options);
  const ca = await Promise.all(files.map((file) => readInput(file, '--ca file')));
  if (ca.length > 0) {
    // A bad --ca file is bad input (exit 2), not a network failure.
    const { certificatesOfBundle } = await import('../../core/pins/pin.js');
    files.forEach((file, i) => certificatesOfBundle(ca[i]!, `--ca file ${file}`));
  }
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    timeoutMs = Number(options.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) throw new UsageError(`--timeout ${options.timeout} must be milliseconds between 1 and 600000`);
  }
  return { host, port, ...(options.servername ? { servername: options.servername } : {}), ...(ca.length ? { ca } : {}), ...(timeoutMs ? { timeoutMs } : {}) };
}

/** A typed refusal of the pins core, worded with the command that fixes it; code and exit code kept. */
class PhrasedError extends CurvekeepError {
  readonly code: string;
  readonly exitCode: 1 | 2 | 3;
  constructor(error: CurvekeepError, message: string) {
    super(message);
    this.code = error.code;
    this.exitCode = exitCodeFor(error);
  }
}

async function phrased<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const e = await import('../../core/pins/errors.js');
    if (error instanceof e.BackupPinRequiredError) {
      throw new PhrasedError(
        error,
        error.fromLive
          ? `pinning the live chain needs a backup pin too: make one with \`curvekeep pins backup-key ${error.host}\` and pass it with --backup-pin`
          : `a pin set for ${error.host} without a backup pin bricks every client at the next key change; ` +
              `make a backup key with \`curvekeep pins backup-key ${error.host}\` and pass its pin with --backup-pin, or pass --no-backup if you accept the risk`,
      );
    }
    if (error instanceof e.LiveChainUnconfirmedError) throw new PhrasedError(error, `${error.message}\nre-run with --yes once they match`);
    if (error instanceof e.PinSetNotFoundError) throw new PhrasedError(error, `${error.message}; \`curvekeep pins list\` shows the hosts that have one`);
    if (error instanceof e.PinExportRefusedError) {
      throw new PhrasedError(error, `${error.message} (\`curvekeep pins set ${error.host} --from-live HOST:PORT --roles leaf --backup-pin ...\` pins the leaf)`);
    }
    throw error;
  }
}

function chainTable(certificates: ReadonlyArray<ChainCertificate>): string {
  return table([
    ['ROLE', 'SUBJECT', 'ISSUER', 'VALID', 'KEY', 'PIN'],
    ...certificates.map((c) => [c.role, c.subject, c.issuer, `${c.validFrom.slice(0, 10)}..${c.validTo.slice(0, 10)}`, c.keyType, c.pin]),
  ]);
}

const MARK: Readonly<Record<FindingData['severity'], string>> = { ok: 'ok     ', info: 'info   ', warning: 'WARNING', error: 'ERROR  ' };

/** A finding as the JSON output carries it: the data, and its words. */
function phrasedFinding(f: FindingData) {
  return { ...f, ...describeFinding(f) };
}

function findingLines(findings: ReadonlyArray<FindingData>): string {
  return findings
    .map((f) => {
      const { message, advice } = describeFinding(f);
      return `${MARK[f.severity]}  ${f.check.padEnd(15)}  ${message}${advice && f.severity !== 'ok' && f.severity !== 'info' ? `: ${advice}` : ''}`;
    })
    .join('\n');
}

function addConnectOptions(command: Command): Command {
  return command
    .option('--servername <name>', 'SNI name, and the name the certificate must match (default: HOST)')
    .option('--ca <file>', 'trust an extra root CA (PEM), e.g. of a private PKI; repeatable', collect)
    .option('--timeout <ms>', 'limit for connect and handshake of each connection (default 10000)');
}

function parseRoles(text: string): CertificateRole[] {
  const roles = text.split(',').map((r) => r.trim());
  const unknown = roles.find((r) => !(CERTIFICATE_ROLES as ReadonlyArray<string>).includes(r));
  if (unknown) throw new UsageError(`--roles: ${JSON.stringify(unknown)} is not ${CERTIFICATE_ROLES.join(', ')}`);
  return roles as CertificateRole[];
}

export function registerPins(program: Command): void {
  const pins = program.command('pins').description('TLS certificate pins: compute, pin sets, live check, backup keys, exports');

  addConnectOptions(
    pins
      .command('compute')
      .description('the chain with subject, issuer, validity and sha256/ pin of each certificate')
      .option('--cert <file>', 'a certificate or chain file (PEM or DER); a CSR or a public key is read too')
      .option('--host <host:port>', 'a live TLS endpoint'),
  ).action(
    action(async (_ctx, options: ConnectOptions & { cert?: string; host?: string }, command: Command) => {
      if (Boolean(options.cert) === Boolean(options.host)) throw new UsageError('pins compute needs exactly one of --cert FILE or --host HOST:PORT');
      const usecase = await import('../../core/usecases/pin-compute.js');
      if (options.cert) {
        const file = usecase.computePinsOfFile(await readInput(options.cert, 'certificate file'), options.cert);
        if (file.kind !== 'certificate') return { json: { source: file.source, kind: file.kind, pin: file.pin }, text: file.pin ?? '' };
        return { json: { source: file.source, kind: file.kind, certificates: file.certificates }, text: chainTable(file.certificates) };
      }
      const chain = await usecase.computePinsOfHost(await target(options.host!, options, command));
      const trust = chain.trusted ? 'trusted' : `NOT trusted (${chain.trustError})`;
      return {
        json: { source: `${chain.host}:${chain.port}`, kind: 'live', ...chain },
        text: `${chain.host}:${chain.port}  ${chain.protocol}${chain.legacyOnly ? ' (only legacy TLS)' : ''}  ${chain.cipher.name}  chain ${trust}\n${chainTable(chain.certificates)}`,
      };
    }, { readsStore: false }),
  );

  addConnectOptions(
    pins
      .command('set')
      .description('pin set for a host (exact, *.domain or **.domain); needs a backup pin unless --no-backup')
      .argument('<host>', 'host name or pattern the set applies to')
      .option('--pin <pin>', 'an active pin (sha256/..., sha256//... or pin-sha256="..."); repeatable', collect)
      .option('--backup-pin <pin>', 'a pin of a key held in reserve, not in the live chain; repeatable', collect)
      .option('--expires <date>', 'YYYY-MM-DD after which clients stop enforcing the set (default: one year ahead)')
      .option('--no-backup', 'accept a set without a backup pin (clients break at the next key change)')
      .option('--from-live <host:port>', 'pin what the server presents now (needs --yes and a backup pin)')
      .option('--roles <roles>', 'with --from-live: which certificates to pin, e.g. leaf,intermediate (default leaf)')
      .option('--check-live <host:port>', 'refuse a backup pin that the server at HOST:PORT presents now, and record each pin\'s role')
      .option('--yes', 'confirm pinning the live chain'),
  ).action(
    action(
      async (
        ctx,
        host: string,
        options: ConnectOptions & { pin?: string[]; backupPin?: string[]; expires?: string; backup: boolean; fromLive?: string; checkLive?: string; roles?: string; yes?: boolean },
        command: Command,
      ) => {
        const usecase = await import('../../core/usecases/pins.js');
        const expires = options.expires !== undefined ? { expires: options.expires } : {};
        const backupPins = options.backupPin ?? [];
        let saved;
        if (options.fromLive) {
          if (options.pin?.length) throw new UsageError('pins set takes either --pin or --from-live, not both');
          const roles = parseRoles(options.roles ?? 'leaf');
          const from = await target(options.fromLive, options, command);
          saved = await phrased(() => usecase.pinLiveChain(ctx.workspace(), { host, from, roles, backupPins, ...expires, confirmed: Boolean(options.yes) }));
          ctx.note(chainTable(saved.chain.certificates));
        } else {
          if (options.roles) throw new UsageError('--roles goes with --from-live');
          const checkLive = options.checkLive ? await target(options.checkLive, options, command) : undefined;
          saved = await phrased(() =>
            usecase.savePinSet(ctx.workspace(), { host, pins: options.pin ?? [], backupPins, ...expires, noBackup: !options.backup, ...(checkLive ? { checkLive } : {}) }),
          );
        }
        const { set, replaced } = saved;
        return {
          json: { ...set, replaced },
          text: [
            `${replaced ? 'replaced' : 'pinned'} ${set.host} (until ${set.expires})`,
            ...set.pins.map((p) => `  active  ${p}${set.roles?.[p] ? `  (${set.roles[p]})` : ''}`),
            ...set.backupPins.map((p) => `  backup  ${p}`),
            ...(set.backupPins.length === 0 ? ['  no backup pin: clients break at the next key change'] : []),
          ].join('\n'),
        };
      },
    ),
  );

  pins
    .command('list')
    .description('pin sets')
    .action(
      action(async (ctx) => {
        const { listPinSets } = await import('../../core/usecases/pins.js');
        const { sets } = await listPinSets(ctx.workspace());
        if (sets.length === 0) return { json: [], text: 'no pin sets' };
        return {
          json: sets,
          text: table([
            ['HOST', 'EXPIRES', 'PIN', 'KIND'],
            ...sets.flatMap((s) =>
              [...s.pins.map((p) => [p, s.roles?.[p] ? `active (${s.roles[p]})` : 'active']), ...s.backupPins.map((p) => [p, 'backup'])].map(([p, kind], i) => [
                i === 0 ? s.host : '',
                i === 0 ? `${s.expires ?? '-'}${s.expired ? ' (expired)' : ''}` : '',
                p!,
                kind!,
              ]),
            ),
          ]),
        };
      }),
    );

  pins
    .command('remove')
    .description('remove the pin set of a host pattern')
    .argument('<host>')
    .action(
      action(async (ctx, host: string) => {
        const { removePinSet } = await import('../../core/usecases/pins.js');
        const removed = await phrased(() => removePinSet(ctx.workspace(), host));
        return { json: { removed: removed.host }, text: `removed the pin set for ${removed.host}` };
      }),
    );

  addConnectOptions(
    pins
      .command('check')
      .description('TLS report and pin verdict; exit 1 on a pin mismatch or a weak finding')
      .argument('<host:port>')
      .option('--no-legacy', 'skip the TLS 1.0/1.1 probes'),
  ).action(
    action(async (ctx, endpoint: string, options: ConnectOptions & { legacy: boolean }, command: Command) => {
      const { checkEndpoint } = await import('../../core/usecases/pins.js');
      const result = await checkEndpoint(ctx.workspace(), await target(endpoint, options, command), { legacy: options.legacy });
      const { ok, pins: verdict } = result;
      const c = result.chain;
      return {
        json: {
          ok,
          endpoint: `${c.host}:${c.port}`,
          servername: c.servername,
          protocol: c.protocol,
          legacyOnly: result.legacyOnly,
          cipher: c.cipher,
          trusted: c.trusted,
          legacy: result.legacy,
          certificates: c.certificates,
          findings: result.findings.map(phrasedFinding),
          pins: verdict,
        },
        text: [
          `${c.host}:${c.port}${c.servername && c.servername !== c.host ? ` (${c.servername})` : ''}: ${ok ? 'pass' : 'FAIL'}`,
          findingLines(result.findings),
          '',
          chainTable(c.certificates),
          ...(verdict.verdict === 'mismatch' ? ['', verdict.message] : []),
        ].join('\n'),
        exitCode: ok ? 0 : 1,
      };
    }),
  );

  pins
    .command('backup-key')
    .description('new backup key pair for a host (private key in the keychain): its pin and a CSR')
    .argument('<host>')
    .option('--csr-subject <dn>', 'subject of the CSR, e.g. "CN=broker.example.com, O=Acme" (default CN=HOST)')
    .option('--rsa', 'RSA 3072 instead of EC P-256')
    .action(
      action(async (ctx, host: string, options: { csrSubject?: string; rsa?: boolean }) => {
        const { createBackupKey } = await import('../../core/usecases/pins.js');
        const { key, account } = await createBackupKey(ctx.workspace(), host, {
          algorithm: options.rsa ? 'rsa-3072' : 'ec-p256',
          ...(options.csrSubject ? { subject: options.csrSubject } : {}),
        });
        return {
          json: { ...key, keychainAccount: account },
          text: [
            `backup key ${key.id} for ${key.host} (${key.algorithm}); private key in the keychain (${account})`,
            `pin: ${key.pin}`,
            `add it to the pin set: curvekeep pins set ${key.host} --pin ... --backup-pin ${key.pin}`,
            '',
            key.csrPem.trimEnd(),
          ].join('\n'),
        };
      }),
    );

  pins
    .command('export')
    .description('a pin set in OkHttp, Android, curl, HPKP or JSON syntax; curl gets the bare --pinnedpubkey value (leaf and backup pins only)')
    .argument('<host>')
    .requiredOption('--format <format>', 'okhttp | android | curl | hpkp | json')
    .action(
      action(async (ctx, host: string, options: { format: string }) => {
        const [{ parseExportFormat }, { exportPinSet }] = await Promise.all([import('../../core/pins/pin-export.js'), import('../../core/usecases/pins.js')]);
        const format = parseExportFormat(options.format);
        const exported = await phrased(() => exportPinSet(ctx.workspace(), host, format));
        if (exported.excluded.length > 0 && !ctx.options.json) {
          const roles = [...new Set(exported.excluded.map((e) => e.role))].join('/');
          process.stderr.write(`curvekeep: left out ${exported.excluded.length} ${roles} pin(s): ${format} checks only ${exported.pinnableRoles.join('/')} keys\n`);
        }
        if (exported.unknownRoles.length > 0 && !exported.pinnableRoles.includes('intermediate') && !ctx.options.json) {
          process.stderr.write(
            `curvekeep: ${exported.unknownRoles.length} active pin(s) of unknown role (set without a live chain): ${format} accepts them only if they are the server's own key; ` +
              `\`curvekeep pins set ${exported.host} --pin ... --check-live HOST:PORT\` records the roles\n`,
          );
        }
        return { json: exported, text: exported.text };
      }),
    );
}
