-- Password resets by mail, and the mail the Platform sends. Until an SMTP delivery exists the
-- messages stay here and the embedded dev mailbox shows them. Timestamps are epoch milliseconds.

CREATE TABLE mail_messages (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,              -- 'password_reset', …
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX mail_messages_created_at_idx ON mail_messages (created_at);

-- Reset tokens are kept only as SHA-256 (hex) digests; each works once, for a short time.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_expires_at_idx ON password_resets (expires_at);
