//! The mail the Platform writes, and how it goes out.
//!
//! Each kind of message ([`Kind`]) has a subject, a plain-text and an HTML template built into
//! the binary. Any of the three can be replaced by a file in the templates directory
//! (`<data-dir>/mail/`): `<kind>.subject`, `<kind>.txt`, `<kind>.html` — read at each send, so an
//! edit applies to the next message. Templates name values as `{{name}}`; in the HTML part
//! values are HTML-escaped. Links are built by the caller from the public base URL.
//!
//! [`delivery`] holds the sender that takes queued messages out of the store.

pub mod delivery;

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::domain::auth::{Delivery, MailMessage};

/// What a message is for; also its `kind` in the queue and its template files' name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PasswordReset,
    EmailVerification,
    Invitation,
    Welcome,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::PasswordReset,
        Kind::EmailVerification,
        Kind::Invitation,
        Kind::Welcome,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::EmailVerification => "email_verification",
            Self::Invitation => "invitation",
            Self::Welcome => "welcome",
        }
    }

    /// The values its templates may name (besides `environment_name`).
    pub fn values(self) -> &'static [&'static str] {
        match self {
            Self::PasswordReset | Self::EmailVerification => &["link", "valid_for"],
            Self::Invitation => &[
                "link",
                "valid_for",
                "inviter_name",
                "tenant_name",
                "first_name",
            ],
            Self::Welcome => &["link", "tenant_name", "first_name"],
        }
    }

    fn built_in(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::PasswordReset => (
                "Reset your password for {{environment_name}}",
                "Someone asked to reset the password of your {{environment_name}} account.\n\n\
                 To choose a new password, open this link (it works once, for {{valid_for}}):\n\n\
                 {{link}}\n\n\
                 If it was not you, ignore this message: your password stays as it is.\n",
                concat!(
                    "<!doctype html><html lang=\"en\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1d21\">",
                    "<p>Someone asked to reset the password of your <strong>{{environment_name}}</strong> account.</p>",
                    "<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#2952cc;color:#fff;border-radius:6px;text-decoration:none\">Choose a new password</a></p>",
                    "<p>The link works once, for {{valid_for}}. If the button does not work, copy this address into your browser:<br>{{link}}</p>",
                    "<p>If it was not you, ignore this message: your password stays as it is.</p></body></html>"
                ),
            ),
            Self::EmailVerification => (
                "Confirm your email for {{environment_name}}",
                "Welcome to {{environment_name}}!\n\n\
                 To confirm your email address and log in, open this link (it works once, for {{valid_for}}):\n\n\
                 {{link}}\n\n\
                 If you did not sign up, ignore this message.\n",
                concat!(
                    "<!doctype html><html lang=\"en\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1d21\">",
                    "<p>Welcome to <strong>{{environment_name}}</strong>!</p>",
                    "<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#2952cc;color:#fff;border-radius:6px;text-decoration:none\">Confirm my email</a></p>",
                    "<p>The link works once, for {{valid_for}}. If the button does not work, copy this address into your browser:<br>{{link}}</p>",
                    "<p>If you did not sign up, ignore this message.</p></body></html>"
                ),
            ),
            Self::Invitation => (
                "{{inviter_name}} invited you to {{tenant_name}} on {{environment_name}}",
                "Hello {{first_name}},\n\n\
                 {{inviter_name}} invited you to join {{tenant_name}} on {{environment_name}}.\n\n\
                 To accept, open this link and choose your password (it works once, for {{valid_for}}):\n\n\
                 {{link}}\n\n\
                 If you did not expect this invitation, ignore this message.\n",
                concat!(
                    "<!doctype html><html lang=\"en\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1d21\">",
                    "<p>Hello {{first_name}},</p>",
                    "<p><strong>{{inviter_name}}</strong> invited you to join <strong>{{tenant_name}}</strong> on {{environment_name}}.</p>",
                    "<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#2952cc;color:#fff;border-radius:6px;text-decoration:none\">Accept the invitation</a></p>",
                    "<p>The link works once, for {{valid_for}}. If the button does not work, copy this address into your browser:<br>{{link}}</p>",
                    "<p>If you did not expect this invitation, ignore this message.</p></body></html>"
                ),
            ),
            Self::Welcome => (
                "Welcome to {{tenant_name}} on {{environment_name}}",
                "Hello {{first_name}},\n\n\
                 your {{environment_name}} account in {{tenant_name}} is ready. Log in here:\n\n\
                 {{link}}\n",
                concat!(
                    "<!doctype html><html lang=\"en\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1d21\">",
                    "<p>Hello {{first_name}},</p>",
                    "<p>your <strong>{{environment_name}}</strong> account in <strong>{{tenant_name}}</strong> is ready.</p>",
                    "<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#2952cc;color:#fff;border-radius:6px;text-decoration:none\">Open {{environment_name}}</a></p>",
                    "</body></html>"
                ),
            ),
        }
    }
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Fills `{{name}}` (spaces inside the braces allowed) with its value, escaped by `encode`; a
/// name without a value is left as written, so a typo shows in the message.
fn fill(template: &str, values: &[(&str, &str)], encode: fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(&encode(value)),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub kind: Kind,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Rendered {
    /// The message to `recipient`, queued at `now`.
    pub fn to(self, recipient: &str, now: DateTime<Utc>) -> MailMessage {
        MailMessage {
            id: uuid::Uuid::new_v4().to_string(),
            kind: self.kind.as_str().to_owned(),
            recipient: recipient.to_owned(),
            subject: self.subject,
            text_body: self.text,
            html_body: self.html,
            created_at: now,
            delivery: Delivery::queued(),
        }
    }
}

/// The templates: built in, each part replaceable by a file in `dir`.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    dir: Option<PathBuf>,
}

