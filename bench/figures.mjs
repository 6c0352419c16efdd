import { renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

// One line per issue-9 figure, in a form bench/run.mjs collects into the closing table:
//   figure: NAME | OURS | PEER | RATIO | GOAL | met/MISSED
export function figure(name, ours, peer, ratio, goal, met) {
  console.log(`figure: ${name} | ${ours} | ${peer} | ${ratio.toFixed(2)}x | ${goal} | ${met ? 'met' : 'MISSED'}`);
}

/**
 * NODE_EXTRA_CA_CERTS, when the environment sets it (this workplace does, for its proxy). Node 20
 * reads that bundle and builds its root store at every start, before any script runs (about 55 ms
 * per process here); Python and OpenSSL never read it. So the whole-process benches measure each
 * Node command both ways when it is set, and give a figure for each: the environment as given,
 * and the one a user without the variable has.
 */
export const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS ?? null;

/** `env` without NODE_EXTRA_CA_CERTS. */
export function withoutExtraCa(env) {
  const { NODE_EXTRA_CA_CERTS: _omitted, ...rest } = env;
  return rest;
}

/** The suffix of a figure's name measured without NODE_EXTRA_CA_CERTS. */
export const WITHOUT_EXTRA_CA = ' [without NODE_EXTRA_CA_CERTS]';

/** The environments to measure in: as given, and without NODE_EXTRA_CA_CERTS when that is set. */
export function environments(env) {
  return EXTRA_CA ? [{ suffix: '', env }, { suffix: WITHOUT_EXTRA_CA, env: withoutExtraCa(env) }] : [{ suffix: '', env }];
}

let moved = 0;

/**
 * Removes a bench's files; under `npm run bench`, moves them into the folder bench/run.mjs removes
 * after the last bench instead. Deleting a few hundred thousand files leaves creating files here
 * several times slower for minutes (the workspace bench's provisioning took 17.8 s after the
 * provisioning bench had deleted its files, 9.8 s alone), and the next bench would measure that.
 */
export function removeBenchFiles(path) {
  const trash = process.env.CURVEKEEP_BENCH_TRASH;
  if (trash) {
    try {
      renameSync(path, join(trash, `${basename(path)}-${process.pid}-${moved++}`));
      return;
    } catch {
      // Gone already, or on another file system: removed here.
    }
  }
  rmSync(path, { recursive: true, force: true });
}
