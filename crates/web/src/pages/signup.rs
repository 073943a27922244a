//! The sign-up page.

use maud::html;

use super::FormErrors;
use super::form::{Form, Input, Kind, card_footer, form};
use super::layout::document;

/// What the sign-up page shows.
#[derive(Debug, Clone, Copy)]
pub struct SignupView<'a> {
    /// Shown in the header and the `<title>`.
    pub environment_name: &'a str,
    /// Where the form posts.
    pub action: &'a str,
    /// Posted back as the hidden input `csrf`.
    pub csrf_token: &'a str,
    /// Extra hidden inputs posted back unchanged, name/value.
    pub carried: &'a [(String, String)],
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub tenant_name: &'a str,
    /// Shows the "Organization name" input (`tenantName`) only when true.
    pub ask_tenant_name: bool,
    pub errors: &'a FormErrors,
    /// "Already have an account? Log in".
    pub login_url: &'a str,
    /// Shown under the password input, e.g. "At least 8 characters".
    pub password_hint: &'a str,
}

/// The sign-up page: `firstName`, `lastName`, `tenantName` (when asked), `email`, `password`.
pub fn signup(view: &SignupView<'_>) -> String {
    let mut inputs = vec![
        Input::new("firstName", "First name", Kind::Text, "given-name")
            .value(view.first_name)
            .half(),
        Input::new("lastName", "Last name", Kind::Text, "family-name")
            .value(view.last_name)
            .half(),
    ];
    if view.ask_tenant_name {
        inputs.push(
            Input::new(
                "tenantName",
                "Organization name",
                Kind::Text,
                "organization",
            )
            .value(view.tenant_name),
        );
    }
    inputs.push(Input::new("email", "Email address", Kind::Email, "email").value(view.email));
    let mut password = Input::new("password", "Password", Kind::Password, "new-password");
    if !view.password_hint.is_empty() {
        password = password.hint(view.password_hint);
    }
    inputs.push(password);

    let card = html! {
        h1 { "Create your account" }
        p.lede { "Sign up to start using " (view.environment_name) "." }
        (form(&Form {
            action: view.action,
            csrf_token: view.csrf_token,
            carried: view.carried,
            hidden: &[],
            inputs: &inputs,
            errors: view.errors,
            submit: "Create account",
        }))
        (card_footer(Some("Already have an account?"), view.login_url, "Log in"))
    };
    document(view.environment_name, "Create your account", card)
}
