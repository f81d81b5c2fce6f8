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

/// Why a committee member's share could not be taken from a published tender.
#[derive(Debug, thiserror::Error)]
pub enum CommitteeFileError {
    #[error("the key file does not hold a committee key (64 hexadecimal digits)")]
    Key,
    #[error("the tender file is not a tender as the API returns it (JSON with its ceremony): {0}")]
    Tender(String),
    #[error("this key is not on the tender's committee")]
    NotAMember,
    #[error(transparent)]
    Share(#[from] crate::ShareError),
}

/// The text of a member's key file: the X25519 private key in hex and a newline.
pub fn committee_key_file(secret: &crate::MemberSecretKey) -> zeroize::Zeroizing<String> {
    let bytes = secret.to_bytes();
    zeroize::Zeroizing::new(format!("{}\n", hex::encode(bytes.as_slice())))
}

/// Reads a member's key file (as [`committee_key_file`] writes it).
///
/// # Errors
/// [`CommitteeFileError::Key`] unless it holds 64 hexadecimal digits of a usable key.
pub fn read_committee_key(text: &str) -> Result<crate::MemberSecretKey, CommitteeFileError> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text.trim(), bytes.as_mut_slice()).map_err(|_| CommitteeFileError::Key)?;
    crate::MemberSecretKey::from_bytes(&bytes).map_err(|_| CommitteeFileError::Key)
}

/// Decrypts the member's own share from a tender as `GET /api/v1/procurement/tenders/{id}`
/// returns it (its `ceremony`), on the member's machine. Returns the tender id and the share.
///
/// # Errors
/// [`CommitteeFileError`] if the file has no ceremony (or names two tenders), the key is not on
/// the committee, or the sealed share does not open.
pub fn member_share(
    tender_json: &str,
    key: &crate::MemberSecretKey,
) -> Result<(String, crate::KeyShare), CommitteeFileError> {
    let tender: serde_json::Value =
        serde_json::from_str(tender_json).map_err(|e| CommitteeFileError::Tender(e.to_string()))?;
    let ceremony: crate::KeyCeremony = serde_json::from_value(tender["ceremony"].clone())
        .map_err(|e| CommitteeFileError::Tender(format!("ceremony: {e}")))?;
    if let Some(id) = tender["id"].as_str()
        && id != ceremony.tender_id
    {
        return Err(CommitteeFileError::Tender(format!(
            "the ceremony is tender {}'s, the file tender {id}'s",
            ceremony.tender_id
        )));
    }
    let mine = key.public_key();
    let index = ceremony
        .shares
        .iter()
        .find(|s| s.member_public_key == mine)
        .map(|s| s.member_index)
        .ok_or(CommitteeFileError::NotAMember)?;
    let share = crate::decrypt_share(&ceremony, index, key)?;
    Ok((ceremony.tender_id, share))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_member_takes_their_own_share_from_the_published_tender() {
        let (k1, p1) = crate::MemberSecretKey::generate();
        let (k2, p2) = crate::MemberSecretKey::generate();
        let (stranger, _) = crate::MemberSecretKey::generate();
        let ceremony = crate::run_key_ceremony("T-9", 2, &[p1, p2]).unwrap();
        let tender = serde_json::json!({ "id": "T-9", "ceremony": ceremony }).to_string();
        let k2 = read_committee_key(&committee_key_file(&k2)).unwrap();
        let (id, share) = member_share(&tender, &k2).unwrap();
        assert_eq!((id.as_str(), share.member_index()), ("T-9", 2));
        let (_, first) = member_share(&tender, &k1).unwrap();
        let key = crate::reconstruct_tender_key(&ceremony, &[first, share]).unwrap();
        assert_eq!(key.public_key(), ceremony.public_key);
        assert!(matches!(
            member_share(&tender, &stranger),
            Err(CommitteeFileError::NotAMember)
        ));
        let other = serde_json::json!({ "id": "T-8", "ceremony": ceremony }).to_string();
        assert!(matches!(
            member_share(&other, &k1),
            Err(CommitteeFileError::Tender(_))
        ));
        assert!(matches!(
            read_committee_key("zz"),
            Err(CommitteeFileError::Key)
        ));
    }
}
