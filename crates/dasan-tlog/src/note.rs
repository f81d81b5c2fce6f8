//! C2SP `signed-note`: signing and verifying notes with Ed25519, and the verifier key (`vkey`)
//! text encoding read by Go's `note.NewVerifier`.
//!
//! A signed note is the text (ending in a newline), a blank line, then one or more lines
//! `— <key name> base64(key ID || signature)`, where the key ID is the first four bytes of
//! `SHA-256(key name || 0x0A || 0x01 || Ed25519 public key)`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};
use std::convert::Infallible;
use std::fmt;
use zeroize::Zeroizing;

/// Signature type byte of Ed25519 note signatures.
pub const ALG_ED25519: u8 = 0x01;

/// Most signature lines a note may carry (the spec asks verifiers to accept at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Prefix of every signature line: U+2014 EM DASH and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Computes a C2SP key ID: the first four bytes, big-endian, of
/// `SHA-256(name || 0x0A || alg || public_key)`.
pub fn key_id(name: &str, alg: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', alg]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Whether `name` is a valid key name: non-empty, no Unicode white space, no `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// Problems with key names and the textual key encodings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Empty name, or one containing white space or `+`.
    #[error("invalid key name {0:?}")]
    InvalidName(String),
    /// The encoded key does not have the `name+hash+keydata` shape.
    #[error("malformed key encoding: {0}")]
    Malformed(&'static str),
    /// A signature type other than Ed25519.
    #[error("unsupported key algorithm {0:#04x}")]
    UnsupportedAlgorithm(u8),
    /// The key ID in the encoding does not match the key.
    #[error("key ID {found:08x} does not match the key (expected {expected:08x})")]
    KeyIdMismatch {
        /// ID computed from the name and key.
        expected: u32,
        /// ID written in the encoding.
        found: u32,
    },
    /// The 32 bytes are not a valid Ed25519 public key.
    #[error("invalid Ed25519 public key")]
    InvalidPublicKey,
    /// Two verifiers share a name and key ID.
    #[error("duplicate verifier key {name}+{key_id:08x}")]
    DuplicateVerifier {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
}

/// Why a note could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError<E> {
    /// The text does not end in a newline or contains control characters.
    #[error("note text cannot be signed: {0}")]
    InvalidText(&'static str),
    /// The signer's name is not a valid key name.
    #[error("invalid signer name {0:?}")]
    InvalidSignerName(String),
    /// Structural problem with an existing signed note.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The checkpoint cannot be formatted.
    #[error(transparent)]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    /// The signer failed (key store, HSM).
    #[error("signer failed")]
    Signer(#[source] E),
}

/// Why a signed note was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Not valid UTF-8.
    #[error("note is not valid UTF-8 (at byte {offset})")]
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// An ASCII control character other than newline.
    #[error("note contains control character {byte:#04x} at byte {offset}")]
    ControlCharacter {
        /// Byte offset.
        offset: usize,
        /// The character.
        byte: u8,
    },
    /// No blank line separating text and signatures, or no final newline.
    #[error("note has no signature block")]
    NoSignatureBlock,
    /// A signature line that does not parse.
    #[error("malformed signature line {line}: {reason}")]
    MalformedSignature {
        /// 1-based line number within the signature block.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// A signature from a known key that does not verify.
    #[error("invalid signature by {name}+{key_id:08x}")]
    InvalidSignature {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
    /// Two signatures from the same known key.
    #[error("duplicate signature by {name}+{key_id:08x}")]
    DuplicateSignature {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
    /// No signature from any known key.
    #[error("note has no signature from a known key ({} unknown)", unknown.len())]
    NoKnownSignature {
        /// The signatures that were present, all from unknown keys.
        unknown: Vec<NoteSignature>,
    },
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key ID.
    pub key_id: u32,
    /// The signature bytes after the key ID.
    #[serde(skip)]
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The signature line without its final newline: `— name base64(keyid || sig)`.
    pub fn to_line(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.signature.len());
        raw.extend_from_slice(&self.key_id.to_be_bytes());
        raw.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}", self.name, BASE64.encode(raw))
    }
}

/// A note whose signatures were checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedNote {
    /// The note text, including its final newline.
    pub text: String,
    /// Signatures by known keys, all valid.
    pub verified: Vec<NoteSignature>,
    /// Signatures by unknown keys (ignored, as the spec requires; identical repeats dropped).
    pub unknown: Vec<NoteSignature>,
}

/// Signs note texts. Implement it over a key store or an HSM; [`Ed25519NoteSigner`] holds the key
/// in memory.
pub trait NoteSigner {
    /// The signer's error type.
    type Error;
    /// Key name written on the signature line (for checkpoints, the log's origin).
    fn name(&self) -> &str;
    /// Key ID, normally [`key_id`]`(name, ALG_ED25519, public key)`.
    fn key_id(&self) -> u32;
    /// Ed25519 signature of `msg`.
    fn sign(&self, msg: &[u8]) -> Result<[u8; 64], Self::Error>;
}

impl<S: NoteSigner + ?Sized> NoteSigner for &S {
    type Error = S::Error;
    fn name(&self) -> &str {
        (**self).name()
    }
    fn key_id(&self) -> u32 {
        (**self).key_id()
    }
    fn sign(&self, msg: &[u8]) -> Result<[u8; 64], Self::Error> {
        (**self).sign(msg)
    }
}

/// An in-memory Ed25519 note signer.
pub struct Ed25519NoteSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl fmt::Debug for Ed25519NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the private key.
        write!(f, "Ed25519NoteSigner({}+{:08x})", self.name, self.key_id)
    }
}

