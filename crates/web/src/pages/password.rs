//! The two pages of a forgotten password: ask for a reset link, then choose a new password.

use maud::html;

use super::FormErrors;
use super::form::{Form, Input, Kind, card_footer, form};
use super::layout::document;
use super::message::{Tone, badge};

/// What the "forgot your password" page shows.
#[derive(Debug, Clone, Copy)]
pub struct ForgotView<'a> {
    /// Shown in the header and the `<title>`.
    pub environment_name: &'a str,
    /// Where the form posts.
    pub action: &'a str,
    /// Posted back as the hidden input `csrf`.
    pub csrf_token: &'a str,
    /// Extra hidden inputs posted back unchanged, name/value.
    pub carried: &'a [(String, String)],
    /// Prefills the email input.
    pub email: &'a str,
    pub errors: &'a FormErrors,
    /// "Back to log in".
    pub login_url: &'a str,
    /// True once the form was accepted: the page then says a link is on its way, without
    /// telling whether the address has an account.
    pub sent: bool,
}

/// What the "choose a new password" page shows.
#[derive(Debug, Clone, Copy)]
pub struct ResetView<'a> {
    /// Shown in the header and the `<title>`.
    pub environment_name: &'a str,
    /// Where the form posts.
    pub action: &'a str,
    /// Posted back as the hidden input `csrf`.
    pub csrf_token: &'a str,
    /// The reset token from the emailed link, posted back as the hidden input `token`.
    pub token: &'a str,
    pub errors: &'a FormErrors,
    /// "Back to log in".
    pub login_url: &'a str,
    /// Shown under the password input, e.g. "At least 8 characters".
    pub password_hint: &'a str,
}

/// The "forgot your password" page: `email`, or the confirmation once `view.sent`.
pub fn forgot_password(view: &ForgotView<'_>) -> String {
    let card = if view.sent {
        html! {
            (badge(Tone::Success))
            h1 { "Check your email" }
            p.body-text role="status" {
                "If an account exists for that address, we sent a link to choose a new password."
            }
            p.body-text.muted {
                "The link works for a limited time. If nothing arrives within a few minutes, "
                "check your spam folder or try again."
            }
            (card_footer(None, view.login_url, "Back to log in"))
        }
    } else {
        let inputs = [Input::new("email", "Email address", Kind::Email, "email").value(view.email)];
        html! {
            h1 { "Reset your password" }
            p.lede {
                "Enter the email address you log in with, and we will send you a link to choose "
                "a new password."
            }
            (form(&Form {
                action: view.action,
                csrf_token: view.csrf_token,
                carried: view.carried,
                hidden: &[],
                inputs: &inputs,
                errors: view.errors,
                submit: "Send reset link",
            }))
            (card_footer(None, view.login_url, "Back to log in"))
        }
    };
    let title = if view.sent {
        "Check your email"
    } else {
        "Reset your password"
    };
    document(view.environment_name, title, card)
}

/// The "choose a new password" page: `password`, with the hidden `token`.
pub fn reset_password(view: &ResetView<'_>) -> String {
    let mut password = Input::new("password", "New password", Kind::Password, "new-password");
    if !view.password_hint.is_empty() {
        password = password.hint(view.password_hint);
    }
    let card = html! {
        h1 { "Choose a new password" }
        p.lede { "You will use it to log in to " (view.environment_name) " from now on." }
        (form(&Form {
            action: view.action,
            csrf_token: view.csrf_token,
            carried: &[],
            hidden: &[("token", view.token)],
            inputs: &[password],
            errors: view.errors,
            submit: "Set new password",
        }))
        (card_footer(None, view.login_url, "Back to log in"))
    };
    document(view.environment_name, "Choose a new password", card)
}
