-- The Console: its administrators, their sessions, and the audit log of what they did.
-- Timestamps are epoch milliseconds.

CREATE TABLE console_admins (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,            -- normalised like users.email
    password_hash  TEXT NOT NULL,                   -- argon2id, parameters in the hash
    created_at     BIGINT NOT NULL
);

-- A session's token is kept only as its SHA-256 (hex) digest; its CSRF token guards every form.
CREATE TABLE console_sessions (
    token_hash  TEXT PRIMARY KEY,
    admin_id    TEXT NOT NULL REFERENCES console_admins (id),
    csrf        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX console_sessions_expires_at_idx ON console_sessions (expires_at);

-- Who did what, when; `user_id` names the user it was about, when it was about one.
CREATE TABLE console_audit (
    id       TEXT PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    user_id  TEXT,
    detail   TEXT NOT NULL
);
CREATE INDEX console_audit_user_idx ON console_audit (user_id, at);
CREATE INDEX console_audit_at_idx ON console_audit (at);
