-- A role's permissions (ROQ's PermissionModel): an operation on one BaaS model (`entity`,
-- ROQ's projectEntityId) within a scope. One scope per role, entity and operation. The BaaS
-- gets each role's set by sync (entity `role`), and each user's role ids (entity `user_roles`).
CREATE TABLE permissions (
    id               TEXT PRIMARY KEY,
    role_id          TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    "key"            TEXT NOT NULL,
    entity           TEXT NOT NULL,
    operation        TEXT NOT NULL,             -- create | read | update | delete
    scope            TEXT NOT NULL,             -- own | tenant | all | public
    type             TEXT NOT NULL,             -- project | platform
    platform_entity  TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX permissions_role_entity_operation_key ON permissions (role_id, entity, operation);
