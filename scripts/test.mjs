#!/usr/bin/env node
// `npm test`: builds what the tests start as processes, then runs every suite inside a usable
// keychain (see with-keychain.mjs) and ends with one plain line: `tests: N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const wantsE2e = filters.length === 0 || filters.some((f) => f.startsWith('test/e2e'));
const wantsCore = filters.length === 0 || filters.some((f) => !f.startsWith('test/e2e'));

function step(cmd, args) {
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  return result.status ?? 1;
}

if (step('npm', ['run', '--silent', 'build:main']) !== 0) process.exit(1);
if (wantsE2e && existsSync('vite.config.ts') && step('npm', ['run', '--silent', 'build:renderer']) !== 0) process.exit(1);

const out = mkdtempSync(join(tmpdir(), 'curvekeep-test-'));
let passed = 0;
let failed = 0;
let status = 0;

function suite(config, paths, name) {
  const report = join(out, `${name}.json`);
  const code = step('node', [
    'scripts/with-keychain.mjs', 'npx', 'vitest', 'run', '--config', config,
    '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...paths,
  ]);
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
  }
  if (code !== 0) status = 1;
}

if (wantsCore) suite('vitest.config.ts', filters.filter((f) => !f.startsWith('test/e2e')), 'core');
if (wantsE2e && existsSync('vitest.e2e.config.ts')) suite('vitest.e2e.config.ts', [], 'e2e');
rmSync(out, { recursive: true, force: true });

if (passed + failed === 0) status = 1;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(status);
