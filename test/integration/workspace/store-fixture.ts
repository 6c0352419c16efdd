// A team workspace for the store tests: a private cluster (test/helpers/postgres.ts), the schema
// made by `workspace init`, and members, each with its own keychain service and data folder,
// acting through real CLI processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, runCli } from '../../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { OsKeychain } from '../../../src-main/keychain/os-keychain.js';

export interface Member {
  readonly login: string;
  readonly home: string;
  readonly service: string;
  readonly keychain: OsKeychain;
  readonly url: string;
  readonly env: NodeJS.ProcessEnv;
  cli(args: ReadonlyArray<string>, input?: string, timeoutMs?: number): Promise<CliResult>;
}

export interface TeamWorkspace {
  readonly pg: TestPostgres;
  readonly owner: Member;
  member(login: string): Member;
  /** Creates a member with `role` (granted by `by`, the owner by default). */
  grant(login: string, role: 'admin' | 'operator' | 'tech', by?: Member): Promise<Member>;
  cleanup(): Promise<void>;
}

let counter = 0;

function makeMember(pg: TestPostgres, login: string, url: string): Member {
  const home = mkdtempSync(join(tmpdir(), `curvekeep-ws-${login}-`));
  const service = `curvekeep-test-ws-${login}-${process.pid}-${++counter}`;
  const env: NodeJS.ProcessEnv = { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_KEYCHAIN_SERVICE: service, CURVEKEEP_STORE: url };
  delete env.PGPASSWORD;
  return { login, home, service, keychain: new OsKeychain(service), url, env, cli: (args, input, timeoutMs) => runCli(args, env, input, timeoutMs) };
}

export async function startTeamWorkspace(): Promise<TeamWorkspace> {
  const pg = await startPostgres();
  const members = new Map<string, Member>();
  const owner = makeMember(pg, pg.ownerLogin, pg.ownerUrl);
  const init = await owner.cli(['workspace', 'init', '--json']);
  if (init.code !== 0) throw new Error(`workspace init failed: ${init.stderr}`);
  return {
    pg,
    owner,
    member: (login) => members.get(login)!,
    async grant(login, role, by = owner) {
      const r = await by.cli(['workspace', 'grant', login, '--role', role, '--password-stdin'], `${pg.passwordFor(login)}\n`);
      if (r.code !== 0) throw new Error(`workspace grant ${login} failed: ${r.stderr}`);
      const m = makeMember(pg, login, pg.url(login));
      members.set(login, m);
      return m;
    },
    async cleanup() {
      for (const m of [owner, ...members.values()]) {
        for (const account of await m.keychain.accounts().catch(() => [] as string[])) await m.keychain.delete(account).catch(() => undefined);
        rmSync(m.home, { recursive: true, force: true });
      }
      await pg.stop();
    },
  };
}
