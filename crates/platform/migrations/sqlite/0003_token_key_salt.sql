-- The token-signing key is no longer stored: it is derived from the API key (which the
-- database holds only as a digest) and this random salt, so reading the database alone is not
-- enough to forge tokens. The old secret becomes the salt: tokens issued before the upgrade
-- stop working once (clients request new ones).
ALTER TABLE environment RENAME COLUMN token_secret TO token_key_salt;
