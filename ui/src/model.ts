// The shapes of the API answers the dashboard reads (see docs/dev-environments.md and the README).

export interface ExecutionPoolStatus {
  enabled: boolean;
  pools: Record<string, { size: number; available: number; in_use: number }>;
  total_hits: number;
  total_misses: number;
  hit_rate: number;
  scaling: Record<string, { target: number; min_size: number; max_size: number; waiting: number }>;
}

export interface WarmPool {
  id: string;
  metadata: { createdAt: string; projectId: string; environmentClassId: string };
  spec: { desiredPhase: string; minSize: number; maxSize: number; maxInstances: number | null; snapshotId: string | null; releasePolicy: string };
  status: {
    phase: string;
    desiredSize: number;
    failureMessage: string | null;
    runningInstances: number;
    stoppedInstances: number;
    claimedInstances: number;
  };
}

export interface Environment {
  id: string;
  url: string;
  warm: boolean;
  metadata: { createdAt: string; creatorId: string; projectId: string; environmentClassId: string; warmPoolId: string | null };
  status: { phase: string; failureMessage: string | null; readyAt: string | null; routeActive: boolean };
}

export interface Named {
  id: string;
  name: string;
}

export interface Prebuild {
  id: string;
  projectId: string;
  environmentClassId: string;
  status: string;
  failureMessage: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Names by id, for showing "demo / small" instead of two UUIDs. */
export type Names = Map<string, string>;

export function nameOf(names: Names, id: string | null | undefined): string {
  if (!id) return '';
  return names.get(id) ?? id.slice(0, 8);
}

/** "WARM_POOL_PHASE_READY" as "ready", "PREBUILD_STATUS_SUCCEEDED" as "succeeded". */
export function phaseWord(phase: string): string {
  return phase.replace(/^(WARM_POOL_PHASE|ENVIRONMENT_PHASE|PREBUILD_STATUS)_/, '').toLowerCase();
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function millis(seconds: number | null): string {
  if (seconds === null) return '–';
  const ms = seconds * 1000;
  return ms < 10 ? ms.toFixed(1) + ' ms' : Math.round(ms) + ' ms';
}

export function percent(fraction: number): string {
  return (fraction * 100).toFixed(1) + '%';
}
