import { CompiledQuery, type Compilable } from 'kysely';

/**
 * Shapes kept per store; past this many, the cache starts again. A store
 * meets about a thousand at most: each batch statement once per row or id
 * count up to a batch's size (256).
 */
const SHAPES = 2000;

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return Object.is(a, b);
}

/**
 * A batch's statements compiled by Kysely once per shape. Kysely builds a
 * statement as a tree of objects, one or more per value, and compiles it by
 * visiting each, on every run: for a batch's multi-row insert and its lists of
 * ids that cost more than the database's own work on them (BENCHMARKS.md).
 * Their text depends only on the shape (the statement and how many rows or
 * ids it holds), so the text Kysely compiled for a shape is kept, and a later
 * run of that shape binds its own parameters to it.
 *
 * The caller lays the parameters out as Kysely does: for an insert, each
 * row's values in the order of its keys, every row made by one object literal
 * (Kysely takes the columns from the rows' keys, and would write `default` for
 * an `undefined`). The first run of each shape compares that layout with
 * Kysely's, value by value, and an `undefined` is refused on every run: a
 * layout that drifts from Kysely's fails before anything runs.
 */
export class CompiledShapes {
  private readonly texts = new Map<string, string>();

  /**
   * The statement of `shape` with these `parameters`. `build` makes the same
   * statement with Kysely, from the same values; it is called only the first
   * time a shape is seen.
   */
  compile<R>(shape: string, parameters: unknown[], build: () => Compilable<R>): CompiledQuery<R> {
    const text = this.texts.get(shape);
    if (text !== undefined) {
      if (parameters.includes(undefined)) throw new Error(`a parameter given for "${shape}" is undefined, where Kysely would have written the column's default`);
      return CompiledQuery.raw(text, parameters);
    }
    const compiled = build().compile();
    const expected = compiled.parameters;
    if (expected.length !== parameters.length || expected.some((value, i) => !sameValue(value, parameters[i]))) {
      throw new Error(`the parameters given for "${shape}" are not laid out as Kysely compiles that statement`);
    }
    if (this.texts.size >= SHAPES) this.texts.clear();
    this.texts.set(shape, compiled.sql);
    return compiled;
  }
}
