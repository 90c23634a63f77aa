//! Per-caller request rate limit: a token bucket per user or API token, refilled
//! continuously. In memory, per instance. Over the limit a request gets 429 `rate_limited`
//! with `Retry-After`, before its handler runs.

use std::{collections::HashMap, sync::Mutex, time::Instant};

/// Requests per minute allowed to one caller; a caller may also spend a whole minute's
/// allowance at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per minute (0 turns the limit off).
    pub per_minute: u32,
}

impl Default for RateLimit {
    /// Generous: 6 000 requests a minute per caller.
    fn default() -> Self {
        Self { per_minute: 6_000 }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every caller seen.
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// A limiter with this limit.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `caller`'s bucket: `Err(seconds)` until the next one is
    /// allowed when the bucket is empty.
    pub fn check(&self, caller: &str) -> Result<(), u64> {
        self.check_at(caller, Instant::now())
    }

    fn check_at(&self, caller: &str, now: Instant) -> Result<(), u64> {
        if self.limit.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.limit.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(caller.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = now;
        // The tolerance absorbs the rounding of the refill arithmetic.
        if bucket.tokens >= 1.0 - 1e-9 {
            bucket.tokens = (bucket.tokens - 1.0).max(0.0);
            return Ok(());
        }
        let wait = ((1.0 - bucket.tokens) / per_second - 1e-6).ceil();
        Err((wait as u64).max(1))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_caller_over_its_minute_waits_while_others_go_on() {
        let limiter = RateLimiter::new(RateLimit { per_minute: 3 });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at("token:1", t0), Ok(()));
        }
        // One request refills every 20 s.
        assert_eq!(limiter.check_at("token:1", t0), Err(20));
        assert_eq!(limiter.check_at("token:2", t0), Ok(()));
        assert_eq!(
            limiter.check_at("token:1", t0 + Duration::from_secs(5)),
            Err(15)
        );
        assert_eq!(
            limiter.check_at("token:1", t0 + Duration::from_secs(20)),
            Ok(())
        );
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = RateLimiter::new(RateLimit { per_minute: 0 });
        let t0 = Instant::now();
        assert!((0..10_000).all(|_| limiter.check_at("user:1", t0).is_ok()));
    }
}
