import type { ExecutionPoolStatus } from '../model';
import { millis, percent } from '../model';
import type { RuntimeFigures } from '../prometheus';
import type { Part } from '../load';
import { Failure, HitBar } from './common';

interface Props {
  status: Part<ExecutionPoolStatus>;
  figures: Part<Map<string, RuntimeFigures>>;
}

/** The execution pools: one row per runtime, from /api/v1/warm-pool/status and /metrics. */
export function ExecutionPools({ status, figures }: Props) {
  if (status.error) return <Failure error={status.error} />;
  const s = status.value;
  const byRuntime = figures.value ?? new Map<string, RuntimeFigures>();
  const inUse = Object.values(s.pools).reduce((n, p) => n + p.in_use, 0);
  const available = Object.values(s.pools).reduce((n, p) => n + p.available, 0);
  return (
    <div>
      <div class="cards">
        <Card label="hit rate" value={percent(s.hit_rate)} field="hit_rate" />
        <Card label="hits" value={String(s.total_hits)} field="total_hits" />
        <Card label="misses" value={String(s.total_misses)} field="total_misses" />
        <Card label="in use" value={String(inUse)} field="in_use" />
        <Card label="available" value={String(available)} field="available" />
        {!s.enabled && <Card label="pools" value="disabled" field="enabled" />}
      </div>
      {figures.error && <Failure error={figures.error} />}
      <table>
        <thead>
          <tr>
            <th>runtime</th>
            <th class="num">size</th>
            <th class="num">available</th>
            <th class="num">in use</th>
            <th class="num">target</th>
            <th class="num">waiting</th>
            <th class="num">hits</th>
            <th class="num">misses</th>
            <th>hit against miss</th>
            <th class="num">p50</th>
            <th class="num">p99</th>
            <th class="num">mean hit</th>
            <th class="num">mean miss</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(s.pools).map(([runtime, pool]) => {
            const scaling = s.scaling[runtime];
            const f = byRuntime.get(runtime);
            return (
              <tr key={runtime} data-runtime={runtime}>
                <th scope="row">{runtime}</th>
                <td class="num" data-field="size">{pool.size}</td>
                <td class="num" data-field="available">{pool.available}</td>
                <td class="num" data-field="in_use">{pool.in_use}</td>
                <td class="num" data-field="target" title={scaling ? `between ${scaling.min_size} and ${scaling.max_size}` : ''}>{scaling?.target ?? ''}</td>
                <td class="num" data-field="waiting">{scaling?.waiting ?? ''}</td>
                <td class="num" data-field="hits">{f?.hits ?? ''}</td>
                <td class="num" data-field="misses">{f?.misses ?? ''}</td>
                <td><HitBar hits={f?.hits ?? 0} misses={f?.misses ?? 0} /></td>
                <td class="num" data-field="p50">{millis(f?.p50 ?? null)}</td>
                <td class="num" data-field="p99">{millis(f?.p99 ?? null)}</td>
                <td class="num" data-field="mean_hit">{millis(f?.meanHit ?? null)}</td>
                <td class="num" data-field="mean_miss">{millis(f?.meanMiss ?? null)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Card({ label, value, field }: { label: string; value: string; field: string }) {
  return (
    <div class="card" data-field={field}>
      <div class="card-value">{value}</div>
      <div class="card-label">{label}</div>
    </div>
  );
}
