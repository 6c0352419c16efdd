// Our pins against the OpenSSL pipeline, for every key type, from files and from live servers.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatesOfBundle, pinOfCertificate, pinOfCsr, pinOfPublicKey, pinsOfBundle } from '../../../src-main/core/pins/pin.js';
import { fetchChain } from '../../../src-main/core/pins/tls-chain.js';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { GOOD_NAME, type LeafName, type Pki, buildPki, openssl, opensslLivePin, opensslPin, startNodeTlsServer, startOpensslServer } from '../../helpers/pki/pki.js';

let pki: Pki;

beforeAll(() => {
  pki = buildPki();
});

afterAll(() => pki?.remove());

const KEY_TYPES: ReadonlyArray<[LeafName, string]> = [
  ['rsa', 'rsa 2048'],
  ['ec256', 'ec P-256'],
  ['ec384', 'ec P-384'],
  ['ed25519', 'ed25519'],
];

describe('pins from files equal the OpenSSL pipeline', () => {
  it.each(KEY_TYPES)('%s leaf: PEM, DER, public key, CSR', (name, keyType) => {
    const leaf = pki.leaves[name];
    const expected = opensslPin(leaf.cert);
    expect(expected).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
    expect(pinOfCertificate(readFileSync(leaf.cert, 'utf8'))).toBe(expected);
    const der = openssl(['x509', '-in', leaf.cert, '-outform', 'der']);
    expect(pinOfCertificate(der)).toBe(expected);
    const publicPem = openssl(['pkey', '-in', leaf.key, '-pubout']).toString();
    expect(pinOfPublicKey(publicPem)).toBe(expected);
    expect(pinOfPublicKey(openssl(['pkey', '-in', leaf.key, '-pubout', '-outform', 'der']))).toBe(expected);
    const csr = readFileSync(join(pki.dir, `${name}.csr`), 'utf8');
    expect(pinOfCsr(csr)).toBe(expected);
    expect(certificatesOfBundle(readFileSync(leaf.cert))[0]!.keyType).toBe(keyType);
  });

  it('a bundle gives each certificate its pin and role, leaf first', () => {
    const bundle = readFileSync(pki.leaves.ec256.bundle, 'utf8') + readFileSync(pki.rootCert, 'utf8');
    const file = join(pki.dir, 'three.pem');
    writeFileSync(file, bundle);
    expect(pinsOfBundle(bundle)).toEqual([opensslPin(pki.leaves.ec256.cert), opensslPin(pki.intermediateCert), opensslPin(pki.rootCert)]);
    const described = certificatesOfBundle(bundle);
    expect(described.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root']);
    expect(described[0]!.subject).toContain('CN=ec256.test');
    expect(described[1]!.subject).toContain('CN=Curvekeep Test Intermediate');
    expect(described[2]!.selfIssued).toBe(true);
  });

  it('garbage is refused with an InvalidInputError', () => {
    expect(() => pinOfCertificate('hello')).toThrow(InvalidInputError);
    expect(() => pinOfCertificate(Buffer.from('not der at all'))).toThrow(/neither a PEM certificate .* nor a DER one/);
    expect(() => pinOfCertificate(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow(/not a readable X.509 certificate/);
    expect(() => pinOfCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(InvalidInputError);
    expect(() => pinOfCsr('-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n')).toThrow(InvalidInputError);
    expect(() => pinOfPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrow(InvalidInputError);
  });
});

describe('pins from live servers equal the OpenSSL pipeline', () => {
  it.each(KEY_TYPES)('%s leaf served by openssl s_server', async (name) => {
    const leaf = pki.leaves[name];
    const server = await startOpensslServer(leaf, pki.intermediateCert);
    try {
      const chain = await fetchChain({ host: '127.0.0.1', port: server.port, servername: GOOD_NAME, ca: [readFileSync(pki.rootCert)], timeoutMs: 5000 });
      expect(chain.certificates[0]!.pin).toBe(opensslLivePin(server.port, GOOD_NAME));
      expect(chain.certificates[0]!.pin).toBe(opensslPin(leaf.cert));
      // Leaf and intermediate as sent; the root completed from the trusted roots.
      expect(chain.certificates.map((c) => c.pin)).toEqual([opensslPin(leaf.cert), opensslPin(pki.intermediateCert), opensslPin(pki.rootCert)]);
      expect(chain.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root']);
      expect(chain.trusted).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('an EC leaf served by Node: the SPKI pin, not a hash of the bare EC point', async () => {
    const server = await startNodeTlsServer(pki.leaves.ec384, pki.intermediateCert);
    try {
      const chain = await fetchChain({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
      expect(chain.certificates[0]!.pin).toBe(opensslPin(pki.leaves.ec384.cert));
      expect(chain.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate']);
      expect(chain.trusted).toBe(false);
    } finally {
      await server.stop();
    }
  });
});
