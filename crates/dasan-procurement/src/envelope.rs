//! Sealed bids: the versioned envelope, the bid id, and the supplier's signature over it.
//!
//! # Envelope (`DSBE`, version 1)
//!
//! ```text
//! header (the HPKE AAD):
//!   "DSBE" 0x01
//!   u16 kem_id = 0x0020 | u16 kdf_id = 0x0001 | u16 aead_id = 0x0003
//!   str tender_id | str supplier_id
//!   u16 lot_count { str lot_id }              sorted, unique: the lots bid on
//!   [32] tender public key                     the key the bid is sealed to
//! body:
//!   [32] enc                                   HPKE encapsulated key
//!   bytes32 ciphertext                         HPKE ciphertext of the DSBP payload
//! ```
//!
//! Integers big-endian; `str` = `u16` length + UTF-8; `bytes32` = `u32` length + bytes. The
//! ciphertext is `SealBase(pkR = tender key, info = "dasan-procurement/v1/bid", aad = header,
//! pt = payload)` (RFC 9180 §6.1). The **bid id** is `SHA-256(envelope)`: the hash on the
//! receipt and the leaf of the bid-box record. The server can read the header (tender, supplier,
//! lots) but not the prices; the header is authenticated by the AEAD, so moving a bid to another
//! tender, supplier or lot list makes it undecryptable.
//!
//! # Signed submission (`DSBS`, version 1)
//!
//! ```text
//! "DSBS" 0x01
//! bytes32 envelope
//! str algorithm         "ed25519" or "ecdsa-p256-sha256"
//! bytes16 public key    DER SubjectPublicKeyInfo of the supplier's signing key
//! bytes16 signature     Ed25519: 64 bytes; ECDSA: DER Ecdsa-Sig-Value
//! ```
//!
//! The signature is over `"dasan-procurement/v1/bid-signature" 0x00 || bid id` (32 bytes). The
//! bid id does not depend on the signature, so a receipt names the sealed bid itself.

use std::fmt;

use dasan_crypto::Algorithm;
use hpke::{Deserializable, Serializable};
use rand_core::CryptoRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Digest;

use crate::keys::{AEAD_ID, Aead, KDF_ID, KEM_ID, KEY_LEN, Kdf, Kem, TenderPublicKey, sys_rng};
use crate::payload::{BidPayload, PayloadError};
use crate::wire::{DecodeError, Reader, Writer};

const MAGIC: &[u8; 4] = b"DSBE";
const SIGNED_MAGIC: &[u8; 4] = b"DSBS";
const VERSION: u8 = 1;
pub(crate) const BID_INFO: &[u8] = b"dasan-procurement/v1/bid";
const SIGNATURE_DOMAIN: &[u8] = b"dasan-procurement/v1/bid-signature\0";
/// Largest envelope accepted (attachments plus overhead).
pub const MAX_ENVELOPE_LEN: usize = crate::payload::MAX_ATTACHMENT_BYTES + (4 << 20);

/// A bid id: SHA-256 of the sealed envelope. Hex in JSON and `Display`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BidId(pub [u8; 32]);

impl BidId {
    /// The id of an envelope.
    pub fn of(envelope: &[u8]) -> BidId {
        BidId(sha2::Sha256::digest(envelope).into())
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// From 64 hex digits.
    pub fn from_hex(s: &str) -> Option<BidId> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(BidId(out))
    }
}

impl fmt::Debug for BidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BidId({})", self.to_hex())
    }
}

impl fmt::Display for BidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for BidId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for BidId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BidId::from_hex(&s).ok_or_else(|| serde::de::Error::custom("expected 64 hex digits"))
    }
}

/// The readable part of an envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeHeader {
    /// The tender.
    pub tender_id: String,
    /// The supplier who sealed it.
    pub supplier_id: String,
    /// The lots bid on, sorted.
    pub lot_ids: Vec<String>,
    /// The key it is sealed to.
    pub tender_public_key: TenderPublicKey,
}

/// A parsed envelope: its bytes, id and header.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedBid {
    bytes: Vec<u8>,
    id: BidId,
    header: EnvelopeHeader,
    header_len: usize,
}

