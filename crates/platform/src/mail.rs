//! The mail the Platform writes: subject, plain text and HTML for each kind of message. Values
//! are HTML-escaped in the HTML part; links are built by the caller from the public base URL.

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

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Rendered {
    /// The message of `kind` (`password_reset`, `email_verification`) to `recipient`, as
    /// queued at `now`.
    pub fn to(
        self,
        recipient: &str,
        kind: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> crate::domain::auth::MailMessage {
        crate::domain::auth::MailMessage {
            id: uuid::Uuid::new_v4().to_string(),
            kind: kind.to_owned(),
            recipient: recipient.to_owned(),
            subject: self.subject,
            text_body: self.text,
            html_body: self.html,
            created_at: now,
        }
    }
}

/// "Reset your password": the link works once, for `minutes`.
pub fn password_reset(environment_name: &str, link: &str, minutes: i64) -> Rendered {
    let subject = format!("Reset your password for {environment_name}");
    let text = format!(
        "Someone asked to reset the password of your {environment_name} account.\n\n\
         To choose a new password, open this link (it works once, for {minutes} minutes):\n\n\
         {link}\n\n\
         If it was not you, ignore this message: your password stays as it is.\n"
    );
    let (name, href) = (escape(environment_name), escape(link));
    let html = format!(
        "<!doctype html><html lang=\"en\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1d21\">\
         <p>Someone asked to reset the password of your <strong>{name}</strong> account.</p>\
         <p><a href=\"{href}\" style=\"display:inline-block;padding:10px 18px;background:#2952cc;color:#fff;border-radius:6px;text-decoration:none\">Choose a new password</a></p>\
         <p>The link works once, for {minutes} minutes. If the button does not work, copy this address into your browser:<br>{href}</p>\
         <p>If it was not you, ignore this message: your password stays as it is.</p></body></html>"
    );
    Rendered {
        subject,
        text,
        html,
    }
}

/// "Confirm your email": the link works once, for `hours`, and logs the person in.
pub fn verify_email(environment_name: &str, link: &str, hours: i64) -> Rendered {
    let subject = format!("Confirm your email for {environment_name}");
    let text = format!(
        "Welcome to {environment_name}!\n\n\
         To confirm your email address and log in, open this link (it works once, for {hours} hours):\n\n\
         {link}\n\n\
         If you did not sign up, ignore this message.\n"
    );
    let (name, href) = (escape(environment_name), escape(link));
    let html = format!(
        "<!doctype html><html lang=\"en\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1d21\">\
         <p>Welcome to <strong>{name}</strong>!</p>\
         <p><a href=\"{href}\" style=\"display:inline-block;padding:10px 18px;background:#2952cc;color:#fff;border-radius:6px;text-decoration:none\">Confirm my email</a></p>\
         <p>The link works once, for {hours} hours. If the button does not work, copy this address into your browser:<br>{href}</p>\
         <p>If you did not sign up, ignore this message.</p></body></html>"
    );
    Rendered {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reset_mail_carries_the_link_and_escapes_names() {
        let m = password_reset("<Acme & Co>", "http://x/reset?a=1&token=t", 60);
        assert!(m.text.contains("http://x/reset?a=1&token=t"));
        assert!(m.html.contains("href=\"http://x/reset?a=1&amp;token=t\""));
        assert!(m.html.contains("&lt;Acme &amp; Co&gt;"));
        assert!(!m.html.contains("<Acme"));
        assert_eq!(m.subject, "Reset your password for <Acme & Co>");
    }
}
