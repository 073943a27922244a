//! Password policy and hashing: argon2id with at least OWASP's parameters (m=19 MiB, t=2, p=1),
//! kept in the PHC string so they can be raised later without breaking old hashes.
//!
//! Hashing is deliberately expensive, so it runs on a pool of its own threads, one per core (at
//! most [`MAX_CONCURRENT_HASHES`]), each with its argon2 working memory (19 MiB) kept between
//! hashes. A thread that finishes a hash takes the next queued one at once: handing each hash
//! to tokio's blocking pool instead left a core idle until an async worker got the CPU to start
//! the next (about 5 % of the machine at log-in rates, `bench/LOGIN-NOTES.md`). A semaphore
//! bounds the hashes queued or running, so a flood of log-ins waits a bounded time and is then
//! told the server is busy.

use std::sync::{Arc, LazyLock, Mutex, mpsc};

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 256;

const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;
/// At most this many hashes at once, and never more than the cores: more only share the
/// caches and time-slice, so each takes longer and the total gets no faster.
const MAX_CONCURRENT_HASHES: usize = 4;

/// The hashing threads: one per core, at most [`MAX_CONCURRENT_HASHES`].
fn hash_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_CONCURRENT_HASHES)
}

/// Hashes queued or running: one running and one waiting per thread, so a thread that finishes
/// always finds the next one queued.
static HASH_SLOTS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(2 * hash_threads())));

/// One hash for the pool: the work, and the slot it holds until it is done.
type Job = Box<dyn FnOnce() + Send>;

/// The queue the hashing threads take jobs from; started on first use.
static HASH_POOL: LazyLock<Result<mpsc::Sender<(Job, OwnedSemaphorePermit)>, String>> =
    LazyLock::new(|| {
        let (sender, receiver) = mpsc::channel::<(Job, OwnedSemaphorePermit)>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..hash_threads() {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("tandem-argon2-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let next = receiver
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .recv();
                        let Ok((job, slot)) = next else { return };
                        // A job that panics answers nobody (its asker gets an error) but
                        // does not take this thread down with it.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        drop(slot);
                    }
                })
                .map_err(|e| format!("could not start a hashing thread: {e}"))?;
        }
        Ok(sender)
    });

/// Runs `work` on a hashing thread once a slot is free, and waits for its answer.
async fn on_hash_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, HashingError> + Send + 'static,
) -> Result<T, HashingError> {
    let slot = acquire_slot().await?;
    let (answer, answered) = oneshot::channel();
    let job: Job = Box::new(move || {
        // The asker may be gone (its request was dropped): the hash is simply not wanted.
        let _ = answer.send(work());
    });
    HASH_POOL
        .as_ref()
        .map_err(|e| HashingError::new(e.clone()))?
        .send((job, slot))
        .map_err(|_| HashingError::new("the hashing threads have stopped"))?;
    answered
        .await
        .map_err(|_| HashingError::new("a hashing thread failed"))?
}

/// Why a password was refused: it is outside the length policy (counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password is too short: use at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("password is too long: use at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
}

/// Hashing or verifying could not run: a server fault, never the password's.
#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    #[error("password hashing failed")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Every hash slot stayed taken for [`SLOT_WAIT`]: the server is overloaded.
    #[error("the server is busy checking passwords; try again in a few seconds")]
    Busy,
}

impl HashingError {
    fn new(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Failed(err.into())
    }
}

/// How long a request waits for a hash slot before it is told the server is busy, so a
/// flood of log-ins queues a bounded amount of work instead of an unbounded one.
pub const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A permit held by the queued job itself, so it is released only when the hash is done —
/// even if the request that asked for it was dropped meanwhile.
async fn acquire_slot() -> Result<OwnedSemaphorePermit, HashingError> {
    match tokio::time::timeout(SLOT_WAIT, HASH_SLOTS.clone().acquire_owned()).await {
        Ok(permit) => permit.map_err(HashingError::new),
        Err(_) => Err(HashingError::Busy),
    }
}

