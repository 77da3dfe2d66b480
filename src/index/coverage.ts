/**
 * Which reads the in-memory index may answer: none until the warm-up finished, then
 * every namespace except those left out to stay within the memory budget.
 */
export class IndexCoverage {
  private warm = false;
  private readonly excluded = new Set<string>();

  get isWarm(): boolean {
    return this.warm;
  }

  markWarm(): void {
    this.warm = true;
  }

  exclude(namespace: string): void {
    this.excluded.add(namespace);
  }

  /** Whether tuples of `namespace` are loaded (kept up to date, whether or not warm yet). */
  loads(namespace: string): boolean {
    return !this.excluded.has(namespace);
  }

  /** Whether the index answers reads of `namespace` now. */
  serves(namespace: string): boolean {
    return this.warm && !this.excluded.has(namespace);
  }

  /** Whether the index answers reads of every namespace now. */
  servesAll(): boolean {
    return this.warm && this.excluded.size === 0;
  }

  /** Namespaces answered from the database because they did not fit. */
  excludedNamespaces(): string[] {
    return [...this.excluded].sort();
  }
}
