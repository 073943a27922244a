-- The Platform's identity tables (PostgreSQL). Timestamps are Unix epoch milliseconds (UTC).

CREATE TABLE environment (
    id            TEXT PRIMARY KEY,           -- the environmentId clients authenticate with
    api_key_hash  TEXT NOT NULL,              -- SHA-256 (hex) of the API key; the key itself is never stored here
    token_secret  TEXT NOT NULL,              -- HMAC key signing access tokens, shared by all replicas
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    reference   TEXT,
    name        TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
-- At most one default tenant.
CREATE UNIQUE INDEX tenants_single_default ON tenants (is_default) WHERE is_default;
CREATE INDEX tenants_created_at_idx ON tenants (created_at);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    reference           TEXT NOT NULL,
    email               TEXT NOT NULL,        -- stored lower-cased: addresses compare case-insensitively
    first_name          TEXT,
    last_name           TEXT,
    phone               TEXT,
    locale              TEXT,
    timezone            TEXT,
    avatar_url          TEXT,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    is_opted_in         BOOLEAN NOT NULL DEFAULT FALSE,
    opted_in_at         BIGINT,
    custom_data         JSONB,                -- JSON object
    two_factor_enabled  BOOLEAN NOT NULL DEFAULT FALSE,
    synced              BOOLEAN NOT NULL DEFAULT FALSE,
    tenant_id           TEXT NOT NULL REFERENCES tenants (id),
    password_hash       TEXT,                 -- argon2id PHC string; NULL until the user sets one
    tokens_valid_after  BIGINT,               -- user tokens issued before this instant are refused
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_tenant_id_idx ON users (tenant_id);
CREATE INDEX users_created_at_idx ON users (created_at);

CREATE TABLE roles (
    id                 TEXT PRIMARY KEY,
    "key"              TEXT NOT NULL,
    name               TEXT NOT NULL,
    description        TEXT,
    reference          TEXT,
    is_system_managed  BOOLEAN NOT NULL DEFAULT FALSE,
    invite_role_keys   JSONB,                 -- JSON array of role keys
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX roles_key_key ON roles ("key");

CREATE TABLE user_roles (
    user_id     TEXT NOT NULL REFERENCES users (id),
    role_id     TEXT NOT NULL REFERENCES roles (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_id_idx ON user_roles (role_id);
