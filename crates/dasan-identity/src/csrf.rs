//! CSRF tokens: an HMAC of the session (or, before sign-in, a pre-session cookie) under a
//! platform secret. Stateless to check, bound to the session, and rotated with it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The key tokens are derived with (a platform secret).
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(..)")
    }
}

impl CsrfKey {
    pub fn new(secret: [u8; 32]) -> CsrfKey {
        CsrfKey(secret)
    }

    /// The token for a binding (a session's id hash, or a pre-session value).
    pub fn token(&self, binding: &str) -> String {
        use base64::Engine;
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"dasan-csrf:");
        mac.update(binding.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `token` is the one for `binding`, compared in constant time.
    pub fn verify(&self, binding: &str, token: &str) -> bool {
        let expected = self.token(binding);
        expected.len() == token.len() && bool::from(expected.as_bytes().ct_eq(token.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_their_session_and_key() {
        let key = CsrfKey::new([7; 32]);
        let token = key.token("session-a");
        assert!(key.verify("session-a", &token));
        assert!(!key.verify("session-b", &token));
        assert!(!CsrfKey::new([8; 32]).verify("session-a", &token));
        assert!(!key.verify("session-a", ""));
        assert!(!key.verify("session-a", &token[1..]));
    }
}
