import { useState } from 'preact/hooks';
import { getJson } from '../api';
import type { Part } from '../load';
import { nameOf, time, type Names, type Prebuild } from '../model';
import { usePoll } from '../poll';
import { Empty, Failure, Phase } from './common';

/** Prebuilds of every project, newest first, each with its log on demand (refreshed while open). */
export function Prebuilds({ prebuilds, names, apiKey }: { prebuilds: Part<Prebuild[]>; names: Names; apiKey: string }) {
  const [opened, setOpened] = useState<string | null>(null);
  if (prebuilds.error) return <Failure error={prebuilds.error} />;
  if (prebuilds.value.length === 0) return <Empty>No prebuilds.</Empty>;
  return (
    <table>
      <thead>
        <tr>
          <th>prebuild</th>
          <th>project / class</th>
          <th>status</th>
          <th>started</th>
          <th>finished</th>
          <th>log</th>
        </tr>
      </thead>
      <tbody>
        {prebuilds.value.map((p) => [
          <tr key={p.id} data-prebuild={p.id}>
            <th scope="row" class="mono" title={p.id}>{p.id.slice(0, 8)}</th>
            <td>
              {nameOf(names, p.projectId)} / {nameOf(names, p.environmentClassId)}
            </td>
            <td>
              <Phase phase={p.status} />
              {p.failureMessage && <div class="failure-inline">{p.failureMessage}</div>}
            </td>
            <td>{time(p.createdAt)}</td>
            <td>{time(p.finishedAt)}</td>
            <td>
              <button type="button" class="link" data-action="log" onClick={() => setOpened(opened === p.id ? null : p.id)}>
                {opened === p.id ? 'hide' : 'show'}
              </button>
            </td>
          </tr>,
          opened === p.id && (
            <tr key={p.id + '-log'} class="log-row">
              <td colSpan={6}>
                <PrebuildLog prebuild={p} apiKey={apiKey} />
              </td>
            </tr>
          ),
        ])}
      </tbody>
    </table>
  );
}

function PrebuildLog({ prebuild, apiKey }: { prebuild: Prebuild; apiKey: string }) {
  const path = `/api/v1/projects/${encodeURIComponent(prebuild.projectId)}/prebuilds/${encodeURIComponent(prebuild.id)}`;
  const log = usePoll(() => getJson<{ log: string }>(path, apiKey).then((d) => d.log), [path, apiKey]);
  if (log.error && log.value === null) return <Failure error={log.error} />;
  return (
    <pre class="log" data-field="log">
      {log.value ?? 'loading…'}
    </pre>
  );
}
