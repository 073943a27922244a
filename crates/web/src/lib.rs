//! HTML for people: the hosted auth pages (and later the Console).
//!
//! This crate renders only: pure functions from view structs to HTML strings, and one
//! stylesheet. The HTTP handlers that fill the views live in `hosted`; nothing here touches a
//! store, a request or the clock.

pub mod pages;
pub use pages::*;
