import { Counter, Histogram, type Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;

export interface RequestSeriesNames {
  readonly counter: string;
  readonly counterHelp: string;
  readonly histogram: string;
  readonly histogramHelp: string;
}

/** The prom-client children of one label set, made once and kept. */
interface Children {
  readonly count: Counter.Internal;
  readonly latency: Histogram.Internal<string>;
}

/**
 * A prom-client Counter of answers and a Histogram of their latency over the same labels.
 * The caller names a label set by a key of its own; the children of a label set are made on
 * the key's first use and kept, so the label object is built once per label set, not per
 * request.
 */
export class RequestSeries {
  readonly #counter: Counter<string>;
  readonly #histogram: Histogram<string>;
  readonly #children = new Map<string, Children>();

  constructor(registry: Registry, names: RequestSeriesNames, labelNames: readonly string[], upperBounds: readonly number[]) {
    this.#counter = new Counter({ name: names.counter, help: names.counterHelp, labelNames, registers: [registry] });
    this.#histogram = new Histogram({
      name: names.histogram,
      help: names.histogramHelp,
      labelNames,
      buckets: [...upperBounds],
      registers: [registry],
    });
  }

  /** One answer of the label set `key` names; `labels` is asked for only on the key's first use. */
  observe(key: string, labels: () => Labels, seconds: number): void {
    let children = this.#children.get(key);
    if (children === undefined) {
      const set = labels();
      children = { count: this.#counter.labels(set), latency: this.#histogram.labels(set) };
      this.#children.set(key, children);
    }
    children.count.inc();
    children.latency.observe(seconds);
  }
}
