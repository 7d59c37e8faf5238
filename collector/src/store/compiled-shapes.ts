import { CompiledQuery, type Compilable } from 'kysely';

/** Shapes kept per store; past this many, the cache starts again (a batch has a few hundred at most). */
const SHAPES = 1000;

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
 * run of that shape binds its own parameters to it. The caller lays the
 * parameters out; the first run of each shape checks that layout against the
 * one Kysely compiled, value by value, so that a layout that does not match
 * Kysely's fails at once, before anything runs.
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
    if (text !== undefined) return CompiledQuery.raw(text, parameters) as CompiledQuery<R>;
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
