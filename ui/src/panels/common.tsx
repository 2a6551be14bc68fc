import type { ComponentChildren } from 'preact';
import { phaseWord } from '../model';

export function Panel({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="panel" data-panel={id} id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Failure({ error }: { error: Error }) {
  return (
    <p class="failure" role="alert">
      {error.message}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** A phase or status as a coloured word: ready and running green, failing red, the rest grey. */
export function Phase({ phase }: { phase: string }) {
  const word = phaseWord(phase);
  const tone = /ready|running|succeeded/.test(word) ? 'good' : /degraded|failed/.test(word) ? 'bad' : 'neutral';
  return (
    <span class={'phase ' + tone} data-field="phase" title={phase}>
      {word}
    </span>
  );
}

/** Hits against misses as one bar; widths set through the CSSOM, which the self-only CSP allows. */
export function HitBar({ hits, misses }: { hits: number; misses: number }) {
  const total = hits + misses;
  if (total === 0) return <span class="muted">no executions</span>;
  const hitShare = (100 * hits) / total;
  return (
    <div class="hitbar" title={`${hits} hits, ${misses} misses`}>
      <span class="hit" style={{ width: hitShare + '%' }} />
      <span class="miss" style={{ width: 100 - hitShare + '%' }} />
    </div>
  );
}
