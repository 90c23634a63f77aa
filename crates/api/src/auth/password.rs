//! Password hashing with argon2id (OWASP parameters), always off the async runtime and with
//! a bound on concurrent hashes so a flood of logins cannot exhaust memory or cores.

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher as _, PasswordVerifier as _, phc::PasswordHash},
};
use tokio::sync::Semaphore;

use crate::ApiError;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (bounds hashing work).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Passwords refused whatever their length.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789012",
    "0123456789",
    "0987654321",
    "1111111111",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "abcdefghij",
    "abc1234567",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "asdfghjkl1",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "admin12345",
    "administrator",
    "changeme123",
    "trustno1234",
    "football123",
    "baseball123",
    "superman123",
    "sunshine123",
    "princess123",
    "dragon12345",
    "monkey12345",
    "master12345",
    "zaq12wsxcde",
    "matkhau123",
    "matkhau1234",
    "123456789a",
    "a123456789",
    "abcd123456",
    "aa12345678",
    "chitieu123",
    "chitieu2023",
    "vungtau123",
    "vietnam123",
    "hochiminh123",
    "hanoi12345",
    "admin@123",
    "Admin@123",
    "P@ssw0rd123",
    "Password123",
    "Password@123",
    "Abc@123456",
    "Abcd@12345",
];

/// Checks length and the common-password list.
pub fn check_password_policy(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!(
            "a password holds at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    let lower = password.to_lowercase();
    if COMMON.iter().any(|c| c.to_lowercase() == lower) {
        return Err("this password is too common".to_owned());
    }
    Ok(())
}

/// Hashes and verifies passwords.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<String>,
}

fn argon2() -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(ApiError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    Ok(argon2()?
        .hash_password(password.as_bytes())
        .map_err(ApiError::internal)?
        .to_string())
}

impl PasswordHasher {
    /// A hasher allowing `concurrency` hashes at once.
    pub fn new(concurrency: usize) -> Result<Self, ApiError> {
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: Arc::new(hash_now("chitieu-dummy-password-for-timing")?),
        })
    }

    /// Hashes a password (PHC string).
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(ApiError::internal)?
    }

    /// Verifies a password against a stored hash. With no hash (unknown user) it verifies
    /// against a dummy hash and answers `false`, taking the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        let ok = tokio::task::spawn_blocking(move || -> Result<bool, ApiError> {
            let parsed = PasswordHash::new(&hash).map_err(ApiError::internal)?;
            Ok(argon2()?
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await
        .map_err(ApiError::internal)??;
        Ok(ok && known)
    }
}
