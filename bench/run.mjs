#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.mjs in turn. Each prints its own figures and a
// comparison against a peer measured in the same run (pyzmq, openssl, ...). Nothing is asserted.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const build = spawnSync('npm', ['run', '--silent', 'build:main'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
let failed = 0;
for (const file of readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, [new URL(file, import.meta.url).pathname], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
