// `npm start` after the build: launches Electron on dist/main/app/main.js. Electron's binary is
// downloaded by the electron package on first use; where that cannot happen (installs made with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1), say so and how to fix it instead of trying a download here.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main', 'app', 'main.js');

function fail(lines, code) {
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(code);
}

/** The Electron executable, found without require('electron') (which would start a download). */
function electronBinary() {
  let packageDir;
  try {
    packageDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { problem: 'the electron package is not installed (node_modules/electron is missing)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(path) ? { path } : { problem: `ELECTRON_OVERRIDE_DIST_PATH names no Electron binary (${path} does not exist)` };
  }
  if (!relative) return { problem: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)' };
  const path = join(packageDir, 'dist', relative);
  return existsSync(path) ? { path } : { problem: `the Electron binary is missing (${path} does not exist)` };
}

const binary = electronBinary();
if (!binary.path) {
  fail(
    [
      `curvekeep: cannot start the desktop app: ${binary.problem}.`,
      '  This happens when npm install ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or without network access.',
      '  Get the binary with:   npx install-electron',
      '  or reinstall:          rm -rf node_modules/electron && npm install   (without ELECTRON_SKIP_BINARY_DOWNLOAD)',
      '  Without Electron, `npm run web` serves the same UI to a browser (development only).',
    ],
    3,
  );
}
if (!existsSync(entry)) fail([`curvekeep: ${entry} is missing; run \`npm run build\` first (npm start does).`], 2);

// Electron is given the project folder: it runs package.json's "main" (dist/main/app/main.js) and
// takes the app's name and version from package.json, as the packaged app does.
const child = spawn(binary.path, [root, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
child.on('error', (error) => fail([`curvekeep: Electron could not be started: ${error.message}`], 3));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