impl Ed25519NoteSigner {
    /// A signer for `name` with `key`.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, KeyError> {
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName(name.to_owned()));
        }
        let id = key_id(name, ALG_ED25519, key.verifying_key().as_bytes());
        Ok(Ed25519NoteSigner {
            name: name.to_owned(),
            key_id: id,
            key,
        })
    }

    /// Parses Go's private signer key encoding `PRIVATE+KEY+name+hash+base64(0x01 || seed)`.
    pub fn from_skey(skey: &str) -> Result<Self, KeyError> {
        let rest = skey
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(KeyError::Malformed("missing PRIVATE+KEY+ prefix"))?;
        let (name, id, data) = split_key(rest)?;
        let data = Zeroizing::new(data);
        let (alg, seed) = data.split_first().ok_or(KeyError::Malformed("empty key"))?;
        if *alg != ALG_ED25519 {
            return Err(KeyError::UnsupportedAlgorithm(*alg));
        }
        let seed: &[u8; 32] = seed
            .try_into()
            .map_err(|_| KeyError::Malformed("Ed25519 seed must be 32 bytes"))?;
        let signer = Ed25519NoteSigner::new(name, SigningKey::from_bytes(seed))?;
        if signer.key_id != id {
            return Err(KeyError::KeyIdMismatch {
                expected: signer.key_id,
                found: id,
            });
        }
        Ok(signer)
    }

    /// Go's private signer key encoding. Secret: handle like the key itself.
    pub fn to_skey(&self) -> Zeroizing<String> {
        let mut raw = Zeroizing::new(Vec::with_capacity(33));
        raw.push(ALG_ED25519);
        raw.extend_from_slice(self.key.as_bytes());
        Zeroizing::new(format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            BASE64.encode(&*raw)
        ))
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }
}

impl NoteSigner for Ed25519NoteSigner {
    type Error = Infallible;
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn sign(&self, msg: &[u8]) -> Result<[u8; 64], Infallible> {
        Ok(self.key.sign(msg).to_bytes())
    }
}

