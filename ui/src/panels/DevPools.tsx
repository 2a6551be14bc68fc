import type { Part } from '../load';
import { nameOf, type Names, type WarmPool } from '../model';
import { Empty, Failure, Phase } from './common';

/** Development-environment pools: phase, target and instances by state. */
export function DevPools({ pools, names }: { pools: Part<WarmPool[]>; names: Names }) {
  if (pools.error) return <Failure error={pools.error} />;
  const live = pools.value.filter((p) => p.status.phase !== 'WARM_POOL_PHASE_DELETED');
  if (live.length === 0) return <Empty>No development-environment pools.</Empty>;
  return (
    <table>
      <thead>
        <tr>
          <th>project / class</th>
          <th>phase</th>
          <th class="num">target</th>
          <th class="num">running</th>
          <th class="num">stopped</th>
          <th class="num">claimed</th>
          <th class="num">min–max</th>
          <th class="num">cap</th>
          <th>snapshot</th>
        </tr>
      </thead>
      <tbody>
        {live.map((p) => (
          <tr key={p.id} data-pool={p.id}>
            <th scope="row">
              {nameOf(names, p.metadata.projectId)} / {nameOf(names, p.metadata.environmentClassId)}
              {p.status.failureMessage && <div class="failure-inline">{p.status.failureMessage}</div>}
            </th>
            <td><Phase phase={p.status.phase} /></td>
            <td class="num" data-field="desired">{p.status.desiredSize}</td>
            <td class="num" data-field="running">{p.status.runningInstances}</td>
            <td class="num" data-field="stopped">{p.status.stoppedInstances}</td>
            <td class="num" data-field="claimed">{p.status.claimedInstances}</td>
            <td class="num">{p.spec.minSize}–{p.spec.maxSize}</td>
            <td class="num">{p.spec.maxInstances ?? '∞'}</td>
            <td class="mono">{p.spec.snapshotId ? p.spec.snapshotId.slice(0, 8) : 'none yet'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