impl fmt::Debug for SealedBid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedBid")
            .field("id", &self.id)
            .field("header", &self.header)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Why a bid could not be sealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The payload breaks a rule.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// The tender public key is unusable.
    #[error("the tender public key is unusable")]
    TenderKey,
    /// The payload's tender differs from the one asked for.
    #[error("the bid is for tender {payload:?}, not {expected:?}")]
    WrongTender {
        /// In the payload.
        payload: String,
        /// Expected.
        expected: String,
    },
    /// HPKE failed.
    #[error("encryption failed")]
    Encrypt,
    /// The envelope would exceed [`MAX_ENVELOPE_LEN`].
    #[error("the sealed bid would exceed {MAX_ENVELOPE_LEN} bytes")]
    TooLarge,
    /// The signer failed.
    #[error("signing failed: {0}")]
    Sign(String),
}

/// Why an envelope or signed submission is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Malformed bytes.
    #[error("malformed sealed bid: {0}")]
    Decode(#[from] DecodeError),
    /// Another HPKE suite than this crate's.
    #[error("unsupported HPKE suite {kem:#06x}/{kdf:#06x}/{aead:#06x}")]
    Suite {
        /// KEM id.
        kem: u16,
        /// KDF id.
        kdf: u16,
        /// AEAD id.
        aead: u16,
    },
    /// The signature algorithm is not accepted.
    #[error("unsupported signature algorithm {0:?} (ed25519 or ecdsa-p256-sha256)")]
    Algorithm(String),
    /// The signature does not verify with the key in the submission.
    #[error("the supplier's signature does not verify: {0}")]
    Signature(String),
    /// For another tender than the one it was submitted to.
    #[error("the bid is for tender {0:?}")]
    WrongTender(String),
    /// Sealed to another key than the tender's.
    #[error("the bid is sealed to another key than this tender's")]
    WrongKey,
    /// A lot the tender does not have.
    #[error("the tender has no lot {0:?}")]
    UnknownLot(String),
}

fn write_header(w: &mut Writer, h: &EnvelopeHeader) -> Result<(), SealError> {
    let too_long = |e: crate::wire::TooLong| {
        SealError::Payload(PayloadError::InvalidField {
            field: e.field,
            reason: "too long",
        })
    };
    w.raw(MAGIC);
    w.u8(VERSION);
    w.u16(KEM_ID);
    w.u16(KDF_ID);
    w.u16(AEAD_ID);
    w.str("tender_id", &h.tender_id).map_err(too_long)?;
    w.str("supplier_id", &h.supplier_id).map_err(too_long)?;
    w.count16("lots", h.lot_ids.len()).map_err(too_long)?;
    for id in &h.lot_ids {
        w.str("lot_id", id).map_err(too_long)?;
    }
    w.raw(&h.tender_public_key.0);
    Ok(())
}

/// Seals `payload` to the tender key (the server-side path for the browser form, and the core of
/// the supplier's client). The plaintext encoding is zeroized after use.
///
/// # Errors
/// [`SealError`] for an invalid payload or an unusable key.
pub fn seal_bid(
    tender_key: &TenderPublicKey,
    payload: &BidPayload,
) -> Result<SealedBid, SealError> {
    seal_bid_with_rng(tender_key, payload, &mut sys_rng())
}

/// [`seal_bid`] with a caller-supplied random generator.
pub fn seal_bid_with_rng(
    tender_key: &TenderPublicKey,
    payload: &BidPayload,
    rng: &mut impl CryptoRng,
) -> Result<SealedBid, SealError> {
    let plain = zeroize::Zeroizing::new(payload.to_bytes()?);
    if plain.len() + 1024 > MAX_ENVELOPE_LEN {
        return Err(SealError::TooLarge);
    }
    let pk = tender_key.hpke_key().map_err(|_| SealError::TenderKey)?;
    let header = EnvelopeHeader {
        tender_id: payload.tender_id.clone(),
        supplier_id: payload.supplier_id.clone(),
        lot_ids: payload.lot_ids(),
        tender_public_key: *tender_key,
    };
    let mut w = Writer::with_capacity(plain.len() + 512);
    write_header(&mut w, &header)?;
    let header_len = w.len();
    let (enc, ct) = {
        let aad = w.as_slice();
        hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
            &hpke::OpModeS::Base,
            &pk,
            BID_INFO,
            &plain,
            aad,
            rng,
        )
        .map_err(|e| match e {
            // An all-zero shared secret: the tender key is a low-order point.
            hpke::HpkeError::EncapError => SealError::TenderKey,
            _ => SealError::Encrypt,
        })?
    };
    w.raw(&enc.to_bytes());
    w.bytes32("ciphertext", &ct)
        .map_err(|_| SealError::TooLarge)?;
    let bytes = w.into_bytes();
    Ok(SealedBid {
        id: BidId::of(&bytes),
        bytes,
        header,
        header_len,
    })
}

