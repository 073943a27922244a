//! The BaaS: an app's data, declared in a Prisma schema and served through the ZenStack/ROQ
//! RPC API (`/api/model/{model}/{op}`) with Prisma's query semantics, on SQLite or PostgreSQL.
//!
//! `schema` reads and checks the schema; `query` parses request arguments into a checked
//! query tree; `engine` compiles that tree to SQL and runs it; `rpc` is the HTTP surface.
//! The BaaS never touches the Platform's store.

pub mod error;
pub mod query;
pub mod schema;
pub mod value;
