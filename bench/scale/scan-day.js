'use strict';
/**
 * The roll-up's baseline: read every report of one day once, with what a
 * roll-up counts it by (its instance and its environment's columns), and
 * count them — what any roll-up that reads the rows out of the database
 * must at least do. Plain JavaScript, so that it starts as
 * fast as the collector's own command.
 * Usage: node scan-day.js '{"kind":"sqlite","dataDir":…}' | '{"kind":"postgres","url":…}' <day>
 */
const path = require('node:path');

const BATCH = 10_000;
const COLUMNS = 'r.instance, e.node_red, e.nodejs, e.os_type, e.os_arch, e.client, e.country';
const FROM = 'reports r JOIN environments e ON e.id = r.environment';
const DAY_MS = 86_400_000;

async function main() {
  const target = JSON.parse(process.argv[2]);
  const day = Date.parse(`${process.argv[3]}T00:00:00Z`) / DAY_MS;
  let rows = 0;
  if (target.kind === 'sqlite') {
    const SQLite = require('better-sqlite3');
    const db = new SQLite(path.join(target.dataDir, 'collector.sqlite'), { readonly: true });
    const dayRows = db.prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE r.day = ?`).iterate(day);
    while (!dayRows.next().done) rows++;
    db.close();
  } else {
    const { Client } = require('pg');
    const client = new Client({ connectionString: target.url });
    await client.connect();
    let last = Buffer.alloc(0);
    for (;;) {
      const { rows: batch } = await client.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE r.day = $1 AND r.instance > $2 ORDER BY r.instance LIMIT ${BATCH}`, [day, last]);
      if (batch.length === 0) break;
      rows += batch.length;
      last = batch[batch.length - 1].instance;
    }
    await client.end();
  }
  process.stdout.write(`${rows}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
