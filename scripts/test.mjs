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

function run(config, paths, report) {
  const code = step('node', [
    'scripts/with-keychain.mjs', 'npx', 'vitest', 'run', '--config', config,
    '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...paths,
  ]);
  const json = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null;
  return { code, json };
}

// Files whose worker died under them: tests left "pending" (started or queued, never finished)
// in a run that failed. libzmq can still abort a process while a ZeroMQ socket closes under load
// (see docs/ARCHITECTURE.md, "Known libzmq aborts"); such a file is run once more, and said so.
function crashedFiles(json) {
  return (json?.testResults ?? [])
    .filter((file) => file.assertionResults.some((test) => test.status === 'pending'))
    .map((file) => file.name);
}

/** Tests a dead worker never finished: they count as failed. */
function unfinished(json) {
  return (json?.testResults ?? []).reduce((n, file) => n + file.assertionResults.filter((test) => test.status === 'pending').length, 0);
}

function suite(config, paths, name) {
  const first = run(config, paths, join(out, `${name}.json`));
  let code = first.code;
  if (first.json) {
    passed += first.json.numPassedTests;
    failed += first.json.numFailedTests;
  }
  const crashed = code !== 0 ? crashedFiles(first.json) : [];
  if (crashed.length > 0 && first.json.numFailedTests > 0) {
    failed += unfinished(first.json);
  } else if (crashed.length > 0) {
    console.log(`\ntests: a worker died natively in ${crashed.join(', ')}; running ${crashed.length === 1 ? 'that file' : 'those files'} once more`);
    for (const file of first.json.testResults.filter((f) => crashed.includes(f.name))) {
      passed -= file.assertionResults.filter((test) => test.status === 'passed').length;
    }
    const again = run(config, crashed, join(out, `${name}-again.json`));
    code = again.code;
    if (again.json) {
      passed += again.json.numPassedTests;
      failed += again.json.numFailedTests;
    }
    if (again.code !== 0) failed += unfinished(again.json);
  }
  if (code !== 0) status = 1;
}

if (wantsCore) suite('vitest.config.ts', filters.filter((f) => !f.startsWith('test/e2e')), 'core');
if (wantsE2e && existsSync('vitest.e2e.config.ts')) suite('vitest.e2e.config.ts', [], 'e2e');
rmSync(out, { recursive: true, force: true });

if (passed + failed === 0) status = 1;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(status);
