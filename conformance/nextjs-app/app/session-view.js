'use client';

// Shows what the app knows about the visitor: GET /api/auth/session from the browser (the
// session cookie is SameSite=Strict, so a same-origin fetch is what reliably carries it), plus
// the ROQ access token @roq/client's BrowserCookieAuth reads out of that cookie.
import { useEffect, useState } from 'react';
import { BrowserCookieAuth } from '@roq/client';

export default function SessionView() {
  const [state, setState] = useState({ status: 'loading', session: null, error: null });
  const [cookieToken, setCookieToken] = useState(null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      let next;
      try {
        const res = await fetch('/api/auth/session', { cache: 'no-store' });
        const text = await res.text();
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* shown below */
        }
        next =
          res.ok && json && json.status
            ? { status: json.status, session: json.session, error: null }
            : { status: 'error', session: null, error: `HTTP ${res.status}: ${text.slice(0, 300)}` };
      } catch (err) {
        next = { status: 'error', session: null, error: String(err) };
      }
      // The token in-browser code sends to the Platform: read from the (non-HttpOnly) cookie.
      let token = null;
      if (next.status === 'authenticated') {
        try {
          token = (await new BrowserCookieAuth().getAccessToken()) ?? null;
        } catch (err) {
          token = `error: ${err}`;
        }
      }
      if (!cancelled) {
        setCookieToken(token);
        setState(next);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  const user = state.session?.user ?? {};
  return (
    <section data-testid="session" data-status={state.status}>
      <p>
        Status: <strong id="status" data-testid="status">{state.status}</strong>
      </p>
      {state.error && (
        <pre id="error" data-testid="error">
          {state.error}
        </pre>
      )}
      <dl>
        <dt>Email</dt>
        <dd id="email" data-testid="email">{user.email ?? ''}</dd>
        <dt>Name</dt>
        <dd id="name" data-testid="name">{[user.firstName, user.lastName].filter(Boolean).join(' ')}</dd>
        <dt>Tenant</dt>
        <dd id="tenant-id" data-testid="tenant-id">{user.tenantId ?? ''}</dd>
        <dt>Roles</dt>
        <dd id="roles" data-testid="roles">{(user.roles ?? []).join(',')}</dd>
        <dt>User id</dt>
        <dd id="user-id" data-testid="user-id">{state.session?.roqUserId ?? ''}</dd>
        <dt>Access token in the cookie (@roq/client)</dt>
        <dd id="cookie-token" data-testid="cookie-token" data-token={cookieToken ?? ''}>
          {cookieToken ? `${cookieToken.slice(0, 24)}…` : ''}
        </dd>
      </dl>
      <nav>
        <a id="login" href="/api/auth/login">Log in</a> | <a id="signup" href="/api/auth/signup">Sign up</a> |{' '}
        <a id="logout" href="/api/auth/logout">Log out</a> | <a id="team" href="/team">Your team</a>
      </nav>
    </section>
  );
}
