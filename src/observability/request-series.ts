import type { Metric, Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;

/** The answers of one label set: how many, their summed latency and how many fell in each bucket. */
interface Series {
  readonly labels: Labels;
  count: number;
  sum: number;
  /** Per upper bound, the answers at or below it and above the previous one. */
  readonly buckets: number[];
}

export interface RequestSeriesNames {
  readonly counter: string;
  readonly counterHelp: string;
  readonly histogram: string;
  readonly histogramHelp: string;
}

/**
 * A Prometheus counter of answers and a histogram of their latency over the same labels,
 * both read from one record per label set. The caller names a label set by a key of its
 * own, so an observation costs one map lookup: no label validation or hashing per request.
 * Exposed in the registry exactly as prom-client's Counter and Histogram expose theirs.
 */
export class RequestSeries {
  readonly #series = new Map<string, Series>();

  constructor(
    registry: Registry,
    names: RequestSeriesNames,
    private readonly upperBounds: readonly number[],
  ) {
    const base = (name: string, help: string, type: 'counter' | 'histogram') => ({
      name,
      help,
      type,
      aggregator: 'sum' as const,
      reset: () => this.#series.clear(),
    });
    const counter = {
      ...base(names.counter, names.counterHelp, 'counter'),
      get: async () => ({ ...base(names.counter, names.counterHelp, 'counter'), values: this.#counterValues() }),
    };
    const histogram = {
      ...base(names.histogram, names.histogramHelp, 'histogram'),
      get: async () => ({ ...base(names.histogram, names.histogramHelp, 'histogram'), values: this.#histogramValues(names.histogram) }),
    };
    // The registry reads only a metric's name, help, type, aggregator, get() and reset().
    registry.registerMetric(counter as unknown as Metric);
    registry.registerMetric(histogram as unknown as Metric);
  }

  /** One answer of the label set `key` names; `labels` is asked for only on the key's first use. */
  observe(key: string, labels: () => Labels, seconds: number): void {
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels: labels(), count: 0, sum: 0, buckets: this.upperBounds.map(() => 0) };
      this.#series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    const bucket = this.upperBounds.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) series.buckets[bucket]! += 1;
  }

  #counterValues() {
    return [...this.#series.values()].map((s) => ({ value: s.count, labels: s.labels }));
  }

  #histogramValues(name: string) {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    for (const s of this.#series.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        values.push({ value: cumulative, labels: { le, ...s.labels }, metricName: `${name}_bucket` });
      });
      values.push(
        { value: s.count, labels: { le: '+Inf', ...s.labels }, metricName: `${name}_bucket` },
        { value: s.sum, labels: { ...s.labels }, metricName: `${name}_sum` },
        { value: s.count, labels: { ...s.labels }, metricName: `${name}_count` },
      );
    }
    return values;
  }
}
