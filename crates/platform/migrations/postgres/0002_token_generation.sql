-- Token revocation by generation instead of by time: a user token carries the generation it was
-- issued under, and a password change or a deactivation moves the user to the next one. Exact
-- (no same-second or same-millisecond window) and one-way (reactivating revives no old token).
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users DROP COLUMN tokens_valid_after;
