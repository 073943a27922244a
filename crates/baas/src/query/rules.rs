//! Tandem's rules for the models the Platform owns (DESIGN's user-data table): the BaaS never
//! creates or deletes a `user` or `tenant`, and never writes the fields the Platform owns
//! (`user.id`, `email`, `tenant_id`, `active`; `tenant.id`) — not directly, and not through a
//! relation write that would change them. Refusals are 403 with a stable code, before any
//! statement runs, so nothing is written.

use tandem_core::merge::Entity;

use super::ast::{CreateData, Operation, RelationWrite, UpdateData, UpdateOp};
use crate::error::{BaasError, BaasResult};
use crate::schema::{Builtin, FieldId, ModelId, Schema};
use crate::value::Value;

pub const USER_CREATE: &str = "USER_CREATE_NOT_ALLOWED";
pub const USER_DELETE: &str = "USER_DELETE_NOT_ALLOWED";
pub const TENANT_CREATE: &str = "TENANT_CREATE_NOT_ALLOWED";
pub const TENANT_DELETE: &str = "TENANT_DELETE_NOT_ALLOWED";
pub const PLATFORM_FIELD: &str = "PLATFORM_FIELD_READ_ONLY";

/// The fields of a built-in model that only the Platform writes.
pub fn platform_owned(builtin: Builtin) -> &'static [&'static str] {
    match builtin {
        Builtin::User => &["id", "email", "tenant_id", "active"],
        Builtin::Tenant => &["id"],
    }
}

/// The refusal for creating a row of a built-in model.
pub fn create_refused(schema: &Schema, model: ModelId) -> Option<BaasError> {
    let m = schema.model(model);
    if m.delegate.is_some() {
        return Some(BaasError::NotSupported(format!(
            "Model \"{}\" is a delegate and cannot be created directly.",
            m.name
        )));
    }
    m.builtin.map(|b| match b {
        Builtin::User => BaasError::Rejected {
            model: m.name.clone(),
            code: USER_CREATE,
            message: "users can only be created on the Platform (createUser, invitation or sign-up); the BaaS cannot create users".into(),
        },
        Builtin::Tenant => BaasError::Rejected {
            model: m.name.clone(),
            code: TENANT_CREATE,
            message: "tenants can only be created on the Platform (createTenant or sign-up); the BaaS cannot create tenants".into(),
        },
    })
}

/// The refusal for deleting rows of a built-in model.
pub fn delete_refused(schema: &Schema, model: ModelId) -> Option<BaasError> {
    let m = schema.model(model);
    m.builtin.map(|b| match b {
        Builtin::User => BaasError::Rejected {
            model: m.name.clone(),
            code: USER_DELETE,
            message: "users are never deleted: deactivate the user on the Platform instead (updateUser with active: false)".into(),
        },
        Builtin::Tenant => BaasError::Rejected {
            model: m.name.clone(),
            code: TENANT_DELETE,
            message: "tenants cannot be deleted from the BaaS; they belong to the Platform".into(),
        },
    })
}

fn field_refused(schema: &Schema, model: ModelId, field: FieldId) -> Option<BaasError> {
    let m = schema.model(model);
    let builtin = m.builtin?;
    let name = &m.fields[field].name;
    if !platform_owned(builtin).contains(&name.as_str()) {
        return None;
    }
    let how = match (builtin, name.as_str()) {
        (Builtin::User, "active") => {
            "deactivate or reactivate the user with updateUser on the Platform"
        }
        (Builtin::User, _) => "change it with updateUser on the Platform",
        (Builtin::Tenant, _) => "it is assigned by the Platform and never changes",
    };
    Some(BaasError::Rejected {
        model: m.name.clone(),
        code: PLATFORM_FIELD,
        message: format!(
            "`{}.{name}` is owned by the Platform and read-only on the BaaS: {how}",
            m.name
        ),
    })
}

/// A value of a synced field of a built-in model that the Platform would refuse (see
/// `tandem_core::profile`): refused here, so the change never fails to sync.
fn value_refused(
    schema: &Schema,
    model: ModelId,
    field: FieldId,
    op: &UpdateOp,
) -> Option<BaasError> {
    let m = schema.model(model);
    let entity = match m.builtin? {
        Builtin::User => Entity::User,
        Builtin::Tenant => Entity::Tenant,
    };
    let synced = entity.field(&m.fields[field].name)?;
    let text = match op {
        UpdateOp::Set(Value::String(s)) => Some(s.as_str()),
        UpdateOp::Set(Value::Null) => None,
        _ => return None,
    };
    synced
        .check_text(text)
        .err()
        .map(|message| BaasError::SyncedFieldInvalid {
            model: m.name.clone(),
            message: format!(
                "{message} (`{}.{}` is synced with the Platform)",
                m.name, synced.name
            ),
        })
}

