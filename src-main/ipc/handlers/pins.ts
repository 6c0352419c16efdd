// Handlers of the pins area: the pins core (src-main/core/pins/) as the CLI's `pins` commands use
// it, each result mapped to the contract's public shape. Every connection has a timeout.
import type { ChainCertificate } from '../../core/pins/pin.js';
import type { PinSet } from '../../core/store/document.js';
import type { Finding } from '../../core/pins/tls-report.js';
import type { LiveChain, TlsTarget } from '../../core/pins/tls-chain.js';
import type { pinsChannels } from '../channels/pins.js';
import type { AreaHandlers } from './context.js';

/** The default limit for a connection made from the app (the CLI's is the same). */
export const PIN_CONNECT_TIMEOUT_MS = 10_000;

function certificate(c: ChainCertificate): ChainCertificate {
  return {
    role: c.role,
    subject: c.subject,
    issuer: c.issuer,
    validFrom: c.validFrom,
    validTo: c.validTo,
    serialNumber: c.serialNumber,
    keyType: c.keyType,
    selfIssued: c.selfIssued,
    pin: c.pin,
  };
}

function pinSet(set: Readonly<PinSet>, expired: boolean) {
  return {
    host: set.host,
    pins: [...set.pins],
    backupPins: [...set.backupPins],
    expires: set.expires,
    expired,
    createdAt: set.createdAt,
    updatedAt: set.updatedAt,
  };
}

function liveChain(chain: LiveChain) {
  return {
    endpoint: `${chain.host.includes(':') ? `[${chain.host}]` : chain.host}:${chain.port}`,
    servername: chain.servername,
    checkedName: chain.checkedName,
    protocol: chain.protocol,
    cipher: { name: chain.cipher.name, standardName: chain.cipher.standardName, version: chain.cipher.version },
    ephemeralKey: chain.ephemeralKey,
    trusted: chain.trusted,
    trustError: chain.trustError,
    hostnameError: chain.hostnameError,
    certificates: chain.certificates.map(certificate),
  };
}

async function target(args: { endpoint: string; servername?: string | undefined; caPem?: string | undefined; timeoutMs?: number | undefined }): Promise<TlsTarget> {
  const { parseEndpoint } = await import('../../core/pins/tls-chain.js');
  const { host, port } = parseEndpoint(args.endpoint);
  return {
    host,
    port,
    ...(args.servername ? { servername: args.servername } : {}),
    ...(args.caPem && args.caPem.trim() ? { ca: [args.caPem] } : {}),
    timeoutMs: args.timeoutMs ?? PIN_CONNECT_TIMEOUT_MS,
  };
}

