import assert from 'node:assert/strict';
import fc from 'fast-check';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { CompiledShapes } from '../../src/store/compiled-shapes';

interface Row {
  id: number;
  name: string | null;
  bytes: Uint8Array;
}

interface Tables {
  things: Row;
}

/** A real SQLite in memory: the statements run, not only compile. */
async function database(): Promise<Kysely<Tables>> {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  await db.schema.createTable('things').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').addColumn('bytes', 'blob', (c) => c.notNull()).execute();
  return db;
}

describe('statements compiled once per shape (CompiledShapes)', () => {
  let db: Kysely<Tables>;
  beforeEach(async () => {
    db = await database();
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('Kysely builds a shape once; later runs of it bind their own parameters to the same text', async () => {
    const shapes = new CompiledShapes();
    let builds = 0;
    const insert = (rows: Row[]) =>
      shapes.compile(`insert ${rows.length}`, rows.flatMap(Object.values), () => {
        builds++;
        return db.insertInto('things').values(rows);
      });
    const first = insert([{ id: 1, name: 'a', bytes: Buffer.from([1]) }, { id: 2, name: null, bytes: Buffer.from([2]) }]);
    const second = insert([{ id: 3, name: 'c', bytes: Buffer.from([3]) }, { id: 4, name: 'd', bytes: Buffer.from([4, 4]) }]);
    assert.equal(builds, 1, 'the second run of the shape was built again');
    assert.equal(second.sql, first.sql);
    assert.deepEqual(second.parameters, [3, 'c', Buffer.from([3]), 4, 'd', Buffer.from([4, 4])]);
    await db.executeQuery(first);
    await db.executeQuery(second);
    insert([{ id: 5, name: 'e', bytes: Buffer.from([5]) }]);
    assert.equal(builds, 2, 'another row count is another shape');
    const rows = await db.selectFrom('things').selectAll().orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [r.id, r.name, Buffer.from(r.bytes).toString('hex')]),
      [[1, 'a', '01'], [2, null, '02'], [3, 'c', '03'], [4, 'd', '0404']],
    );
  });

  it('parameters not laid out as Kysely compiles the statement fail on the first run of the shape, naming it', () => {
    const shapes = new CompiledShapes();
    const row = { id: 1, name: 'a', bytes: Buffer.from([1]) };
    assert.throws(
      () => shapes.compile('insert things', [row.name, row.id, row.bytes], () => db.insertInto('things').values(row)),
      /"insert things" are not laid out as Kysely compiles/,
    );
    assert.throws(() => shapes.compile('insert things', [row.id, row.name], () => db.insertInto('things').values(row)), /"insert things"/, 'one parameter short');
    assert.throws(
      () => shapes.compile('insert things', [row.id, row.name, Buffer.from([2])], () => db.insertInto('things').values(row)),
      /"insert things"/,
      'bytes are compared by content',
    );
    // Nothing was kept from the failures: a correct layout is still checked, and then kept.
    assert.equal(shapes.compile('insert things', [row.id, row.name, Buffer.from([1])], () => db.insertInto('things').values(row)).parameters.length, 3);
    // Kysely would write the column's default for an undefined value; a kept text cannot, so it is refused on every run.
    assert.throws(() => shapes.compile('insert things', [2, undefined, Buffer.from([2])], () => db.insertInto('things').values(row)), /"insert things" is undefined/);
  });

  it('whatever the rows, a statement from a kept shape stores exactly what Kysely\'s own would (property)', async () => {
    const shapes = new CompiledShapes();
    const rowsArb = fc.uniqueArray(
      fc.record({ id: fc.integer({ min: 1, max: 1_000_000 }), name: fc.option(fc.string(), { nil: null }), bytes: fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)) }),
      { minLength: 1, maxLength: 6, selector: (r) => r.id },
    );
    await fc.assert(
      fc.asyncProperty(rowsArb, async (rows) => {
        await db.deleteFrom('things').execute();
        await db.executeQuery(shapes.compile(`insert ${rows.length}`, rows.flatMap(Object.values), () => db.insertInto('things').values(rows)));
        const stored = await db.selectFrom('things').selectAll().orderBy('id').execute();
        const wanted = [...rows].sort((a, b) => a.id - b.id);
        assert.deepEqual(
          stored.map((r) => [r.id, r.name, Buffer.from(r.bytes).toString('hex')]),
          wanted.map((r) => [r.id, r.name, Buffer.from(r.bytes).toString('hex')]),
        );
      }),
      { numRuns: 200 },
    );
  });
});
