-- When a spent authorization code is presented again (a replay), the family of tokens its first
-- exchange started is revoked, and the code keeps that time here: an exchange still finishing
-- (it took the code, it has not stored its refresh token yet) then stores nothing.
ALTER TABLE authorization_codes ADD COLUMN replayed_at BIGINT;
CREATE INDEX authorization_codes_family_id_idx ON authorization_codes (family_id);