/// A known Ed25519 public key with its name and key ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// A verifier for `name` with `key`; the key ID is computed.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, KeyError> {
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName(name.to_owned()));
        }
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id: key_id(name, ALG_ED25519, key.as_bytes()),
            key,
        })
    }

    /// Parses a verifier key `name+hex(keyid)+base64(0x01 || public key)` as Go's
    /// `note.NewVerifier` does, checking the key ID.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
        let (name, id, data) = split_key(vkey)?;
        let (alg, pk) = data.split_first().ok_or(KeyError::Malformed("empty key"))?;
        if *alg != ALG_ED25519 {
            return Err(KeyError::UnsupportedAlgorithm(*alg));
        }
        let pk: &[u8; 32] = pk
            .try_into()
            .map_err(|_| KeyError::Malformed("Ed25519 public key must be 32 bytes"))?;
        let key = VerifyingKey::from_bytes(pk).map_err(|_| KeyError::InvalidPublicKey)?;
        let v = NoteVerifier::new(name, key)?;
        if v.key_id != id {
            return Err(KeyError::KeyIdMismatch {
                expected: v.key_id,
                found: id,
            });
        }
        Ok(v)
    }

    /// The verifier key text, `name+hex(keyid)+base64(0x01 || public key)`.
    pub fn to_vkey(&self) -> String {
        let mut raw = Vec::with_capacity(33);
        raw.push(ALG_ED25519);
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, BASE64.encode(raw))
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(bytes) = <&[u8; 64]>::try_from(sig) else {
            return false;
        };
        // Strict verification: rejects non-canonical encodings and small-order keys, which an
        // honest signer never produces.
        self.key
            .verify_strict(msg, &Signature::from_bytes(bytes))
            .is_ok()
    }
}

/// `name+hex8+base64` → (name, key ID, decoded key bytes). The name may not contain `+`, so
/// the first two `+` are the separators; base64 may contain `+`.
fn split_key(s: &str) -> Result<(&str, u32, Vec<u8>), KeyError> {
    let (name, rest) = s
        .split_once('+')
        .ok_or(KeyError::Malformed("missing key ID"))?;
    let (hex, b64) = rest
        .split_once('+')
        .ok_or(KeyError::Malformed("missing key data"))?;
    if !is_valid_key_name(name) {
        return Err(KeyError::InvalidName(name.to_owned()));
    }
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyError::Malformed("key ID must be 8 hex digits"));
    }
    let id = u32::from_str_radix(hex, 16).map_err(|_| KeyError::Malformed("key ID"))?;
    let data = BASE64
        .decode(b64)
        .map_err(|_| KeyError::Malformed("key data is not base64"))?;
    Ok((name, id, data))
}

/// A set of trusted verifier keys, unique by (name, key ID).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifierSet {
    verifiers: Vec<NoteVerifier>,
}

impl VerifierSet {
    /// A set of verifiers; two with the same name and key ID are an error (ambiguous).
    pub fn new(verifiers: impl IntoIterator<Item = NoteVerifier>) -> Result<Self, KeyError> {
        let mut set = VerifierSet::default();
        for v in verifiers {
            if set.get(&v.name, v.key_id).is_some() {
                return Err(KeyError::DuplicateVerifier {
                    name: v.name,
                    key_id: v.key_id,
                });
            }
            set.verifiers.push(v);
        }
        Ok(set)
    }

    /// A set with one verifier.
    pub fn single(v: NoteVerifier) -> Self {
        VerifierSet { verifiers: vec![v] }
    }

    /// Parses verifier keys (see [`NoteVerifier::from_vkey`]).
    pub fn from_vkeys<'a>(vkeys: impl IntoIterator<Item = &'a str>) -> Result<Self, KeyError> {
        let list = vkeys
            .into_iter()
            .map(NoteVerifier::from_vkey)
            .collect::<Result<Vec<_>, _>>()?;
        VerifierSet::new(list)
    }

    /// The verifier for a name and key ID, if known.
    pub fn get(&self, name: &str, key_id: u32) -> Option<&NoteVerifier> {
        self.verifiers
            .iter()
            .find(|v| v.key_id == key_id && v.name == name)
    }

    /// All verifiers.
    pub fn iter(&self) -> impl Iterator<Item = &NoteVerifier> {
        self.verifiers.iter()
    }
}

