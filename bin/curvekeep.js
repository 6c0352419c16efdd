#!/usr/bin/env node
// The installed command. `--version` is answered here so that it loads nothing else.
import { readFileSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ caches the compiled bundle (dist/main/cli/main.js and its chunks) between runs; on an
// older Node there is no such function and nothing happens.
module.enableCompileCache?.();

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  try {
    const { start } = await import('../dist/main/cli/start.js');
    process.exitCode = await start(args);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main/cli')) {
      process.stderr.write('curvekeep: not built yet; run `npm install` (or `npm run build:main`) in the checkout\n');
      process.exitCode = 3;
    } else {
      throw error;
    }
  }
}
