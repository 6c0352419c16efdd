// A private PKI made with the openssl command in a temporary folder: an RSA root, an EC
// intermediate, and leaves of every key type the pins must handle, plus the broken ones the TLS
// report must flag. Servers: `openssl s_server` and Node's tls.createServer on 127.0.0.1.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';

export type LeafName = 'rsa' | 'ec256' | 'ec384' | 'ed25519' | 'expired' | 'notYetValid' | 'selfSigned' | 'mismatch';

export interface Leaf {
  readonly name: string;
  readonly cert: string;
  readonly key: string;
  /** The leaf followed by the intermediate: what a server sends. */
  readonly bundle: string;
}

export interface Pki {
  readonly dir: string;
  readonly rootCert: string;
  readonly rootKey: string;
  readonly intermediateCert: string;
  readonly intermediateKey: string;
  /** Intermediate then root: for `-cert_chain` when the server sends the root too. */
  readonly fullChain: string;
  readonly leaves: Readonly<Record<LeafName, Leaf>>;
  /** Signs a CSR with the intermediate (as a CA would), returns the certificate file. */
  issue(csrFile: string, name: string): string;
  /** One more leaf signed by the intermediate, made on demand (weak keys, SHA-1, long validity). */
  extraLeaf(name: string, options: ExtraLeafOptions): Leaf;
  remove(): void;
}

export interface ExtraLeafOptions {
  /** `rsa1024` is the weak key testssl rates MEDIUM. */
  readonly key: 'rsa' | 'rsa1024' | 'ec256';
  /** The signature digest; `sha1` is what testssl rates MEDIUM. */
  readonly md?: 'sha256' | 'sha1';
  /** Validity, in days from now. */
  readonly from?: number;
  readonly to?: number;
  /** Name a CRL distribution point and an OCSP responder (under .invalid: never fetched). */
  readonly revocation?: boolean;
}

export const GOOD_NAME = 'good.test';
const GOOD_SAN = `DNS:localhost,DNS:${GOOD_NAME},IP:127.0.0.1`;

