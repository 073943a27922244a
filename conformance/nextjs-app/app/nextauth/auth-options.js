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
        // Tandem signs ID tokens with EdDSA (Ed25519) only, and says so in discovery
        // (id_token_signing_alg_values_supported: ["EdDSA"]). openid-client v5, which next-auth
        // v4 uses, ignores that list and expects RS256 unless the client is registered with
        // another alg (OIDC Registration's default), failing the callback with "unexpected JWT
        // alg received, expected RS256, got: EdDSA". The signature itself is checked against
        // the OKP key in Tandem's JWKS.
        client: { id_token_signed_response_alg: 'EdDSA' },
        profile(p) {
          return { id: p.sub, email: p.email, name: p.name };
        },
      },
    ],
  };
}
