//! Typed JSON: what a create or update writes to a Json field typed by a `type` is checked
//! against it as ZenStack's zod schema does — every required field present with a value of its
//! type, lists of the right items, nested types in turn; other keys are kept. Paths name array
//! items as zod does (`data.identity.providers[0].id`).

use serde_json::Value as Json;

use super::{PResult, Parser, at, invalid};
use crate::schema::{JsonShape, JsonTypeField, ScalarType, TypedJson};
use crate::value::{self, json_kind};

impl Parser<'_> {
    pub(super) fn check_typed(&self, typed: TypedJson, json: &Json, path: &str) -> PResult<()> {
        if !typed.list {
            return self.check_shape(JsonShape::Type(typed.id), json, path);
        }
        let Json::Array(items) = json else {
            return invalid(format!(
                "Invalid input: expected array, received {}{}",
                json_kind(json),
                at(path)
            ));
        };
        for (i, item) in items.iter().enumerate() {
            self.check_shape(JsonShape::Type(typed.id), item, &format!("{path}[{i}]"))?;
        }
        Ok(())
    }

    fn check_shape(&self, shape: JsonShape, json: &Json, path: &str) -> PResult<()> {
        match shape {
            JsonShape::Type(id) => {
                let Json::Object(map) = json else {
                    return invalid(format!(
                        "Invalid input: expected object, received {}{}",
                        json_kind(json),
                        at(path)
                    ));
                };
                for field in &self.schema.types[id].fields {
                    let here = format!("{path}.{}", field.name);
                    match map.get(&field.name) {
                        None | Some(Json::Null) if field.optional => {}
                        None => return invalid(self.expected(field, "undefined", &here)),
                        Some(Json::Null) => return invalid(self.expected(field, "null", &here)),
                        Some(Json::Array(items)) if field.list => {
                            for (i, item) in items.iter().enumerate() {
                                self.check_shape(field.shape, item, &format!("{here}[{i}]"))?;
                            }
                        }
                        Some(other) if field.list => {
                            return invalid(self.expected(field, json_kind(other), &here));
                        }
                        Some(value) => self.check_shape(field.shape, value, &here)?,
                    }
                }
                Ok(())
            }
            JsonShape::Scalar(ScalarType::Json) => Ok(()),
            JsonShape::Scalar(ScalarType::Enum(id)) => {
                let declared = &self.schema.enums[id];
                match json.as_str() {
                    Some(v) if declared.has(v) => Ok(()),
                    _ => invalid(format!(
                        "Invalid option: expected one of {}{}",
                        declared.listed(),
                        at(path)
                    )),
                }
            }
            JsonShape::Scalar(ty) => match value::from_json(json, ty) {
                Ok(_) => Ok(()),
                Err(m) => invalid(format!(
                    "Invalid input: expected {}, received {}{}",
                    m.expected,
                    m.received,
                    at(path)
                )),
            },
        }
    }

    /// The message for a field of a type that is missing or of another kind.
    fn expected(&self, field: &JsonTypeField, received: &str, path: &str) -> String {
        let expected = if field.list {
            "array".to_owned()
        } else {
            match field.shape {
                JsonShape::Type(_) => "object".to_owned(),
                JsonShape::Scalar(ScalarType::Enum(id)) => {
                    return format!(
                        "Invalid option: expected one of {}{}",
                        self.schema.enums[id].listed(),
                        at(path)
                    );
                }
                JsonShape::Scalar(ScalarType::DateTime) => "date".to_owned(),
                JsonShape::Scalar(t) if t.is_numeric() => "number".to_owned(),
                JsonShape::Scalar(t) => t.name().to_lowercase(),
            }
        };
        format!(
            "Invalid input: expected {expected}, received {received}{}",
            at(path)
        )
    }
}
