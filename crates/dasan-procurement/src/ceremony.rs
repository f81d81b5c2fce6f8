//! The tender key ceremony: a fresh HPKE key pair per tender, its private key split t-of-n with
//! Shamir's scheme over GF(256) (`vsss-rs`), each share sealed to one committee member's own
//! HPKE key, and the private key and plaintext shares zeroized before the function returns.
//!
//! Nothing secret leaves [`run_key_ceremony`]: its output, the [`KeyCeremony`], is public (it
//! is published with the tender notice and stored as is). Only a member's own private key opens
//! that member's share ([`decrypt_share`]); only `t` shares together rebuild the tender key
//! ([`reconstruct_tender_key`]).
//!
//! Share sealing: HPKE base mode, `info` = `dasan-procurement/v1/key-share`, `aad` = the share
//! context:
//!
//! ```text
//! "DSKS" 0x01 | str tender_id | u8 member_index | u8 threshold | u8 members
//!             | [32] tender public key | [32] member public key
//! ```
//!
//! so a share cannot be replayed into another tender, another member's slot, or a ceremony with
//! another threshold. A share's plaintext is the `vsss-rs` GF(256) share: one byte of
//! x-coordinate (the member index, 1..=n) and 32 bytes of y.

use std::fmt;

use hpke::{Deserializable, Kem as _, Serializable};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use vsss_rs::{Gf256, IdentifierGf256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::keys::{
    Aead, KEY_LEN, Kdf, Kem, MemberPublicKey, MemberSecretKey, TenderPublicKey, TenderSecretKey,
    hex32, sys_rng,
};
use crate::wire::Writer;

/// Most committee members a ceremony supports (GF(256) has 255 non-zero x-coordinates).
pub const MAX_MEMBERS: usize = 255;
/// Smallest threshold: with `t = 1` every member alone could open the bids early.
pub const MIN_THRESHOLD: u8 = 2;
/// Longest tender id, in bytes of UTF-8.
pub const MAX_ID_LEN: usize = 200;

const SHARE_INFO: &[u8] = b"dasan-procurement/v1/key-share";
const SHARE_LEN: usize = 1 + KEY_LEN;

/// The public result of a key ceremony: publish it with the tender notice and store it as is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCeremony {
    /// The tender the key belongs to.
    pub tender_id: String,
    /// Shares needed to open (t).
    pub threshold: u8,
    /// The tender's HPKE public key: bids are sealed to it.
    pub public_key: TenderPublicKey,
    /// One sealed share per committee member, in member order (index 1..=n).
    pub shares: Vec<EncryptedShare>,
}

/// One committee member's share of the tender key, sealed to the member's own public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedShare {
    /// The member's index, 1..=n (also the share's x-coordinate).
    pub member_index: u8,
    /// The member's HPKE public key the share is sealed to.
    pub member_public_key: MemberPublicKey,
    /// HPKE encapsulated key (`enc`), hex in JSON.
    #[serde(with = "hex32")]
    pub enc: [u8; KEY_LEN],
    /// HPKE ciphertext of the share (33 bytes + 16-byte tag), hex in JSON.
    #[serde(with = "hex_vec")]
    pub ciphertext: Vec<u8>,
}

pub(crate) mod hex_vec {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(|e| D::Error::custom(format!("invalid hex: {e}")))
    }
}

/// Why a key ceremony could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CeremonyError {
    /// No committee members.
    #[error("a key ceremony needs at least {MIN_THRESHOLD} committee members")]
    NoMembers,
    /// More members than GF(256) sharing supports.
    #[error("{0} committee members, at most {MAX_MEMBERS} are supported")]
    TooManyMembers(usize),
    /// `t < 2`: a single member could open the bids alone.
    #[error("threshold {0} is too low: at least {MIN_THRESHOLD} members must be needed to open")]
    ThresholdTooLow(u8),
    /// `t > n`: the bids could never be opened.
    #[error("threshold {threshold} is more than the {members} committee members")]
    ThresholdAboveMembers {
        /// The threshold asked for.
        threshold: u8,
        /// Number of members.
        members: usize,
    },
    /// The same public key twice: one person would hold two shares.
    #[error("members {first} and {second} have the same public key")]
    DuplicateMember {
        /// Index of the first occurrence (1-based).
        first: u8,
        /// Index of the repeat (1-based).
        second: u8,
    },
    /// A bad tender id.
    #[error("invalid tender id: {0}")]
    InvalidTenderId(&'static str),
    /// The Shamir split failed (not expected with valid parameters).
    #[error("secret sharing failed: {0}")]
    Sharing(String),
    /// Sealing a share failed (a member key that is a low-order point).
    #[error("sealing the share of member {0} failed")]
    Seal(u8),
}

