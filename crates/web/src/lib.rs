//! HTML for people: the hosted auth pages (and later the Console).
//!
//! `pages` renders only: pure functions from view structs to HTML strings, and one
//! stylesheet; nothing there touches a request or the clock. `hosted` holds the HTTP handlers
//! that fill the views, calling the Platform service — never a store.

pub mod hosted;
pub mod pages;
pub use pages::*;
