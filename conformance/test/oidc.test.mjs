// Standard OpenID Connect against Tandem, judged by the `openid-client` npm package (v6, the
// client most Node apps and Auth.js build on): discovery, the authorization-code flow with PKCE
// (a public client, and a confidential one with the API key as secret), ID-token validation
// (issuer, audience, nonce, and — with openid-client's non-repudiation checks on — the RS256
// signature against the JWKS, with no algorithm configured), userinfo, refresh-token rotation and
// reuse detection, and RP-initiated log-out.
//
// The person at the hosted log-in page is played by plain HTTP (GET the page, POST its form with
// its hidden inputs and cookie), so the test reads the exact redirect Tandem answers with.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import * as oidc from 'openid-client';
import { Platform } from '@roq/nodejs';

import { BACKENDS, startTandem } from '../lib/tandem.mjs';

const REDIRECT_URI = 'http://localhost:3000/oidc/callback';
const AFTER_LOGOUT = 'http://localhost:3000/';

/** `name="…" value="…"` of every hidden input, HTML-unescaped. */
function hiddenInputs(html) {
  const unescape = (s) =>
    s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  const out = [];
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
    if (name) out.push([unescape(name), unescape(value)]);
  }
  return out;
}

/** Opens `authUrl` and logs in on the hosted page; returns the redirect Tandem answers with. */
async function logInAt(authUrl, email, password) {
  const page = await fetch(authUrl, { redirect: 'manual' });
  const html = await page.text();
  assert.equal(page.status, 200, `the hosted log-in page should open; got ${page.status}: ${html.slice(0, 300)}`);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const form = new URLSearchParams(hiddenInputs(html));
  form.set('email', email);
  form.set('password', password);
  const submitted = await fetch(new URL('/authorize/login', authUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: form,
  });
  const location = submitted.headers.get('location');
  assert.equal(
    submitted.status,
    303,
    `logging in should redirect back to the app; got ${submitted.status}: ${(await submitted.text()).slice(0, 400)}`,
  );
  return new URL(location);
}

for (const backend of BACKENDS) {
  describe(`OpenID Connect with openid-client against tandem (${backend})`, () => {
    let server;
    const email = `oidc.${crypto.randomUUID().slice(0, 8)}@example.com`;
    const password = 'correct horse battery';

    after(async () => {
      await server?.stop();
    });

    it('discovers, logs in with PKCE, validates the ID token, reads userinfo, rotates refresh tokens', async () => {
      server = await startTandem({ backend });
      const admin = new Platform({ host: server.host, environmentId: server.environmentId, apiKey: server.apiKey }).asSuperAdmin();
      // Redirect URIs match exactly: register this app's callback and its after-log-out page.
      await admin.graphqlRequest(
        `mutation { updateAuthSettings(data: {redirectUris: ${JSON.stringify([REDIRECT_URI, AFTER_LOGOUT])}}) { redirectUris } }`,
      );
      await admin.createUser({
        user: { email, password, reference: crypto.randomUUID(), firstName: 'Grace', lastName: 'Hopper' },
      });

      // A public client (a SPA or a mobile app): no secret, so PKCE is required.
      // Nothing said about algorithms: a client expects RS256 ID tokens (OIDC's default), and
      // enableNonRepudiationChecks makes openid-client verify their signature with the JWKS.
      const config = await oidc.discovery(new URL(server.host), server.environmentId, undefined, oidc.None(), {
        execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks],
      });
      const meta = config.serverMetadata();
      assert.equal(meta.issuer, server.host);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(meta.id_token_signing_alg_values_supported, ['RS256', 'EdDSA']);

      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const authUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid profile email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const callback = await logInAt(authUrl, email, password);
      assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);

      // openid-client checks state, iss, the ID token's signature (RS256, from the JWKS),
      // issuer, audience, expiry and nonce.
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url'));
      assert.equal(header.alg, 'RS256');
      // The check above can fail: a changed signature is refused by the same client.
      const forged = `${tokens.id_token.slice(0, -4)}AAAA`;
      const jwks = await (await fetch(meta.jwks_uri)).json();
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      assert.equal(jwk.kty, 'RSA');
      const key = await crypto.webcrypto.subtle.importKey('jwk', jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
      const [h, p, sig] = tokens.id_token.split('.');
      const verify = (signature) =>
        crypto.webcrypto.subtle.verify('RSASSA-PKCS1-v1_5', key, Buffer.from(signature, 'base64url'), Buffer.from(`${h}.${p}`));
      assert.equal(await verify(sig), true, 'the ID token verifies with WebCrypto and the published key');
      assert.equal(await verify(forged.split('.')[2]), false);
      assert.equal(claims.email, email);
      assert.equal(claims.given_name, 'Grace');
      assert.equal(claims.aud, server.environmentId);
      assert.ok(tokens.refresh_token, 'a refresh token is issued');

      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.email, email);
      assert.equal(info.family_name, 'Hopper');

      // Refresh rotates the refresh token; presenting the old one again revokes the family.
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
      assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'a new refresh token');
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (err) => {
        assert.equal(err.error, 'invalid_grant', `reusing a rotated refresh token: ${err.message}`);
        return true;
      });
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token), (err) => {
        assert.equal(err.error, 'invalid_grant', `the family is revoked after a reuse: ${err.message}`);
        return true;
      });
    });

    it('a confidential client authenticates with the API key; log-out ends the session', async () => {
      const config = await oidc.discovery(new URL(server.host), server.environmentId, server.apiKey, undefined, {
        execute: [oidc.allowInsecureRequests],
      });
      const state = oidc.randomState();
      const verifier = oidc.randomPKCECodeVerifier();
      const authUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const callback = await logInAt(authUrl, email, password);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      assert.equal(tokens.claims().email, email);

      // RP-initiated log-out: the session's refresh token stops working.
      const endSession = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: AFTER_LOGOUT,
      });
      const out = await fetch(endSession, { redirect: 'manual' });
      assert.equal(out.status, 303, `log-out should redirect back to the app, got ${out.status}`);
      assert.equal(out.headers.get('location'), AFTER_LOGOUT);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (err) => {
        assert.equal(err.error, 'invalid_grant', `refresh after log-out: ${err.message}`);
        return true;
      });

      // The wrong secret is refused.
      const impostor = await oidc.discovery(new URL(server.host), server.environmentId, 'not-the-api-key-0123456789', undefined, {
        execute: [oidc.allowInsecureRequests],
      });
      await assert.rejects(oidc.refreshTokenGrant(impostor, tokens.refresh_token), (err) => {
        assert.equal(err.error, 'invalid_client', `a wrong client secret: ${err.message}`);
        return true;
      });
    });
  });
}
