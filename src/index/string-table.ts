/**
 * Interns strings to dense integer ids (0, 1, 2, …). Ids are never reused, so an id
 * taken once stays valid for the life of the table.
 */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];
  private chars = 0;

  /** The id of `s`, or -1 when it was never interned. */
  find(s: string): number {
    const id = this.ids.get(s);
    return id === undefined ? -1 : id;
  }

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.ids.set(s, id);
      this.strings.push(s);
      this.chars += s.length;
    }
    return id;
  }

  at(id: number): string {
    return this.strings[id]!;
  }

  get size(): number {
    return this.strings.length;
  }

  /**
   * Approximate V8 heap taken: a Map entry and an array slot per string plus the
   * string itself (header and at most two bytes per character).
   */
  estimatedBytes(): number {
    return this.strings.length * (24 + 8 + 20) + this.chars * 2;
  }
}