/// Checks an operation on `model` against the rules.
pub fn check(schema: &Schema, model: ModelId, operation: &Operation) -> BaasResult<()> {
    match operation {
        Operation::Create { data, .. } => create(schema, data),
        Operation::CreateMany { data, .. } => data.iter().try_for_each(|d| create(schema, d)),
        Operation::Update { data, .. } | Operation::UpdateMany { data, .. } => update(schema, data),
        // The create half of an upsert on a built-in model is refused when it would run.
        Operation::Upsert {
            create: c,
            update: u,
            ..
        } => {
            if schema.model(c.model).builtin.is_none() {
                create(schema, c)?;
            }
            update(schema, u)
        }
        Operation::Delete { .. } | Operation::DeleteMany { .. } => check_delete(schema, model),
        _ => Ok(()),
    }
}

/// A delete or deleteMany on `model`.
pub fn check_delete(schema: &Schema, model: ModelId) -> BaasResult<()> {
    match delete_refused(schema, model) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

fn create(schema: &Schema, data: &CreateData) -> BaasResult<()> {
    if let Some(err) = create_refused(schema, data.model) {
        return Err(err);
    }
    relations(schema, data.model, &data.relations)
}

fn update(schema: &Schema, data: &UpdateData) -> BaasResult<()> {
    for (field, op) in &data.scalars {
        if let Some(err) = field_refused(schema, data.model, *field) {
            return Err(err);
        }
        if let Some(err) = value_refused(schema, data.model, *field, op) {
            return Err(err);
        }
    }
    relations(schema, data.model, &data.relations)
}

fn relations(
    schema: &Schema,
    model: ModelId,
    writes: &[(FieldId, Vec<RelationWrite>)],
) -> BaasResult<()> {
    let parent = schema.model(model);
    for (field_id, list) in writes {
        let Some(relation) = parent.fields[*field_id].relation() else {
            continue;
        };
        let target = relation.target;
        // Which columns a connect/disconnect/set rewrites: the parent's own foreign key, or
        // the foreign key on the related rows.
        let rewrites_parent_fk = relation.owner;
        for write in list {
            let moves_link = matches!(
                write,
                RelationWrite::Connect(_)
                    | RelationWrite::Disconnect(_)
                    | RelationWrite::Set(_)
                    | RelationWrite::ConnectOrCreate { .. }
                    | RelationWrite::Create(_)
                    | RelationWrite::CreateMany { .. }
                    | RelationWrite::Upsert { .. }
            );
            // Pairing rows through a many-to-many join table changes neither row.
            if moves_link && relation.join.is_none() {
                let (owner_model, fk) = if rewrites_parent_fk {
                    (model, &relation.local)
                } else {
                    (target, &relation.foreign)
                };
                // Creating a related row fills its foreign key; that is not a rewrite of an
                // existing built-in row, so only linking existing rows is checked here.
                let links_existing = matches!(
                    write,
                    RelationWrite::Connect(_)
                        | RelationWrite::Disconnect(_)
                        | RelationWrite::Set(_)
                        | RelationWrite::ConnectOrCreate { .. }
                ) || rewrites_parent_fk;
                if links_existing {
                    for column in fk {
                        if let Some(err) = field_refused(schema, owner_model, *column) {
                            return Err(err);
                        }
                    }
                }
            }
            match write {
                RelationWrite::Create(c) => create(schema, c)?,
                RelationWrite::CreateMany { data, .. } => {
                    data.iter().try_for_each(|c| create(schema, c))?
                }
                RelationWrite::ConnectOrCreate { create: c, .. } => {
                    if schema.model(c.model).builtin.is_none() {
                        create(schema, c)?;
                    }
                }
                RelationWrite::Update { data, .. } | RelationWrite::UpdateMany { data, .. } => {
                    update(schema, data)?
                }
                RelationWrite::Upsert {
                    create: c,
                    update: u,
                    ..
                } => {
                    if schema.model(c.model).builtin.is_none() {
                        create(schema, c)?;
                    }
                    update(schema, u)?;
                }
                RelationWrite::Delete(_) | RelationWrite::DeleteMany(_) => {
                    check_delete(schema, target)?
                }
                RelationWrite::Connect(_)
                | RelationWrite::Disconnect(_)
                | RelationWrite::Set(_) => {}
            }
        }
    }
    Ok(())
}
