//! ZenStack's access policies in the schema (`@@allow(operations, condition)`,
//! `@@deny(operations, condition)`), checked against the models: every name resolved, every
//! comparison typed. What the query layer turns into SQL for one caller
//! (`query::access`); anything outside the supported subset is refused at start with its
//! file, line and column.
//!
//! The subset: `true`/`false`; a Boolean field; `field OP value` where OP is `==`, `!=`, `<`,
//! `<=`, `>`, `>=` or `in` (a list), and the value a literal, `null`, or `auth().field`;
//! `auth() == null` / `auth() != null`; `relation == auth()` (a relation to `user`), `auth() ==
//! this`-style `id == auth().id`; `now()` against DateTime fields; `contains`, `startsWith`,
//! `endsWith` on String fields; member access through to-one relations (`author.tenant_id`);
//! collection predicates on to-many relations (`?[…]` some, `![…]` every, `^[…]` none); `&&`,
//! `||`, `!`, parentheses. `auth()` is the caller's `user` row (null when anonymous).

use std::fmt;

use serde_json::Value as Json;

use super::parser::{Arg, Attribute, BinOp, CollectionOp, Expr, Pos, expr_text};
use super::{Builtin, FieldId, FieldKind, ModelId, ScalarType, Schema, SchemaError};

/// The operations a policy names (`all` is all four).
pub use tandem_core::access::Operation as PolicyOp;

/// One `@@allow` or `@@deny` of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub allow: bool,
    pub operations: Vec<PolicyOp>,
    pub condition: Condition,
    /// A `post-update` policy: checked on the rows an update changed, as changed (`before()`
    /// reads them as they were). Not among `operations`; `all` does not include it.
    pub post_update: bool,
    pub pos: Pos,
    /// As declared, written back (`@@allow("read", (published || (author == auth())))`).
    pub text: String,
}

/// A value a field is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal of the field's type (as JSON), or `null`.
    Literal(Json),
    /// A list literal, for `in`.
    List(Vec<Json>),
    /// A scalar field of the caller's `user` row (`auth().field`); null when anonymous.
    Auth(FieldId),
    /// `now()`: the time of the request.
    Now,
    /// A scalar field of the row as it was before the update (`before().field`), in a
    /// `post-update` policy.
    Before(FieldId),
}

/// ZModel's string functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMatch {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}

impl fmt::Display for Compare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::In => "in",
        })
    }
}

/// A checked policy condition over rows of one model.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Const(bool),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    /// A scalar field of this model against a value.
    Field {
        field: FieldId,
        ty: ScalarType,
        op: Compare,
        value: Operand,
    },
    /// Whether the caller is logged in (`auth() != null`).
    LoggedIn,
    /// `contains(field, text)`, `startsWith(…)`, `endsWith(…)`; the third argument `true`
    /// ignores case.
    Text {
        field: FieldId,
        how: TextMatch,
        value: Operand,
        insensitive: bool,
    },
    /// A value of the caller's row against a value (`auth().role == 'ADMIN'`).
    AuthField {
        field: FieldId,
        ty: ScalarType,
        op: Compare,
        value: Operand,
    },
    /// Two scalar fields of the row compared (`updated_by != created_by`).
    Columns {
        left: FieldId,
        op: Compare,
        right: FieldId,
    },
    /// A value of the row before the update against a value (`before().status == 'done'`).
    BeforeField {
        field: FieldId,
        ty: ScalarType,
        op: Compare,
        value: Operand,
    },
    /// Through a to-one relation: the related row exists and matches.
    Via {
        relation: FieldId,
        condition: Box<Condition>,
    },
    /// A to-one relation has no related row (`author == null`).
    NoRelated {
        relation: FieldId,
    },
    /// `check(relation, 'op')`: the related row passes its own model's policies for `op`
    /// (none given: the operation being decided). Unknown when there is no related row.
    Check {
        relation: FieldId,
        target: ModelId,
        op: Option<PolicyOp>,
    },
    /// A to-many relation's rows: some / every / none match.
    Rows {
        relation: FieldId,
        op: CollectionOp,
        condition: Box<Condition>,
    },
}

