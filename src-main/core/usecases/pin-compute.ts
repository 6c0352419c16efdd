// Computing pins: the part of the pins use cases (usecases/pins.ts, which re-exports it) that
// `pins compute` and the app's Compute panel need, a file's pins and a live chain's. Its own
// module, so that a command that only computes loads no pin sets, checks or exports.
import { type ChainCertificate, certificatesOfBundle, pinOfCsr, pinOfPublicKey } from '../pins/pin.js';
import { DEFAULT_TLS_TIMEOUT_MS, type LiveChain, type TlsTarget, fetchReportedChain } from '../pins/tls-chain.js';

/** The target with the one default timeout of every TLS operation. */
export function withTimeout(target: TlsTarget): TlsTarget {
  return { ...target, timeoutMs: target.timeoutMs ?? DEFAULT_TLS_TIMEOUT_MS };
}

export type FileKind = 'certificate' | 'csr' | 'public-key';

export interface FilePins {
  readonly source: string;
  readonly kind: FileKind;
  readonly certificates: ReadonlyArray<ChainCertificate>;
  /** The pin of a CSR or public key; for certificates each carries its own. */
  readonly pin: string | null;
}

/** The pins of a certificate file (PEM bundle or DER), a CSR or a public key. */
export function computePinsOfFile(bytes: Uint8Array, name: string): FilePins {
  const text = Buffer.from(bytes).toString('latin1');
  if (/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text)) return { source: name, kind: 'csr', certificates: [], pin: pinOfCsr(bytes, name) };
  if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) return { source: name, kind: 'public-key', certificates: [], pin: pinOfPublicKey(bytes, name) };
  return { source: name, kind: 'certificate', certificates: certificatesOfBundle(bytes, name), pin: null };
}

export interface HostPins extends LiveChain {
  /** TLS 1.2 and 1.3 were refused; the chain was read over TLS 1.0/1.1. */
  readonly legacyOnly: boolean;
}

/** The chain a live endpoint presents (over TLS 1.0/1.1 too when it speaks nothing newer). */
export async function computePinsOfHost(target: TlsTarget): Promise<HostPins> {
  const { chain, legacyOnly } = await fetchReportedChain(withTimeout(target));
  return { ...chain, legacyOnly };
}
