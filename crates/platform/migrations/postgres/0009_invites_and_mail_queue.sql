-- Invitations, and delivery of the mail the Platform writes. Timestamps are epoch milliseconds.

-- An invitation to join a tenant with roles. Its link's token is kept only as a SHA-256 (hex)
-- digest; resending replaces it (and the old link stops working). An invite is 'pending' until
-- accepted or canceled; one whose expires_at has passed is 'expired' (written so lazily, when
-- invites are listed or a new invite for the same email is sent).
CREATE TABLE user_invites (
    id                   TEXT PRIMARY KEY,
    email                TEXT NOT NULL,                    -- normalised like users.email
    first_name           TEXT,
    last_name            TEXT,
    locale               TEXT,
    data                 JSONB,                             -- JSON object (ROQ's data / injectableVariables)
    role_keys            TEXT NOT NULL,                    -- JSON array of role keys
    tenant_id            TEXT NOT NULL REFERENCES tenants (id),
    created_by_user_id   TEXT REFERENCES users (id),       -- the inviting user, or NULL when
    created_by_admin     TEXT,                             -- a Console admin (their email) invited
    accepted_by_user_id  TEXT REFERENCES users (id),
    status               TEXT NOT NULL,                    -- pending | accepted | canceled | expired
    status_updated_at    BIGINT NOT NULL,
    token_hash           TEXT NOT NULL UNIQUE,
    user_token_id        TEXT NOT NULL,                    -- names the current link; new on resend
    expires_at           BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
-- At most one open invitation per email and tenant (another tenant's does not block; the first
-- to be accepted creates the user, the others then find the email taken).
CREATE UNIQUE INDEX user_invites_one_pending_per_email ON user_invites (tenant_id, email) WHERE status = 'pending';
CREATE INDEX user_invites_tenant_idx ON user_invites (tenant_id, created_at);
CREATE INDEX user_invites_expiry_idx ON user_invites (status, expires_at);

-- The mail queue: a message is written in the transaction of what it is about, then a sender
-- claims it (a lease: claimed_until), delivers it (SMTP, or keeps it in the dev mailbox) and
-- marks it sent; a failed attempt is retried with backoff until max attempts, then 'failed'.
ALTER TABLE mail_messages ADD COLUMN status TEXT NOT NULL DEFAULT 'queued'; -- queued | sent | failed
ALTER TABLE mail_messages ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mail_messages ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mail_messages ADD COLUMN claimed_until BIGINT;
ALTER TABLE mail_messages ADD COLUMN last_error TEXT;
ALTER TABLE mail_messages ADD COLUMN sent_at BIGINT;
ALTER TABLE mail_messages ADD COLUMN transport TEXT;                       -- smtp | mailbox
-- Messages written before the queue existed were only ever meant for the dev mailbox.
UPDATE mail_messages SET status = 'sent', sent_at = created_at, transport = 'mailbox';
CREATE INDEX mail_messages_due_idx ON mail_messages (status, next_attempt_at);