/// Why a member could not open their share.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// The ceremony has no share for this member index.
    #[error("no share for member {0}")]
    NoSuchMember(u8),
    /// The private key given is not the one the share was sealed to.
    #[error("this private key does not belong to member {0}")]
    WrongKey(u8),
    /// The share does not decrypt (altered ciphertext, context or key).
    #[error("the share of member {0} does not decrypt with this key")]
    Decrypt(u8),
    /// The decrypted share is malformed.
    #[error("the share of member {0} is malformed")]
    Malformed(u8),
}

/// A member's decrypted share, released for an opening. Zeroized on drop; `Debug` shows only
/// the member index.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyShare {
    member_index: u8,
    /// x-coordinate byte followed by 32 bytes of y (the `vsss-rs` layout).
    bytes: Vec<u8>,
}

impl fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyShare")
            .field("member_index", &self.member_index)
            .finish_non_exhaustive()
    }
}

impl KeyShare {
    /// The member index (1..=n).
    pub fn member_index(&self) -> u8 {
        self.member_index
    }

    /// The share's 33 bytes (x, then y), zeroized when dropped: for carrying a released share
    /// from the member's client to the opening (sealed to the opening session, never stored).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.bytes.clone())
    }

    /// From [`KeyShare::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<KeyShare, ShareError> {
        match bytes {
            [x, ..] if bytes.len() == SHARE_LEN && *x != 0 => Ok(KeyShare {
                member_index: *x,
                bytes: bytes.to_vec(),
            }),
            [x, ..] => Err(ShareError::Malformed(*x)),
            [] => Err(ShareError::Malformed(0)),
        }
    }

    pub(crate) fn raw(&self) -> &[u8] {
        &self.bytes
    }
}

pub(crate) fn check_id(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        return Err("empty");
    }
    if id.len() > MAX_ID_LEN {
        return Err("longer than 200 bytes");
    }
    if id.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    Ok(())
}

fn share_context(
    tender_id: &str,
    member_index: u8,
    threshold: u8,
    members: u8,
    tender_pk: &TenderPublicKey,
    member_pk: &MemberPublicKey,
) -> Vec<u8> {
    let mut w = Writer::with_capacity(80 + tender_id.len());
    w.raw(b"DSKS");
    w.u8(1);
    // The id was validated (≤ 200 bytes), so the length always fits.
    let _ = w.str("tender_id", tender_id);
    w.u8(member_index);
    w.u8(threshold);
    w.u8(members);
    w.raw(&tender_pk.0);
    w.raw(&member_pk.0);
    w.into_bytes()
}

/// Runs the key ceremony for `tender_id` with threshold `threshold` among `members` (member `i`
/// is `members[i - 1]`), using the operating system's random generator.
///
/// # Errors
/// [`CeremonyError`] for invalid parameters (`2 ≤ t ≤ n ≤ 255`, distinct member keys, a valid
/// tender id).
pub fn run_key_ceremony(
    tender_id: &str,
    threshold: u8,
    members: &[MemberPublicKey],
) -> Result<KeyCeremony, CeremonyError> {
    run_key_ceremony_with_rng(tender_id, threshold, members, &mut sys_rng())
}

