// The figures the execution-pools panel reads from /metrics, on text in the shape Micrometer writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, quantile, runtimeFigures } from '../src/prometheus';

const METRICS = `# HELP warm_pool_hits_total Executions served by a warm container
# TYPE warm_pool_hits_total counter
warm_pool_hits_total{runtime="python"} 9.0
warm_pool_hits_total{runtime="go"} 0.0
warm_pool_misses_total{runtime="python"} 1.0
# TYPE warmbox_execution_duration_seconds histogram
warmbox_execution_duration_seconds_bucket{pool="hit",runtime="python",le="0.01"} 4
warmbox_execution_duration_seconds_bucket{pool="hit",runtime="python",le="0.02"} 8
warmbox_execution_duration_seconds_bucket{pool="hit",runtime="python",le="0.1"} 9
warmbox_execution_duration_seconds_bucket{pool="hit",runtime="python",le="+Inf"} 9
warmbox_execution_duration_seconds_count{pool="hit",runtime="python"} 9
warmbox_execution_duration_seconds_sum{pool="hit",runtime="python"} 0.135
warmbox_execution_duration_seconds_bucket{pool="miss",runtime="python",le="0.01"} 0
warmbox_execution_duration_seconds_bucket{pool="miss",runtime="python",le="0.02"} 0
warmbox_execution_duration_seconds_bucket{pool="miss",runtime="python",le="0.1"} 0
warmbox_execution_duration_seconds_bucket{pool="miss",runtime="python",le="+Inf"} 1
warmbox_execution_duration_seconds_count{pool="miss",runtime="python"} 1
warmbox_execution_duration_seconds_sum{pool="miss",runtime="python"} 0.9
jvm_threads_live_threads 42.0
`;

test('reads names, labels with escapes, and special values', () => {
  const samples = parse('a_total{path="/x\\"y\\\\",b="1"} +Inf\nb NaN\nc -2.5e-3 1700000000\n# comment\n\n');
  assert.deepEqual(samples[0], { name: 'a_total', labels: { path: '/x"y\\', b: '1' }, value: Infinity });
  assert.ok(Number.isNaN(samples[1].value));
  assert.deepEqual(samples[2], { name: 'c', labels: {}, value: -0.0025 });
  assert.equal(samples.length, 3);
});

test('interpolates a quantile within its bucket as histogram_quantile does', () => {
  const buckets = [{ le: 0.01, count: 4 }, { le: 0.02, count: 8 }, { le: Infinity, count: 10 }];
  assert.equal(quantile(0.5, buckets), 0.0125, 'rank 5 is the first of 4 in (0.01, 0.02]');
  assert.equal(quantile(0.2, buckets), 0.005, 'rank 2 of 4 in (0, 0.01]');
  assert.equal(quantile(0.99, buckets), 0.02, 'in the +Inf bucket: the highest finite bound');
  assert.equal(quantile(0.5, [{ le: Infinity, count: 0 }]), null, 'no observations, no quantile');
});

test('sums hits and misses into one histogram per runtime and keeps their means apart', () => {
  const python = runtimeFigures(parse(METRICS)).get('python');
  assert.ok(python);
  assert.equal(python.hits, 9);
  assert.equal(python.misses, 1);
  // 10 executions: rank 5 falls in (0.01, 0.02] holding 4 (ranks 5-8), one quarter in.
  assert.ok(Math.abs((python.p50 ?? 0) - 0.0125) < 1e-12, `p50 ${python.p50}`);
  assert.equal(python.p99, 0.1, 'the miss is in +Inf: the highest finite bound');
  assert.ok(Math.abs((python.meanHit ?? 0) - 0.015) < 1e-12);
  assert.equal(python.meanMiss, 0.9);
  const go = runtimeFigures(parse(METRICS)).get('go');
  assert.deepEqual(go, { hits: 0, misses: 0, p50: null, p99: null, meanHit: null, meanMiss: null });
});
