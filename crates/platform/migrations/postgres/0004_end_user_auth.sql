-- End users log in: token-signing keys (Ed25519, published as JWKS), the environment's auth
-- settings, authorization codes and refresh tokens. Timestamps are Unix epoch milliseconds.

-- The private half of a key is never stored: it is derived from the API key and `salt`.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    salt        TEXT NOT NULL,
    public_key  TEXT NOT NULL,              -- base64url of the 32-byte Ed25519 public key
    created_at  BIGINT NOT NULL,
    retire_at   BIGINT                      -- NULL: the current key; else published until then
);

CREATE TABLE auth_settings (
    environment_id  TEXT PRIMARY KEY REFERENCES environment (id),
    settings        TEXT NOT NULL,          -- JSON (see AuthSettings)
    updated_at      BIGINT NOT NULL
);

-- Codes and refresh tokens are kept only as SHA-256 (hex) digests.
CREATE TABLE authorization_codes (
    code_hash       TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id),
    client_id       TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    flow            TEXT NOT NULL,          -- 'roq' or 'oidc'
    grant_json      TEXT NOT NULL,          -- scope, nonce, PKCE challenge, action
    family_id       TEXT NOT NULL,          -- the refresh-token family its exchange starts
    generation      BIGINT NOT NULL,        -- the user's token generation when issued
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX authorization_codes_expires_at_idx ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    client_id   TEXT NOT NULL,
    flow        TEXT NOT NULL,              -- 'roq': reusable until it expires; 'oidc': rotates
    scope       TEXT NOT NULL,
    nonce       TEXT,
    generation  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    rotated_at  BIGINT,                     -- set when exchanged for its successor
    revoked_at  BIGINT,
    confidential BOOLEAN NOT NULL DEFAULT FALSE  -- issued to a client that gave its secret
);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);
