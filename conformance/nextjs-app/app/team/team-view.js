'use client';

// ZenStack v3's TanStack Query hooks (`useClientQueries`) against Tandem's BaaS, as the user
// logged in through @roq/nextjs: each request carries the access token @roq/client's
// BrowserCookieAuth reads from the app's session cookie, as `Authorization: Bearer …`. The BaaS
// decides what that user sees (their tenant's users, through the role's `read`/`tenant`
// permission) and may change (their own profile).
import { useEffect, useMemo, useState } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { QuerySettingsProvider, useClientQueries } from '@zenstackhq/tanstack-query/react';
import { BrowserCookieAuth } from '@roq/client';
import { schema } from '../../zenstack/schema';

const auth = new BrowserCookieAuth();

/** fetch with the user's access token; no token, no Authorization header (anonymous). */
async function fetchAsUser(url, init = {}) {
  const token = await auth.getAccessToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(url, { ...init, headers });
}

export default function TeamView({ baasUrl }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: false } } }));
  const settings = useMemo(() => ({ endpoint: `${baasUrl}/api/model`, fetch: fetchAsUser }), [baasUrl]);
  return (
    <QueryClientProvider client={queryClient}>
      <QuerySettingsProvider value={settings}>
        <Team />
      </QuerySettingsProvider>
    </QueryClientProvider>
  );
}

const fullName = (u) => [u.first_name, u.last_name].filter(Boolean).join(' ');
const message = (err) => (err ? `${err.message ?? err}${err.info ? ` ${JSON.stringify(err.info)}` : ''}` : '');

function Team() {
  const client = useClientQueries(schema);
  const users = client.user.useFindMany({ orderBy: { email: 'asc' } });
  const update = client.user.useUpdate();
  const [me, setMe] = useState(null);
  const [firstName, setFirstName] = useState('');

  useEffect(() => {
    fetch('/api/auth/session', { cache: 'no-store' })
      .then((r) => r.json())
      .then((s) => setMe(s?.session?.roqUserId ?? null))
      .catch(() => setMe(null));
  }, []);

  const listStatus = users.isPending ? 'loading' : users.isError ? 'error' : 'ready';
  return (
    <>
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <p>
          List: <strong data-testid="list-status">{listStatus}</strong>
        </p>
        {users.isError && <pre data-testid="list-error">{message(users.error)}</pre>}
        <ul data-testid="members">
          {(users.data ?? []).map((u) => (
            <li key={u.id} data-testid="member" data-id={u.id} data-email={u.email} data-first-name={u.first_name ?? ''}>
              {fullName(u) || '(no name)'} — {u.email}
              {u.id === me ? ' (you)' : ''}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="rename-heading">
        <h2 id="rename-heading">Your first name</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (me) update.mutate({ where: { id: me }, data: { first_name: firstName } });
          }}
        >
          <label htmlFor="first-name">First name</label>{' '}
          <input id="first-name" name="firstName" value={firstName} onChange={(e) => setFirstName(e.target.value)} />{' '}
          <button type="submit" disabled={!me || update.isPending}>
            Save name
          </button>
        </form>
        <p>
          Save: <strong data-testid="save-status">{update.status}</strong>
        </p>
        {update.isError && <pre data-testid="save-error">{message(update.error)}</pre>}
      </section>
    </>
  );
}
