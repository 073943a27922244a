//! The page behind an invitation link: who invited you where, and the form that accepts.

use maud::html;

use super::FormErrors;
use super::form::{Form, Input, Kind, form};
use super::layout::document;

/// What the accept-invitation page shows.
#[derive(Debug, Clone, Copy)]
pub struct InviteView<'a> {
    /// Shown in the header and the `<title>`.
    pub environment_name: &'a str,
    /// Where the form posts.
    pub action: &'a str,
    /// Posted back as the hidden input `csrf`.
    pub csrf_token: &'a str,
    /// The invitation token from the mailed link, posted back as the hidden input `token`.
    pub token: &'a str,
    pub inviter_name: &'a str,
    pub tenant_name: &'a str,
    /// The invited address: the account's email, not editable.
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub errors: &'a FormErrors,
    /// Shown under the password input, e.g. "At least 8 characters".
    pub password_hint: &'a str,
}

/// The accept page: `firstName`, `lastName`, `password`, with the hidden `token`.
pub fn accept_invite(view: &InviteView<'_>) -> String {
    let mut password = Input::new(
        "password",
        "Choose a password",
        Kind::Password,
        "new-password",
    );
    if !view.password_hint.is_empty() {
        password = password.hint(view.password_hint);
    }
    let inputs = [
        Input::new("firstName", "First name", Kind::Text, "given-name")
            .value(view.first_name)
            .half(),
        Input::new("lastName", "Last name", Kind::Text, "family-name")
            .value(view.last_name)
            .half(),
        password,
    ];
    let title = format!("Join {}", view.tenant_name);
    let card = html! {
        h1 { (title) }
        p.lede {
            @if view.inviter_name.is_empty() {
                "You were invited to "
            } @else {
                strong { (view.inviter_name) } " invited you to "
            }
            strong { (view.tenant_name) } " on " (view.environment_name) ". "
            "You will log in as " strong { (view.email) } "."
        }
        (form(&Form {
            action: view.action,
            csrf_token: view.csrf_token,
            carried: &[],
            hidden: &[("token", view.token)],
            inputs: &inputs,
            errors: view.errors,
            submit: "Accept invitation",
        }))
    };
    document(view.environment_name, &title, card)
}
