//! The reserve-price seed sealed to the tender key (pure).
//!
//! At publication the platform draws the seed, publishes `SHA-256(seed)` and keeps only the seed
//! sealed to the tender's own HPKE key: nobody — the platform included — learns it before the
//! committee rebuilds the key at opening, so nobody can compute the preliminary prices early.

use hpke::{Deserializable, Serializable};

use crate::keys::{Aead, KEY_LEN, Kdf, Kem, TenderPublicKey, TenderSecretKey, sys_rng};

const SEED_INFO: &[u8] = b"dasan-procurement/v1/reserve-seed";

/// Why a sealed seed does not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    #[error("the tender public key is unusable")]
    Key,
    #[error("the sealed seed is malformed or does not decrypt with this key")]
    Open,
    #[error("the seed does not match the published commitment")]
    Commitment,
}

/// Seals `seed` to the tender key, bound to `tender_id`: `enc (32) || ciphertext (48)`.
///
/// # Errors
/// [`SeedError::Key`] for an unusable key.
pub fn seal_seed(
    tender_id: &str,
    key: &TenderPublicKey,
    seed: &[u8; 32],
) -> Result<Vec<u8>, SeedError> {
    let pk = key.hpke_key().map_err(|_| SeedError::Key)?;
    let (enc, ct) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &pk,
        SEED_INFO,
        seed,
        tender_id.as_bytes(),
        &mut sys_rng(),
    )
    .map_err(|_| SeedError::Key)?;
    let mut out = enc.to_bytes().to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens a sealed seed with the rebuilt tender key and checks it against its commitment.
///
/// # Errors
/// [`SeedError::Open`] for altered bytes or another key; [`SeedError::Commitment`].
pub fn open_seed(
    tender_id: &str,
    key: &TenderSecretKey,
    sealed: &[u8],
    commitment: &[u8; 32],
) -> Result<[u8; 32], SeedError> {
    if sealed.len() <= KEY_LEN {
        return Err(SeedError::Open);
    }
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&sealed[..KEY_LEN])
        .map_err(|_| SeedError::Open)?;
    let plain = zeroize::Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Base,
            &key.sk,
            &enc,
            SEED_INFO,
            &sealed[KEY_LEN..],
            tender_id.as_bytes(),
        )
        .map_err(|_| SeedError::Open)?,
    );
    let seed: [u8; 32] = plain.as_slice().try_into().map_err(|_| SeedError::Open)?;
    if crate::reserve::commit_seed(&seed) != *commitment {
        return Err(SeedError::Commitment);
    }
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemberSecretKey, decrypt_share, reconstruct_tender_key, run_key_ceremony};

    #[test]
    fn a_sealed_seed_opens_only_with_the_rebuilt_key_and_its_commitment() {
        let members: Vec<_> = (0..3).map(|_| MemberSecretKey::generate()).collect();
        let publics: Vec<_> = members.iter().map(|(_, pk)| *pk).collect();
        let c = run_key_ceremony("T-1", 2, &publics).expect("ceremony");
        let (seed, commitment) = crate::generate_seed();
        let sealed = seal_seed("T-1", &c.public_key, &seed).expect("seal");
        let shares = vec![
            decrypt_share(&c, 1, &members[0].0).expect("share"),
            decrypt_share(&c, 2, &members[1].0).expect("share"),
        ];
        let key = reconstruct_tender_key(&c, &shares).expect("key");
        assert_eq!(open_seed("T-1", &key, &sealed, &commitment), Ok(seed));
        assert_eq!(
            open_seed("T-2", &key, &sealed, &commitment),
            Err(SeedError::Open)
        );
        assert_eq!(
            open_seed("T-1", &key, &sealed, &[0; 32]),
            Err(SeedError::Commitment)
        );
        let mut altered = sealed.clone();
        altered[40] ^= 1;
        assert_eq!(
            open_seed("T-1", &key, &altered, &commitment),
            Err(SeedError::Open)
        );
    }
}
