// results.csv is safe in a spreadsheet, and Curvekeep's own CSV imports read it back (issue 10,
// finding 7): a rejected row named like a formula, and a device whose public key starts with a
// formula character (about 5% of Z85 keys do), survive the round trip unchanged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { readPeers } from '../../../src-main/core/peers/peer-import.js';
import { readDeviceRows } from '../../../src-main/core/provisioning/device-csv.js';
import { provisionDevices } from '../../../src-main/core/provisioning/provision.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const FORMULA = "=cmd|' /C calc'!A0";

function keyStartingWith(prefix: string): string {
  for (;;) {
    const { publicKey } = generateKeyPair();
    if (publicKey.startsWith(prefix)) return publicKey;
  }
}

describe('results.csv in a spreadsheet', () => {
  let t: TestWorkspace;
  let dir: string;
  beforeAll(async () => {
    t = testWorkspace('csv-injection');
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-csv-injection-'));
    await generateIdentity(t.ws, { name: 'broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('escapes formula cells and reads them back through the device CSV and peers imports', async () => {
    const keys = ['=', '+', '-', '@'].map(keyStartingWith);
    const csv = join(dir, 'devices.csv');
    const lines = ['name,public_key', `"${FORMULA.replace(/"/g, '""')}",`, ...keys.map((k, i) => `own-${i},"${k}"`)];
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const result = await provisionDevices(t.ws, { csvPath: csv, serverRef: 'broker', outDir: join(dir, 'out') });
    expect(result.failed).toBe(1);
    expect(result.ok).toBe(4);

    const text = readFileSync(result.results, 'utf8');
    // No cell a spreadsheet would evaluate: each starts with a quote character of its own.
    for (const line of text.split(/\r?\n/).filter(Boolean)) {
      for (const cell of line.match(/"(?:[^"]|"")*"|[^,]+/g) ?? []) {
        expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    expect(text).toContain(`"'${FORMULA}"`);

    // The device CSV reader (results.csv has name and public_key columns) reads the values back.
    const rows = readDeviceRows(text, 'results.csv');
    expect(rows.map((r) => r.name)).toEqual([FORMULA, 'own-0', 'own-1', 'own-2', 'own-3']);
    expect(rows.slice(1).map((r) => r.publicKey)).toEqual(keys);

    // The peers import reads the same escaping (the rows that carry a key).
    const peersCsv = join(dir, 'peers.csv');
    writeFileSync(peersCsv, text.split(/\r?\n/).filter((l, i) => i === 0 || l.includes(',"ok",')).join('\n'));
    const peers = await readPeers(peersCsv);
    expect(peers.map((p) => p.publicKey)).toEqual(keys);
  });
});
