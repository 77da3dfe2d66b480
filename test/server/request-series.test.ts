import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { RequestSeries } from '../../src/observability/request-series.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const NAMES = { counter: 'c_total', counterHelp: 'answers', histogram: 'h_seconds', histogramHelp: 'latency' };

test("request series expose exactly what prom-client's Counter and Histogram expose for the same observations", async () => {
  const reference = new Registry();
  const counter = new Counter({ name: NAMES.counter, help: NAMES.counterHelp, labelNames: ['route', 'status'], registers: [reference] });
  const histogram = new Histogram({ name: NAMES.histogram, help: NAMES.histogramHelp, labelNames: ['route', 'status'], buckets: BOUNDS, registers: [reference] });
  const registry = new Registry();
  const series = new RequestSeries(registry, NAMES, ['route', 'status'], BOUNDS);
  const observations: [string, number, number][] = [
    ['/a', 200, 0.0004],
    ['/b "quoted" \\ back\nslash', 404, 0.05],
    ['/a', 200, 0.001],
    ['/a', 403, 3],
    ['/a', 200, 0.5],
  ];
  for (const [route, status, seconds] of observations) {
    const labels = { route, status: String(status) };
    counter.inc(labels);
    histogram.observe(labels, seconds);
    series.observe(`${route} ${status}`, () => labels, seconds);
  }
  assert.equal(await registry.metrics(), await reference.metrics());
  registry.resetMetrics();
  reference.resetMetrics();
  assert.equal(await registry.metrics(), await reference.metrics());
});
