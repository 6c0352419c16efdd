// Handlers of the pins area: each validates nothing more than the contract did, calls the pins
// use case (core/usecases/pins.ts, the same one the CLI calls) and maps the result to the
// contract's public shape. Every connection has the use case's timeout.
import type { FindingData } from '../../common/pins.js';
import type { ChainCertificate } from '../../core/pins/pin.js';
import type { LiveChain, TlsTarget } from '../../core/pins/tls-chain.js';
import type { PinSetView } from '../../core/usecases/pins.js';
import type { pinsChannels } from '../channels/pins.js';
import type { AreaHandlers } from './context.js';

function certificate(c: ChainCertificate): ChainCertificate {
  return {
    role: c.role,
    subject: c.subject,
    issuer: c.issuer,
    validFrom: c.validFrom,
    validTo: c.validTo,
    serialNumber: c.serialNumber,
    keyType: c.keyType,
    keyBits: c.keyBits,
    signatureAlgorithm: c.signatureAlgorithm,
    revocationInfo: c.revocationInfo,
    selfIssued: c.selfIssued,
    pin: c.pin,
  };
}

function pinSet(set: Readonly<PinSetView>) {
  return {
    host: set.host,
    pins: [...set.pins],
    backupPins: [...set.backupPins],
    expires: set.expires,
    expired: set.expired,
    createdAt: set.createdAt,
    updatedAt: set.updatedAt,
    roles: Object.entries(set.roles ?? {}).map(([pin, role]) => ({ pin, role })),
  };
}

function liveChain(chain: LiveChain, legacyOnly: boolean) {
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
    validFor: chain.validFor,
    legacyOnly,
    certificates: chain.certificates.map(certificate),
  };
}

function finding(f: FindingData) {
  return { check: f.check, code: f.code, severity: f.severity, certificate: f.certificate ? { ...f.certificate } : null, setting: f.setting, facts: { ...f.facts } };
}

async function target(args: { endpoint: string; servername?: string | undefined; caPem?: string | undefined; timeoutMs?: number | undefined }): Promise<TlsTarget> {
  const { parseEndpoint } = await import('../../core/pins/tls-chain.js');
  const { host, port } = parseEndpoint(args.endpoint);
  return {
    host,
    port,
    ...(args.servername ? { servername: args.servername } : {}),
    ...(args.caPem && args.caPem.trim() ? { ca: [args.caPem] } : {}),
    ...(args.timeoutMs ? { timeoutMs: args.timeoutMs } : {}),
  };
}

const usecase = () => import('../../core/usecases/pins.js');
/** Computing pins alone: a compute loads no pin sets, checks or exports (core/usecases/pin-compute.ts). */
const computing = () => import('../../core/usecases/pin-compute.js');

export const pinsHandlers: AreaHandlers<typeof pinsChannels> = {
  'pins.computeFromFile': async (args) => {
    const file = (await computing()).computePinsOfFile(Buffer.from(args.base64, 'base64'), args.fileName);
    return { source: file.source, kind: file.kind, certificates: file.certificates.map(certificate), pin: file.pin };
  },

  'pins.computeFromHost': async (args) => {
    const chain = await (await computing()).computePinsOfHost(await target(args));
    return liveChain(chain, chain.legacyOnly);
  },

  'pins.listSets': async (_args, context) => {
    const { sets, backupKeys } = await (await usecase()).listPinSets(context.workspace());
    return {
      sets: sets.map(pinSet),
      backupKeys: backupKeys.map((k) => ({ id: k.id, host: k.host, algorithm: k.algorithm, pin: k.pin, csrPem: k.csrPem, createdAt: k.createdAt })),
    };
  },

  'pins.saveSet': async (args, context) => {
    const { set, replaced } = await (await usecase()).savePinSet(context.workspace(), {
      host: args.host,
      pins: args.pins,
      backupPins: args.backupPins,
      ...(args.expires !== undefined ? { expires: args.expires } : {}),
    });
    return { set: pinSet(set), replaced };
  },

  'pins.removeSet': async (args, context) => {
    const removed = await (await usecase()).removePinSet(context.workspace(), args.host);
    return { host: removed.host };
  },

  'pins.createBackupKey': async (args, context) => {
    const { key } = await (await usecase()).createBackupKey(context.workspace(), args.host, {
      ...(args.algorithm ? { algorithm: args.algorithm } : {}),
      ...(args.subject ? { subject: args.subject } : {}),
    });
    return { id: key.id, host: key.host, algorithm: key.algorithm, pin: key.pin, csrPem: key.csrPem, createdAt: key.createdAt };
  },

  'pins.check': async (args, context) => {
    const result = await (await usecase()).checkEndpoint(context.workspace(), await target(args), { legacy: args.legacy !== false });
    const { pins } = result;
    return {
      ok: result.ok,
      chain: liveChain(result.chain, result.legacyOnly),
      legacy: { TLSv1: result.legacy.TLSv1, 'TLSv1.1': result.legacy['TLSv1.1'] },
      findings: result.findings.map(finding),
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
    const exported = await (await usecase()).exportPinSet(context.workspace(), args.host, args.format);
    return { host: exported.host, format: exported.format, text: exported.text, pinnableRoles: [...exported.pinnableRoles], excluded: exported.excluded.map((e) => ({ ...e })), unknownRoles: [...exported.unknownRoles] };
  },
};
