// `curvekeep pins ...`: TLS certificate pins (CLI.md). The core is imported inside each action so
// that `--help` and usage errors load nothing of it.
import type { Command } from 'commander';
import type { ChainCertificate } from '../../core/pins/pin.js';
import type { Finding } from '../../core/pins/tls-report.js';
import type { TlsTarget } from '../../core/pins/tls-chain.js';
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
  const ca = await Promise.all(caFiles(command, options).map((file) => readInput(file, '--ca file')));
  if (ca.length > 0) {
    // A bad --ca file is bad input (exit 2), not a network failure.
    const { certificatesOfBundle } = await import('../../core/pins/pin.js');
    caFiles(command, options).forEach((file, i) => certificatesOfBundle(ca[i]!, `--ca file ${file}`));
  }
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    timeoutMs = Number(options.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) throw new UsageError(`--timeout ${options.timeout} must be milliseconds between 1 and 600000`);
  }
  return { host, port, ...(options.servername ? { servername: options.servername } : {}), ...(ca.length ? { ca } : {}), ...(timeoutMs ? { timeoutMs } : {}) };
}

function chainTable(certificates: ReadonlyArray<ChainCertificate>): string {
  return table([
    ['ROLE', 'SUBJECT', 'ISSUER', 'VALID', 'KEY', 'PIN'],
    ...certificates.map((c) => [c.role, c.subject, c.issuer, `${c.validFrom.slice(0, 10)}..${c.validTo.slice(0, 10)}`, c.keyType, c.pin]),
  ]);
}

const MARK: Readonly<Record<Finding['severity'], string>> = { ok: 'ok     ', info: 'info   ', warning: 'WARNING', error: 'ERROR  ' };

function findingLines(findings: ReadonlyArray<Finding>): string {
  return findings.map((f) => `${MARK[f.severity]}  ${f.check.padEnd(15)}  ${f.message}`).join('\n');
}

