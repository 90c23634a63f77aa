//! Authentication: who is calling. Access tokens (JWT), refresh tokens, password hashing,
//! throttled password checks and the `Caller` extractor every protected handler takes.

pub mod attempts;
mod caller;
mod jwt;
pub mod keys;
mod password;
mod rate_limit;
mod refresh;
pub mod refusals;
mod throttle;

pub use caller::{API_TOKEN_PREFIX, Caller, Principal, Role};
pub use jwt::{Claims, JwtKeys};
pub use password::{MAX_PASSWORD_CHARS, PasswordHasher, check_password_policy};
pub use rate_limit::{RateLimit, RateLimiter};
pub use refresh::{hash_token, new_api_token, new_refresh_token};
pub use throttle::{Backoff, Subject, ThrottleLimits};

/// `bytes` random bytes from the operating system's CSPRNG, in hex.
pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
