//! Authentication: who is calling. Access tokens (JWT), refresh tokens, password hashing and
//! the `Caller` extractor every protected handler takes.

mod caller;
mod jwt;
mod password;
mod refresh;

pub use caller::{Caller, Role};
pub use jwt::{Claims, JwtKeys};
pub use password::{PasswordHasher, check_password_policy};
pub use refresh::{hash_token, new_refresh_token};