function addConnectOptions(command: Command): Command {
  return command
    .option('--servername <name>', 'SNI name, and the name the certificate must match (default: HOST)')
    .option('--ca <file>', 'trust an extra root CA (PEM), e.g. of a private PKI; repeatable', collect)
    .option('--timeout <ms>', 'limit for connect and handshake (default 10000)');
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
      if (options.cert) {
        const pin = await import('../../core/pins/pin.js');
        const bytes = await readInput(options.cert, 'certificate file');
        const text = bytes.toString('latin1');
        if (/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text) || /-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) {
          const isCsr = text.includes('REQUEST-----');
          const value = isCsr ? pin.pinOfCsr(bytes, options.cert) : pin.pinOfPublicKey(bytes, options.cert);
          return { json: { source: options.cert, kind: isCsr ? 'csr' : 'public-key', pin: value }, text: value };
        }
        const certificates = pin.certificatesOfBundle(bytes, options.cert);
        return { json: { source: options.cert, kind: 'certificate', certificates }, text: chainTable(certificates) };
      }
      const { fetchChain } = await import('../../core/pins/tls-chain.js');
      const chain = await fetchChain(await target(options.host!, options, command));
      const trust = chain.trusted ? 'trusted' : `NOT trusted (${chain.trustError})`;
      return {
        json: { source: `${chain.host}:${chain.port}`, kind: 'live', ...chain },
        text: `${chain.host}:${chain.port}  ${chain.protocol}  ${chain.cipher.name}  chain ${trust}\n${chainTable(chain.certificates)}`,
      };
    }),
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
      .option('--check-live <host:port>', 'refuse a backup pin that the server at HOST:PORT presents now')
      .option('--yes', 'confirm pinning the live chain'),
  ).action(
    action(
      async (
        ctx,
        host: string,
        options: ConnectOptions & { pin?: string[]; backupPin?: string[]; expires?: string; backup: boolean; fromLive?: string; checkLive?: string; roles?: string; yes?: boolean },
        command: Command,
      ) => {
        const pinSet = await import('../../core/pins/pin-set.js');
        const common = {
          host,
          backupPins: options.backupPin ?? [],
          ...(options.expires !== undefined ? { expires: options.expires } : {}),
        };
        let change;
        if (options.fromLive) {
          if (options.pin?.length) throw new UsageError('pins set takes either --pin or --from-live, not both');
          const roles = (options.roles ?? 'leaf').split(',').map((r) => r.trim());
          const unknown = roles.find((r) => !['leaf', 'intermediate', 'root'].includes(r));
          if (unknown) throw new UsageError(`--roles: ${JSON.stringify(unknown)} is not leaf, intermediate or root`);
          // Check the cheap things before connecting.
          const { parsePin } = await import('../../core/pins/pin.js');
          pinSet.parseHostPattern(host);
          common.backupPins.forEach(parsePin);
          if (common.expires !== undefined) pinSet.parseExpiry(common.expires);
          if (common.backupPins.length === 0) {
            const { RefusedError } = await import('../../core/errors.js');
            throw new RefusedError(`pinning the live chain needs a backup pin too: make one with \`curvekeep pins backup-key ${host}\` and pass it with --backup-pin`);
          }
          const { fetchChain } = await import('../../core/pins/tls-chain.js');
          const live = await fetchChain(await target(options.fromLive, options, command));
          ctx.note(chainTable(live.certificates));
          if (!options.yes) {
            const { RefusedError } = await import('../../core/errors.js');
            throw new RefusedError(
              `not pinned: pinning what ${options.fromLive} presents now trusts this very connection ` +
                `(chain ${live.trusted ? 'trusted' : `NOT trusted: ${live.trustError}`}). Compare these pins with what the server's admin expects, then re-run with --yes:\n` +
                live.certificates.map((c) => `  ${c.role.padEnd(12)} ${c.pin}  ${c.subject}`).join('\n'),
            );
          }
          change = await pinSet.setPinSetFromLive(ctx.workspace(), {
            ...common,
            chain: live.certificates,
            roles: roles as ChainCertificate['role'][],
            confirmed: true,
          });
        } else {
          const input = { ...common, pins: options.pin ?? [], noBackup: !options.backup };
          // The cheap checks first, then the live chain (when asked) against the backup pins.
          pinSet.validatePinSet(input, new Date());
          let liveChain: ReadonlyArray<ChainCertificate> | undefined;
          if (options.checkLive) {
            const { fetchChain } = await import('../../core/pins/tls-chain.js');
            liveChain = (await fetchChain(await target(options.checkLive, options, command))).certificates;
          }
          change = await pinSet.setPinSet(ctx.workspace(), { ...input, ...(liveChain ? { liveChain } : {}) });
        }
        const { set, replaced } = change;
        return {
          json: { ...set, replaced },
          text: [
            `${replaced ? 'replaced' : 'pinned'} ${set.host} (until ${set.expires})`,
            ...set.pins.map((p) => `  active  ${p}`),
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
        const { listPinSets, isPinSetExpired } = await import('../../core/pins/pin-set.js');
        const sets = await listPinSets(ctx.workspace());
        const now = new Date();
        if (sets.length === 0) return { json: [], text: 'no pin sets' };
        return {
          json: sets.map((s) => ({ ...s, expired: isPinSetExpired(s, now) })),
          text: table([
            ['HOST', 'EXPIRES', 'PIN', 'KIND'],
            ...sets.flatMap((s) =>
              [...s.pins.map((p) => [p, 'active']), ...s.backupPins.map((p) => [p, 'backup'])].map(([p, kind], i) => [
                i === 0 ? s.host : '',
                i === 0 ? `${s.expires ?? '-'}${isPinSetExpired(s, now) ? ' (expired)' : ''}` : '',
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
        const { removePinSet } = await import('../../core/pins/pin-set.js');
        const removed = await removePinSet(ctx.workspace(), host);
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
      const [{ checkTls, isWeak }, pinSet] = await Promise.all([import('../../core/pins/tls-report.js'), import('../../core/pins/pin-set.js')]);
      const tlsTarget = await target(endpoint, options, command);
      const now = new Date();
      const report = await checkTls(tlsTarget, { now, skipLegacy: !options.legacy });
      const { data } = await ctx.workspace().store.read();
      const hostname = report.chain.checkedName;
      const pins = pinSet.checkPins(report.chain.certificates, hostname, pinSet.pinSetsFor(data, hostname), now);
      const pinFindings: Finding[] = [
        pins.verdict === 'match'
          ? { check: 'pins', severity: 'ok', message: pins.message }
          : pins.verdict === 'mismatch'
            ? { check: 'pins', severity: 'error', message: `pin mismatch for ${hostname}: no certificate of the chain carries a pinned key` }
            : { check: 'pins', severity: 'info', message: `no pin set applies to ${hostname}` },
        ...pins.expiredSets.map((host): Finding => ({ check: 'pins', severity: 'warning', message: `the pin set for ${host} expired on ${data.pinSets.find((s) => s.host === host)?.expires}: renew it` })),
      ];
      const findings = [...report.findings, ...pinFindings];
      const ok = !findings.some(isWeak);
      const c = report.chain;
      return {
        json: { ok, endpoint: `${c.host}:${c.port}`, servername: c.servername, protocol: c.protocol, cipher: c.cipher, trusted: c.trusted, legacy: report.legacy, certificates: c.certificates, findings, pins },
        text: [
          `${c.host}:${c.port}${c.servername && c.servername !== c.host ? ` (${c.servername})` : ''}: ${ok ? 'pass' : 'FAIL'}`,
          findingLines(findings),
          '',
          chainTable(c.certificates),
          ...(pins.verdict === 'mismatch' ? ['', pins.message] : []),
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
        const { createBackupKey } = await import('../../core/pins/backup-key.js');
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
    .description('a pin set in OkHttp, Android, curl, HPKP or JSON syntax')
    .argument('<host>')
    .requiredOption('--format <format>', 'okhttp | android | curl | hpkp | json')
    .action(
      action(async (ctx, host: string, options: { format: string }) => {
        const [{ exportPinSet, parseExportFormat }, { getPinSet }] = await Promise.all([
          import('../../core/pins/pin-export.js'),
          import('../../core/pins/pin-set.js'),
        ]);
        const format = parseExportFormat(options.format);
        const set = await getPinSet(ctx.workspace(), host);
        const text = exportPinSet(set, format);
        return { json: { host: set.host, format, text }, text };
      }),
    );
}
