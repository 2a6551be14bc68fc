import { ApiError, getJson, getText } from './api';
import type { Environment, ExecutionPoolStatus, Named, Names, Prebuild, WarmPool } from './model';
import { parse, runtimeFigures, type RuntimeFigures } from './prometheus';

/** One refresh: every panel's data. A part that failed carries its error; the others still show. */
export interface Snapshot {
  status: Part<ExecutionPoolStatus>;
  figures: Part<Map<string, RuntimeFigures>>;
  pools: Part<WarmPool[]>;
  environments: Part<Environment[]>;
  prebuilds: Part<Prebuild[]>;
  names: Names;
}

export type Part<T> = { value: T; error?: undefined } | { value?: undefined; error: Error };

export async function loadSnapshot(key: string): Promise<Snapshot> {
  const [status, metrics, pools, environments, projects, classes] = await Promise.allSettled([
    getJson<ExecutionPoolStatus>('/api/v1/warm-pool/status', key),
    getText('/metrics', key),
    getJson<{ warmPools: WarmPool[] }>('/api/v1/warm-pools', key),
    getJson<{ environments: Environment[] }>('/api/v1/environments', key),
    getJson<{ projects: Named[] }>('/api/v1/projects', key),
    getJson<{ environmentClasses: Named[] }>('/api/v1/environment-classes', key),
  ]);
  for (const r of [status, metrics, pools, environments, projects, classes]) {
    // A key revoked while signed in: every panel would say so; the page signs out instead.
    if (r.status === 'rejected' && r.reason instanceof ApiError && r.reason.status === 401) throw r.reason;
  }
  const names: Names = new Map();
  for (const list of [projects, classes]) {
    if (list.status === 'fulfilled') {
      const items = 'projects' in list.value ? list.value.projects : list.value.environmentClasses;
      for (const item of items) names.set(item.id, item.name);
    }
  }
  return {
    status: part(status, (v) => v),
    figures: part(metrics, (text) => runtimeFigures(parse(text))),
    pools: part(pools, (v) => v.warmPools),
    environments: part(environments, (v) => v.environments),
    prebuilds: projects.status === 'fulfilled' ? await prebuildsOf(projects.value.projects, key) : { error: projects.reason },
    names,
  };
}

function part<A, T>(result: PromiseSettledResult<A>, map: (a: A) => T): Part<T> {
  return result.status === 'fulfilled' ? { value: map(result.value) } : { error: result.reason as Error };
}

async function prebuildsOf(projects: Named[], key: string): Promise<Part<Prebuild[]>> {
  try {
    const lists = await Promise.all(projects.map((p) => getJson<{ prebuilds: Prebuild[] }>(`/api/v1/projects/${encodeURIComponent(p.id)}/prebuilds`, key)));
    const all = lists.flatMap((l) => l.prebuilds);
    all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { value: all };
  } catch (e) {
    return { error: e as Error };
  }
}
