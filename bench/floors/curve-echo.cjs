// The least a Node.js program does for what the minimal pyzmq client does in bench/link.bench.mjs:
// a CURVE DEALER with its keys on the command line, one message echoed, a 2 s timeout. With
// --keychain SERVICE ACCOUNT it first reads its secret key from the OS keychain, as
// `curvekeep test` must. No Curvekeep code: the floor `curvekeep test` is measured against.
//   node bench/floors/curve-echo.cjs ENDPOINT SERVER_KEY PUBLIC SECRET [--keychain SERVICE ACCOUNT]
'use strict';
async function main() {
  const [endpoint, serverKey, publicKey, secretArg] = process.argv.slice(2);
  const at = process.argv.indexOf('--keychain');
  const secretKey = at > 0 ? await require('@github/keytar').getPassword(process.argv[at + 1], process.argv[at + 2]) : secretArg;
  const zmq = require('zeromq');
  const socket = new zmq.Dealer({ curveServerKey: serverKey, curvePublicKey: publicKey, curveSecretKey: secretKey, linger: 0, receiveTimeout: 2000 });
  socket.connect(endpoint);
  await socket.send(['', 'curvekeep-ping']);
  const reply = await socket.receive();
  socket.close();
  process.stdout.write(`${JSON.stringify({ echo: reply.map(String).includes('curvekeep-ping') })}\n`);
}
main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
