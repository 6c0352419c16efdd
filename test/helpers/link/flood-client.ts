// A child-process script for the stress tests: two CURVE DEALERs that keep sending (and reading
// the echoes) to whichever responder is up at 127.0.0.1:PORT, across restarts. Arguments: port,
// server public key, client public key, client secret key. Ends when its stdin closes.
export const FLOOD_CLIENT_SCRIPT = `
import * as zmq from 'zeromq';
const [port, serverKey, publicKey, secretKey] = process.argv.slice(1);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
for (let n = 0; n < 2; n++) {
  const dealer = new zmq.Dealer({ linger: 0, reconnectInterval: 1, curveServerKey: serverKey, curvePublicKey: publicKey, curveSecretKey: secretKey });
  dealer.connect('tcp://127.0.0.1:' + port);
  void (async () => { for (;;) { try { await dealer.send(['', 'x']); } catch { await pause(); } } })();
  void (async () => { for (;;) { try { await dealer.receive(); } catch { await pause(); } } })();
}
`;
