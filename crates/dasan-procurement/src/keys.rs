//! The HPKE suite, public keys (tender and committee member) and their secret halves.
//!
//! Suite (RFC 9180 §7): `DHKEM(X25519, HKDF-SHA256)` (KEM 0x0020), `HKDF-SHA256` (KDF 0x0001),
//! `ChaCha20-Poly1305` (AEAD 0x0003), base mode. Public keys are the 32-byte X25519 encodings
//! (`SerializePublicKey`), written as lowercase hex in JSON.

use std::fmt;

use hpke::{Deserializable, Kem as _, Serializable};
use rand_core::CryptoRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, Zeroizing};

/// The KEM of the suite.
pub type Kem = hpke::kem::X25519HkdfSha256;
/// The KDF of the suite.
pub type Kdf = hpke::kdf::HkdfSha256;
/// The AEAD of the suite.
pub type Aead = hpke::aead::ChaCha20Poly1305;

/// RFC 9180 KEM identifier of the suite (`DHKEM(X25519, HKDF-SHA256)`).
pub const KEM_ID: u16 = 0x0020;
/// RFC 9180 KDF identifier of the suite (`HKDF-SHA256`).
pub const KDF_ID: u16 = 0x0001;
/// RFC 9180 AEAD identifier of the suite (`ChaCha20Poly1305`).
pub const AEAD_ID: u16 = 0x0003;

/// Length of an encoded X25519 public key, private key, and HPKE `enc`.
pub const KEY_LEN: usize = 32;

pub(crate) fn sys_rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// A hex-encoded 32-byte value in JSON.
pub(crate) mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out)
            .map_err(|e| D::Error::custom(format!("expected 64 hex digits: {e}")))?;
        Ok(out)
    }
}

/// Why bytes are not a usable public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 32 bytes (or not 64 hex digits).
    #[error("a public key is {KEY_LEN} bytes (64 hex digits)")]
    Length,
    /// The all-zero key or another low-order point: nothing could be sealed to it securely.
    #[error("the public key is a low-order point")]
    LowOrder,
}

macro_rules! public_key_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) [u8; KEY_LEN]);

        impl $name {
            /// From the 32-byte encoding. Rejects low-order points (they would make every
            /// shared secret predictable).
            pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Result<Self, KeyError> {
                if !x25519_probe(&bytes) {
                    return Err(KeyError::LowOrder);
                }
                Ok($name(bytes))
            }

            /// From 64 hex digits.
            pub fn from_hex(s: &str) -> Result<Self, KeyError> {
                let mut out = [0u8; KEY_LEN];
                hex::decode_to_slice(s.trim(), &mut out).map_err(|_| KeyError::Length)?;
                Self::from_bytes(out)
            }

            /// The 32-byte encoding.
            pub fn to_bytes(&self) -> [u8; KEY_LEN] {
                self.0
            }

            /// Lowercase hex.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// The `hpke` public key. No low-order check here (it costs an encapsulation):
            /// HPKE itself refuses to encapsulate to a low-order point, and keys from outside
            /// come in through [`Self::from_bytes`] or serde.
            pub(crate) fn hpke_key(&self) -> Result<<Kem as hpke::Kem>::PublicKey, KeyError> {
                <Kem as hpke::Kem>::PublicKey::from_bytes(&self.0).map_err(|_| KeyError::Length)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.to_hex())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::from_hex(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Whether an X25519 public key is usable: an HPKE encapsulation to it with a fixed,
/// non-secret ephemeral key does not hit the all-zero shared secret (RFC 9180 §7.1.4).
///
/// The answer for a key never changes, and the same few keys (a tender's, its committee's) are
/// read back with every bid: keys that passed are remembered, since the probe (a key pair and a
/// Diffie-Hellman) cost about a third of a bid's CPU in the deadline-rush benchmark.
fn x25519_probe(pk: &[u8; KEY_LEN]) -> bool {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    /// Enough for every open tender's keys; cleared (not grown) beyond.
    const REMEMBERED: usize = 65_536;
    static PASSED: OnceLock<Mutex<HashSet<[u8; KEY_LEN]>>> = OnceLock::new();
    let passed = PASSED.get_or_init(Mutex::default);
    if passed.lock().is_ok_and(|set| set.contains(pk)) {
        return true;
    }
    let Ok(key) = <Kem as hpke::Kem>::PublicKey::from_bytes(pk) else {
        return false;
    };
    let mut rng = FixedRng(0x42);
    let usable = hpke::setup_sender_with_rng::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &key,
        b"probe",
        &mut rng,
    )
    .is_ok();
    if usable && let Ok(mut set) = passed.lock() {
        if set.len() >= REMEMBERED {
            set.clear();
        }
        set.insert(*pk);
    }
    usable
}

/// A constant byte stream: only for the public-key probe above, never for secrets.
struct FixedRng(u8);

impl rand_core::TryRng for FixedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::from_be_bytes([self.0; 4]))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(u64::from_be_bytes([self.0; 8]))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(self.0);
        Ok(())
    }
}
impl rand_core::TryCryptoRng for FixedRng {}

public_key_type!(
    /// A tender's HPKE public key, published with the tender notice; bids are sealed to it.
    TenderPublicKey
);
public_key_type!(
    /// A committee member's own HPKE public key; their share of the tender key is sealed to it.
    MemberPublicKey
);

/// A committee member's HPKE private key (kept by the member: a file, a token, their own
/// client). Zeroized on drop; never printed.
#[derive(Clone)]
pub struct MemberSecretKey(pub(crate) <Kem as hpke::Kem>::PrivateKey);

impl fmt::Debug for MemberSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemberSecretKey(..)")
    }
}

impl MemberSecretKey {
    /// A new random key pair.
    pub fn generate() -> (MemberSecretKey, MemberPublicKey) {
        Self::generate_with_rng(&mut sys_rng())
    }

    /// A new key pair from `rng`.
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> (MemberSecretKey, MemberPublicKey) {
        let (sk, pk) = Kem::gen_keypair_with_rng(rng);
        let mut bytes = [0u8; KEY_LEN];
        bytes.copy_from_slice(&pk.to_bytes());
        (MemberSecretKey(sk), MemberPublicKey(bytes))
    }

    /// From the 32-byte private key encoding.
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> Result<MemberSecretKey, KeyError> {
        <Kem as hpke::Kem>::PrivateKey::from_bytes(bytes)
            .map(MemberSecretKey)
            .map_err(|_| KeyError::Length)
    }

    /// The 32-byte private key encoding (clamped), zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        let mut arr = self.0.to_bytes();
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        out.copy_from_slice(&arr);
        arr.zeroize();
        out
    }

    /// The matching public key.
    pub fn public_key(&self) -> MemberPublicKey {
        let mut bytes = [0u8; KEY_LEN];
        bytes.copy_from_slice(&Kem::sk_to_pk(&self.0).to_bytes());
        MemberPublicKey(bytes)
    }
}

/// The tender's private key, rebuilt from `t` shares at opening. It lives in memory only, is
/// zeroized on drop and has no serialisation.
pub struct TenderSecretKey {
    pub(crate) sk: <Kem as hpke::Kem>::PrivateKey,
    pub(crate) public: TenderPublicKey,
}

impl fmt::Debug for TenderSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenderSecretKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl TenderSecretKey {
    /// The public key this private key belongs to.
    pub fn public_key(&self) -> TenderPublicKey {
        self.public
    }
}
