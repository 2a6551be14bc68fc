import { useState } from 'preact/hooks';
import { postJson } from '../api';
import type { Part } from '../load';
import { nameOf, time, type Environment, type Names } from '../model';
import { Empty, Failure, Phase } from './common';

/**
 * Environments the key may see (members their own, admins all: the API scopes the list). Opening one
 * asks the server for a fresh access link (owner only) and goes there; the router swaps the link's
 * token for a cookie, so the API key itself never leaves the header.
 */
export function Environments({ environments, names, apiKey }: { environments: Part<Environment[]>; names: Names; apiKey: string }) {
  const [openError, setOpenError] = useState<{ id: string; message: string } | null>(null);
  if (environments.error) return <Failure error={environments.error} />;
  if (environments.value.length === 0) return <Empty>No environments.</Empty>;
  const open = async (e: Event, env: Environment) => {
    e.preventDefault();
    try {
      const link = await postJson<{ accessUrl: string }>(`/api/v1/environments/${encodeURIComponent(env.id)}/access-link`, apiKey);
      window.location.assign(link.accessUrl);
    } catch (err) {
      setOpenError({ id: env.id, message: (err as Error).message });
    }
  };
  return (
    <table>
      <thead>
        <tr>
          <th>environment</th>
          <th>project / class</th>
          <th>phase</th>
          <th>owner</th>
          <th>claimed</th>
          <th>link</th>
        </tr>
      </thead>
      <tbody>
        {environments.value.map((env) => (
          <tr key={env.id} data-environment={env.id}>
            <th scope="row" class="mono" title={env.id}>
              {env.id.slice(0, 8)}
              {env.warm && <span class="tag">warm</span>}
            </th>
            <td>
              {nameOf(names, env.metadata.projectId)} / {nameOf(names, env.metadata.environmentClassId)}
            </td>
            <td>
              <Phase phase={env.status.phase} />
              {env.status.failureMessage && <div class="failure-inline">{env.status.failureMessage}</div>}
            </td>
            <td class="mono" title={env.metadata.creatorId}>{env.metadata.creatorId.slice(0, 8)}</td>
            <td>{time(env.metadata.createdAt)}</td>
            <td>
              {env.status.routeActive ? (
                <a href={env.url} data-action="open" onClick={(e) => open(e, env)}>
                  open ↗
                </a>
              ) : (
                <span class="muted">not routable yet</span>
              )}
              <div class="mono small">{env.url}</div>
              {openError?.id === env.id && <div class="failure-inline" role="alert">{openError.message}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
