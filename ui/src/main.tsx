import { render } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, getJson, session } from './api';
import { loadSnapshot } from './load';
import { DevPools } from './panels/DevPools';
import { Environments } from './panels/Environments';
import { ExecutionPools } from './panels/ExecutionPools';
import { Prebuilds } from './panels/Prebuilds';
import { Failure, Panel } from './panels/common';
import { REFRESH_MS, usePoll } from './poll';
import './style.css';

function App() {
  const [key, setKey] = useState<string | null>(session.key());
  const [notice, setNotice] = useState<string | null>(null);
  if (!key) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(k) => {
          session.signIn(k);
          setNotice(null);
          setKey(k);
        }}
      />
    );
  }
  return (
    <Dashboard
      apiKey={key}
      onSignOut={(why) => {
        session.signOut();
        setNotice(why);
        setKey(null);
      }}
    />
  );
}

/** The key is checked against the API before it is kept; the form never submits (no key in any URL). */
function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const candidate = key.trim();
    if (!candidate) return setError('enter an API key');
    setBusy(true);
    try {
      await getJson('/api/v1/warm-pool/status', candidate);
      onSignedIn(candidate);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That API key is not valid.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form method="post" onSubmit={submit} data-form="signin">
        <h1>warmbox</h1>
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck={false} value={key}
               onInput={(e) => setKey((e.target as HTMLInputElement).value)} autofocus />
        <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
        {error && <p class="failure" role="alert" data-field="signin-error">{error}</p>}
        <p class="hint">The key stays in this tab's session storage and is sent only in the X-API-Key header.</p>
      </form>
    </main>
  );
}

function Dashboard({ apiKey, onSignOut }: { apiKey: string; onSignOut: (why: string | null) => void }) {
  const snapshot = usePoll(async () => {
    try {
      return await loadSnapshot(apiKey);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) onSignOut('The API key is no longer valid; sign in again.');
      throw e;
    }
  }, [apiKey]);
  const s = snapshot.value;
  return (
    <>
      <header class="top">
        <h1>warmbox</h1>
        <nav>
          <a href="#execution-pools">execution pools</a>
          <a href="#devenv-pools">dev-environment pools</a>
          <a href="#environments">environments</a>
          <a href="#prebuilds">prebuilds</a>
        </nav>
        <span class="updated" data-field="updated" title={`refreshed every ${REFRESH_MS / 1000} s`}>
          {snapshot.at ? 'updated ' + snapshot.at.toLocaleTimeString() : 'loading…'}
        </span>
        <button type="button" class="link" data-action="signout" onClick={() => onSignOut(null)}>sign out</button>
      </header>
      {snapshot.error && <Failure error={snapshot.error} />}
      {s && (
        <main>
          <Panel id="execution-pools" title="Execution pools">
            <ExecutionPools status={s.status} figures={s.figures} />
          </Panel>
          <Panel id="devenv-pools" title="Dev-environment pools">
            <DevPools pools={s.pools} names={s.names} />
          </Panel>
          <Panel id="environments" title="Environments">
            <Environments environments={s.environments} names={s.names} apiKey={apiKey} />
          </Panel>
          <Panel id="prebuilds" title="Prebuilds">
            <Prebuilds prebuilds={s.prebuilds} names={s.names} apiKey={apiKey} />
          </Panel>
        </main>
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