impl SealedBid {
    /// Parses an envelope (does not decrypt it).
    ///
    /// # Errors
    /// [`EnvelopeError::Decode`] with the offending byte offset; [`EnvelopeError::Suite`].
    pub fn parse(bytes: &[u8]) -> Result<SealedBid, EnvelopeError> {
        if bytes.len() > MAX_ENVELOPE_LEN {
            return Err(Reader::err_at(0, "sealed bid too large").into());
        }
        let mut r = Reader::new(bytes);
        if &r.array::<4>("magic")? != MAGIC {
            return Err(Reader::err_at(0, "not a sealed bid (magic is not DSBE)").into());
        }
        let v = r.u8("version")?;
        if v != VERSION {
            return Err(Reader::err_at(4, format!("unsupported envelope version {v}")).into());
        }
        let (kem, kdf, aead) = (r.u16("kem id")?, r.u16("kdf id")?, r.u16("aead id")?);
        if (kem, kdf, aead) != (KEM_ID, KDF_ID, AEAD_ID) {
            return Err(EnvelopeError::Suite { kem, kdf, aead });
        }
        let tender_id = r.str("tender_id")?.to_owned();
        let supplier_id = r.str("supplier_id")?.to_owned();
        let n = r.u16("lot count")?;
        let mut lot_ids: Vec<String> = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let at = r.pos();
            let id = r.str("lot_id")?.to_owned();
            if lot_ids.last().is_some_and(|p| *p >= id) {
                return Err(Reader::err_at(at, "lot ids are not sorted, or repeat").into());
            }
            lot_ids.push(id);
        }
        // Not checked for low order here: a bid is only ever compared with its tender's key,
        // which was checked when the tender was published.
        let tender_public_key = TenderPublicKey(r.array::<KEY_LEN>("tender public key")?);
        let header_len = r.pos();
        r.array::<KEY_LEN>("enc")?;
        r.bytes32("ciphertext", MAX_ENVELOPE_LEN)?;
        r.finish()?;
        Ok(SealedBid {
            id: BidId::of(bytes),
            bytes: bytes.to_vec(),
            header: EnvelopeHeader {
                tender_id,
                supplier_id,
                lot_ids,
                tender_public_key,
            },
            header_len,
        })
    }

    /// The bid id (SHA-256 of the envelope).
    pub fn id(&self) -> BidId {
        self.id
    }

    /// The readable header.
    pub fn header(&self) -> &EnvelopeHeader {
        &self.header
    }

    /// The envelope bytes (store these exactly).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The envelope bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The HPKE AAD (the header bytes).
    pub(crate) fn aad(&self) -> &[u8] {
        &self.bytes[..self.header_len]
    }

    /// The HPKE `enc`.
    pub(crate) fn enc(&self) -> &[u8] {
        &self.bytes[self.header_len..self.header_len + KEY_LEN]
    }

    /// The HPKE ciphertext.
    pub(crate) fn ciphertext(&self) -> &[u8] {
        &self.bytes[self.header_len + KEY_LEN + 4..]
    }

    /// Checks the bid against the tender it was submitted to: tender id, key, and that every lot
    /// is one of the tender's.
    ///
    /// # Errors
    /// [`EnvelopeError::WrongTender`], [`EnvelopeError::WrongKey`],
    /// [`EnvelopeError::UnknownLot`].
    pub fn check_tender(
        &self,
        tender_id: &str,
        tender_key: &TenderPublicKey,
        tender_lots: &[&str],
    ) -> Result<(), EnvelopeError> {
        if self.header.tender_id != tender_id {
            return Err(EnvelopeError::WrongTender(self.header.tender_id.clone()));
        }
        if self.header.tender_public_key != *tender_key {
            return Err(EnvelopeError::WrongKey);
        }
        if let Some(l) = self
            .header
            .lot_ids
            .iter()
            .find(|l| !tender_lots.contains(&l.as_str()))
        {
            return Err(EnvelopeError::UnknownLot(l.clone()));
        }
        Ok(())
    }

    /// Decrypts with the rebuilt tender key and checks the plaintext against the header.
    pub(crate) fn open(
        &self,
        key: &crate::keys::TenderSecretKey,
    ) -> Result<BidPayload, crate::opening::RejectionReason> {
        use crate::opening::RejectionReason as R;
        if self.header.tender_public_key != key.public {
            return Err(R::WrongKey);
        }
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(self.enc())
            .map_err(|_| R::DecryptionFailed)?;
        let plain = zeroize::Zeroizing::new(
            hpke::single_shot_open::<Aead, Kdf, Kem>(
                &hpke::OpModeR::Base,
                &key.sk,
                &enc,
                BID_INFO,
                self.ciphertext(),
                self.aad(),
            )
            .map_err(|_| R::DecryptionFailed)?,
        );
        let payload = BidPayload::from_bytes(&plain).map_err(|_| R::MalformedPayload)?;
        if payload.tender_id != self.header.tender_id
            || payload.supplier_id != self.header.supplier_id
            || payload.lot_ids() != self.header.lot_ids
        {
            return Err(R::PayloadMismatch);
        }
        Ok(payload)
    }
}

