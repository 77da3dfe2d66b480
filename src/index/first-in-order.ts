import type { OrderedRange } from '../reader.js';
import { compareBinary } from '../tuple.js';

/**
 * The first `range.limit` distinct strings after `range.after`, in binary order, among
 * strings offered one at a time in any order: a bounded max-heap, so a scan of any size
 * holds at most `limit` of them.
 */
export class FirstInOrder {
  /** A max-heap: the greatest string kept is at 0. */
  private readonly heap: string[] = [];
  private readonly held = new Set<string>();

  constructor(private readonly range: OrderedRange) {}

  offer(s: string): void {
    const { after, limit } = this.range;
    const heap = this.heap;
    if (after !== undefined && compareBinary(s, after) <= 0) return;
    if (heap.length >= limit && (limit <= 0 || compareBinary(s, heap[0]!) >= 0)) return;
    if (this.held.has(s)) return;
    this.held.add(s);
    if (heap.length < limit) {
      heap.push(s);
      this.siftUp(heap.length - 1);
    } else {
      this.held.delete(heap[0]!);
      heap[0] = s;
      this.siftDown(0);
    }
  }

  /** The strings kept, in binary order. */
  sorted(): string[] {
    return [...this.heap].sort(compareBinary);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const s = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (compareBinary(heap[parent]!, s) >= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = s;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const s = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && compareBinary(heap[child + 1]!, heap[child]!) > 0) child++;
      if (compareBinary(heap[child]!, s) <= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = s;
  }
}
