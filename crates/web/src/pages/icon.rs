//! Small inline icons that go with status text. Decorative: hidden from assistive technology,
//! since the text next to them already says what they show.

use maud::{Markup, html};

/// An exclamation mark in a circle: something went wrong.
pub(crate) fn alert() -> Markup {
    html! {
        svg.icon width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false" {
            circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.5" {}
            path d="M10 5.5v5.5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" {}
            circle cx="10" cy="14.2" r="1.1" fill="currentColor" {}
        }
    }
}

/// A tick in a circle: done.
pub(crate) fn success() -> Markup {
    html! {
        svg.icon width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false" {
            circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.5" {}
            path d="M6.2 10.3l2.5 2.5 5.1-5.3" fill="none" stroke="currentColor" stroke-width="1.8"
                stroke-linecap="round" stroke-linejoin="round" {}
        }
    }
}

/// An "i" in a circle: for your information.
pub(crate) fn info() -> Markup {
    html! {
        svg.icon width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false" {
            circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.5" {}
            path d="M10 9v5.5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" {}
            circle cx="10" cy="5.9" r="1.1" fill="currentColor" {}
        }
    }
}
