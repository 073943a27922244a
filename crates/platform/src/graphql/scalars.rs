//! ROQ's custom scalars: `Date` (an instant, ISO 8601 on the wire) and `JsonObject`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde_json::{Map, Value as Json};

/// An instant. Written as `2026-11-28T09:15:00.000Z`; read from any RFC 3339 string or from
/// milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub DateTime<Utc>);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => DateTime::parse_from_rfc3339(s.trim())
                .map(|d| Date(d.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "`{s}` is not a date: use ISO 8601, e.g. 2026-11-28T09:15:00Z"
                    ))
                }),
            Value::Number(n) => n
                .as_i64()
                .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
                .map(Date)
                .ok_or_else(|| {
                    InputValueError::custom("a numeric date must be epoch milliseconds")
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

/// A JSON object (ROQ's `JsonObject`): any JSON value that is an object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonObject(pub Map<String, Json>);

#[Scalar(name = "JsonObject")]
impl ScalarType for JsonObject {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value.into_json() {
            Ok(Json::Object(map)) => Ok(JsonObject(map)),
            _ => Err(InputValueError::custom("expected a JSON object")),
        }
    }

    fn to_value(&self) -> Value {
        Value::from_json(Json::Object(self.0.clone())).unwrap_or(Value::Null)
    }
}