/// What signs sealed bids on the supplier's side: a local key or a key in a [`dasan_crypto`]
/// key store.
pub trait BidSigner {
    /// The signature algorithm (Ed25519 or ECDSA P-256 with SHA-256).
    fn algorithm(&self) -> Algorithm;
    /// DER `SubjectPublicKeyInfo` of the verifying key.
    fn public_key_spki(&self) -> Result<Vec<u8>, String>;
    /// Signs `message` (Ed25519: raw 64 bytes; ECDSA: DER).
    fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, String>;
}

impl BidSigner for ed25519_dalek::SigningKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Ed25519
    }
    fn public_key_spki(&self) -> Result<Vec<u8>, String> {
        use ed25519_dalek::pkcs8::EncodePublicKey;
        self.verifying_key()
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }
    fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        use ed25519_dalek::Signer;
        Ok(self.sign(message).to_bytes().to_vec())
    }
}

impl BidSigner for p256::ecdsa::SigningKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EcdsaP256Sha256
    }
    fn public_key_spki(&self) -> Result<Vec<u8>, String> {
        use p256::pkcs8::EncodePublicKey;
        self.verifying_key()
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }
    fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        use signature::Signer;
        let sig: p256::ecdsa::DerSignature = self.try_sign(message).map_err(|e| e.to_string())?;
        Ok(sig.as_bytes().to_vec())
    }
}

impl BidSigner for dasan_crypto::StoreSigner<'_> {
    fn algorithm(&self) -> Algorithm {
        dasan_crypto::StoreSigner::algorithm(self)
    }
    fn public_key_spki(&self) -> Result<Vec<u8>, String> {
        Ok(self.spki_der().to_vec())
    }
    fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        use signature::Signer;
        let sig: dasan_crypto::StoreSignature =
            self.try_sign(message).map_err(|e| e.to_string())?;
        Ok(sig.as_bytes().to_vec())
    }
}

fn accepted(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::Ed25519 | Algorithm::EcdsaP256Sha256)
}

fn signature_message(id: &BidId) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNATURE_DOMAIN.len() + 32);
    m.extend_from_slice(SIGNATURE_DOMAIN);
    m.extend_from_slice(&id.0);
    m
}

