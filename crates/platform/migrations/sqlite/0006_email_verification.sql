-- Email verification for sign-ups (when the environment requires it). One row per user who
-- signed up while it was required; the link is kept only as a digest and cleared once used.
CREATE TABLE email_verifications (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    email        TEXT NOT NULL,             -- the address this proves (a changed email is not verified)
    token_hash   TEXT,                      -- the current link's SHA-256 (hex); NULL once verified
    expires_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    verified_at  BIGINT
);
CREATE UNIQUE INDEX email_verifications_token_hash_key ON email_verifications (token_hash);
