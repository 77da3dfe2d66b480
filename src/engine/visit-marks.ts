/**
 * Keto's subject-set visited marks, one generation per set. A check holds at most one
 * live set at a time: a set is made only where no enclosing step has one, and lives for
 * that step's subtree, so bumping the generation starts a new, empty set.
 */
export class VisitMarks {
  private marks = new Int32Array(1024);
  private generation = 0;

  /** Starts a new, empty set. */
  renew(): void {
    if (++this.generation === 0x7fffffff) {
      this.marks.fill(0);
      this.generation = 1;
    }
  }

  has(node: number): boolean {
    return node < this.marks.length && this.marks[node] === this.generation;
  }

  /** Adds `node` to the live set; false when it was already in it. */
  add(node: number): boolean {
    if (node >= this.marks.length) {
      const grown = new Int32Array(Math.max(node + 1, this.marks.length * 2));
      grown.set(this.marks);
      this.marks = grown;
    }
    if (this.marks[node] === this.generation) return false;
    this.marks[node] = this.generation;
    return true;
  }
}