export function openssl(args: ReadonlyArray<string>, options: { cwd?: string; input?: string | Buffer } = {}): Buffer {
  return execFileSync('openssl', [...args], { cwd: options.cwd, input: options.input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The OpenSSL pipeline the issue names, run through sh: the reference pin of a certificate file. */
export function opensslPin(certFile: string): string {
  const out = execFileSync('sh', ['-c', 'openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64', 'sh', certFile]);
  return `sha256/${out.toString().trim()}`;
}

/** The same pipeline against a live server, through `openssl s_client`. */
export function opensslLivePin(port: number, servername?: string): string {
  const sni = servername ? `-servername ${servername}` : '-noservername';
  const out = execFileSync('sh', [
    '-c',
    `openssl s_client -connect 127.0.0.1:${port} ${sni} </dev/null 2>/dev/null | openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`,
  ]);
  return `sha256/${out.toString().trim()}`;
}

function day(offsetDays: number): string {
  // openssl ca wants YYYYMMDDHHMMSSZ
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

const CA_CONFIG = `
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ root_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ intermediate_ca ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function keyArgs(kind: 'rsa' | 'ec256' | 'ec384' | 'ed25519'): string[] {
  switch (kind) {
    case 'rsa':
      return ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
    case 'ec256':
      return ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    case 'ec384':
      return ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'];
    case 'ed25519':
      return ['-algorithm', 'ED25519'];
  }
}

export function buildPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'curvekeep-pki-'));
  const run = (args: string[]) => openssl(args, { cwd: dir });
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);

  run(['genpkey', ...keyArgs('rsa'), '-out', 'root.key']);
  run(['req', '-x509', '-new', '-config', 'ca.cnf', '-key', 'root.key', '-subj', '/O=Curvekeep Test/CN=Curvekeep Test Root', '-days', '3650', '-extensions', 'root_ca', '-out', 'root.pem']);
  run(['genpkey', ...keyArgs('ec256'), '-out', 'intermediate.key']);
  run(['req', '-new', '-config', 'ca.cnf', '-key', 'intermediate.key', '-subj', '/O=Curvekeep Test/CN=Curvekeep Test Intermediate', '-out', 'intermediate.csr']);
  run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'root.pem', '-keyfile', 'root.key', '-in', 'intermediate.csr', '-out', 'intermediate.pem', '-days', '1825', '-extensions', 'intermediate_ca', '-notext']);
  writeFileSync(join(dir, 'fullchain.pem'), readFileSync(join(dir, 'intermediate.pem'), 'utf8') + readFileSync(join(dir, 'root.pem'), 'utf8'));

  const leaf = (name: LeafName, kind: 'rsa' | 'ec256' | 'ec384' | 'ed25519', san: string, from: number, to: number, selfSigned = false): Leaf => {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.pem`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, `[ leaf ]\nbasicConstraints = CA:false\nkeyUsage = critical, digitalSignature${kind === 'rsa' ? ', keyEncipherment' : ''}\nextendedKeyUsage = serverAuth\nsubjectAltName = ${san}\n`);
    run(['genpkey', ...keyArgs(kind), '-out', key]);
    if (selfSigned) {
      // openssl 3.0's req has no -extfile: the extensions go in one by one.
      run(['req', '-x509', '-new', '-config', 'ca.cnf', '-key', key, '-subj', `/CN=${name}.test`, '-days', String(to), '-addext', 'basicConstraints=CA:false', '-addext', `subjectAltName=${san}`, '-addext', 'extendedKeyUsage=serverAuth', '-out', cert]);
    } else {
      run(['req', '-new', '-config', 'ca.cnf', '-key', key, '-subj', `/O=Curvekeep Test/CN=${name}.test`, '-out', `${name}.csr`]);
      run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'intermediate.pem', '-keyfile', 'intermediate.key', '-in', `${name}.csr`, '-out', cert, '-startdate', day(from), '-enddate', day(to), '-extfile', ext, '-extensions', 'leaf', '-notext']);
    }
    const bundle = join(dir, `${name}-bundle.pem`);
    writeFileSync(bundle, readFileSync(cert, 'utf8') + (selfSigned ? '' : readFileSync(join(dir, 'intermediate.pem'), 'utf8')));
    return { name, cert, key, bundle };
  };

  const leaves: Record<LeafName, Leaf> = {
    rsa: leaf('rsa', 'rsa', GOOD_SAN, -1, 365),
    ec256: leaf('ec256', 'ec256', GOOD_SAN, -1, 365),
    ec384: leaf('ec384', 'ec384', GOOD_SAN, -1, 365),
    ed25519: leaf('ed25519', 'ed25519', GOOD_SAN, -1, 365),
    expired: leaf('expired', 'ec256', GOOD_SAN, -400, -35),
    notYetValid: leaf('notYetValid', 'ec256', GOOD_SAN, 30, 400),
    selfSigned: leaf('selfSigned', 'ec256', GOOD_SAN, 0, 365, true),
    mismatch: leaf('mismatch', 'ec256', 'DNS:elsewhere.test', -1, 365),
  };

  return {
    dir,
    rootCert: join(dir, 'root.pem'),
    rootKey: join(dir, 'root.key'),
    intermediateCert: join(dir, 'intermediate.pem'),
    intermediateKey: join(dir, 'intermediate.key'),
    fullChain: join(dir, 'fullchain.pem'),
    leaves,
    issue(csrFile, name) {
      const out = join(dir, `${name}-issued.pem`);
      run(['x509', '-req', '-in', csrFile, '-CA', 'intermediate.pem', '-CAkey', 'intermediate.key', '-CAcreateserial', '-days', '90', '-out', out]);
      return out;
    },
    extraLeaf(name, options) {
      const kind = options.key === 'ec256' ? 'ec256' : 'rsa';
      const key = join(dir, `${name}.key`);
      const cert = join(dir, `${name}.pem`);
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, `[ leaf ]\nbasicConstraints = CA:false\nkeyUsage = critical, digitalSignature${kind === 'rsa' ? ', keyEncipherment' : ''}\nextendedKeyUsage = serverAuth\nsubjectAltName = ${GOOD_SAN}\n${options.revocation ? 'crlDistributionPoints = URI:http://crl.invalid/ca.crl\nauthorityInfoAccess = OCSP;URI:http://ocsp.invalid/\n' : ''}`);
      run(['genpkey', ...(options.key === 'rsa1024' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'] : keyArgs(kind)), '-out', key]);
      run(['req', '-new', '-config', 'ca.cnf', '-key', key, '-subj', `/O=Curvekeep Test/CN=${name}.test`, '-out', `${name}.csr`]);
      run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'intermediate.pem', '-keyfile', 'intermediate.key', '-in', `${name}.csr`, '-out', cert, '-md', options.md ?? 'sha256', '-startdate', day(options.from ?? -1), '-enddate', day(options.to ?? 365), '-extfile', ext, '-extensions', 'leaf', '-notext']);
      const bundle = join(dir, `${name}-bundle.pem`);
      writeFileSync(bundle, readFileSync(cert, 'utf8') + readFileSync(join(dir, 'intermediate.pem'), 'utf8'));
      return { name: name as LeafName, cert, key, bundle };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunningServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** `openssl s_server` on 127.0.0.1 and a port the OS picks; `extra` adds e.g. `-tls1_3`. */
export function startOpensslServer(leaf: Pick<Leaf, 'cert' | 'key'>, chainFile: string | null, extra: ReadonlyArray<string> = []): Promise<RunningServer> {
  const args = ['s_server', '-accept', '127.0.0.1:0', '-cert', leaf.cert, '-key', leaf.key, ...(chainFile ? ['-cert_chain', chainFile] : []), '-www', ...extra];
  const child: ChildProcess = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`openssl s_server did not start: ${out}`));
    }, 5000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ACCEPT\s+\S*:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited (${code}): ${out}`));
    });
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Node's TLS server with the given leaf (and chain file appended to the certificate). */
export async function startNodeTlsServer(leaf: Pick<Leaf, 'cert' | 'key'>, chainFile: string | null, options: tls.TlsOptions = {}): Promise<RunningServer> {
  const cert = readFileSync(leaf.cert, 'utf8') + (chainFile ? readFileSync(chainFile, 'utf8') : '');
  const sockets = new Set<Socket>();
  const server = tls.createServer({ cert, key: readFileSync(leaf.key), ...options }, (socket) => socket.end('hello\n'));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  return { port: await listen(server), stop: closer(server, sockets) };
}

/** Accepts TCP connections and never says a word. */
export async function startBlackHole(): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  return { port: await listen(server), stop: closer(server, sockets) };
}

/** A plaintext service: answers anything with an HTTP error. */
export async function startPlaintextServer(): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  });
  return { port: await listen(server), stop: closer(server, sockets) };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
