'use strict';
/**
 * The roll-up's baseline: read every report of one day once, the columns a
 * roll-up needs, and count them — what any roll-up that reads the rows out
 * of the database must at least do. Plain JavaScript, so that it starts as
 * fast as the collector's own command.
 * Usage: node scan-day.js '{"kind":"sqlite","dataDir":…}' | '{"kind":"postgres","url":…}' <day>
 */
const path = require('node:path');

const BATCH = 10_000;
const COLUMNS = 'instance_id, node_red, nodejs, os_type, os_arch, client';

async function main() {
  const target = JSON.parse(process.argv[2]);
  const day = process.argv[3];
  let rows = 0;
  if (target.kind === 'sqlite') {
    const SQLite = require('better-sqlite3');
    const db = new SQLite(path.join(target.dataDir, 'collector.sqlite'), { readonly: true });
    for (const _row of db.prepare(`SELECT ${COLUMNS} FROM reports WHERE day = ?`).iterate(day)) rows++;
    db.close();
  } else {
    const { Client } = require('pg');
    const client = new Client({ connectionString: target.url });
    await client.connect();
    let last = '';
    for (;;) {
      const { rows: batch } = await client.query(`SELECT ${COLUMNS} FROM reports WHERE day = $1 AND instance_id > $2 ORDER BY instance_id LIMIT ${BATCH}`, [day, last]);
      if (batch.length === 0) break;
      rows += batch.length;
      last = batch[batch.length - 1].instance_id;
    }
    await client.end();
  }
  process.stdout.write(`${rows}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
