'use client';

// The documented client-side entry points. next-auth's client reads its basePath from
// NEXTAUTH_URL only at build time, so SessionProvider is told it explicitly: /api/auth is ROQ's.
import { SessionProvider, signIn, signOut } from 'next-auth/react';

export default function NextAuthButtons({ authenticated }) {
  return (
    <SessionProvider basePath="/api/nextauth">
      <nav>
        {authenticated ? (
          <button id="nextauth-signout" data-testid="nextauth-signout" type="button" onClick={() => signOut({ callbackUrl: '/nextauth' })}>
            Sign out
          </button>
        ) : (
          <button id="nextauth-signin" data-testid="nextauth-signin" type="button" onClick={() => signIn('tandem', { callbackUrl: '/nextauth' })}>
            Sign in with Tandem
          </button>
        )}
      </nav>
    </SessionProvider>
  );
}