impl Condition {
    /// The models whose policies `check()` reads.
    pub fn checked_models(&self, out: &mut Vec<ModelId>) {
        match self {
            Self::And(items) | Self::Or(items) => {
                items.iter().for_each(|c| c.checked_models(out));
            }
            Self::Not(c) => c.checked_models(out),
            Self::Via { condition, .. } | Self::Rows { condition, .. } => {
                condition.checked_models(out);
            }
            Self::Check { target, .. } => out.push(*target),
            _ => {}
        }
    }

    /// Whether the condition reads the caller's row beyond its id (so it must be loaded).
    pub fn reads_auth(&self) -> bool {
        match self {
            Self::And(items) | Self::Or(items) => items.iter().any(Self::reads_auth),
            Self::Not(c) => c.reads_auth(),
            Self::Via { condition, .. } | Self::Rows { condition, .. } => condition.reads_auth(),
            Self::Field { value, .. } | Self::Text { value, .. } => {
                matches!(value, Operand::Auth(_))
            }
            Self::AuthField { .. } | Self::Check { .. } => true,
            Self::BeforeField { value, .. } => matches!(value, Operand::Auth(_)),
            Self::Const(_) | Self::LoggedIn | Self::NoRelated { .. } | Self::Columns { .. } => {
                false
            }
        }
    }
}

/// What an expression stands for while it is being checked.
enum Term {
    /// A boolean condition.
    Cond(Condition),
    /// A field of the model in scope, reached through `path` (to-one relations).
    Field {
        path: Vec<FieldId>,
        field: FieldId,
        model: ModelId,
    },
    /// `auth()`.
    Auth,
    /// `now()`.
    Now,
    /// `auth().field`.
    AuthField(FieldId, ScalarType),
    /// `before()`, in a `post-update` policy.
    BeforeRow,
    /// `before().field`.
    BeforeField(FieldId, ScalarType),
    Literal(Json),
    List(Vec<Json>),
}

pub(super) struct Checker<'s> {
    pub schema: &'s Schema,
    pub file: &'s str,
    /// The model whose `post-update` policy is being checked: `before()` means its row.
    pub before: std::cell::Cell<Option<ModelId>>,
}