/// Checks the note-wide rules: valid UTF-8 without control characters other than newline.
fn check_chars(msg: &[u8]) -> Result<&str, NoteError> {
    let s = std::str::from_utf8(msg).map_err(|e| NoteError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    if let Some(offset) = s.bytes().position(|b| b < 0x20 && b != b'\n') {
        return Err(NoteError::ControlCharacter {
            offset,
            byte: msg.get(offset).copied().unwrap_or(0),
        });
    }
    Ok(s)
}

/// Splits a signed note into its text and signature lines, checking syntax only (no
/// cryptography). The text includes its final newline.
pub fn parse_note(msg: &[u8]) -> Result<(&str, Vec<NoteSignature>), NoteError> {
    let s = check_chars(msg)?;
    // The text ends at the *last* blank line: the text itself may contain blank lines, the
    // signature block never does.
    let split = s.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
    let text = s.get(..=split).ok_or(NoteError::NoSignatureBlock)?;
    let block = s.get(split + 2..).ok_or(NoteError::NoSignatureBlock)?;
    let Some(block) = block.strip_suffix('\n') else {
        return Err(NoteError::NoSignatureBlock);
    };
    if block.is_empty() {
        return Err(NoteError::NoSignatureBlock);
    }
    let mut sigs = Vec::new();
    for (i, line) in block.split('\n').enumerate() {
        let lineno = i + 1;
        if lineno > MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        let bad = |reason| NoteError::MalformedSignature {
            line: lineno,
            reason,
        };
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(bad("does not start with an em dash and a space"))?;
        let (name, b64) = rest.split_once(' ').ok_or(bad("no space after key name"))?;
        if !is_valid_key_name(name) {
            return Err(bad("invalid key name"));
        }
        let raw = BASE64
            .decode(b64)
            .map_err(|_| bad("signature is not base64"))?;
        let (id, sig) = raw
            .split_first_chunk::<4>()
            .filter(|(_, sig)| !sig.is_empty())
            .ok_or(bad("signature too short"))?;
        let key_id = u32::from_be_bytes(*id);
        sigs.push(NoteSignature {
            name: name.to_owned(),
            key_id,
            signature: sig.to_vec(),
        });
    }
    Ok((text, sigs))
}

/// Parses a signed note and verifies its signatures against `known`.
///
/// Signatures by unknown keys are ignored (listed in [`OpenedNote::unknown`]), as the spec
/// requires. A signature by a known key that fails is an error, as are two signatures by the
/// same known key (stricter than Go, which drops the repeat unchecked), and a note with no
/// valid signature by a known key.
pub fn open_note(msg: &[u8], known: &VerifierSet) -> Result<OpenedNote, NoteError> {
    let (text, sigs) = parse_note(msg)?;
    let mut verified: Vec<NoteSignature> = Vec::new();
    let mut unknown: Vec<NoteSignature> = Vec::new();
    for sig in sigs {
        match known.get(&sig.name, sig.key_id) {
            Some(v) => {
                if verified
                    .iter()
                    .any(|s| s.name == sig.name && s.key_id == sig.key_id)
                {
                    return Err(NoteError::DuplicateSignature {
                        name: sig.name,
                        key_id: sig.key_id,
                    });
                }
                if !v.verify(text.as_bytes(), &sig.signature) {
                    return Err(NoteError::InvalidSignature {
                        name: sig.name,
                        key_id: sig.key_id,
                    });
                }
                verified.push(sig);
            }
            None => {
                if !unknown.contains(&sig) {
                    unknown.push(sig);
                }
            }
        }
    }
    if verified.is_empty() {
        return Err(NoteError::NoKnownSignature { unknown });
    }
    Ok(OpenedNote {
        text: text.to_owned(),
        verified,
        unknown,
    })
}

fn check_text<E>(text: &str) -> Result<(), SignError<E>> {
    if !text.ends_with('\n') {
        return Err(SignError::InvalidText("text must end with a newline"));
    }
    if text.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(SignError::InvalidText("text contains control characters"));
    }
    Ok(())
}

