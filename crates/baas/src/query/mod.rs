//! The BaaS query tree: request arguments → a checked [`ast::Operation`]: parse, then validate
//! against the schema (`parse`), then check Tandem's rules for the Platform-owned models
//! (`rules`). Only then does anything reach the engine, which compiles the tree to SQL.
//! ("Query" here is always this tree; SQL statements are the engine's, and the URL's query
//! string is the RPC layer's `url_args`.)

pub mod access;
pub mod ast;
pub mod parse;
pub mod policy;
#[cfg(test)]
mod proptests;
pub mod rules;
pub mod validate;

use serde_json::Value as Json;

use crate::error::{BaasError, BaasResult};
use crate::schema::{ModelId, Schema};
pub use ast::Operation;
pub use parse::OpName;

/// Parses and checks one operation's arguments.
pub fn prepare(
    schema: &Schema,
    model: ModelId,
    op: OpName,
    args: &Json,
    postgres: bool,
) -> BaasResult<Operation> {
    // The rules for built-in models come first: a create of a user is refused as such, not
    // for lacking fields.
    match op {
        OpName::Create | OpName::CreateMany | OpName::CreateManyAndReturn | OpName::Upsert
            if op != OpName::Upsert || schema.model(model).delegate.is_some() =>
        {
            if let Some(err) = rules::create_refused(schema, model) {
                return Err(err);
            }
        }
        OpName::Delete | OpName::DeleteMany => rules::check_delete(schema, model)?,
        _ => {}
    }
    let parser = parse::Parser { schema, postgres };
    let operation = parser
        .operation(model, op, args)
        .map_err(|parse::Invalid(detail)| BaasError::InvalidInput {
            op: op.name().to_owned(),
            model: schema.model(model).name.clone(),
            detail,
        })?;
    rules::check(schema, model, &operation)?;
    Ok(operation)
}