impl Checker<'_> {
    fn err<T>(&self, pos: Pos, message: impl Into<String>) -> Result<T, SchemaError> {
        Err(SchemaError {
            file: self.file.to_owned(),
            pos,
            message: message.into(),
        })
    }

    /// Checks one `@@allow`/`@@deny` of `model`.
    pub fn policy(&self, model: ModelId, attribute: &Attribute) -> Result<Policy, SchemaError> {
        self.checked(model, attribute, None)
    }

    /// Checks one field-level `@allow`/`@deny` of `field` (operations `read` and `update`):
    /// its condition is over the field's row, like a model's.
    pub fn field_policy(
        &self,
        model: ModelId,
        field: FieldId,
        attribute: &Attribute,
    ) -> Result<Policy, SchemaError> {
        let policy = self.checked(model, attribute, Some(field))?;
        let m = self.schema.model(model);
        if policy.operations.contains(&PolicyOp::Read) {
            let name = &m.fields[field].name;
            if m.primary_key.contains(&field) {
                return self.err(attribute.pos, format!(
                    "`{name}` is the id of `{}`: a row's id cannot be hidden (a row the caller may not see at all is for `@@allow('read', …)`)",
                    m.name
                ));
            }
            let holder = m.fields.iter().find(|f| {
                f.relation()
                    .is_some_and(|r| r.owner && r.local.contains(&field))
            });
            if let Some(relation) = holder {
                return self.err(attribute.pos, format!(
                    "`{name}` holds the key of the relation `{}`: a relation's key cannot be hidden (hide the related model's fields, or the rows, instead)",
                    relation.name
                ));
            }
        }
        Ok(policy)
    }

    fn checked(
        &self,
        model: ModelId,
        attribute: &Attribute,
        field: Option<FieldId>,
    ) -> Result<Policy, SchemaError> {
        let at = if field.is_some() { "@" } else { "@@" };
        let allow = attribute.name == "allow";
        let (ops, post_update, condition) = match attribute.args.as_slice() {
            [
                Arg {
                    value: Expr::String(ops),
                    pos: ops_pos,
                    name: None,
                },
                condition,
            ] => {
                let (ops, post_update) = self.operations(ops, *ops_pos, field.is_some())?;
                (ops, post_update, condition)
            }
            _ if field.is_some() => {
                return self.err(
                    attribute.pos,
                    format!(
                        "`@{}` takes two arguments: the operations ('read', 'update' or 'all', comma-separated) and a condition",
                        attribute.name
                    ),
                );
            }
            _ => {
                return self.err(
                    attribute.pos,
                    format!(
                        "`@@{}` takes two arguments: the operations ('create', 'read', 'update', 'delete' or 'all', comma-separated) and a condition",
                        attribute.name
                    ),
                );
            }
        };
        let text = format!(
            "{at}{}({}, {})",
            attribute.name,
            expr_text(&attribute.args[0].value),
            expr_text(&condition.value)
        );
        // `before()` is the row before an update: only a policy of `post-update` alone has one.
        self.before
            .set((post_update && ops.is_empty()).then_some(model));
        let condition = self.condition(model, &condition.value, condition.pos);
        self.before.set(None);
        Ok(Policy {
            allow,
            operations: ops,
            condition: condition?,
            post_update,
            pos: attribute.pos,
            text,
        })
    }

    /// The operations named, and whether `post-update` is among them.
    fn operations(
        &self,
        text: &str,
        pos: Pos,
        field_level: bool,
    ) -> Result<(Vec<PolicyOp>, bool), SchemaError> {
        let mut out = Vec::new();
        let mut post_update = false;
        for word in text.split(',').map(str::trim) {
            let ops: &[PolicyOp] = match word {
                "read" => &[PolicyOp::Read],
                "update" => &[PolicyOp::Update],
                "all" if field_level => &[PolicyOp::Read, PolicyOp::Update],
                other if field_level => {
                    return self.err(
                        pos,
                        format!(
                            "a field-level policy applies to 'read' and 'update' (or 'all' for both), not '{other}': rules on whole rows go in `@@allow`/`@@deny` on the model"
                        ),
                    );
                }
                "create" => &[PolicyOp::Create],
                "delete" => &[PolicyOp::Delete],
                "all" => &PolicyOp::ALL,
                "post-update" => {
                    post_update = true;
                    &[]
                }
                other => {
                    return self.err(
                        pos,
                        format!(
                            "unknown operation '{other}': use 'create', 'read', 'update', 'delete' or 'all'"
                        ),
                    );
                }
            };
            for op in ops {
                if !out.contains(op) {
                    out.push(*op);
                }
            }
        }
        Ok((out, post_update))
    }

    /// `expr` as a condition on rows of `model`.
    fn condition(&self, model: ModelId, expr: &Expr, pos: Pos) -> Result<Condition, SchemaError> {
        match self.term(model, expr, pos)? {
            Term::Cond(c) => Ok(c),
            Term::Field {
                path,
                field,
                model: owner,
            } => {
                let f = &self.schema.model(owner).fields[field];
                if f.scalar() != Some(ScalarType::Boolean) {
                    return self.err(
                        pos,
                        format!("`{}` is not a Boolean: compare it with a value", f.name),
                    );
                }
                Ok(via(
                    path,
                    Condition::Field {
                        field,
                        ty: ScalarType::Boolean,
                        op: Compare::Eq,
                        value: Operand::Literal(Json::Bool(true)),
                    },
                ))
            }
            Term::AuthField(field, ScalarType::Boolean) => Ok(Condition::AuthField {
                field,
                ty: ScalarType::Boolean,
                op: Compare::Eq,
                value: Operand::Literal(Json::Bool(true)),
            }),
            Term::BeforeField(field, ScalarType::Boolean) => Ok(Condition::BeforeField {
                field,
                ty: ScalarType::Boolean,
                op: Compare::Eq,
                value: Operand::Literal(Json::Bool(true)),
            }),
            Term::Literal(Json::Bool(b)) => Ok(Condition::Const(b)),
            _ => self.err(pos, "expected a condition (true or false)"),
        }
    }

    fn term(&self, model: ModelId, expr: &Expr, pos: Pos) -> Result<Term, SchemaError> {
        match expr {
            Expr::String(s) => Ok(Term::Literal(Json::String(s.clone()))),
            Expr::Number(n) => n
                .parse::<serde_json::Number>()
                .map(|n| Term::Literal(Json::Number(n)))
                .or_else(|_| self.err(pos, format!("`{n}` is not a number"))),
            Expr::Array(items) => {
                let mut values = Vec::new();
                for item in items {
                    match self.term(model, item, pos)? {
                        Term::Literal(v) => values.push(v),
                        _ => return self.err(pos, "a list in a policy holds literals only"),
                    }
                }
                Ok(Term::List(values))
            }
            Expr::Ident(name) => match name.as_str() {
                "true" => Ok(Term::Literal(Json::Bool(true))),
                "false" => Ok(Term::Literal(Json::Bool(false))),
                "null" => Ok(Term::Literal(Json::Null)),
                // An enum's value (`role == ADMIN`), unless the model has a field of that name.
                _ if self.schema.model(model).field(name).is_none()
                    && self.schema.enums.iter().any(|e| e.has(name)) =>
                {
                    Ok(Term::Literal(Json::String(name.clone())))
                }
                _ => self.field(model, Vec::new(), model, name, pos),
            },
            Expr::Call(name, args) => match (name.as_str(), args.is_empty()) {
                ("auth", true) => Ok(Term::Auth),
                ("now", true) => Ok(Term::Now),
                ("before", true) if self.before.get() == Some(model) => Ok(Term::BeforeRow),
                ("before", true) => self.err(
                    pos,
                    "`before()` is the row before an update: it is only known in a policy of 'post-update' alone, outside collection predicates",
                ),
                ("contains" | "startsWith" | "endsWith", false) => {
                    self.text_match(model, name, args, pos)
                }
                ("check", false) => self.check_call(model, args, pos),
                ("future", _) => self.err(
                    pos,
                    "`future()` is ZenStack v2's: in v3 write a 'post-update' policy (its fields are the row after the update, `before().field` the row before)",
                ),
                (
                    "currentModel" | "currentOperation" | "before" | "has"
                    | "hasSome" | "hasEvery" | "isEmpty",
                    _,
                ) => self.err(pos, format!("`{name}()` is not supported in policies yet")),
                _ => self.err(pos, format!("unknown function `{name}()` in a policy")),
            },
            Expr::Member(base, name, at) => match self.term(model, base, *at)? {
                Term::BeforeRow => {
                    let (id, ty) = self.row_scalar(model, name, *at, "before()")?;
                    Ok(Term::BeforeField(id, ty))
                }
                Term::Auth => {
                    let (id, ty) = self.row_scalar(self.user_model(), name, *at, "auth()")?;
                    Ok(Term::AuthField(id, ty))
                }
                Term::Field {
                    path,
                    field,
                    model: owner,
                } => {
                    let f = &self.schema.model(owner).fields[field];
                    match &f.kind {
                        FieldKind::Relation(r) if !r.many => {
                            let mut path = path;
                            path.push(field);
                            self.field(model, path, r.target, name, *at)
                        }
                        _ => self.err(
                            *at,
                            format!(
                                "`{}` is not a to-one relation: `.{name}` cannot follow it",
                                f.name
                            ),
                        ),
                    }
                }
                _ => self.err(
                    *at,
                    format!("`.{name}` follows something that has no fields"),
                ),
            },
            Expr::Not(inner, at) => Ok(Term::Cond(Condition::Not(Box::new(
                self.condition(model, inner, *at)?,
            )))),
            Expr::Binary(op, left, right, at) => self.binary(model, *op, left, right, *at),
            Expr::Collection(base, op, inner, at) => match self.term(model, base, *at)? {
                Term::Field {
                    path,
                    field,
                    model: owner,
                } => {
                    let f = &self.schema.model(owner).fields[field];
                    match &f.kind {
                        FieldKind::Relation(r) if r.many => {
                            let condition = self.condition(r.target, inner, *at)?;
                            Ok(Term::Cond(via(
                                path,
                                Condition::Rows {
                                    relation: field,
                                    op: *op,
                                    condition: Box::new(condition),
                                },
                            )))
                        }
                        _ => self.err(
                            *at,
                            format!("`{}` is not a to-many relation: `?[…]`, `![…]` and `^[…]` apply to lists of rows", f.name),
                        ),
                    }
                }
                _ => self.err(*at, "`?[…]`, `![…]` and `^[…]` apply to a to-many relation"),
            },
        }
    }

    /// `contains(field, text[, ignoreCase])`, `startsWith(…)`, `endsWith(…)`: `field` a String
    /// field of the row (through to-one relations too), `text` a string or `auth().field`.
    /// The scalar field `name` of a row known before SQL (`auth()`, `before()`), which is a
    /// row of `model`.
    fn row_scalar(
        &self,
        model: ModelId,
        name: &str,
        at: Pos,
        row: &str,
    ) -> Result<(FieldId, ScalarType), SchemaError> {
        let m = self.schema.model(model);
        match m.field(name) {
            Some((id, f)) => match f.scalar() {
                Some(ty) => Ok((id, ty)),
                None => self.err(
                    at,
                    format!("`{row}.{name}` is a relation: only the row's own fields can be used"),
                ),
            },
            None => self.err(at, format!("the `{}` model has no field `{name}`", m.name)),
        }
    }

    /// `check(relation)` / `check(relation, 'op')` on a to-one relation of `model`.
    fn check_call(&self, model: ModelId, args: &[Arg], pos: Pos) -> Result<Term, SchemaError> {
        let usage = "`check(relation, 'operation')` takes a to-one relation of the row and optionally 'create', 'read', 'update' or 'delete'";
        let (relation, op) = match args {
            [r] => (r, None),
            [r, o] => (r, Some(o)),
            _ => return self.err(pos, usage),
        };
        let Expr::Ident(name) = &relation.value else {
            return self.err(relation.pos, usage);
        };
        let m = self.schema.model(model);
        let Some((field, f)) = m.field(name) else {
            return self.err(relation.pos, format!("`{}` has no field `{name}`", m.name));
        };
        let target = match f.relation() {
            Some(r) if !r.many => r.target,
            Some(_) => {
                return self.err(
                    relation.pos,
                    format!("`{name}` is a to-many relation: `check()` takes a to-one relation"),
                );
            }
            None => return self.err(relation.pos, format!("`{name}` is not a relation: {usage}")),
        };
        let op = match op.map(|o| &o.value) {
            None => None,
            Some(Expr::String(op)) => Some(match op.as_str() {
                "create" => PolicyOp::Create,
                "read" => PolicyOp::Read,
                "update" => PolicyOp::Update,
                "delete" => PolicyOp::Delete,
                _ => return self.err(pos, usage),
            }),
            Some(_) => return self.err(pos, usage),
        };
        Ok(Term::Cond(Condition::Check {
            relation: field,
            target,
            op,
        }))
    }

    fn text_match(
        &self,
        model: ModelId,
        name: &str,
        args: &[Arg],
        pos: Pos,
    ) -> Result<Term, SchemaError> {
        let how = match name {
            "contains" => TextMatch::Contains,
            "startsWith" => TextMatch::StartsWith,
            _ => TextMatch::EndsWith,
        };
        let usage = || {
            format!(
                "`{name}(field, text)` takes a String field of the row, a string or `auth().field`, and optionally `true` to ignore case"
            )
        };
        let (field, text, case) = match args {
            [f, t] => (f, t, None),
            [f, t, c] => (f, t, Some(c)),
            _ => return self.err(pos, usage()),
        };
        let (path, field) = match self.term(model, &field.value, field.pos)? {
            Term::Field {
                path,
                field,
                model: owner,
            } if self.schema.model(owner).fields[field].scalar() == Some(ScalarType::String) => {
                (path, field)
            }
            _ => return self.err(pos, usage()),
        };
        let value = match self.term(model, &text.value, text.pos)? {
            Term::Literal(Json::String(t)) => Operand::Literal(Json::String(t)),
            Term::AuthField(f, ScalarType::String) => Operand::Auth(f),
            _ => return self.err(pos, usage()),
        };
        let insensitive = match case
            .map(|c| self.term(model, &c.value, c.pos))
            .transpose()?
        {
            None => false,
            Some(Term::Literal(Json::Bool(b))) => b,
            Some(_) => return self.err(pos, usage()),
        };
        Ok(Term::Cond(via(
            path,
            Condition::Text {
                field,
                how,
                value,
                insensitive,
            },
        )))
    }

    /// `name` on `owner` (reached from the model in scope through `path`).
    fn field(
        &self,
        _scope: ModelId,
        path: Vec<FieldId>,
        owner: ModelId,
        name: &str,
        pos: Pos,
    ) -> Result<Term, SchemaError> {
        match self.schema.model(owner).field(name) {
            Some((field, _)) => Ok(Term::Field {
                path,
                field,
                model: owner,
            }),
            None => self.err(
                pos,
                format!("`{}` has no field `{name}`", self.schema.model(owner).name),
            ),
        }
    }

    fn user_model(&self) -> ModelId {
        self.schema
            .models
            .iter()
            .position(|m| m.builtin == Some(Builtin::User))
            .unwrap_or_default()
    }

    fn binary(
        &self,
        model: ModelId,
        op: BinOp,
        left: &Expr,
        right: &Expr,
        pos: Pos,
    ) -> Result<Term, SchemaError> {
        let compare = match op {
            BinOp::And | BinOp::Or => {
                let (a, b) = (
                    self.condition(model, left, pos)?,
                    self.condition(model, right, pos)?,
                );
                return Ok(Term::Cond(if op == BinOp::And {
                    Condition::And(vec![a, b])
                } else {
                    Condition::Or(vec![a, b])
                }));
            }
            BinOp::Eq => Compare::Eq,
            BinOp::Ne => Compare::Ne,
            BinOp::Lt => Compare::Lt,
            BinOp::Le => Compare::Le,
            BinOp::Gt => Compare::Gt,
            BinOp::Ge => Compare::Ge,
            BinOp::In => Compare::In,
        };
        let (a, b) = (self.term(model, left, pos)?, self.term(model, right, pos)?);
        if let (
            Term::Field {
                path: p1,
                field: f1,
                model: m1,
            },
            Term::Field {
                path: p2,
                field: f2,
                model: m2,
            },
        ) = (&a, &b)
        {
            return self.columns(model, (p1, *f1, *m1), (p2, *f2, *m2), compare, pos);
        }
        // Put the row's side (or auth()) on the left.
        let (a, b, compare) = match (&a, &b) {
            (
                Term::Literal(_) | Term::List(_) | Term::Now,
                Term::Field { .. } | Term::Auth | Term::AuthField(..) | Term::BeforeField(..),
            )
            | (Term::AuthField(..) | Term::Auth | Term::BeforeField(..), Term::Field { .. })
            | (Term::AuthField(..), Term::BeforeField(..))
                if compare != Compare::In =>
            {
                (b, a, flip(compare))
            }
            _ => (a, b, compare),
        };
        match (a, b) {
            (Term::Auth, Term::Literal(Json::Null)) => match compare {
                Compare::Eq => Ok(Term::Cond(Condition::Not(Box::new(Condition::LoggedIn)))),
                Compare::Ne => Ok(Term::Cond(Condition::LoggedIn)),
                _ => self.err(pos, "`auth()` can only be compared with `==` or `!=`"),
            },
            (
                Term::Field {
                    path,
                    field,
                    model: owner,
                },
                Term::Auth,
            ) => {
                // `relation == auth()`: the related row is the caller.
                let f = &self.schema.model(owner).fields[field];
                let target = match &f.kind {
                    FieldKind::Relation(r)
                        if !r.many
                            && self.schema.model(r.target).builtin == Some(Builtin::User) =>
                    {
                        r.target
                    }
                    _ if self.schema.model(owner).builtin == Some(Builtin::User) => {
                        return self.err(
                            pos,
                            format!(
                                "compare `{}` with `auth().{}`, or `id` with `auth().id`",
                                f.name, f.name
                            ),
                        );
                    }
                    _ => {
                        return self.err(
                            pos,
                            format!(
                                "`{}` is not a relation to `user`: only a user can equal `auth()`",
                                f.name
                            ),
                        );
                    }
                };
                let (id, _) = self
                    .schema
                    .model(target)
                    .field("id")
                    .ok_or_else(|| self.internal(pos))?;
                let is_caller = Condition::Via {
                    relation: field,
                    condition: Box::new(Condition::Field {
                        field: id,
                        ty: ScalarType::String,
                        op: Compare::Eq,
                        value: Operand::Auth(id),
                    }),
                };
                let cond = match compare {
                    Compare::Eq => is_caller,
                    Compare::Ne => Condition::Not(Box::new(is_caller)),
                    _ => return self.err(pos, "a relation can only be compared with `==` or `!=`"),
                };
                Ok(Term::Cond(via(path, cond)))
            }
            (
                Term::Field {
                    path,
                    field,
                    model: owner,
                },
                value,
            ) => {
                let f = &self.schema.model(owner).fields[field];
                let ty = match &f.kind {
                    FieldKind::Scalar(ty) => *ty,
                    FieldKind::Relation(r)
                        if !r.many && matches!(value, Term::Literal(Json::Null)) =>
                    {
                        let cond = match compare {
                            Compare::Eq => Condition::NoRelated { relation: field },
                            Compare::Ne => {
                                Condition::Not(Box::new(Condition::NoRelated { relation: field }))
                            }
                            _ => {
                                return self
                                    .err(pos, "a relation can only be compared with `==` or `!=`");
                            }
                        };
                        return Ok(Term::Cond(via(path, cond)));
                    }
                    FieldKind::Relation(_) => {
                        return self.err(
                            pos,
                            format!(
                                "`{}` is a relation: compare one of its fields (`{}.id`)",
                                f.name, f.name
                            ),
                        );
                    }
                };
                let value = self.operand(value, ty, compare, pos)?;
                Ok(Term::Cond(via(
                    path,
                    Condition::Field {
                        field,
                        ty,
                        op: compare,
                        value,
                    },
                )))
            }
            (Term::AuthField(field, ty), value) => {
                if matches!(value, Term::Field { .. }) {
                    return self.err(pos, "comparing two fields of the row is not supported yet");
                }
                let value = self.operand(value, ty, compare, pos)?;
                Ok(Term::Cond(Condition::AuthField {
                    field,
                    ty,
                    op: compare,
                    value,
                }))
            }
            (Term::BeforeField(field, ty), value) => {
                let value = self.operand(value, ty, compare, pos)?;
                Ok(Term::Cond(Condition::BeforeField {
                    field,
                    ty,
                    op: compare,
                    value,
                }))
            }
            _ => self.err(
                pos,
                format!(
                    "`{compare}` needs a field or `auth()` on one side and a value on the other"
                ),
            ),
        }
    }

    /// `a OP b` for two scalar fields of the row itself, of one type.
    fn columns(
        &self,
        model: ModelId,
        (p1, f1, m1): (&[FieldId], FieldId, ModelId),
        (p2, f2, m2): (&[FieldId], FieldId, ModelId),
        compare: Compare,
        pos: Pos,
    ) -> Result<Term, SchemaError> {
        if !p1.is_empty() || !p2.is_empty() || m1 != model || m2 != model {
            return self.err(
                pos,
                "two fields can be compared only when both are the row's own (not through a relation)",
            );
        }
        let m = self.schema.model(model);
        let (a, b) = (&m.fields[f1], &m.fields[f2]);
        match (a.scalar(), b.scalar()) {
            (Some(ta), Some(tb))
                if ta == tb && ta != ScalarType::Json && compare != Compare::In =>
            {
                Ok(Term::Cond(Condition::Columns {
                    left: f1,
                    op: compare,
                    right: f2,
                }))
            }
            (Some(ta), Some(tb)) if ta != tb => self.err(
                pos,
                format!(
                    "`{}` ({ta:?}) and `{}` ({tb:?}) are of different types",
                    a.name, b.name
                ),
            ),
            _ => self.err(
                pos,
                format!(
                    "`{}` and `{}` cannot be compared with `{compare}`",
                    a.name, b.name
                ),
            ),
        }
    }

    fn internal(&self, pos: Pos) -> SchemaError {
        SchemaError {
            file: self.file.to_owned(),
            pos,
            message: "the `user` model has no `id`".into(),
        }
    }

    /// The value a field of type `ty` is compared with.
    fn operand(
        &self,
        term: Term,
        ty: ScalarType,
        compare: Compare,
        pos: Pos,
    ) -> Result<Operand, SchemaError> {
        match (term, compare) {
            (Term::List(items), Compare::In) => {
                for item in &items {
                    self.literal_fits(item, ty, pos)?;
                }
                Ok(Operand::List(items))
            }
            (_, Compare::In) => self.err(pos, "`in` takes a list of values: `field in ['a', 'b']`"),
            (Term::Literal(v), _) => {
                if v.is_null() && !matches!(compare, Compare::Eq | Compare::Ne) {
                    return self.err(pos, "`null` can only be compared with `==` or `!=`");
                }
                self.literal_fits(&v, ty, pos)?;
                Ok(Operand::Literal(v))
            }
            (Term::AuthField(field, auth_ty), _) => {
                if auth_ty != ty {
                    return self.err(
                        pos,
                        format!(
                            "a {ty:?} field cannot be compared with a {auth_ty:?} field of `auth()`"
                        ),
                    );
                }
                Ok(Operand::Auth(field))
            }
            (Term::BeforeField(field, before_ty), _) => {
                if before_ty != ty {
                    return self.err(
                        pos,
                        format!("a {ty:?} field cannot be compared with a {before_ty:?} field of `before()`"),
                    );
                }
                Ok(Operand::Before(field))
            }
            (Term::Now, _) if ty == ScalarType::DateTime => Ok(Operand::Now),
            (Term::Now, _) => self.err(
                pos,
                format!("`now()` is a DateTime; a {ty:?} field cannot be compared with it"),
            ),
            (Term::Auth, _) => self.err(
                pos,
                "compare a field with `auth().id` (or a relation to `user` with `auth()`)",
            ),
            (Term::Field { .. }, _) => {
                self.err(pos, "comparing two fields of the row is not supported yet")
            }
            _ => self.err(pos, "expected a value"),
        }
    }

    fn literal_fits(&self, value: &Json, ty: ScalarType, pos: Pos) -> Result<(), SchemaError> {
        // What the query layer reads at request time (`value::from_json`) must be accepted
        // here, and nothing more: a literal it refused would fail every request.
        let fits = match (value, ty) {
            (Json::Null, _) => true,
            (Json::String(_), ScalarType::String) => true,
            (Json::String(s), ScalarType::Enum(id)) => self.schema.enums[id].has(s),
            (Json::String(s), ScalarType::Decimal) => s.trim().parse::<f64>().is_ok(),
            (Json::String(s), ScalarType::DateTime) => {
                chrono::DateTime::parse_from_rfc3339(s).is_ok()
            }
            (Json::Number(n), ScalarType::Int) => {
                n.as_i64().is_some_and(|i| i32::try_from(i).is_ok())
            }
            (Json::Number(n), ScalarType::BigInt) => n.as_i64().is_some(),
            (Json::Number(_), ScalarType::Float | ScalarType::Decimal) => true,
            (Json::Bool(_), ScalarType::Boolean) => true,
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            self.err(
                pos,
                format!(
                    "{value} is not a value of a {} field",
                    self.schema.type_name(ty)
                ),
            )
        }
    }
}

fn flip(compare: Compare) -> Compare {
    match compare {
        Compare::Lt => Compare::Gt,
        Compare::Le => Compare::Ge,
        Compare::Gt => Compare::Lt,
        Compare::Ge => Compare::Le,
        other => other,
    }
}

/// `condition` on the row reached through the to-one relations of `path`.
fn via(path: Vec<FieldId>, condition: Condition) -> Condition {
    path.into_iter()
        .rev()
        .fold(condition, |inner, relation| Condition::Via {
            relation,
            condition: Box::new(inner),
        })
}
