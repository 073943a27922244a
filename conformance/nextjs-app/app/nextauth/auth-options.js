// Auth.js (next-auth v4) with Tandem as a generic OpenID Connect provider: discovery, the
// authorization-code flow with PKCE, state and nonce, the API key as client secret, and the
// profile taken from the ID token. ROQ's RoqAuth owns /api/auth/*, so next-auth lives under
// /api/nextauth (its basePath comes from NEXTAUTH_URL=<app>/api/nextauth).
//
// Built per request from the environment (TANDEM_URL, TANDEM_CLIENT_ID, TANDEM_CLIENT_SECRET,
// NEXTAUTH_URL, NEXTAUTH_SECRET), which `next start` gets from the test, never at build time.
export function authOptions() {
  const tandem = process.env.TANDEM_URL;
  return {
    secret: process.env.NEXTAUTH_SECRET,
    session: { strategy: 'jwt' },
    providers: [
      {
        id: 'tandem',
        name: 'Tandem',
        type: 'oauth',
        wellKnown: `${tandem}/.well-known/openid-configuration`,
        clientId: process.env.TANDEM_CLIENT_ID,
        clientSecret: process.env.TANDEM_CLIENT_SECRET,
        authorization: { params: { scope: 'openid profile email' } },
        checks: ['pkce', 'state', 'nonce'],
        idToken: true,
        // No algorithm configured: Tandem signs ID tokens with RS256 (OpenID Connect's default),
        // which next-auth's openid-client v5 expects and checks against the RSA key in the JWKS.
        profile(p) {
          return { id: p.sub, email: p.email, name: p.name };
        },
      },
    ],
  };
}