/// A password that passed the policy; only this type can be hashed.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw.to_owned()))
    }
}

fn hasher() -> Result<Argon2<'static>, HashingError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| HashingError::new(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes off the async executor; returns the PHC string to store.
pub async fn hash(password: Password) -> Result<String, HashingError> {
    on_hash_thread(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| HashingError::new(e.to_string()))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| HashingError::new(e.to_string()))?;
        hasher()?
            .hash_password(password.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashingError::new(e.to_string()))
    })
    .await
}

/// Checks a candidate against a stored PHC string, off the async executor. Any mismatch —
/// including a candidate outside the length policy — is `false`, never an error.
pub async fn verify(candidate: String, stored: String) -> Result<bool, HashingError> {
    if candidate.is_empty() || candidate.chars().count() > MAX_PASSWORD_CHARS {
        return Ok(false);
    }
    on_hash_thread(move || verify_here(&candidate, &stored)).await
}

/// One verification on the calling thread, as a hashing thread runs it (in a kept working
/// memory). `verify` is the way in; this is public for `bench/login.py`'s anchor, which
/// measures exactly this work.
pub fn verify_here(candidate: &str, stored: &str) -> Result<bool, HashingError> {
    let parsed = PasswordHash::new(stored).map_err(|e| HashingError::new(e.to_string()))?;
    verify_reusing_memory(candidate.as_bytes(), &parsed)
}

/// The argon2 working memories (19 MiB each, one per hashing thread at most), kept between
/// hashes: a fresh block per hash costs page faults that, at log-in rates, are a tenth of the
/// work. Taken last-in first-out, so a lone hash gets the memory the previous one warmed in
/// the caches (per thread, the threads' turns alternate and a lone log-in took a third longer).
static WORKING_MEMORY: Mutex<Vec<Vec<argon2::Block>>> = Mutex::new(Vec::new());

/// What `PasswordVerifier::verify_password` does — the parameters come from the stored hash,
/// so older hashes still verify — but in this thread's reused working memory.
fn verify_reusing_memory(
    candidate: &[u8],
    stored: &PasswordHash<'_>,
) -> Result<bool, HashingError> {
    use subtle::ConstantTimeEq;
    let fail = |e: &dyn std::fmt::Display| HashingError::new(e.to_string());
    let algorithm = Algorithm::try_from(stored.algorithm).map_err(|e| fail(&e))?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| fail(&e))?
        .unwrap_or_default();
    let params = Params::try_from(stored).map_err(|e| fail(&e))?;
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Err(HashingError::new(
            "the stored password hash has no salt or output",
        ));
    };
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(|e| fail(&e))?;
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut memory = WORKING_MEMORY
        .lock()
        .ok()
        .and_then(|mut kept| kept.pop())
        .unwrap_or_default();
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::default());
    }
    let hashed = argon
        .hash_password_into_with_memory(candidate, salt, &mut out, &mut memory[..blocks])
        .map_err(|e| fail(&e));
    if let Ok(mut kept) = WORKING_MEMORY.lock() {
        kept.push(memory);
    }
    hashed?;
    Ok(bool::from(out.as_slice().ct_eq(expected.as_bytes())))
}

