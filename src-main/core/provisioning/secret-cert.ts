// The secret certificate text for many freshly made key pairs. formatCertFile checks that a secret
// key belongs to its public key by deriving it (an OpenSSL key import, about 0.8 ms), which for a
// fleet of 10,000 devices is most of the run; a pair just made by generateKeyPair needs no check.
// So the secret file is built from the public one, and the construction proves itself once per run
// against formatCertFile: if the format ever changes, every device falls back to formatCertFile.
import { type PublicKey, type SecretKey, generateKeyPair } from '../curve/keys.js';
import { formatCertFile } from '../formats/cert-file.js';

export interface FreshPairCert {
  readonly publicKey: PublicKey;
  readonly secretKey: SecretKey;
  readonly metadata: Readonly<Record<string, string>>;
}

export type SecretCertFormatter = (cert: FreshPairCert, publicText: string) => string;

function split(text: string): { header: string; body: string } | null {
  const end = text.indexOf('\n\n');
  return end < 0 ? null : { header: text.slice(0, end + 2), body: text.slice(end + 2) };
}

/** A formatter of zcert secret files for pairs made by generateKeyPair, given their public text. */
export function freshPairSecretCert(now: Date): SecretCertFormatter {
  const probe = generateKeyPair();
  const metadata = { name: 'probe-device', endpoint: 'tcp://127.0.0.1:5555' };
  const publicText = formatCertFile({ publicKey: probe.publicKey, metadata }, 'zcert', { secret: false, now });
  const secretText = formatCertFile({ ...probe, metadata }, 'zcert', { secret: true, now });
  const pub = split(publicText);
  const sec = split(secretText);
  const line = (secretKey: string): string => `    secret-key = "${secretKey}"\n`;
  if (!pub || !sec || sec.body !== pub.body + line(probe.secretKey)) {
    return (cert) => formatCertFile(cert, 'zcert', { secret: true, now });
  }
  const secretHeader = sec.header;
  const publicHeaderLength = pub.header.length;
  return (cert, text) => {
    // Only valid for public text made by formatCertFile with the same `now`.
    if (!text.startsWith(pub.header)) return formatCertFile(cert, 'zcert', { secret: true, now });
    return secretHeader + text.slice(publicHeaderLength) + line(cert.secretKey);
  };
}
