//! The mail sender: takes queued messages out of the store one at a time and hands each to the
//! transport ([`crate::mail::delivery`] has the transports, the lease and the retry policy).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use super::PlatformService;
use crate::error::PlatformResult;
use crate::mail::delivery::{LEASE, MAX_ATTEMPTS, SEND_TIMEOUT, SendError, Transport, backoff};

/// How often the queue is looked at when nothing signals new mail (retries fall due, and
/// other replicas queue mail too).
const POLL: Duration = Duration::from_secs(1);
/// Messages delivered before the sender looks whether it should stop.
const BATCH: u64 = 20;

/// Runs the sender until `stop` turns true: whenever `wake` is notified, and every second.
pub async fn run_mail_sender(
    service: Arc<PlatformService>,
    transport: Arc<dyn Transport>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(transport = transport.name(), "mail sender started");
    loop {
        if *stop.borrow() {
            break;
        }
        match service.deliver_due_mail(transport.as_ref(), BATCH).await {
            // A full batch: more may be due at once.
            Ok(n) if n as u64 == BATCH => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = ?err, "mail sender: cannot read the queue"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!("mail sender stopped");
}

impl PlatformService {
    /// Delivers up to `limit` due messages, claiming each just before handing it to
    /// `transport`; how many it handled.
    pub async fn deliver_due_mail(
        &self,
        transport: &dyn Transport,
        limit: u64,
    ) -> PlatformResult<usize> {
        let mut count = 0;
        while (count as u64) < limit {
            let now = self.clock.now();
            let lease = now + LEASE;
            let Some(message) = self.store.claim_mail(now, lease, 1).await?.pop() else {
                break;
            };
            count += 1;
            // Bounded well inside the lease, so no other sender can claim it meanwhile.
            let outcome = tokio::time::timeout(SEND_TIMEOUT, transport.send(&message))
                .await
                .unwrap_or_else(|_| {
                    Err(SendError {
                        permanent: false,
                        message: format!(
                            "the mail server did not finish within {} s",
                            SEND_TIMEOUT.as_secs()
                        ),
                    })
                });
            let store = &self.store;
            match outcome {
                Ok(()) => {
                    let marked = store
                        .mail_sent(&message.id, lease, transport.name(), self.clock.now())
                        .await?;
                    if !marked {
                        tracing::warn!(mail = %message.id, "mail sent, but its claim had lapsed: another sender may send it too");
                    }
                    tracing::info!(mail = %message.id, kind = %message.kind, transport = transport.name(), "mail sent");
                }
                Err(err) => {
                    let attempts = message.delivery.attempts;
                    let retry_at = (!err.permanent && attempts < MAX_ATTEMPTS)
                        .then(|| self.clock.now() + backoff(attempts));
                    store
                        .mail_failed(&message.id, lease, &err.message, retry_at)
                        .await?;
                    tracing::warn!(
                        mail = %message.id,
                        kind = %message.kind,
                        attempts,
                        retry = retry_at.is_some(),
                        error = %err.message,
                        "mail not delivered"
                    );
                }
            }
        }
        Ok(count)
    }
}