static NOBODYS_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// Verifies `candidate` against the hash of a random password, and throws the answer away:
/// a log-in for an unknown email, or a user without a password, then costs what a wrong
/// password costs, so timing does not tell which emails have accounts.
pub async fn verify_against_nobody(candidate: String) -> Result<(), HashingError> {
    let stored = NOBODYS_HASH
        .get_or_try_init(|| async {
            let mut random = [0u8; 24];
            getrandom::fill(&mut random).map_err(|e| HashingError::new(e.to_string()))?;
            let random: String = random.iter().map(|b| format!("{b:02x}")).collect();
            hash(Password(random)).await
        })
        .await?
        .clone();
    verify(candidate, stored).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With every hash slot taken for longer than [`SLOT_WAIT`] (on tokio's paused clock, so
    /// nothing really waits), a hash is refused as busy — the 503 `SERVER_BUSY` a log-in flood
    /// gets — and works again once a slot is free.
    #[tokio::test(start_paused = true)]
    async fn a_hash_that_gets_no_slot_in_time_is_refused_as_busy() {
        let slots = 2 * hash_threads();
        let held = HASH_SLOTS
            .clone()
            .acquire_many_owned(u32::try_from(slots).unwrap())
            .await
            .unwrap();
        assert!(matches!(acquire_slot().await, Err(HashingError::Busy)));
        let refused = crate::error::PlatformError::from(HashingError::Busy);
        let body = refused.body();
        assert_eq!((body.status_code, body.error_code), (503, "SERVER_BUSY"));
        let response = axum::response::IntoResponse::into_response(refused);
        assert_eq!(response.headers()[axum::http::header::RETRY_AFTER], "5");
        drop(held);
        assert!(acquire_slot().await.is_ok());
    }

    /// A job that panics gets its asker an error and leaves the hashing threads working: more
    /// panics than there are threads, then a verification still runs.
    #[tokio::test]
    #[allow(clippy::panic)]
    async fn a_panicking_hash_job_does_not_take_a_hashing_thread_down() {
        for _ in 0..=hash_threads() {
            let answer =
                on_hash_thread(|| -> Result<(), HashingError> { panic!("a job failed") }).await;
            assert!(matches!(answer, Err(HashingError::Failed(_))));
        }
        let stored = hash(Password::parse("correct horse").unwrap())
            .await
            .unwrap();
        assert!(verify("correct horse".into(), stored).await.unwrap());
    }

    #[test]
    fn the_policy_bounds_length_in_characters() {
        assert!(matches!(
            Password::parse("short"),
            Err(PasswordError::TooShort)
        ));
        assert!(
            Password::parse("ünïcødé!").is_ok(),
            "8 characters, more bytes"
        );
        assert!(matches!(
            Password::parse(&"x".repeat(MAX_PASSWORD_CHARS + 1)),
            Err(PasswordError::TooLong)
        ));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let stored = hash(Password::parse("secret-pass-1").unwrap())
            .await
            .unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(
            verify("secret-pass-1".into(), stored.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify("secret-pass-2".into(), stored.clone())
                .await
                .unwrap()
        );
        assert!(!verify(String::new(), stored).await.unwrap());
    }

    #[tokio::test]
    async fn older_parameters_still_verify_in_reused_memory() {
        use argon2::password_hash::PasswordVerifier;
        // A hash made with other (weaker, older) parameters, as a migration might bring.
        let params = Params::new(8 * 1024, 1, 1, None).unwrap();
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(
                b"legacy-pass-1",
                &SaltString::encode_b64(b"0123456789abcdef").unwrap(),
            )
            .unwrap()
            .to_string();
        assert!(
            Argon2::default()
                .verify_password(b"legacy-pass-1", &PasswordHash::new(&old).unwrap())
                .is_ok()
        );
        // Twice, so the second runs in the memory the first left (smaller and larger sets).
        for _ in 0..2 {
            assert!(verify("legacy-pass-1".into(), old.clone()).await.unwrap());
            assert!(!verify("legacy-pass-2".into(), old.clone()).await.unwrap());
            let current = hash(Password::parse("secret-pass-1").unwrap())
                .await
                .unwrap();
            assert!(
                verify("secret-pass-1".into(), current.clone())
                    .await
                    .unwrap()
            );
            assert!(!verify("secret-pass-x".into(), current).await.unwrap());
        }
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let a = hash(Password::parse("secret-pass-1").unwrap())
            .await
            .unwrap();
        let b = hash(Password::parse("secret-pass-1").unwrap())
            .await
            .unwrap();
        assert_ne!(a, b, "salts must differ");
    }
}
