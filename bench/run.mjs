#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.mjs in turn. Each prints its own figures and a
// comparison against a peer measured in the same run (pyzmq, openssl, node -e 0, ...), and one
// `figure:` line per figure of issue 9 (bench/figures.mjs); the table of those closes the run.
// Nothing is asserted. `npm run bench -- core link` runs the benches whose file names match.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
// The main process and the renderer: the UI bench opens the built renderer through the bridge.
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

// The benches' files go here and are removed after the last bench (see removeBenchFiles).
const trash = mkdtempSync(join(tmpdir(), 'curvekeep-bench-trash-'));

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [new URL(file, import.meta.url).pathname], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CURVEKEEP_BENCH_TRASH: trash },
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('exit', (code) => resolve({ code, figures: out.split('\n').filter((l) => l.startsWith('figure: ')) }));
  });
}

let failed = 0;
const figures = [];
for (const file of readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  console.log(`\n== ${file}`);
  const result = await run(file);
  if (result.code !== 0) failed += 1;
  figures.push(...result.figures);
}
if (figures.length) {
  const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\n== issue 9 figures (ours | peer in the same run | ratio | goal), load average ${load}`);
  for (const line of figures) console.log(`  ${line.slice('figure: '.length)}`);
}
console.log('\n(removing the files the benches wrote)');
rmSync(trash, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
