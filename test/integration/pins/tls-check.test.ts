// The TLS report and the pin verdict against real servers of the test PKI.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeFinding } from '../../../src-main/common/pins.js';
import { NetworkError } from '../../../src-main/core/errors.js';
import { checkPins } from '../../../src-main/core/pins/pin-check.js';
import { fetchChain } from '../../../src-main/core/pins/tls-chain.js';
import { type Finding, type TlsReport, checkTls } from '../../../src-main/core/pins/tls-report.js';
import type { PinSet } from '../../../src-main/core/store/document.js';
import {
  GOOD_NAME,
  type Leaf,
  type Pki,
  type RunningServer,
  buildPki,
  closedPort,
  opensslPin,
  startBlackHole,
  startNodeTlsServer,
  startOpensslServer,
  startPlaintextServer,
} from '../../helpers/pki/pki.js';

let pki: Pki;
let rootPem: Buffer;
const servers: RunningServer[] = [];

beforeAll(() => {
  pki = buildPki();
  rootPem = readFileSync(pki.rootCert);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(() => pki?.remove());

async function serve(leaf: Leaf, extra: string[] = ['-tls1_3'], chain: string | null = pki.intermediateCert): Promise<number> {
  const server = await startOpensslServer(leaf, chain, extra);
  servers.push(server);
  return server.port;
}

async function report(port: number, options: { servername?: string; trustRoot?: boolean } = {}): Promise<TlsReport> {
  return checkTls({
    host: '127.0.0.1',
    port,
    servername: options.servername ?? GOOD_NAME,
    ...(options.trustRoot === false ? {} : { ca: [rootPem] }),
    timeoutMs: 5000,
  });
}

function finding(r: TlsReport, check: Finding['check']): Array<Finding & { message: string }> {
  return r.findings.filter((f) => f.check === check).map((f) => ({ ...f, ...describeFinding(f) }));
}

function weak(r: TlsReport): Finding[] {
  return r.findings.filter((f) => f.severity === 'warning' || f.severity === 'error');
}

describe('TLS report', () => {
  it('a good TLS 1.3 server passes', async () => {
    const r = await report(await serve(pki.leaves.ec256));
    expect(weak(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.chain.protocol).toBe('TLSv1.3');
    expect(finding(r, 'protocol')[0]!.severity).toBe('ok');
    expect(finding(r, 'forward-secrecy')[0]!.severity).toBe('ok');
    expect(finding(r, 'chain-trust')[0]!.severity).toBe('ok');
    expect(finding(r, 'hostname')[0]!.severity).toBe('ok');
    expect(finding(r, 'expiry')[0]!.message).toMatch(/expires in 36\d days/);
    expect(r.legacy).toEqual({ TLSv1: 'refused', 'TLSv1.1': 'refused' });
  });

  it('a server that also accepts TLS 1.0 and 1.1 is flagged', async () => {
    // Debian's OpenSSL 3 still speaks TLS 1.0 once the security level is 0.
    const r = await report(await serve(pki.leaves.rsa, ['-cipher', 'DEFAULT@SECLEVEL=0']));
    expect(r.chain.protocol).toBe('TLSv1.3');
    expect(r.legacy).toEqual({ TLSv1: 'accepted', 'TLSv1.1': 'accepted' });
    expect(finding(r, 'legacy-tls1.0')[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('TLS 1.0') });
    expect(finding(r, 'legacy-tls1.1')[0]!.severity).toBe('warning');
    expect(r.ok).toBe(false);
  });

  it('a TLS 1.2 server without forward secrecy is flagged', async () => {
    const server = await startNodeTlsServer(pki.leaves.rsa, pki.intermediateCert, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' });
    servers.push(server);
    const r = await report(server.port);
    expect(r.chain.protocol).toBe('TLSv1.2');
    expect(finding(r, 'protocol')[0]!.severity).toBe('info');
    expect(finding(r, 'forward-secrecy')[0]).toMatchObject({ severity: 'warning' });
    expect(r.ok).toBe(false);
  });

  it('an expired certificate is flagged', async () => {
    const r = await report(await serve(pki.leaves.expired));
    expect(finding(r, 'expiry')[0]).toMatchObject({ severity: 'error', message: expect.stringMatching(/expired on .* \(3\d days ago\)/) });
    expect(finding(r, 'chain-trust')[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('CERT_HAS_EXPIRED') });
    expect(r.ok).toBe(false);
  });

  it('a not-yet-valid certificate is flagged', async () => {
    const r = await report(await serve(pki.leaves.notYetValid));
    expect(finding(r, 'expiry')[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('is not valid until') });
    expect(finding(r, 'chain-trust')[0]!.message).toContain('CERT_NOT_YET_VALID');
    expect(r.ok).toBe(false);
  });

  it('a self-signed certificate is flagged as untrusted', async () => {
    const r = await report(await serve(pki.leaves.selfSigned, ['-tls1_3'], null));
    expect(finding(r, 'chain-trust')[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('self-signed') });
    expect(r.chain.certificates).toHaveLength(1);
    expect(r.chain.certificates[0]!.selfIssued).toBe(true);
    expect(r.ok).toBe(false);
  });

  it('a chain from a CA that is not trusted is flagged; --ca makes it trusted', async () => {
    const port = await serve(pki.leaves.ec256);
    const untrusted = await report(port, { trustRoot: false });
    expect(finding(untrusted, 'chain-trust')[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('UNABLE_TO_GET_ISSUER_CERT_LOCALLY') });
    expect(untrusted.chain.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate']);
    const trusted = await report(port);
    expect(finding(trusted, 'chain-trust')[0]!.severity).toBe('ok');
  });

  it('a hostname mismatch is flagged; the SNI name is what is checked', async () => {
    const port = await serve(pki.leaves.mismatch);
    const r = await report(port);
    expect(finding(r, 'hostname')[0]).toMatchObject({ severity: 'error', message: expect.stringContaining(GOOD_NAME) });
    expect(finding(r, 'hostname')[0]!.message).toContain('valid for DNS:elsewhere.test only');
    expect(finding(r, 'chain-trust')[0]).toMatchObject({ severity: 'ok' });
    expect(r.ok).toBe(false);
    const right = await report(port, { servername: 'elsewhere.test' });
    expect(finding(right, 'hostname')[0]!.severity).toBe('ok');
  });

  it('an IP address is checked against the IP SANs, without SNI', async () => {
    const port = await serve(pki.leaves.ed25519);
    const chain = await fetchChain({ host: '127.0.0.1', port, ca: [rootPem], timeoutMs: 5000 });
    expect(chain.servername).toBeNull();
    expect(chain.hostnameError).toBeNull();
    expect(chain.trusted).toBe(true);
  });
});

describe('servers that speak only legacy TLS, and weak certificates', () => {
  const LEVEL0 = ['-cipher', 'DEFAULT:@SECLEVEL=0'];

  it('a TLS 1.0-only server gets a full report with error findings, not a network error', async () => {
    const r = await report(await serve(pki.leaves.rsa, ['-tls1', ...LEVEL0]));
    expect(r.legacyOnly).toBe(true);
    expect(r.chain.protocol).toBe('TLSv1');
    expect(finding(r, 'protocol')[0]).toMatchObject({ code: 'legacy-only', severity: 'error', setting: 'TLSv1', message: expect.stringContaining('speaks only TLS 1.0') });
    expect(r.legacy).toEqual({ TLSv1: 'accepted', 'TLSv1.1': 'refused' });
    expect(r.chain.certificates.map((c) => c.pin)).toEqual([opensslPin(pki.leaves.rsa.cert), opensslPin(pki.intermediateCert), opensslPin(pki.rootCert)]);
    expect(finding(r, 'cipher')[0]).toMatchObject({ code: 'cbc-cipher', severity: 'warning' });
    expect(finding(r, 'chain-trust')[0]!.severity).toBe('ok');
    expect(r.ok).toBe(false);
  });

  it('a TLS 1.1-only server too', async () => {
    const r = await report(await serve(pki.leaves.ec256, ['-tls1_1', ...LEVEL0]));
    expect(r.chain.protocol).toBe('TLSv1.1');
    expect(finding(r, 'protocol')[0]).toMatchObject({ code: 'legacy-only', severity: 'error' });
    expect(finding(r, 'legacy-tls1.1')[0]).toMatchObject({ code: 'legacy-accepted', severity: 'warning' });
  });

  it('a 1024-bit RSA leaf and a SHA-1 signature are named on their certificate', async () => {
    const weakLeaf = pki.extraLeaf('weak1024', { key: 'rsa1024', md: 'sha1' });
    const r = await report(await serve(weakLeaf, [...LEVEL0, '-no_tls1', '-no_tls1_1']));
    expect(r.legacyOnly).toBe(false);
    expect(finding(r, 'key')).toEqual([expect.objectContaining({ code: 'weak-key', severity: 'error', certificate: { role: 'leaf', subject: 'CN=weak1024.test, O=Curvekeep Test' } })]);
    expect(finding(r, 'key')[0]!.message).toContain('rsa 1024 key, below 2048 bits');
    expect(finding(r, 'signature')).toEqual([expect.objectContaining({ code: 'weak-signature', severity: 'error', facts: { algorithm: 'ecdsa-with-SHA1', digest: 'SHA-1' } })]);
    expect(r.chain.certificates[0]!.signatureAlgorithm).toBe('ecdsa-with-SHA1');
    expect(r.chain.certificates[1]!.signatureAlgorithm).toBe('sha256WithRSAEncryption');
    expect(r.ok).toBe(false);
  });

  it('a leaf without CRL or OCSP URI is an info finding; with them, none', async () => {
    const { certificatesOfBundle } = await import('../../../src-main/core/pins/pin.js');
    const { revocationFindings } = await import('../../../src-main/core/pins/tls-report.js');
    const plain = certificatesOfBundle(readFileSync(pki.leaves.ec256.cert));
    expect(plain[0]!.revocationInfo).toBe(false);
    expect(revocationFindings(plain)).toEqual([expect.objectContaining({ code: 'no-revocation-info', severity: 'info', certificate: expect.objectContaining({ role: 'leaf' }) })]);
    const withCrl = certificatesOfBundle(readFileSync(pki.extraLeaf('crl', { key: 'ec256', revocation: true }).cert));
    expect(withCrl[0]!.revocationInfo).toBe(true);
    expect(revocationFindings(withCrl)).toEqual([]);
  });

  it('a chain sent out of order is named; the same chain in order is not', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const rootThenIntermediate = join(pki.dir, 'root-then-intermediate.pem');
    writeFileSync(rootThenIntermediate, readFileSync(pki.rootCert, 'utf8') + readFileSync(pki.intermediateCert, 'utf8'));
    const shuffled = await report(await serve(pki.leaves.ec256, ['-tls1_2'], rootThenIntermediate));
    expect(finding(shuffled, 'chain')).toEqual([
      expect.objectContaining({ code: 'chain-out-of-order', severity: 'warning', certificate: { role: 'root', subject: 'O=Curvekeep Test, CN=Curvekeep Test Root' }, facts: { position: 2, sent: 3 } }),
    ]);
    expect(finding(shuffled, 'chain')[0]!.message).toContain('out of order');
    // Over TLS 1.3 the order is read from a TLS 1.2 handshake on the side.
    const ordered = await report(await serve(pki.leaves.ec256, [], pki.fullChain));
    expect(finding(ordered, 'chain')).toEqual([]);
  });

  it('a missing intermediate is an incomplete chain; a leaf valid 800 days is too long', async () => {
    const missing = await report(await serve(pki.leaves.ec256, ['-tls1_3'], null));
    expect(finding(missing, 'chain')).toEqual([expect.objectContaining({ code: 'chain-incomplete', facts: { issuer: 'CN=Curvekeep Test Intermediate, O=Curvekeep Test' } })]);
    const long = await report(await serve(pki.extraLeaf('long800', { key: 'ec256', to: 799 })));
    expect(finding(long, 'validity')).toEqual([expect.objectContaining({ code: 'validity-too-long', severity: 'warning', facts: { days: 800 } })]);
    expect(finding(long, 'chain')).toEqual([]);
  });
});

describe('pin verdict on the live chain', () => {
  const set = (pins: string[], backupPins: string[] = []): PinSet => ({
    host: GOOD_NAME,
    pins,
    backupPins,
    expires: '2999-01-01',
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });

  it('matches on the leaf, the intermediate and the root', async () => {
    const chain = await fetchChain({ host: '127.0.0.1', port: await serve(pki.leaves.rsa), servername: GOOD_NAME, ca: [rootPem], timeoutMs: 5000 });
    const unrelated = opensslPin(pki.leaves.ec384.cert);
    for (const [file, role] of [[pki.leaves.rsa.cert, 'leaf'], [pki.intermediateCert, 'intermediate'], [pki.rootCert, 'root']] as const) {
      const verdict = checkPins(chain.certificates, GOOD_NAME, [set([unrelated], [opensslPin(file)])]);
      expect(verdict.verdict).toBe('match');
      expect(verdict.matched!.role).toBe(role);
    }
  });

  it('a mismatch lists the chain pins beside the pinned ones', async () => {
    const chain = await fetchChain({ host: '127.0.0.1', port: await serve(pki.leaves.rsa), servername: GOOD_NAME, ca: [rootPem], timeoutMs: 5000 });
    const pinned = [opensslPin(pki.leaves.ec384.cert), opensslPin(pki.leaves.ed25519.cert)];
    const verdict = checkPins(chain.certificates, GOOD_NAME, [set([pinned[0]!], [pinned[1]!])]);
    expect(verdict.verdict).toBe('mismatch');
    expect(verdict.message).toContain('Certificate pinning failure!');
    for (const file of [pki.leaves.rsa.cert, pki.intermediateCert, pki.rootCert]) expect(verdict.message).toContain(opensslPin(file));
    for (const pin of pinned) expect(verdict.message).toContain(pin);
    expect(verdict.message.indexOf('Peer certificate chain')).toBeLessThan(verdict.message.indexOf(`Pinned certificates for ${GOOD_NAME}`));
  });
});

describe('network failures are clear and bounded', () => {
  const TIMEOUT = 1500;

  async function failure(port: number): Promise<{ error: unknown; ms: number }> {
    const started = performance.now();
    const error = await checkTls({ host: '127.0.0.1', port, timeoutMs: TIMEOUT }).then(
      () => null,
      (e: unknown) => e,
    );
    return { error, ms: performance.now() - started };
  }

  it('a closed port', async () => {
    const { error, ms } = await failure(await closedPort());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/refused: nothing listens there/);
    expect(ms).toBeLessThan(TIMEOUT * 1.1);
  });

  it('a black hole (accepts, never answers) times out within the limit', async () => {
    const hole = await startBlackHole();
    servers.push(hole);
    const { error, ms } = await failure(hole.port);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/no TLS handshake from 127\.0\.0\.1:\d+ within 1\.5 s/);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT - 50);
    expect(ms).toBeLessThan(TIMEOUT * 1.1);
  });

  it('a plaintext service', async () => {
    const plain = await startPlaintextServer();
    servers.push(plain);
    const { error, ms } = await failure(plain.port);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/does not speak TLS/);
    expect(ms).toBeLessThan(TIMEOUT * 1.1);
  });

  it('a cancelled check stops at once', async () => {
    const hole = await startBlackHole();
    servers.push(hole);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await fetchChain({ host: '127.0.0.1', port: hole.port, timeoutMs: 10_000, signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/cancelled/);
  });
});
