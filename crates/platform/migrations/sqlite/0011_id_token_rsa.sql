-- RS256 ID tokens: each signing key may get an RSA key beside its Ed25519 one, made the first
-- time an RS256 ID token is needed. Its public half (`n.e`, base64url) is published in the JWKS;
-- its private half is stored sealed (AES-256-GCM under a key derived from the API key and the
-- row's salt), so a copy of the database alone cannot sign.
ALTER TABLE signing_keys ADD COLUMN rsa_public_key TEXT;
ALTER TABLE signing_keys ADD COLUMN rsa_sealed TEXT;
