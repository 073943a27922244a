//! A page that only tells something: a link expired, an email was confirmed, an error.

use maud::{Markup, html};

use super::icon;
use super::layout::document;

/// How a message page feels; also said in words to screen readers, never by colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Error,
}

/// What a message page shows.
#[derive(Debug, Clone, Copy)]
pub struct MessageView<'a> {
    /// Shown in the header and the `<title>`.
    pub environment_name: &'a str,
    /// The page's `<h1>` and `<title>`.
    pub title: &'a str,
    pub message: &'a str,
    pub tone: Tone,
    /// `(label, href)` of the one way on, shown as a button.
    pub link: Option<(&'a str, &'a str)>,
}

/// A page with a title, a message and at most one link.
pub fn message(view: &MessageView<'_>) -> String {
    let card = html! {
        (badge(view.tone))
        h1 { (view.title) }
        p.body-text { (view.message) }
        @if let Some((label, href)) = view.link {
            a.button href=(href) { (label) }
        }
    };
    document(view.environment_name, view.title, card)
}

/// The round icon above a message's title, with the tone also said in words for screen readers.
pub(crate) fn badge(tone: Tone) -> Markup {
    let (class, icon, word) = match tone {
        Tone::Info => ("tone tone-info", icon::info(), "Information"),
        Tone::Success => ("tone tone-success", icon::success(), "Done"),
        Tone::Error => ("tone tone-error", icon::alert(), "Error"),
    };
    html! {
        div class=(class) {
            (icon)
            span.visually-hidden { (word) ": " }
        }
    }
}
