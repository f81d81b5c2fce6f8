//! Password rules (NIST SP 800-63B) and hashing (argon2id, OWASP parameters).

use crate::IdentityError;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// NIST SP 800-63B: a minimum length, a generous maximum, no composition rules.
#[derive(Clone, Copy, Debug)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    pub max_chars: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: 12,
            max_chars: 128,
        }
    }
}

/// Common and breached passwords, refused whatever their length (see `data/README.md`).
static COMMON: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .collect()
    });

/// The lowest zxcvbn score accepted: 3 is "safely unguessable: moderate protection from an
/// offline slow-hash attack", which argon2id storage is.
const MIN_SCORE: u8 = 3;

impl PasswordPolicy {
    /// Length, the common-password list, and zxcvbn's strength estimate (which also penalises
    /// passwords built from `user_inputs`: the e-mail address, the name).
    pub fn check_with(&self, password: &str, user_inputs: &[&str]) -> Result<(), IdentityError> {
        self.check_length(password)?;
        if COMMON.contains(password.to_lowercase().as_str()) {
            return Err(IdentityError::PasswordCommon);
        }
        // zxcvbn matches user inputs as whole words: give it the pieces of each too
        // (`hong.gildong@example.kr` → `hong`, `gildong`, `hong.gildong`, …).
        let mut words: Vec<String> = Vec::new();
        for input in user_inputs {
            let lower = input.to_lowercase();
            if let Some((local, _)) = lower.split_once('@') {
                words.push(local.to_owned());
            }
            words.extend(
                lower
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_owned),
            );
            words.push(lower);
        }
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let estimate = zxcvbn::zxcvbn(password, &words);
        if u8::from(estimate.score()) < MIN_SCORE {
            return Err(IdentityError::PasswordWeak);
        }
        Ok(())
    }

    /// Length only (NIST SP 800-63B: a minimum, a generous maximum, no composition rules).
    fn check_length(&self, password: &str) -> Result<(), IdentityError> {
        let chars = password.chars().count();
        if chars < self.min_chars {
            return Err(IdentityError::PasswordTooShort {
                min: self.min_chars,
            });
        }
        if chars > self.max_chars {
            return Err(IdentityError::PasswordTooLong {
                max: self.max_chars,
            });
        }
        Ok(())
    }
}

/// A PHC-format argon2id hash as stored in `accounts.password_hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordHash(String);

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
fn hasher() -> Result<Argon2<'static>, IdentityError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|_| IdentityError::Hashing)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

impl PasswordHash {
    /// Hashes with a fresh random salt. Slow by design: call from a blocking thread.
    pub fn create(password: &str) -> Result<PasswordHash, IdentityError> {
        let hash = hasher()?
            .hash_password(password.as_bytes())
            .map_err(|_| IdentityError::Hashing)?;
        Ok(PasswordHash(hash.to_string()))
    }

    pub fn from_stored(stored: String) -> PasswordHash {
        PasswordHash(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `password` matches. The parameters come from the stored hash, so hashes made
    /// with older parameters keep verifying.
    pub fn verify(&self, password: &str) -> bool {
        let Ok(parsed) = argon2::password_hash::phc::PasswordHash::new(&self.0) else {
            return false;
        };
        hasher()
            .map(|h| h.verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    }

    /// A valid hash of a random password, verified against when an account does not exist so
    /// that the answer takes as long as for an account that does.
    pub fn dummy() -> &'static str {
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5XJ4S0Ngd7ywIUdrB4Q8v1dNz7Sxw/sFh9zA4W1fSfc"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_counts_characters_not_bytes_and_has_no_composition_rules() {
        let policy = PasswordPolicy::default();
        assert!(policy.check_length("short").is_err());
        assert!(policy.check_length("elevenchars").is_err());
        assert!(policy.check_length("twelve chars").is_ok());
        assert!(policy.check_length("비밀번호는열두글자여야합니다").is_ok());
        assert!(
            policy.check_length("가나다라마바사아자차카").is_err(),
            "11 Hangul syllables"
        );
        assert!(policy.check_length(&"a".repeat(129)).is_err());
    }

    #[test]
    fn common_and_guessable_passwords_are_refused() {
        let policy = PasswordPolicy::default();
        assert!(matches!(
            policy.check_with("1q2w3e4r5t6y", &[]),
            Err(IdentityError::PasswordCommon)
        ));
        assert!(matches!(
            policy.check_with("PASSWORD1234", &[]),
            Err(IdentityError::PasswordCommon)
        ));
        assert!(matches!(
            policy.check_with("aaaaaaaaaaaa", &[]),
            Err(IdentityError::PasswordWeak)
        ));
        assert!(matches!(
            policy.check_with("hong.gildong1", &["hong.gildong@example.kr"]),
            Err(IdentityError::PasswordWeak)
        ));
        assert!(
            policy
                .check_with("plum tractor ocean 47 lantern", &[])
                .is_ok()
        );
        assert!(policy.check_with("다산정약용의목민심서를읽자", &[]).is_ok());
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = PasswordHash::create("correct horse battery").expect("hashing works");
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_str()
        );
        assert!(hash.verify("correct horse battery"));
        assert!(!hash.verify("correct horse batterz"));
        let again = PasswordHash::create("correct horse battery").expect("hashing works");
        assert_ne!(hash, again, "salts differ");
        assert!(!PasswordHash::from_stored("garbage".into()).verify("x"));
        assert!(argon2::password_hash::phc::PasswordHash::new(PasswordHash::dummy()).is_ok());
    }
}
