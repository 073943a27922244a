//! For tests only (feature `capture`): the SQL text of every statement built while capturing
//! is on, so a test can check that no request text ever became SQL text.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static ON: AtomicBool = AtomicBool::new(false);
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Starts recording (and forgets what was recorded before).
pub fn start() {
    if let Ok(mut statements) = STATEMENTS.lock() {
        statements.clear();
    }
    ON.store(true, Ordering::SeqCst);
}

/// The statements recorded since [`start`] or the last `take`.
pub fn take() -> Vec<String> {
    STATEMENTS
        .lock()
        .map(|mut s| std::mem::take(&mut *s))
        .unwrap_or_default()
}

pub(crate) fn record(sql: &str) {
    if ON.load(Ordering::Relaxed)
        && let Ok(mut statements) = STATEMENTS.lock()
    {
        statements.push(sql.to_owned());
    }
}
