//! Delivery: the sender takes due messages out of the queue and hands each to the transport —
//! SMTP (`TANDEM_SMTP_URL`), or, with none configured, the embedded dev mailbox, which keeps
//! them for its page and sends nothing.
//!
//! A message is claimed with a lease before it is handed over and marked sent after, so a
//! sender that dies mid-way (kill -9) leaves it to be claimed again once the lease ends: mail is
//! never lost. It is sent twice only if the process dies after the SMTP server accepted it and
//! before the mark is written (a window of one statement); each message carries a stable
//! `Message-ID` (`<id@tandem>`) so receivers can tell such a copy. A failed attempt is retried
//! with exponential backoff; an SMTP server's permanent refusal (5xx), an unusable address, or
//! [`MAX_ATTEMPTS`] failures mark the message failed, with the error kept for the operator.
//!
//! This module holds the transports and the retry policy; the sender that runs them over the
//! queue is the Platform service's (`PlatformService::run_mail_sender`).

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox as Address, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

use crate::domain::auth::MailMessage;

/// Attempts before a message is marked failed.
pub const MAX_ATTEMPTS: i64 = 12;
/// How long a claimed message is left to its sender: twice [`SEND_TIMEOUT`]. Messages are
/// claimed one at a time, so a slow server cannot make a claimed message outlive its lease; a
/// sender killed mid-conversation delays that message by at most this.
pub const LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// How long connecting to the SMTP server may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long handing one message to the transport may take in all (lettre's own timeout covers
/// only the connection); half the lease.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// Retrying cannot help (the server refused for good, the address is unusable).
    pub permanent: bool,
    pub message: String,
}

/// Where messages go.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// `smtp` or `mailbox`, as recorded on each sent message.
    fn name(&self) -> &'static str;
    async fn send(&self, message: &MailMessage) -> Result<(), SendError>;
}

/// No SMTP server configured: messages stay in the store for the dev mailbox page.
#[derive(Debug, Default)]
pub struct DevMailbox;

#[async_trait]
impl Transport for DevMailbox {
    fn name(&self) -> &'static str {
        "mailbox"
    }
    async fn send(&self, _message: &MailMessage) -> Result<(), SendError> {
        Ok(())
    }
}

/// An SMTP server, as `lettre` speaks to it.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: never printed.
        f.debug_struct("Smtp")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Smtp {
    /// `url` as lettre reads it: `smtp://host:port` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465` (TLS), with `user:password@` for authentication. `from`
    /// is the sender, e.g. `Acme <no-reply@acme.test>`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let from: Address = from
            .parse()
            .map_err(|e| format!("the mail sender `{from}` is not an address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                format!(
                    "the SMTP URL is not usable ({e}); write it as smtp://host:port, smtp://user:password@host:587?tls=required or smtps://host:465"
                )
            })?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Transport for Smtp {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, message: &MailMessage) -> Result<(), SendError> {
        let permanent = |message: String| SendError {
            permanent: true,
            message,
        };
        let to: Address = message.recipient.parse().map_err(|e| {
            permanent(format!(
                "the recipient `{}` is not an address: {e}",
                message.recipient
            ))
        })?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(format!("<{}@tandem>", message.id)))
            .multipart(MultiPart::alternative_plain_html(
                message.text_body.clone(),
                message.html_body.clone(),
            ))
            .map_err(|e| permanent(format!("the message cannot be built: {e}")))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}

/// The wait before attempt `attempts + 1`: 2 s, 4 s, 8 s, … at most an hour.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let secs = 2_i64.saturating_pow(attempts.clamp(1, 12) as u32);
    chrono::Duration::seconds(secs.min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), chrono::Duration::seconds(2));
        assert_eq!(backoff(2), chrono::Duration::seconds(4));
        assert_eq!(backoff(5), chrono::Duration::seconds(32));
        assert_eq!(backoff(12), chrono::Duration::seconds(3600));
        assert_eq!(backoff(40), chrono::Duration::seconds(3600));
    }

    #[test]
    fn a_bad_smtp_url_or_sender_is_refused_with_a_hint() {
        let err = Smtp::new("http://example.test", "a@b.test").unwrap_err();
        assert!(err.contains("smtp://host:port"), "{err}");
        let err = Smtp::new("smtp://127.0.0.1:2525", "not an address").unwrap_err();
        assert!(err.contains("not an address"), "{err}");
        assert!(Smtp::new("smtp://user:secret@127.0.0.1:2525", "App <a@b.test>").is_ok());
        let debug = format!(
            "{:?}",
            Smtp::new("smtp://user:secret@127.0.0.1:2525", "a@b.test").unwrap()
        );
        assert!(!debug.contains("secret"), "{debug}");
    }
}
