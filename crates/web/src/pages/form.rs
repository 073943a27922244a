//! The parts every auth form shares: hidden inputs, the error summary, labelled inputs, the
//! submit button. Pages list their inputs; this module decides how an input and its errors look.

use maud::{Markup, html};

use super::FormErrors;
use super::icon;

/// What kind of `<input>`; decides the `type` and whether a value may be echoed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Email,
    /// Never prefilled: a password is not sent back to the browser.
    Password,
}

/// One visible, labelled input of a form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    /// `name` and `id` both: the wire contract with the handlers.
    pub name: &'static str,
    pub label: &'a str,
    pub kind: Kind,
    pub autocomplete: &'static str,
    pub value: &'a str,
    /// Shown under the input and read out with it.
    pub hint: Option<&'a str>,
    /// Shares a row with the next half-width input on wide screens.
    pub half: bool,
}

impl<'a> Input<'a> {
    pub(crate) fn new(
        name: &'static str,
        label: &'a str,
        kind: Kind,
        autocomplete: &'static str,
    ) -> Self {
        Input {
            name,
            label,
            kind,
            autocomplete,
            value: "",
            hint: None,
            half: false,
        }
    }

    pub(crate) fn value(self, value: &'a str) -> Self {
        Input { value, ..self }
    }

    pub(crate) fn hint(self, hint: &'a str) -> Self {
        Input {
            hint: Some(hint),
            ..self
        }
    }

    pub(crate) fn half(self) -> Self {
        Input { half: true, ..self }
    }
}

/// The hidden inputs and fields of one form: everything a handler needs to post it.
pub(crate) struct Form<'a> {
    pub action: &'a str,
    pub csrf_token: &'a str,
    pub carried: &'a [(String, String)],
    /// Hidden inputs of the page itself (e.g. the reset token), after the carried ones.
    pub hidden: &'a [(&'static str, &'a str)],
    pub inputs: &'a [Input<'a>],
    pub errors: &'a FormErrors,
    pub submit: &'a str,
}

/// The error summary, then the form: hidden inputs, each labelled input, the submit button.
pub(crate) fn form(form: &Form<'_>) -> Markup {
    let focus = autofocus_target(form.inputs, form.errors);
    html! {
        (summary(form.errors, form.inputs))
        form.form method="post" action=(form.action) {
            input type="hidden" name="csrf" value=(form.csrf_token);
            @for (name, value) in form.carried {
                input type="hidden" name=(name) value=(value);
            }
            @for (name, value) in form.hidden {
                input type="hidden" name=(name) value=(value);
            }
            div.fields {
                @for input in form.inputs {
                    (field(input, form.errors, focus == Some(input.name)))
                }
            }
            button.button type="submit" { (form.submit) }
        }
    }
}

/// The first input with an error, else the first one still empty: where the person types next.
fn autofocus_target(inputs: &[Input<'_>], errors: &FormErrors) -> Option<&'static str> {
    inputs
        .iter()
        .find(|input| errors.for_field(input.name).next().is_some())
        .or_else(|| inputs.iter().find(|input| input.value.is_empty()))
        .map(|input| input.name)
}

/// At the top of the form: its own message, or a pointer to the fields below, and any error
/// for a name this page has no input for (so no error is ever dropped). Errors of visible
/// inputs are shown once, by their input; a one-input form needs no pointer to it.
fn summary(errors: &FormErrors, inputs: &[Input<'_>]) -> Markup {
    let orphans: Vec<&str> = errors
        .fields
        .iter()
        .filter(|(name, _)| !inputs.iter().any(|input| input.name == *name))
        .map(|(_, message)| message.as_str())
        .collect();
    let invalid_inputs = inputs
        .iter()
        .filter(|input| errors.for_field(input.name).next().is_some())
        .count();
    let alone = errors.form.is_none() && orphans.is_empty();
    if alone && (invalid_inputs == 0 || inputs.len() == 1) {
        return html! {};
    }
    let fields = if invalid_inputs == 1 {
        "field"
    } else {
        "fields"
    };
    html! {
        div.alert.alert-error role="alert" {
            (icon::alert())
            div {
                @if let Some(message) = &errors.form {
                    p.alert-title { (message) }
                }
                @for message in &orphans {
                    p.alert-title { (message) }
                }
                @if alone {
                    p.alert-title { "Please correct the " (fields) " marked below." }
                } @else if invalid_inputs > 0 {
                    p { "Please also correct the " (fields) " marked below." }
                }
            }
        }
    }
}

/// A label, the input, its error (if any) and its hint, tied together for screen readers.
fn field(input: &Input<'_>, errors: &FormErrors, autofocus: bool) -> Markup {
    let messages: Vec<&str> = errors.for_field(input.name).collect();
    let invalid = !messages.is_empty();
    let error_id = format!("{}-error", input.name);
    let hint_id = format!("{}-hint", input.name);
    let described_by = match (invalid, input.hint.is_some()) {
        (true, true) => Some(format!("{error_id} {hint_id}")),
        (true, false) => Some(error_id.clone()),
        (false, true) => Some(hint_id.clone()),
        (false, false) => None,
    };
    let (kind, value) = match input.kind {
        Kind::Text => ("text", Some(input.value)),
        Kind::Email => ("email", Some(input.value)),
        Kind::Password => ("password", None),
    };
    let is_email = input.kind == Kind::Email;
    html! {
        div.field.field-half[input.half].field-invalid[invalid] {
            label for=(input.name) { (input.label) }
            input id=(input.name) name=(input.name) type=(kind)
                autocomplete=(input.autocomplete) value=[value]
                spellcheck=[is_email.then_some("false")]
                autocapitalize=[is_email.then_some("none")]
                required
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=[described_by]
                autofocus[autofocus];
            @if let Some(hint) = input.hint {
                p.hint id=(hint_id) { (hint) }
            }
            @if invalid {
                p.field-error id=(error_id) {
                    (icon::alert())
                    span {
                        span.visually-hidden { "Error: " }
                        @for (i, message) in messages.iter().enumerate() {
                            @if i > 0 { " " }
                            (message)
                        }
                    }
                }
            }
        }
    }
}

/// The way out of this page at the foot of the card, e.g. "Already have an account? Log in".
pub(crate) fn card_footer(lead: Option<&str>, href: &str, label: &str) -> Markup {
    html! {
        p.card-footer {
            @if let Some(lead) = lead { (lead) " " }
            a href=(href) { (label) }
        }
    }
}
