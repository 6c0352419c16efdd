// The least a Node.js program does to print a workspace's devices as JSON: connect with pg (the
// client Curvekeep uses), read the rows `curvekeep --json devices list` shows (active devices in
// order, their server's name joined, the short key cut in the database), make one object per row
// with the same fields, JSON.stringify, write. No Curvekeep code, no revision or audit state: the
// floor that the workspace's `devices list --json` is measured against (bench/workspace.bench.mjs).
//   node bench/floors/pg-devices-list.cjs POSTGRES-URL
'use strict';
const pg = require('pg');

const text = { getTypeParser: () => (value) => value };
const client = new pg.Client({ connectionString: process.argv[2], connectionTimeoutMillis: 5000 });
client
  .connect()
  .then(() =>
    client.query({
      text:
        'SELECT d.id, d.name, d.server, coalesce(i.name, d.server), d.batch, d.state, d.tags::text, left(d.public_key, 8), d.previous_public_key IS NOT NULL ' +
        "FROM curvekeep.devices d LEFT JOIN curvekeep.identities i ON i.id = d.server WHERE d.state <> 'removed' ORDER BY d.created_at, d.name, d.id",
      rowMode: 'array',
      types: text,
    }),
  )
  .then(({ rows }) => {
    const devices = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const tags = r[6].length > 2 ? r[6].slice(1, -1).split(',') : [];
      devices[i] = { id: r[0], name: r[1], server: r[2], serverName: r[3], batch: r[4], state: r[5], tags, shortKey: r[7], reissuing: r[8] === 't' };
    }
    process.stdout.write(`${JSON.stringify({ total: devices.length, offset: 0, devices })}\n`);
    return client.end();
  })
  .catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return client.end().catch(() => undefined);
  });
