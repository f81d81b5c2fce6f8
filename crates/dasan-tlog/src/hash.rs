//! RFC 9162 hashing: the 32-byte [`struct@Hash`] and the leaf and interior-node hash functions.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::str::FromStr;

/// Size in bytes of every hash in the tree (SHA-256).
pub const HASH_SIZE: usize = 32;

/// A SHA-256 hash naming a leaf, an interior node or a tree root.
///
/// Displayed, parsed and serialized (serde) as standard padded base64, the encoding used by
/// C2SP checkpoints and by Go's `sumdb/tlog`; hex helpers are there for logs and SQL tooling.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

/// Why a textual hash was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// Not canonical standard base64 (RFC 4648 §4, with padding).
    #[error("hash is not canonical padded base64")]
    Base64,
    /// Not lowercase or uppercase hexadecimal digits.
    #[error("hash is not hexadecimal")]
    Hex,
    /// Decoded to the wrong number of bytes.
    #[error("hash must be {HASH_SIZE} bytes, got {0}")]
    Length(usize),
}

impl Hash {
    /// The all-zero hash (a placeholder, never the hash of anything).
    pub const ZERO: Hash = Hash([0; HASH_SIZE]);

    /// The bytes of the hash.
    pub const fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }

    /// Wraps a byte slice that must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Hash, HashParseError> {
        <[u8; HASH_SIZE]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| HashParseError::Length(bytes.len()))
    }

    /// Standard padded base64 (44 characters).
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Parses standard padded base64; rejects non-canonical encodings and wrong lengths.
    pub fn from_base64(s: &str) -> Result<Hash, HashParseError> {
        // 44 characters is the only valid length: checking first bounds the work on hostile input.
        if s.len() != 44 {
            return Err(HashParseError::Base64);
        }
        let mut out = [0u8; 33];
        let n = BASE64
            .decode_slice(s, &mut out)
            .map_err(|_| HashParseError::Base64)?;
        out.get(..n)
            .ok_or(HashParseError::Base64)
            .and_then(Hash::from_slice)
    }

    /// Lowercase hexadecimal (64 characters).
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(2 * HASH_SIZE);
        for b in self.0 {
            s.push(char::from(DIGITS[usize::from(b >> 4)]));
            s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
        }
        s
    }

    /// Parses 64 hexadecimal digits (either case).
    pub fn from_hex(s: &str) -> Result<Hash, HashParseError> {
        let bytes = s.as_bytes();
        if bytes.len() != 2 * HASH_SIZE {
            return Err(HashParseError::Length(bytes.len() / 2));
        }
        let mut out = [0u8; HASH_SIZE];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let hi = hex_val(pair.first().copied())?;
            let lo = hex_val(pair.get(1).copied())?;
            *o = (hi << 4) | lo;
        }
        Ok(Hash(out))
    }
}

fn hex_val(c: Option<u8>) -> Result<u8, HashParseError> {
    match c {
        Some(c @ b'0'..=b'9') => Ok(c - b'0'),
        Some(c @ b'a'..=b'f') => Ok(c - b'a' + 10),
        Some(c @ b'A'..=b'F') => Ok(c - b'A' + 10),
        _ => Err(HashParseError::Hex),
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl FromStr for Hash {
    type Err = HashParseError;
    fn from_str(s: &str) -> Result<Hash, HashParseError> {
        Hash::from_base64(s)
    }
}

impl From<[u8; HASH_SIZE]> for Hash {
    fn from(b: [u8; HASH_SIZE]) -> Hash {
        Hash(b)
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Hash;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a SHA-256 hash in padded base64")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Hash, E> {
                Hash::from_base64(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

fn sha256_parts(parts: &[&[u8]]) -> Hash {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    Hash(h.finalize().into())
}

/// RFC 9162 §2.1.1 leaf hash: `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    sha256_parts(&[&[0x00], entry])
}

/// RFC 9162 §2.1.1 interior node hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    // One contiguous 65-byte buffer: a single update keeps the hot loop of tree building short.
    let mut buf = [0u8; 1 + 2 * HASH_SIZE];
    buf[0] = 0x01;
    buf[1..1 + HASH_SIZE].copy_from_slice(&left.0);
    buf[1 + HASH_SIZE..].copy_from_slice(&right.0);
    Hash(Sha256::digest(buf).into())
}

/// Root hash of the empty tree, RFC 9162 §2.1.1: `SHA-256()` of the empty string.
///
/// (Go's `tlog.TreeHash(0)` returns all zeros instead; checkpoints of size 0 use this value.)
pub fn empty_root() -> Hash {
    sha256_parts(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn leaf_hash_of_empty_entry() {
        // RFC 6962 test vector: the hash of the empty leaf.
        assert_eq!(
            leaf_hash(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn base64_and_hex_round_trip_and_strictness() {
        let h = leaf_hash(b"x");
        assert_eq!(Hash::from_base64(&h.to_base64()), Ok(h));
        assert_eq!(Hash::from_hex(&h.to_hex()), Ok(h));
        assert_eq!(Hash::from_hex(&h.to_hex().to_uppercase()), Ok(h));
        let b64 = h.to_base64();
        assert!(Hash::from_base64(b64.trim_end_matches('=')).is_err());
        // 32 bytes use 43 characters plus one '=': the last character carries 2 unused bits,
        // which must be zero in canonical base64.
        let zero = format!("{}=", "A".repeat(43));
        assert_eq!(Hash::from_base64(&zero), Ok(Hash::ZERO));
        let non_canonical = format!("{}B=", "A".repeat(42));
        assert_eq!(
            Hash::from_base64(&non_canonical),
            Err(HashParseError::Base64)
        );
        assert!(Hash::from_base64("").is_err());
        assert!(Hash::from_hex("zz").is_err());
        assert!(Hash::from_hex(&"g".repeat(64)).is_err());
        assert!(Hash::from_slice(&[0; 31]).is_err());
    }

    #[test]
    fn serde_is_base64_string() {
        let h = leaf_hash(b"");
        let json = serde_json::to_string(&h).expect("serialize");
        assert_eq!(json, "\"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\"");
        assert_eq!(serde_json::from_str::<Hash>(&json).expect("parse"), h);
        assert!(serde_json::from_str::<Hash>("\"AAAA\"").is_err());
    }
}