impl Templates {
    /// Templates overridable from files in `dir` (which need not exist).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    /// The part's file in the templates directory, when there is one to read.
    async fn part(&self, kind: Kind, extension: &str) -> Option<String> {
        let path = self
            .dir
            .as_ref()?
            .join(format!("{}.{extension}", kind.as_str()));
        match tokio::fs::read_to_string(&path).await {
            Ok(text) => Some(text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => {
                tracing::warn!(path = %path.display(), error = %err, "cannot read a mail template; using the built-in one");
                None
            }
        }
    }

    /// Renders `kind` with `values` (each `(name, value)`).
    pub async fn render(&self, kind: Kind, values: &[(&str, &str)]) -> Rendered {
        let (subject, text, html) = kind.built_in();
        let subject = self
            .part(kind, "subject")
            .await
            .unwrap_or_else(|| subject.to_owned());
        let text = self
            .part(kind, "txt")
            .await
            .unwrap_or_else(|| text.to_owned());
        let html = self
            .part(kind, "html")
            .await
            .unwrap_or_else(|| html.to_owned());
        // A subject is one line: a file's trailing newline (or a value's) must not end it.
        let subject = fill(subject.trim(), values, |v| v.replace(['\r', '\n'], " "));
        Rendered {
            kind,
            subject,
            text: fill(&text, values, str::to_owned),
            html: fill(&html, values, escape),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_reset_mail_carries_the_link_and_escapes_names() {
        let m = Templates::default()
            .render(
                Kind::PasswordReset,
                &[
                    ("environment_name", "<Acme & Co>"),
                    ("link", "http://x/reset?a=1&token=t"),
                    ("valid_for", "60 minutes"),
                ],
            )
            .await;
        assert!(m.text.contains("http://x/reset?a=1&token=t"));
        assert!(m.text.contains("for 60 minutes"));
        assert!(m.html.contains("href=\"http://x/reset?a=1&amp;token=t\""));
        assert!(m.html.contains("&lt;Acme &amp; Co&gt;"));
        assert!(!m.html.contains("<Acme"));
        assert_eq!(m.subject, "Reset your password for <Acme & Co>");
    }

    #[tokio::test]
    async fn a_file_in_the_templates_directory_replaces_that_part_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("invitation.subject"),
            "Join {{ tenant_name }} now\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("invitation.html"),
            "<p>{{inviter_name}} says hi: <a href=\"{{link}}\">go</a> {{unknown}}</p>",
        )
        .unwrap();
        let m = Templates::new(Some(dir.path().to_owned()))
            .render(
                Kind::Invitation,
                &[
                    ("tenant_name", "Acme\nInc"),
                    ("inviter_name", "Ann <admin>"),
                    ("link", "http://x/i?token=a&b"),
                    ("environment_name", "App"),
                    ("first_name", "Bo"),
                    ("valid_for", "7 days"),
                ],
            )
            .await;
        assert_eq!(m.subject, "Join Acme Inc now");
        assert_eq!(
            m.html,
            "<p>Ann &lt;admin&gt; says hi: <a href=\"http://x/i?token=a&amp;b\">go</a> {{unknown}}</p>"
        );
        // The text part was not overridden: the built-in one, filled.
        assert!(m.text.starts_with("Hello Bo,"));
        assert!(
            m.text
                .contains("Ann <admin> invited you to join Acme\nInc on App.")
        );
    }
}
