//! The hosted auth pages: log-in, sign-up, forgot and reset password, accepting an invitation,
//! and a plain message page.
//!
//! Every page is a function from a view to a complete HTML document. Values reach the markup
//! only through maud's escaping; nothing a user or an operator typed is ever inserted raw.
//! The input names and ids are the wire contract with the handlers and with browsers'
//! password managers, so they are spelled once per page and covered by tests.

mod form;
mod icon;
mod invite;
mod layout;
mod login;
mod message;
mod password;
mod signup;

pub use invite::{InviteView, accept_invite};
pub use login::{LoginView, login};
pub use message::{MessageView, Tone, message};
pub use password::{ForgotView, ResetView, forgot_password, reset_password};
pub use signup::{SignupView, signup};

/// Where the handlers serve [`STYLESHEET`]; every page links it from here.
pub const STYLESHEET_PATH: &str = "/auth/assets/style.css";

/// The one stylesheet of the hosted pages (light and dark themes, no external resources).
pub const STYLESHEET: &str = include_str!("../../assets/style.css");

/// What went wrong with a submitted form, to show when the form is rendered again.
#[derive(Debug, Default, Clone)]
pub struct FormErrors {
    /// About the form as a whole (e.g. "Wrong email or password"); shown at the top, `role="alert"`.
    pub form: Option<String>,
    /// `(input name, message)`: shown next to that input, which is marked `aria-invalid` and
    /// points at the message with `aria-describedby`. A name the page has no input for (e.g.
    /// `csrf`) is shown at the top with the form's message, so no error is ever dropped.
    pub fields: Vec<(&'static str, String)>,
}

impl FormErrors {
    /// One message about the form as a whole.
    pub fn form(message: String) -> Self {
        Self {
            form: Some(message),
            fields: Vec::new(),
        }
    }

    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.form.is_none() && self.fields.is_empty()
    }

    /// The messages for one input, in the order they were added.
    pub fn for_field<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e str> + 'e {
        self.fields
            .iter()
            .filter(move |(field, _)| *field == name)
            .map(|(_, message)| message.as_str())
    }
}

#[cfg(test)]
mod tests;