export const pinsHandlers: AreaHandlers<typeof pinsChannels> = {
  'pins.computeFromFile': async (args) => {
    const pin = await import('../../core/pins/pin.js');
    const bytes = Buffer.from(args.base64, 'base64');
    const text = bytes.toString('latin1');
    const where = args.fileName;
    if (/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text)) {
      return { source: where, kind: 'csr', certificates: [], pin: pin.pinOfCsr(bytes, where) };
    }
    if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) {
      return { source: where, kind: 'public-key', certificates: [], pin: pin.pinOfPublicKey(bytes, where) };
    }
    return { source: where, kind: 'certificate', certificates: pin.certificatesOfBundle(bytes, where).map(certificate), pin: null };
  },

  'pins.computeFromHost': async (args) => {
    const { fetchChain } = await import('../../core/pins/tls-chain.js');
    return liveChain(await fetchChain(await target(args)));
  },

  'pins.listSets': async (_args, context) => {
    const [{ listPinSets, isPinSetExpired }, { listBackupKeys }] = await Promise.all([
      import('../../core/pins/pin-set.js'),
      import('../../core/pins/backup-key.js'),
    ]);
    const ws = context.workspace();
    const now = ws.now();
    const [sets, keys] = await Promise.all([listPinSets(ws), listBackupKeys(ws)]);
    return {
      sets: sets.map((s) => pinSet(s, isPinSetExpired(s, now))),
      backupKeys: keys.map((k) => ({ id: k.id, host: k.host, algorithm: k.algorithm, pin: k.pin, csrPem: k.csrPem, createdAt: k.createdAt })),
    };
  },

  'pins.saveSet': async (args, context) => {
    const { setPinSet, isPinSetExpired } = await import('../../core/pins/pin-set.js');
    const ws = context.workspace();
    const { set, replaced } = await setPinSet(ws, {
      host: args.host,
      pins: args.pins,
      backupPins: args.backupPins,
      ...(args.expires !== undefined ? { expires: args.expires } : {}),
    });
    return { set: pinSet(set, isPinSetExpired(set, ws.now())), replaced };
  },

  'pins.removeSet': async (args, context) => {
    const { removePinSet } = await import('../../core/pins/pin-set.js');
    const removed = await removePinSet(context.workspace(), args.host);
    return { host: removed.host };
  },

  'pins.createBackupKey': async (args, context) => {
    const { createBackupKey } = await import('../../core/pins/backup-key.js');
    const { key } = await createBackupKey(context.workspace(), args.host, {
      ...(args.algorithm ? { algorithm: args.algorithm } : {}),
      ...(args.subject ? { subject: args.subject } : {}),
    });
    return { id: key.id, host: key.host, algorithm: key.algorithm, pin: key.pin, csrPem: key.csrPem, createdAt: key.createdAt };
  },

  'pins.check': async (args, context) => {
    const [{ checkTls, isWeak }, pinSets] = await Promise.all([import('../../core/pins/tls-report.js'), import('../../core/pins/pin-set.js')]);
    const ws = context.workspace();
    const now = ws.now();
    const report = await checkTls(await target(args), { now, skipLegacy: args.legacy === false });
    const { data } = await ws.store.read();
    const hostname = report.chain.checkedName;
    const sets = pinSets.pinSetsFor(data, hostname);
    const pins = pinSets.checkPins(report.chain.certificates, hostname, sets, now);
    const pinFindings: Finding[] = [
      pins.verdict === 'match'
        ? { check: 'pins', severity: 'ok', message: pins.message }
        : pins.verdict === 'mismatch'
          ? { check: 'pins', severity: 'error', message: `pin mismatch for ${hostname}: no certificate of the chain carries a pinned key` }
          : { check: 'pins', severity: 'info', message: `no pin set applies to ${hostname}` },
      ...pins.expiredSets.map(
        (host): Finding => ({ check: 'pins', severity: 'warning', message: `the pin set for ${host} expired on ${sets.find((s) => s.host === host)?.expires ?? '?'}: renew it` }),
      ),
    ];
    const findings = [...report.findings, ...pinFindings];
    return {
      ok: !findings.some(isWeak),
      chain: liveChain(report.chain),
      legacy: { TLSv1: report.legacy.TLSv1, 'TLSv1.1': report.legacy['TLSv1.1'] },
      findings: findings.map((f) => ({ check: f.check, severity: f.severity, message: f.message })),
      pins: {
        verdict: pins.verdict,
        hostname: pins.hostname,
        patterns: [...pins.patterns],
        pinned: [...pins.pinned],
        chain: pins.chain.map((c) => ({ role: c.role, subject: c.subject, pin: c.pin })),
        matched: pins.matched ? { role: pins.matched.role, subject: pins.matched.subject, pin: pins.matched.pin } : null,
        expiredSets: [...pins.expiredSets],
        message: pins.message,
      },
    };
  },

  'pins.export': async (args, context) => {
    const [{ exportPinSet }, { getPinSet }] = await Promise.all([import('../../core/pins/pin-export.js'), import('../../core/pins/pin-set.js')]);
    const ws = context.workspace();
    const set = await getPinSet(ws, args.host);
    return { host: set.host, format: args.format, text: exportPinSet(set, args.format, ws.now()) };
  },
};
