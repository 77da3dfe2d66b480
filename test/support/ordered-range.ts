import type { OrderedRange } from '../../src/reader.js';

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** A naive ordered read: `items` sorted by their position's UTF-8 bytes, the first `range.limit` after `range.after`. */
export function inRange<T>(items: Iterable<T>, position: (item: T) => string, range: OrderedRange): T[] {
  const after = range.after;
  return [...items]
    .filter((item) => after === undefined || utf8Order(position(item), after) > 0)
    .sort((a, b) => utf8Order(position(a), position(b)))
    .slice(0, Math.max(0, range.limit));
}
