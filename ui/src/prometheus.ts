// Reads the few figures the dashboard needs from /metrics (Prometheus text format 0.0.4): hits and
// misses by runtime, and latency quantiles from the execution-duration histogram's buckets.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: number(m[3]) });
  }
  return samples;
}

function number(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return parseFloat(text);
}

interface Bucket {
  le: number;
  count: number;
}

/** The q-quantile of a cumulative histogram, interpolated within its bucket as Prometheus does; null when empty. */
export function quantile(q: number, buckets: Bucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.length ? sorted[sorted.length - 1].count : 0;
  if (total === 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lower;
      return lower + ((b.le - lower) * (rank - below)) / Math.max(b.count - below, 1);
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

export interface RuntimeFigures {
  hits: number;
  misses: number;
  /** Seconds over every execution of the runtime, hits and misses together. */
  p50: number | null;
  p99: number | null;
  meanHit: number | null;
  meanMiss: number | null;
}

const DURATION = 'warmbox_execution_duration_seconds';

export function runtimeFigures(samples: Sample[]): Map<string, RuntimeFigures> {
  const byRuntime = new Map<string, RuntimeFigures>();
  const buckets = new Map<string, Map<number, number>>();
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  const figures = (runtime: string) => {
    let f = byRuntime.get(runtime);
    if (!f) byRuntime.set(runtime, (f = { hits: 0, misses: 0, p50: null, p99: null, meanHit: null, meanMiss: null }));
    return f;
  };
  for (const s of samples) {
    const runtime = s.labels.runtime;
    if (!runtime) continue;
    if (s.name === 'warm_pool_hits_total') figures(runtime).hits = s.value;
    else if (s.name === 'warm_pool_misses_total') figures(runtime).misses = s.value;
    else if (s.name === DURATION + '_bucket') {
      const byLe = buckets.get(runtime) ?? new Map<number, number>();
      const le = number(s.labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
      buckets.set(runtime, byLe);
    } else if (s.name === DURATION + '_sum') sums.set(runtime + '/' + s.labels.pool, s.value);
    else if (s.name === DURATION + '_count') counts.set(runtime + '/' + s.labels.pool, s.value);
  }
  for (const [runtime, f] of byRuntime) {
    const histogram = [...(buckets.get(runtime) ?? new Map()).entries()].map(([le, count]) => ({ le, count }));
    f.p50 = quantile(0.5, histogram);
    f.p99 = quantile(0.99, histogram);
    f.meanHit = mean(sums.get(runtime + '/hit'), counts.get(runtime + '/hit'));
    f.meanMiss = mean(sums.get(runtime + '/miss'), counts.get(runtime + '/miss'));
  }
  return byRuntime;
}

function mean(sum: number | undefined, count: number | undefined): number | null {
  return sum === undefined || !count ? null : sum / count;
}