/// A sealed bid with the supplier's signature, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedBid {
    /// The sealed bid.
    pub sealed: SealedBid,
    /// The signature algorithm.
    pub algorithm: Algorithm,
    /// DER `SubjectPublicKeyInfo` of the key that signed: compare it with the supplier's
    /// registered bidder keys.
    pub signer_spki: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl SignedBid {
    /// Signs a sealed bid.
    ///
    /// # Errors
    /// [`SealError::Sign`] if the signer fails or uses an algorithm other than Ed25519 or
    /// ECDSA P-256.
    pub fn sign(sealed: SealedBid, signer: &dyn BidSigner) -> Result<SignedBid, SealError> {
        let algorithm = signer.algorithm();
        if !accepted(algorithm) {
            return Err(SealError::Sign(format!(
                "{algorithm} is not accepted for bids (ed25519 or ecdsa-p256-sha256)"
            )));
        }
        let signer_spki = signer.public_key_spki().map_err(SealError::Sign)?;
        let signature = signer
            .sign_message(&signature_message(&sealed.id))
            .map_err(SealError::Sign)?;
        Ok(SignedBid {
            sealed,
            algorithm,
            signer_spki,
            signature,
        })
    }

    /// The `DSBS` bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let env = self.sealed.as_bytes();
        let mut w = Writer::with_capacity(env.len() + 256);
        w.raw(SIGNED_MAGIC);
        w.u8(VERSION);
        // Lengths are bounded: the envelope by MAX_ENVELOPE_LEN, the key and signature by
        // their algorithms.
        let _ = w.bytes32("envelope", env);
        let _ = w.str("algorithm", self.algorithm.as_str());
        let _ = w.bytes16("public key", &self.signer_spki);
        let _ = w.bytes16("signature", &self.signature);
        w.into_bytes()
    }

    /// Parses a `DSBS` submission and verifies the signature (not who the key belongs to: the
    /// caller matches `signer_spki` with the supplier's registered keys).
    ///
    /// # Errors
    /// [`EnvelopeError`] for malformed bytes, an unaccepted algorithm or a bad signature.
    pub fn parse_and_verify(bytes: &[u8]) -> Result<SignedBid, EnvelopeError> {
        let signed = Self::parse_unchecked(bytes)?;
        dasan_crypto::verify::verify_signature(
            signed.algorithm,
            &signed.signer_spki,
            &signature_message(&signed.sealed.id),
            &signed.signature,
        )
        .map_err(|e| EnvelopeError::Signature(e.to_string()))?;
        Ok(signed)
    }

    /// The supplier a `DSBS` submission names, without checking its signature: enough to route
    /// the submission to the supplier's account, which then checks it once
    /// ([`SignedBid::parse_and_verify`]).
    ///
    /// # Errors
    /// [`EnvelopeError`] for malformed bytes or an unaccepted algorithm.
    pub fn supplier_of(bytes: &[u8]) -> Result<String, EnvelopeError> {
        Ok(Self::parse_unchecked(bytes)?.sealed.header.supplier_id)
    }

    fn parse_unchecked(bytes: &[u8]) -> Result<SignedBid, EnvelopeError> {
        let mut r = Reader::new(bytes);
        if &r.array::<4>("magic")? != SIGNED_MAGIC {
            return Err(Reader::err_at(0, "not a signed bid (magic is not DSBS)").into());
        }
        let v = r.u8("version")?;
        if v != VERSION {
            return Err(Reader::err_at(4, format!("unsupported version {v}")).into());
        }
        let at = r.pos() + 4;
        let env = r.bytes32("envelope", MAX_ENVELOPE_LEN)?;
        let sealed = SealedBid::parse(env).map_err(|e| match e {
            EnvelopeError::Decode(d) => EnvelopeError::Decode(DecodeError {
                offset: d.offset + at,
                what: d.what,
            }),
            other => other,
        })?;
        let alg_name = r.str("algorithm")?;
        let algorithm: Algorithm = alg_name
            .parse()
            .map_err(|_| EnvelopeError::Algorithm(alg_name.to_owned()))?;
        if !accepted(algorithm) {
            return Err(EnvelopeError::Algorithm(alg_name.to_owned()));
        }
        let signer_spki = r.bytes16("public key")?.to_vec();
        let signature = r.bytes16("signature")?.to_vec();
        r.finish()?;
        Ok(SignedBid {
            sealed,
            algorithm,
            signer_spki,
            signature,
        })
    }
}
