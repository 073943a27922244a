//! The document around every page: head, the environment's name as a header, and the card.

use maud::{DOCTYPE, Markup, html};

use super::STYLESHEET_PATH;

/// A complete HTML document: `title` names the page, `card` is everything inside the card,
/// starting with its one `<h1>`.
pub(crate) fn document(environment_name: &str, title: &str, card: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                // These pages carry one-time tokens in their URLs; other sites need not see them.
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex, nofollow";
                title { (title) " · " (environment_name) }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                header.brand {
                    (mark())
                    span.brand-name { (environment_name) }
                }
                main.card { (card) }
            }
        }
    }
    .into_string()
}

/// A small two-wheel mark; decorative, so hidden from assistive technology.
fn mark() -> Markup {
    html! {
        svg.mark width="28" height="28" viewBox="0 0 28 28" aria-hidden="true" focusable="false" {
            circle cx="10" cy="14" r="7" fill="none" stroke="currentColor" stroke-width="2.5" {}
            circle cx="18" cy="14" r="7" fill="none" stroke="currentColor" stroke-width="2.5" opacity="0.55" {}
        }
    }
}
