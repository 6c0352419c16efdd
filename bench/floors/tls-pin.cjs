// The least a Node.js program does to print the sha256/ pin of a live TLS server's leaf: connect,
// take the peer certificate, hash its SubjectPublicKeyInfo. No Curvekeep code: the floor that
// `curvekeep pins compute --host` is measured against (bench/pins.bench.mjs).
//   node bench/floors/tls-pin.cjs HOST PORT
'use strict';
const { connect } = require('node:tls');
const { createHash } = require('node:crypto');

const socket = connect({ host: process.argv[2], port: Number(process.argv[3]), rejectUnauthorized: false, timeout: 5000 }, () => {
  const spki = socket.getPeerX509Certificate().publicKey.export({ type: 'spki', format: 'der' });
  process.stdout.write(`sha256/${createHash('sha256').update(spki).digest('base64')}\n`);
  socket.end();
});
socket.on('timeout', () => socket.destroy(new Error('timeout')));
socket.on('error', (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
