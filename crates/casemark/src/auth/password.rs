//! Password hashing with argon2id (the argon2 crate's default algorithm).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::OsRng;

/// The shortest password accepted; NCSC guidance favours length over rules.
pub const MIN_LENGTH: usize = 12;

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time a real verification would, so that an unknown email
/// answers no faster than a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("not a real password at all").unwrap_or_default());
    let _ = verify(password, stored);
}

/// A hash costs 19 MiB and tens of milliseconds of CPU. Run on an async
/// worker it would stall every request that worker serves, and a burst of
/// sign-ins would take as many 19 MiB blocks as there are blocking threads
/// (the allocator keeps them afterwards). So hashing runs on the blocking
/// pool, at most one per core at a time; the rest wait their turn here.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    static GATE: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let gate = GATE.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let _permit = gate.acquire().await.ok()?;
    tokio::task::spawn_blocking(work).await.ok()
}

/// [`verify`] for async code; with no stored hash (an unknown email) it
/// spends the same time and answers false.
pub async fn verify_gated(password: &str, stored: Option<String>) -> bool {
    let password = password.to_owned();
    off_the_workers(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            verify_nothing(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// [`hash`] for async code.
pub async fn hash_gated(password: &str) -> Result<String, argon2::password_hash::Error> {
    let password = password.to_owned();
    off_the_workers(move || hash(&password))
        .await
        .unwrap_or(Err(argon2::password_hash::Error::Crypto))
}

/// Why a new password is refused, if it is.
pub fn check_new(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!("Password must be at least {MIN_LENGTH} characters"));
    }
    if password.len() > 1000 {
        return Err("Password must be 1000 characters or fewer".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let stored = hash("correct horse battery").expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("wrong horse battery", &stored));
        assert!(!verify("anything", "not a hash"));
    }
}
