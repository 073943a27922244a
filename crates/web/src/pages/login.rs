//! The log-in page.

use maud::html;

use super::FormErrors;
use super::form::{Form, Input, Kind, card_footer, form};
use super::icon;
use super::layout::document;

/// What the log-in page shows.
#[derive(Debug, Clone, Copy)]
pub struct LoginView<'a> {
    /// Shown in the header and the `<title>`.
    pub environment_name: &'a str,
    /// Where the form posts, e.g. `/authorize/login`.
    pub action: &'a str,
    /// Posted back as the hidden input `csrf`.
    pub csrf_token: &'a str,
    /// Extra hidden inputs posted back unchanged (OAuth parameters carried through), name/value.
    pub carried: &'a [(String, String)],
    /// Prefills the email input.
    pub email: &'a str,
    pub errors: &'a FormErrors,
    /// "Create an account"; `None` when sign-up is off, and then there is no link.
    pub signup_url: Option<&'a str>,
    /// "Forgot your password?"; `None` shows no link.
    pub forgot_url: Option<&'a str>,
    /// An informational banner (`role="status"`), e.g. after a password change.
    pub notice: Option<&'a str>,
}

/// The log-in page: `email` and `password`, posted to `view.action`.
pub fn login(view: &LoginView<'_>) -> String {
    let inputs = [
        Input::new("email", "Email address", Kind::Email, "email").value(view.email),
        Input::new("password", "Password", Kind::Password, "current-password"),
    ];
    let card = html! {
        h1 { "Log in" }
        p.lede { "Log in to continue to " (view.environment_name) "." }
        @if let Some(notice) = view.notice {
            div.alert.alert-info role="status" {
                (icon::info())
                p { (notice) }
            }
        }
        (form(&Form {
            action: view.action,
            csrf_token: view.csrf_token,
            carried: view.carried,
            hidden: &[],
            inputs: &inputs,
            errors: view.errors,
            submit: "Log in",
        }))
        @if let Some(forgot) = view.forgot_url {
            p.aside { a href=(forgot) { "Forgot your password?" } }
        }
        @if let Some(signup) = view.signup_url {
            (card_footer(Some("Don't have an account?"), signup, "Create an account"))
        }
    };
    document(view.environment_name, "Log in", card)
}
