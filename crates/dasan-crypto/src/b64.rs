//! Base64 helpers (constant-time codecs from `base64ct`).

use base64ct::{Base64, Base64UrlUnpadded, Encoding};

/// Standard base64 with padding (RFC 4648 §4), as used in files and JSON.
pub(crate) fn encode(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

pub(crate) fn decode(s: &str) -> Result<Vec<u8>, base64ct::Error> {
    Base64::decode_vec(s)
}

/// URL-safe base64 without padding (RFC 4648 §5), as JOSE requires.
pub(crate) fn encode_url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

pub(crate) fn decode_url(s: &str) -> Result<Vec<u8>, base64ct::Error> {
    Base64UrlUnpadded::decode_vec(s)
}

/// Serde adapter: `Vec<u8>` as standard base64 in JSON.
pub(crate) mod serde_std {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        super::decode(&s).map_err(serde::de::Error::custom)
    }
}