/// [`run_key_ceremony`] with a caller-supplied random generator.
pub fn run_key_ceremony_with_rng(
    tender_id: &str,
    threshold: u8,
    members: &[MemberPublicKey],
    rng: &mut impl CryptoRng,
) -> Result<KeyCeremony, CeremonyError> {
    check_id(tender_id).map_err(CeremonyError::InvalidTenderId)?;
    let n = members.len();
    if n == 0 {
        return Err(CeremonyError::NoMembers);
    }
    if n > MAX_MEMBERS {
        return Err(CeremonyError::TooManyMembers(n));
    }
    if threshold < MIN_THRESHOLD {
        return Err(CeremonyError::ThresholdTooLow(threshold));
    }
    if usize::from(threshold) > n {
        return Err(CeremonyError::ThresholdAboveMembers {
            threshold,
            members: n,
        });
    }
    // n ≤ 255 was checked above.
    let n8 = u8::try_from(n).map_err(|_| CeremonyError::TooManyMembers(n))?;
    for (i, a) in members.iter().enumerate() {
        if let Some(j) = members[i + 1..].iter().position(|b| b == a) {
            return Err(CeremonyError::DuplicateMember {
                first: (i + 1) as u8,
                second: (i + 2 + j) as u8,
            });
        }
    }
    let member_keys = members
        .iter()
        .enumerate()
        .map(|(i, m)| m.hpke_key().map_err(|_| CeremonyError::Seal((i + 1) as u8)))
        .collect::<Result<Vec<_>, _>>()?;

    let (sk, pk) = Kem::gen_keypair_with_rng(rng);
    let mut public = [0u8; KEY_LEN];
    public.copy_from_slice(&pk.to_bytes());
    let tender_pk = TenderPublicKey(public);

    // The private key, serialised (clamped), then split; both zeroized on every path.
    let mut secret = Zeroizing::new([0u8; KEY_LEN]);
    {
        let mut arr = sk.to_bytes();
        secret.copy_from_slice(&arr);
        arr.zeroize();
    }
    drop(sk);
    let ids = (1..=n8).map(|i| IdentifierGf256(Gf256(i)));
    let shares: Zeroizing<Vec<Vec<u8>>> = Zeroizing::new(
        Gf256::split_bytes_with_participant_ids_iter(
            usize::from(threshold),
            n,
            secret.as_slice(),
            &mut *rng,
            ids,
        )
        .map_err(|e| CeremonyError::Sharing(format!("{e:?}")))?,
    );
    drop(secret);

    let mut sealed = Vec::with_capacity(n);
    for (i, (share, member_key)) in shares.iter().zip(&member_keys).enumerate() {
        let index = (i + 1) as u8;
        debug_assert_eq!(share.first(), Some(&index));
        let aad = share_context(tender_id, index, threshold, n8, &tender_pk, &members[i]);
        let (enc, ciphertext) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
            &hpke::OpModeS::Base,
            member_key,
            SHARE_INFO,
            share,
            &aad,
            &mut *rng,
        )
        .map_err(|_| CeremonyError::Seal(index))?;
        let mut enc_bytes = [0u8; KEY_LEN];
        enc_bytes.copy_from_slice(&enc.to_bytes());
        sealed.push(EncryptedShare {
            member_index: index,
            member_public_key: members[i],
            enc: enc_bytes,
            ciphertext,
        });
    }
    Ok(KeyCeremony {
        tender_id: tender_id.to_owned(),
        threshold,
        public_key: tender_pk,
        shares: sealed,
    })
}

