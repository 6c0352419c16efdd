// The least a Node.js program does to lay out the files `curvekeep provision` lays out for each
// device, with no Curvekeep code: no keys made, no QR rendered, no store, no manifest. Per device a
// hidden folder, four files written in it (secret cert 0600, public cert, config.json, a PNG the
// size of Curvekeep's QR), a hard link to the server's cert, the folder renamed into place, and
// the allowlist entry linked to the public cert: the file-system floor of bench/provision.bench.mjs.
//   node bench/floors/provision-files.cjs OUT COUNT
'use strict';
const { linkSync, mkdirSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const [out, count] = [process.argv[2], Number(process.argv[3])];
const devices = join(out, 'devices');
const allow = join(out, 'allowlist');
mkdirSync(devices, { recursive: true });
mkdirSync(allow, { recursive: true });
const serverCert = join(out, 'server.cert');
writeFileSync(serverCert, `${'#'.repeat(200)}\n`);
const secret = `${'s'.repeat(420)}\n`;
const pub = `${'p'.repeat(330)}\n`;
const config = `${'c'.repeat(620)}\n`;
const png = Buffer.alloc(700, 1);
for (let i = 0; i < count; i++) {
  const name = `device-${String(i).padStart(5, '0')}`;
  const temp = join(devices, `.${name}.partial`);
  mkdirSync(temp, { mode: 0o700 });
  writeFileSync(join(temp, `${name}.key_secret`), secret, { mode: 0o600, flag: 'wx' });
  writeFileSync(join(temp, `${name}.key`), pub, { mode: 0o644, flag: 'wx' });
  writeFileSync(join(temp, 'config.json'), config, { mode: 0o644, flag: 'wx' });
  writeFileSync(join(temp, `${name}.png`), png, { mode: 0o644, flag: 'wx' });
  linkSync(serverCert, join(temp, 'server.cert'));
  const bundle = join(devices, name);
  renameSync(temp, bundle);
  linkSync(join(bundle, `${name}.key`), join(allow, `${name}.key`));
}
