//! C2SP `tlog-proof`: a self-contained, offline-verifiable proof that a record is in the log —
//! its index, the inclusion proof and the signed checkpoint it leads to.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! index 3
//! <base64 hash>
//! ...
//!
//! <signed checkpoint, verbatim>
//! ```

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::hash::Hash;
use crate::note::VerifierSet;
use crate::proof::{InclusionProof, ProofError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// First line of every proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// More hashes than any inclusion proof in a tree of 2^62 records can have.
const MAX_PROOF_HASHES: usize = 64;

/// A parsed `tlog-proof`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque, unauthenticated extra data.
    pub extra: Option<Vec<u8>>,
    /// Zero-based index of the record.
    pub index: u64,
    /// Inclusion proof hashes, leaf sibling first.
    pub hashes: Vec<Hash>,
    /// The signed checkpoint, verbatim (ends in a newline).
    pub checkpoint: String,
}

/// Why a `tlog-proof` was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogProofError {
    /// A syntax problem on a given 1-based line.
    #[error("malformed tlog-proof at line {line}: {reason}")]
    Syntax {
        /// Line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The embedded checkpoint failed to open or parse.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The inclusion proof does not lead to the checkpoint's root.
    #[error("inclusion proof failed: {0}")]
    Proof(#[from] ProofError),
}

impl TlogProof {
    /// Builds a proof from an inclusion proof and the signed checkpoint of the same tree size.
    pub fn new(proof: &InclusionProof, signed_checkpoint: &str) -> TlogProof {
        TlogProof {
            extra: None,
            index: proof.leaf_index,
            hashes: proof.hashes.clone(),
            checkpoint: signed_checkpoint.to_owned(),
        }
    }

    /// Formats the proof.
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(128 + 45 * self.hashes.len() + self.checkpoint.len());
        s.push_str(TLOG_PROOF_HEADER);
        s.push('\n');
        if let Some(extra) = &self.extra {
            s.push_str("extra ");
            s.push_str(&BASE64.encode(extra));
            s.push('\n');
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.hashes {
            s.push_str(&h.to_base64());
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    /// Parses a proof (syntax only; see [`TlogProof::verify`]).
    pub fn parse(text: &str) -> Result<TlogProof, TlogProofError> {
        let syntax = |line, reason| TlogProofError::Syntax { line, reason };
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or(syntax(1, "no blank line before the checkpoint"))?;
        if checkpoint.is_empty() {
            return Err(syntax(1, "missing checkpoint"));
        }
        let mut lines = head.split('\n').enumerate().map(|(i, l)| (i + 1, l));
        match lines.next() {
            Some((_, TLOG_PROOF_HEADER)) => {}
            _ => return Err(syntax(1, "missing c2sp.org/tlog-proof@v1 header")),
        }
        let (mut lineno, mut line) = lines.next().ok_or(syntax(2, "missing index line"))?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra = Some(
                BASE64
                    .decode(b64)
                    .map_err(|_| syntax(lineno, "extra data is not base64"))?,
            );
            (lineno, line) = lines
                .next()
                .ok_or(syntax(lineno + 1, "missing index line"))?;
        }
        let digits = line
            .strip_prefix("index ")
            .ok_or(syntax(lineno, "expected index line"))?;
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return Err(syntax(
                lineno,
                "index must be a decimal number without leading zeros",
            ));
        }
        let index = digits
            .parse::<u64>()
            .map_err(|_| syntax(lineno, "index too large"))?;
        let mut hashes = Vec::new();
        for (n, l) in lines {
            if hashes.len() == MAX_PROOF_HASHES {
                return Err(syntax(n, "too many proof hashes"));
            }
            hashes.push(
                Hash::from_base64(l)
                    .map_err(|_| syntax(n, "proof hash is not base64 of 32 bytes"))?,
            );
        }
        Ok(TlogProof {
            extra,
            index,
            hashes,
            checkpoint: checkpoint.to_owned(),
        })
    }

    /// Opens the checkpoint with `verifiers` for log `origin` and checks that the proof puts
    /// `leaf_hash` at [`TlogProof::index`] in that tree. Returns the checkpoint.
    pub fn verify(
        &self,
        leaf_hash: &Hash,
        verifiers: &VerifierSet,
        origin: &str,
    ) -> Result<Checkpoint, TlogProofError> {
        let (cp, _) = Checkpoint::open(&self.checkpoint, verifiers, origin)?;
        let proof = InclusionProof {
            leaf_index: self.index,
            tree_size: cp.size,
            hashes: self.hashes.clone(),
        };
        proof.verify(leaf_hash, &cp.root)?;
        Ok(cp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors() {
        let h = Hash::ZERO.to_base64();
        let cases = [
            "c2sp.org/tlog-proof@v1\nindex 1\n".to_owned(),
            "c2sp.org/tlog-proof@v2\nindex 1\n\ncp\n".to_owned(),
            "c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n".to_owned(),
            "c2sp.org/tlog-proof@v1\nindex \n\ncp\n".to_owned(),
            "c2sp.org/tlog-proof@v1\nindex -1\n\ncp\n".to_owned(),
            "c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\ncp\n".to_owned(),
            "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\ncp\n".to_owned(),
            "c2sp.org/tlog-proof@v1\nindex 1\n\n".to_owned(),
            format!(
                "c2sp.org/tlog-proof@v1\nindex 1\n{}\n\ncp\n",
                vec![h; 65].join("\n")
            ),
        ];
        for c in cases {
            assert!(TlogProof::parse(&c).is_err(), "{c:?}");
        }
    }

    #[test]
    fn round_trip_with_extra() {
        let p = TlogProof {
            extra: Some(b"hello".to_vec()),
            index: 7,
            hashes: vec![Hash::ZERO, Hash([1; 32])],
            checkpoint: "o\n8\nAAAA\n\n\u{2014} o AAAA\n".to_owned(),
        };
        assert_eq!(TlogProof::parse(&p.to_text()), Ok(p));
    }
}