/// A committee member opens their own share with their private key (run on the member's
/// side, or by the platform at the member's request at opening time — each release audited).
///
/// # Errors
/// [`ShareError`] if the ceremony has no such member, the key is not the member's, or the
/// sealed share or its context was altered.
pub fn decrypt_share(
    ceremony: &KeyCeremony,
    member_index: u8,
    member_key: &MemberSecretKey,
) -> Result<KeyShare, ShareError> {
    let share = ceremony
        .shares
        .iter()
        .find(|s| s.member_index == member_index)
        .ok_or(ShareError::NoSuchMember(member_index))?;
    if member_key.public_key() != share.member_public_key {
        return Err(ShareError::WrongKey(member_index));
    }
    let members =
        u8::try_from(ceremony.shares.len()).map_err(|_| ShareError::Malformed(member_index))?;
    let aad = share_context(
        &ceremony.tender_id,
        member_index,
        ceremony.threshold,
        members,
        &ceremony.public_key,
        &share.member_public_key,
    );
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&share.enc)
        .map_err(|_| ShareError::Decrypt(member_index))?;
    let plain = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Base,
            &member_key.0,
            &enc,
            SHARE_INFO,
            &share.ciphertext,
            &aad,
        )
        .map_err(|_| ShareError::Decrypt(member_index))?,
    );
    if plain.len() != SHARE_LEN || plain[0] != member_index {
        return Err(ShareError::Malformed(member_index));
    }
    Ok(KeyShare {
        member_index,
        bytes: plain.to_vec(),
    })
}

/// Why the tender key could not be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReconstructError {
    /// Fewer than `t` distinct shares.
    #[error("{have} of the {need} shares needed to open were released")]
    NotEnoughShares {
        /// Distinct shares given.
        have: usize,
        /// The threshold.
        need: u8,
    },
    /// The same member's share twice.
    #[error("the share of member {0} was given twice")]
    DuplicateShare(u8),
    /// A share for a member index the ceremony does not have.
    #[error("member {0} is not on this committee")]
    UnknownMember(u8),
    /// The shares combine to a key that is not the tender's (a corrupted or foreign share).
    #[error("the shares do not rebuild this tender's key")]
    KeyMismatch,
}

/// Combines raw shares (no count check): the Lagrange interpolation at 0.
pub(crate) fn combine_raw(shares: &[&KeyShare]) -> Option<Zeroizing<Vec<u8>>> {
    let raw: Zeroizing<Vec<Vec<u8>>> =
        Zeroizing::new(shares.iter().map(|s| s.raw().to_vec()).collect());
    Gf256::combine_bytes(raw.as_slice())
        .ok()
        .map(Zeroizing::new)
}

/// Rebuilds the tender's private key, in memory only, from at least `t` released shares, and
/// checks it against the published public key.
///
/// # Errors
/// [`ReconstructError::NotEnoughShares`] with fewer than `t` distinct shares;
/// [`ReconstructError::KeyMismatch`] if a share is corrupt or from another ceremony.
pub fn reconstruct_tender_key(
    ceremony: &KeyCeremony,
    shares: &[KeyShare],
) -> Result<TenderSecretKey, ReconstructError> {
    let mut seen = [false; 256];
    for s in shares {
        let i = s.member_index;
        if !ceremony.shares.iter().any(|e| e.member_index == i) {
            return Err(ReconstructError::UnknownMember(i));
        }
        if seen[usize::from(i)] {
            return Err(ReconstructError::DuplicateShare(i));
        }
        seen[usize::from(i)] = true;
    }
    if shares.len() < usize::from(ceremony.threshold) {
        return Err(ReconstructError::NotEnoughShares {
            have: shares.len(),
            need: ceremony.threshold,
        });
    }
    let refs: Vec<&KeyShare> = shares.iter().collect();
    let secret = combine_raw(&refs).ok_or(ReconstructError::KeyMismatch)?;
    key_from_secret(&secret, ceremony.public_key).ok_or(ReconstructError::KeyMismatch)
}

/// The private key from its 32 bytes, if its public key is `expected`.
pub(crate) fn key_from_secret(secret: &[u8], expected: TenderPublicKey) -> Option<TenderSecretKey> {
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret).ok()?;
    let pk = Kem::sk_to_pk(&sk);
    if pk.to_bytes().as_slice() != expected.0.as_slice() {
        return None;
    }
    Some(TenderSecretKey {
        sk,
        public: expected,
    })
}

/// Like [`key_from_secret`] without the check: for tests that show a wrong key opens nothing.
#[cfg(test)]
pub(crate) fn unchecked_key(secret: &[u8], public: TenderPublicKey) -> Option<TenderSecretKey> {
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret).ok()?;
    Some(TenderSecretKey { sk, public })
}
