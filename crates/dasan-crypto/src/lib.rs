//! Dasan's key store and platform PKI.
//!
//! - [`keystore`]: the [`KeyStore`] trait with an encrypted-file backend ([`FileKeyStore`]) and
//!   a PKCS#11 backend ([`Pkcs11KeyStore`]).
//! - [`signer`]: [`StoreSigner`], a RustCrypto `signature::Signer` over a key in a store, for
//!   the `x509-cert` and `cms` builders.
//! - [`pki`]: root CA, per-agency issuing CAs, end-entity certificates per purpose, the ICAO
//!   test CSCA and document signers, CRLs, and [`pki::pki_init`] to build the whole layout.
//! - [`trust_list`]: the signed JSON trust list (JWS with an `x5c` chain) and its verifier.
//! - [`verify`]: signature verification helpers.
//!
//! No function here reads the clock: times come from the caller. No secret is logged or
//! printed by a `Debug` impl, and private key material is zeroized when dropped.

pub mod algorithm;
mod b64;
pub mod keystore;
pub mod oid;
pub mod pki;
#[cfg(feature = "store")]
pub mod published;
pub mod signer;
pub mod trust_list;
pub mod verify;

pub use algorithm::Algorithm;
pub use keystore::{
    Argon2Params, FileKeyStore, KekSource, KeyId, KeyInfo, KeyState, KeyStore, KeyStoreError,
    Pkcs11Config, Pkcs11KeyStore,
};
pub use signer::{StoreSignature, StoreSigner, StoreVerifyingKey};