fn signature_line<S: NoteSigner>(text: &str, signer: &S) -> Result<String, SignError<S::Error>> {
    let name = signer.name();
    if !is_valid_key_name(name) {
        return Err(SignError::InvalidSignerName(name.to_owned()));
    }
    let sig = signer.sign(text.as_bytes()).map_err(SignError::Signer)?;
    let line = NoteSignature {
        name: name.to_owned(),
        key_id: signer.key_id(),
        signature: sig.to_vec(),
    }
    .to_line();
    Ok(line)
}

/// Signs `text` (which must end in a newline and contain no control characters other than
/// newline), returning the signed note.
pub fn sign_note<S: NoteSigner>(text: &str, signer: &S) -> Result<String, SignError<S::Error>> {
    check_text(text)?;
    let line = signature_line(text, signer)?;
    Ok(format!("{text}\n{line}\n"))
}

/// Adds `signer`'s signature to an already signed note (key rotation, cosigning), replacing an
/// earlier signature by the same key. Existing signatures are kept as they are, unverified.
pub fn add_signature<S: NoteSigner>(
    signed: &str,
    signer: &S,
) -> Result<String, SignError<S::Error>> {
    let (text, sigs) = parse_note(signed.as_bytes())?;
    check_text(text)?;
    let line = signature_line(text, signer)?;
    let mut out = String::with_capacity(signed.len() + line.len() + 1);
    out.push_str(text);
    out.push('\n');
    for s in sigs
        .iter()
        .filter(|s| !(s.name == signer.name() && s.key_id == signer.key_id()))
    {
        out.push_str(&s.to_line());
        out.push('\n');
    }
    out.push_str(&line);
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known answers from Go's golang.org/x/mod/sumdb/note tests and package documentation.
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter() -> VerifierSet {
        VerifierSet::from_vkeys([PETER_VKEY]).expect("vkey")
    }

    #[test]
    fn go_known_answer_sign() {
        let signer = Ed25519NoteSigner::from_skey(PETER_SKEY).expect("skey");
        assert_eq!(signer.key_id(), 0xc74f20a3);
        assert_eq!(signer.verifier().to_vkey(), PETER_VKEY);
        assert_eq!(&*signer.to_skey(), PETER_SKEY);
        let msg = sign_note(TEXT, &signer).expect("sign");
        assert_eq!(msg, format!("{TEXT}\n{PETER_SIG}"));
    }

    #[test]
    fn go_known_answer_open() {
        let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        let n = open_note(both.as_bytes(), &peter()).expect("open");
        assert_eq!(n.text, TEXT);
        assert_eq!(n.verified.len(), 1);
        assert_eq!(n.verified[0].name, "PeterNeumann");
        assert_eq!(n.unknown.len(), 1);
        assert_eq!(n.unknown[0].key_id, 0xaf0cfe78);

        let set = VerifierSet::from_vkeys([PETER_VKEY, ENOCH_VKEY]).expect("vkeys");
        let n = open_note(both.as_bytes(), &set).expect("open");
        assert_eq!(n.verified.len(), 2);
        assert!(n.unknown.is_empty());

        let err = open_note(both.as_bytes(), &VerifierSet::default()).expect_err("no keys");
        assert!(matches!(err, NoteError::NoKnownSignature { ref unknown } if unknown.len() == 2));
    }

    #[test]
    fn rejects_bad_notes() {
        let bad_sig = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        assert!(matches!(
            open_note(bad_sig.as_bytes(), &peter()),
            Err(NoteError::InvalidSignature { .. })
        ));
        let dup = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}");
        assert!(matches!(
            open_note(dup.as_bytes(), &peter()),
            Err(NoteError::DuplicateSignature { .. })
        ));
        let many = format!("{TEXT}\n{}", ENOCH_SIG.repeat(101));
        assert_eq!(
            open_note(many.as_bytes(), &peter()),
            Err(NoteError::TooManySignatures)
        );
        let bad_msgs = [
            TEXT.to_owned(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\x01{TEXT}\n{PETER_SIG}"),
            format!(
                "{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
            format!("{TEXT}\n\u{2014} PeterNeumann \n"),
            format!("{TEXT}\n\u{2014} PeterNeumann AAAA\n"),
            format!(
                "{TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            format!("{TEXT}\r\n{PETER_SIG}"),
        ];
        for m in bad_msgs {
            assert!(open_note(m.as_bytes(), &peter()).is_err(), "{m:?}");
        }
        assert!(matches!(
            open_note(b"\xff\n\n", &peter()),
            Err(NoteError::NotUtf8 { offset: 0 })
        ));
    }

    #[test]
    fn vkey_manglings_are_rejected() {
        assert!(NoteVerifier::from_vkey(PETER_VKEY).is_ok());
        let b = PETER_VKEY.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if i == 0 && j == b.len() {
                    continue;
                }
                if let Ok(s) = std::str::from_utf8(&b[i..j]) {
                    assert!(NoteVerifier::from_vkey(s).is_err(), "{s}");
                }
            }
        }
        let mut m = b.to_vec();
        for i in 0..m.len() {
            m[i] = m[i].wrapping_add(1);
            if let Ok(s) = std::str::from_utf8(&m) {
                assert!(NoteVerifier::from_vkey(s).is_err(), "{s}");
            }
            m[i] = m[i].wrapping_sub(1);
        }
        // Wrong-length key and unknown algorithm, each with a matching key ID (Go's test data).
        assert!(
            NoteVerifier::from_vkey(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            )
            .is_err()
        );
        assert_eq!(
            NoteVerifier::from_vkey(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(KeyError::UnsupportedAlgorithm(0x65))
        );
    }

    #[test]
    fn add_signature_keeps_and_replaces() {
        let peter = Ed25519NoteSigner::from_skey(PETER_SKEY).expect("skey");
        let other = Ed25519NoteSigner::new("example.com/other", SigningKey::from_bytes(&[7; 32]))
            .expect("signer");
        let once = sign_note(TEXT, &other).expect("sign");
        let twice = add_signature(&once, &peter).expect("cosign");
        assert_eq!(twice, format!("{}{PETER_SIG}", once));
        let again = add_signature(&twice, &peter).expect("re-sign");
        assert_eq!(again, twice);
        let set = VerifierSet::new([peter.verifier(), other.verifier()]).expect("set");
        assert_eq!(
            open_note(twice.as_bytes(), &set)
                .expect("open")
                .verified
                .len(),
            2
        );
        assert!(matches!(
            VerifierSet::new([peter.verifier(), peter.verifier()]),
            Err(KeyError::DuplicateVerifier { .. })
        ));
    }

    #[test]
    fn sign_rejects_bad_text_and_names() {
        let peter = Ed25519NoteSigner::from_skey(PETER_SKEY).expect("skey");
        assert!(sign_note("no newline", &peter).is_err());
        assert!(sign_note("tab\there\n", &peter).is_err());
        assert!(Ed25519NoteSigner::new("bad name", SigningKey::from_bytes(&[1; 32])).is_err());
        assert!(Ed25519NoteSigner::new("a+b", SigningKey::from_bytes(&[1; 32])).is_err());
        assert!(Ed25519NoteSigner::new("", SigningKey::from_bytes(&[1; 32])).is_err());
        assert!(format!("{peter:?}").contains("c74f20a3"));
        assert!(!format!("{peter:?}").contains("AYEK"));
    }
}
