// What next-auth knows about the visitor, read on the server with getServerSession(), and the
// buttons that start signIn('tandem') / signOut() in the browser.
import { getServerSession } from 'next-auth';

import { authOptions } from './auth-options';
import NextAuthButtons from './buttons';

export const dynamic = 'force-dynamic';

export default async function NextAuthPage() {
  let session = null;
  let error = null;
  try {
    session = await getServerSession(authOptions());
  } catch (err) {
    error = String(err?.message ?? err);
  }
  const status = error ? 'error' : session ? 'authenticated' : 'unauthenticated';
  return (
    <main>
      <h1>Auth.js (next-auth) with Tandem</h1>
      <section data-testid="nextauth-session" data-status={status}>
        <p>
          Status: <strong id="nextauth-status" data-testid="nextauth-status">{status}</strong>
        </p>
        {error && (
          <pre id="nextauth-error" data-testid="nextauth-error">
            {error}
          </pre>
        )}
        <dl>
          <dt>Email</dt>
          <dd id="nextauth-email" data-testid="nextauth-email">{session?.user?.email ?? ''}</dd>
          <dt>Name</dt>
          <dd id="nextauth-name" data-testid="nextauth-name">{session?.user?.name ?? ''}</dd>
        </dl>
      </section>
      <NextAuthButtons authenticated={status === 'authenticated'} />
    </main>
  );
}
