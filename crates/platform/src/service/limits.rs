//! Rate limits on the end-user auth forms, per account and per client IP, with `governor`'s
//! GCRA on the service's injected clock (so tests move time instead of sleeping).
//!
//! The rules (also in the README):
//! - log-in: 10 attempts per account from one IP, then one more every minute; 100 per account
//!   from all IPs together, then one every 6 seconds (so nobody can lock an account from one
//!   address, and guessing spread over many addresses stays slow); 30 per IP, then one every 2
//!   seconds. Every attempt counts, right or wrong, so the answer does not tell whether the
//!   password was right.
//! - sign-up: 5 per IP, then one every minute.
//! - password-reset requests: 3 per account, then one every 10 minutes; 10 per IP, then one
//!   a minute.
//!
//! The token and refresh endpoints are not limited: codes and refresh tokens are 256 random
//! bits, so guessing is hopeless, and an app's server makes those calls for all its users from
//! one address.
//!
//! Limits are per replica (in memory): with N replicas behind a load balancer an attacker
//! gets at most N times the budget.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Reference;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tandem_core::Clock;

use crate::error::{PlatformError, PlatformResult};

/// The service clock as governor's clock.
#[derive(Clone)]
struct ServiceClock(Arc<dyn Clock>);

impl governor::clock::Clock for ServiceClock {
    type Instant = Nanos;
    fn now(&self) -> Nanos {
        let ms = u64::try_from(self.0.now().timestamp_millis()).unwrap_or(0);
        Nanos::from(Duration::from_millis(ms))
    }
}

type Keyed =
    RateLimiter<String, DefaultKeyedStateStore<String>, ServiceClock, NoOpMiddleware<Nanos>>;

/// One limit: a burst, then one more every `period`.
struct Limit {
    limiter: Keyed,
    clock: ServiceClock,
}

/// Past this many tracked keys, keys back at full budget are dropped.
const MAX_TRACKED: usize = 10_000;

impl Limit {
    fn new(clock: &ServiceClock, burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock.clone()),
            clock: clock.clone(),
        }
    }

    fn check(&self, key: &str) -> PlatformResult<()> {
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| {
                let now = governor::clock::Clock::now(&self.clock);
                let wait = not_until.earliest_possible().duration_since(now);
                PlatformError::RateLimited {
                    retry_after_secs: Duration::from(wait).as_secs().max(1),
                }
            })
    }
}

/// Every limit of the auth forms.
pub(super) struct Limits {
    login_account: Limit,
    login_account_ip: Limit,
    login_ip: Limit,
    signup_ip: Limit,
    reset_account: Limit,
    reset_ip: Limit,
}

impl Limits {
    pub(super) fn new(clock: Arc<dyn Clock>) -> Self {
        let clock = ServiceClock(clock);
        Self {
            login_account: Limit::new(&clock, 100, Duration::from_secs(6)),
            login_account_ip: Limit::new(&clock, 10, Duration::from_secs(60)),
            login_ip: Limit::new(&clock, 30, Duration::from_secs(2)),
            signup_ip: Limit::new(&clock, 5, Duration::from_secs(60)),
            reset_account: Limit::new(&clock, 3, Duration::from_secs(600)),
            reset_ip: Limit::new(&clock, 10, Duration::from_secs(60)),
        }
    }

    /// A log-in attempt for `account` (the normalised email) from `ip`.
    pub(super) fn login(&self, account: &str, ip: Option<&str>) -> PlatformResult<()> {
        if let Some(ip) = ip {
            self.login_ip.check(ip)?;
        }
        self.login_account_ip
            .check(&format!("{account}\u{0}{}", ip.unwrap_or("-")))?;
        self.login_account.check(account)
    }

    pub(super) fn sign_up(&self, ip: Option<&str>) -> PlatformResult<()> {
        ip.map_or(Ok(()), |ip| self.signup_ip.check(ip))
    }

    pub(super) fn reset(&self, account: &str, ip: Option<&str>) -> PlatformResult<()> {
        if let Some(ip) = ip {
            self.reset_ip.check(ip)?;
        }
        self.reset_account.check(account)
    }
}
