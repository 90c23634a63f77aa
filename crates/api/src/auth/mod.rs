//! Authentication: who is calling. Access tokens (JWT), refresh tokens, password hashing and
//! the `Caller` extractor every protected handler takes.

mod caller;
mod jwt;
mod password;
mod rate_limit;
mod refresh;
mod throttle;

pub use caller::{API_TOKEN_PREFIX, Caller, Principal, Role};
pub use jwt::{Claims, JwtKeys};
pub use password::{PasswordHasher, check_password_policy};
pub use rate_limit::{RateLimit, RateLimiter};
pub use refresh::{hash_token, new_api_token, new_refresh_token};
pub use throttle::{LoginThrottle, ThrottleLimits};
