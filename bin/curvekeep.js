#!/usr/bin/env node
// The installed command, CommonJS (bin/package.json) like the command line it loads
// (dist/main/cli/start.cjs and its chunks; scripts/build-main.mjs). `--version` is answered here
// so that it loads nothing else.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const built = join(__dirname, '..', 'dist', 'main');
  let cli;
  try {
    // Compiled code is kept between runs (Node's own cache where Node has one): before any chunk loads.
    require(join(built, 'cli', 'compile-cache.cjs')).enableCompileCache([join(built, 'cli'), join(built, 'cli-chunks')]);
    cli = require(join(built, 'cli', 'start.cjs'));
  } catch (error) {
    if (error?.code !== 'MODULE_NOT_FOUND' || !/compile-cache\.cjs|start\.cjs/.test(String(error.message))) throw error;
    process.stderr.write('curvekeep: not built yet; run `npm install` (or `npm run build:main`) in the checkout\n');
    process.exitCode = 3;
  }
  if (cli) {
    cli.start(args).then((code) => {
      process.exitCode = code;
    });
  }
}
