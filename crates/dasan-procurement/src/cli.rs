//! Entry points for the supplier's `dasan bid seal` command, so the command is a thin wrapper:
//! read the files, call [`seal_bid_file`], write the bytes.

use crate::envelope::{BidSigner, SealError, SignedBid, seal_bid};
use crate::keys::TenderPublicKey;
use crate::payload::BidPayload;

/// Seals and signs a bid given as JSON (the [`BidPayload`] JSON form) to the tender's public
/// key, returning the signed submission (`DSBS` bytes) to upload. Runs entirely on the
/// supplier's machine: the plaintext never leaves it.
///
/// ```
/// use dasan_procurement::*;
/// let (_, member) = MemberSecretKey::generate();
/// let (_, member2) = MemberSecretKey::generate();
/// let ceremony = run_key_ceremony("T-1", 2, &[member, member2]).unwrap();
/// let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
/// let json = r#"{"tender_id": "T-1", "supplier_id": "S-1",
///                "lots": [{"lot_id": "1", "currency": "KRW", "amount_minor": 1000000}],
///                "reserve_price_picks": [3, 11]}"#;
/// let bytes = seal_bid_file(&ceremony.public_key, json, &key).unwrap();
/// let signed = SignedBid::parse_and_verify(&bytes).unwrap();
/// assert_eq!(signed.sealed.header().supplier_id, "S-1");
/// ```
///
/// # Errors
/// [`SealError`] for invalid JSON or payload, an unusable key, or a failing signer.
pub fn seal_bid_file(
    tender_public_key: &TenderPublicKey,
    payload_json: &str,
    signing_key: &dyn BidSigner,
) -> Result<Vec<u8>, SealError> {
    let payload = BidPayload::from_json(payload_json)?;
    let sealed = seal_bid(tender_public_key, &payload)?;
    Ok(SignedBid::sign(sealed, signing_key)?.to_bytes())
}

/// Reads a supplier's signing key from PKCS#8 (PEM or DER): Ed25519 or ECDSA P-256.
///
/// # Errors
/// [`SealError::Sign`] if the key is neither.
pub fn load_signing_key(pkcs8: &[u8]) -> Result<Box<dyn BidSigner>, SealError> {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    if let Ok(text) = std::str::from_utf8(pkcs8)
        && text.contains("-----BEGIN")
    {
        if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(text) {
            return Ok(Box::new(k));
        }
        if let Ok(k) =
            <p256::ecdsa::SigningKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_pem(text)
        {
            return Ok(Box::new(k));
        }
    }
    if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(pkcs8) {
        return Ok(Box::new(k));
    }
    if let Ok(k) = <p256::ecdsa::SigningKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_der(pkcs8)
    {
        return Ok(Box::new(k));
    }
    Err(SealError::Sign(
        "not a PKCS#8 Ed25519 or ECDSA P-256 private key".into(),
    ))
}
