//! Throttling of failed logins, per account and per client address, so that passwords
//! cannot be guessed at speed. In memory, per instance.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// Most keys remembered; beyond that, keys with no recent failure are forgotten first.
const MAX_KEYS: usize = 100_000;

/// Limits of a [`LoginThrottle`].
#[derive(Clone, Copy, Debug)]
pub struct ThrottleLimits {
    /// Failures allowed per account within `window`.
    pub per_account: usize,
    /// Failures allowed per client address within `window`.
    pub per_address: usize,
    /// The sliding window.
    pub window: Duration,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Remembers recent failures.
#[derive(Debug)]
pub struct LoginThrottle {
    limits: ThrottleLimits,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// A throttle with these limits.
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(account: &str, address: &str) -> [(String, usize); 2] {
        [
            (format!("account:{}", account.to_lowercase()), 0),
            (format!("address:{address}"), 1),
        ]
    }

    /// `Some(seconds)` to wait when either the account or the address is over its limit.
    pub fn retry_after(&self, account: &str, address: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait: Option<Duration> = None;
        for (key, kind) in Self::keys(account, address) {
            let limit = if kind == 0 {
                self.limits.per_account
            } else {
                self.limits.per_address
            };
            if let Some(times) = map.get_mut(&key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.limits.window)
                {
                    times.pop_front();
                }
                if times.len() >= limit
                    && let Some(oldest) = times.front()
                {
                    let w = self
                        .limits
                        .window
                        .saturating_sub(now.duration_since(*oldest));
                    wait = Some(wait.map_or(w, |x| x.max(w)));
                }
            }
        }
        wait.map(|w| w.as_secs().max(1))
    }

    /// Records a failed attempt.
    pub fn failed(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            let window = self.limits.window;
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        for (key, _) in Self::keys(account, address) {
            let times = map.entry(key).or_default();
            times.push_back(now);
            // Never keep more than the larger limit's worth per key.
            while times.len() > self.limits.per_address.max(self.limits.per_account) {
                times.pop_front();
            }
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("account:{}", account.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_of_an_account_must_wait() {
        let t = LoginThrottle::new(ThrottleLimits::default());
        for _ in 0..5 {
            assert_eq!(t.retry_after("admin", "1.2.3.4"), None);
            t.failed("admin", "1.2.3.4");
        }
        let wait = t.retry_after("admin", "1.2.3.4").expect("locked");
        assert!(wait > 800 && wait <= 900);
        assert_eq!(
            t.retry_after("someone", "5.6.7.8"),
            None,
            "other accounts and addresses are free"
        );
        t.succeeded("admin");
        assert_eq!(t.retry_after("admin", "9.9.9.9"), None);
    }

    #[test]
    fn one_address_guessing_many_accounts_is_stopped() {
        let t = LoginThrottle::new(ThrottleLimits::default());
        for i in 0..20 {
            t.failed(&format!("user{i}"), "1.2.3.4");
        }
        assert!(t.retry_after("fresh", "1.2.3.4").is_some());
        assert_eq!(t.retry_after("fresh", "4.3.2.1"), None);
    }
}
