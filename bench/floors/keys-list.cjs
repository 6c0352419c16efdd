// The least a Node.js program does to print what `curvekeep --json keys list` prints, with no
// Curvekeep code: the store's seal key from the keychain, the document read and its HMAC checked,
// parsed, and one row per identity with its current key's safety code (SHA-256 of the key's 32
// bytes), age and due date, written as one JSON document a hundred rows at a time. No command-line
// parser, no sealed-state check, no rotation state beyond the current generation: the floor of
// bench/core.bench.mjs.
//   CURVEKEEP_HOME=DIR CURVEKEEP_KEYCHAIN_SERVICE=NAME node bench/floors/keys-list.cjs
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { createHmac, hash } = require('node:crypto');
const keytar = require('@github/keytar');

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < Z85.length; i++) DECODE[Z85.charCodeAt(i)] = i;
const DAY_MS = 86_400_000;

function keyBytes(text) {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 40; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) value = value * 85 + DECODE[text.charCodeAt(i + j)];
    out.writeUInt32BE(value, (i / 5) * 4);
  }
  return out;
}

function safetyCode(publicKey) {
  const digest = hash('sha256', keyBytes(publicKey), 'buffer');
  const groups = [];
  for (let at = 0; at < 30; at += 5) groups.push(String(digest.readUIntBE(at, 5) % 100_000).padStart(5, '0'));
  return groups.join(' ');
}

keytar.getPassword(process.env.CURVEKEEP_KEYCHAIN_SERVICE, 'seal:store').then((stored) => {
  const raw = readFileSync(join(process.env.CURVEKEEP_HOME, 'curvekeep.json'), 'utf8');
  const doc = JSON.parse(raw);
  const body = raw.slice(raw.indexOf('"data":') + 7, raw.lastIndexOf('}'));
  const seal = createHmac('sha256', Buffer.from(stored, 'base64')).update(`curvekeep-store\n${doc.schema}\n${doc.revision}\n`).update(body).digest('hex');
  if (seal !== doc.seal) throw new Error('seal does not match');
  const now = Date.now();
  const row = (identity) => {
    const current = identity.generations.find((g) => g.state === 'current') ?? identity.generations[0];
    const since = Date.parse(current.promotedAt ?? current.createdAt);
    const dueAt = identity.rotateEveryDays === null ? null : since + identity.rotateEveryDays * DAY_MS;
    return {
      id: identity.id, name: identity.name, role: identity.role, tags: identity.tags, endpoints: identity.endpoints, createdAt: identity.createdAt,
      publicKey: current.publicKey, safetyCode: safetyCode(current.publicKey), state: current.state, generation: current.generation,
      ageDays: Math.floor((now - since) / DAY_MS), rotateEveryDays: identity.rotateEveryDays, dueAt: dueAt === null ? null : new Date(dueAt).toISOString(),
      due: dueAt === null ? 'never' : dueAt < now ? 'overdue' : 'ok', pending: null,
      generations: identity.generations.map((g) => ({ generation: g.generation, publicKey: g.publicKey, safetyCode: safetyCode(g.publicKey), state: g.state, createdAt: g.createdAt })),
    };
  };
  // A hundred rows per write, as curvekeep does (src-main/cli/runner.ts): rows die young, and
  // the reader takes the first ones while the next are made (one 2.9 MB write was ~40 ms slower).
  const identities = doc.data.identities;
  if (identities.length === 0) process.stdout.write('[]\n');
  for (let at = 0; at < identities.length; at += 100) {
    const rows = JSON.stringify(identities.slice(at, at + 100).map(row));
    process.stdout.write(`${at === 0 ? '[' : ','}${rows.slice(1, -1)}${at + 100 >= identities.length ? ']\n' : ''}`, 'latin1');
  }
});
