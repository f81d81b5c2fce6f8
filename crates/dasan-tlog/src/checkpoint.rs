//! C2SP `tlog-checkpoint`: the signed statement of a log's size and root hash.
//!
//! ```text
//! example.com/behind-the-sofa
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//!
//! — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurm...
//! ```

use crate::hash::Hash;
use crate::note::{
    NoteError, NoteSigner, OpenedNote, SignError, VerifierSet, open_note, sign_note,
};
use crate::proof::{ConsistencyProof, ProofError, TreeHead};

/// The body of a checkpoint: origin, tree size, root hash and optional extension lines.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// Unique identifier of the log, e.g. `gov.example/dasan/audit`.
    pub origin: String,
    /// Number of records in the tree.
    pub size: u64,
    /// RFC 9162 root hash of the tree.
    pub root: Hash,
    /// Opaque extension lines (NOT RECOMMENDED by the spec; usually empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
}

/// Why a checkpoint body or signed checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The text does not end in a newline.
    #[error("checkpoint text must end with a newline")]
    NoFinalNewline,
    /// Fewer than the three mandatory lines.
    #[error("checkpoint has fewer than three lines")]
    TooFewLines,
    /// An empty line (1-based line number).
    #[error("checkpoint line {line} is empty")]
    EmptyLine {
        /// Line number.
        line: usize,
    },
    /// A control character (the text must be a valid note text).
    #[error("checkpoint contains a control character at byte {offset}")]
    ControlCharacter {
        /// Byte offset.
        offset: usize,
    },
    /// The size line is not a canonical decimal number.
    #[error("invalid tree size: {0}")]
    InvalidSize(&'static str),
    /// The root line is not the base64 of 32 bytes.
    #[error("invalid root hash")]
    InvalidRoot,
    /// A field that cannot be formatted (empty, or containing a newline or control character).
    #[error("invalid {0} for a checkpoint")]
    InvalidField(&'static str),
    /// The signed note failed to open.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The checkpoint is from another log.
    #[error("checkpoint origin {found:?} is not the expected {expected:?}")]
    OriginMismatch {
        /// The origin the caller trusts.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
}

/// Why a newer checkpoint was not shown to extend an older one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The two checkpoints come from different logs.
    #[error("checkpoints have different origins: {old:?} and {new:?}")]
    OriginMismatch {
        /// Origin of the old checkpoint.
        old: String,
        /// Origin of the new checkpoint.
        new: String,
    },
    /// The log shrank.
    #[error("the new checkpoint (size {new}) is smaller than the old one (size {old})")]
    Shrunk {
        /// Old size.
        old: u64,
        /// New size.
        new: u64,
    },
    /// The proof is for other sizes than the two checkpoints.
    #[error("proof covers sizes {proof_old}..{proof_new}, checkpoints are {old}..{new}")]
    ProofSizes {
        /// Old size in the proof.
        proof_old: u64,
        /// New size in the proof.
        proof_new: u64,
        /// Old checkpoint size.
        old: u64,
        /// New checkpoint size.
        new: u64,
    },
    /// The consistency proof failed: the log's history was rewritten (or the proof is bad).
    #[error("consistency proof failed: {0}")]
    Proof(#[from] ProofError),
}

fn control_char(s: &str) -> Option<usize> {
    s.bytes().position(|b| b < 0x20 && b != b'\n')
}

fn parse_size(s: &str) -> Result<u64, CheckpointError> {
    if s.is_empty() {
        return Err(CheckpointError::InvalidSize("empty"));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CheckpointError::InvalidSize("not a decimal number"));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(CheckpointError::InvalidSize("leading zero"));
    }
    s.parse::<u64>()
        .map_err(|_| CheckpointError::InvalidSize("too large"))
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Checkpoint {
        Checkpoint {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The size and root.
    pub fn tree_head(&self) -> TreeHead {
        TreeHead {
            size: self.size,
            root: self.root,
        }
    }

    /// Formats the note text: one line each for origin, size, base64 root and any extensions,
    /// each ending in a newline.
    pub fn to_text(&self) -> Result<String, CheckpointError> {
        let line_ok = |s: &str| !s.is_empty() && control_char(s).is_none() && !s.contains('\n');
        if !line_ok(&self.origin) {
            return Err(CheckpointError::InvalidField("origin"));
        }
        if !self.extensions.iter().all(|e| line_ok(e)) {
            return Err(CheckpointError::InvalidField("extension line"));
        }
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        Ok(s)
    }

    /// Parses a checkpoint note text strictly: at least three non-empty lines, each ending in a
    /// newline; a decimal size without leading zeros; a canonical base64 32-byte root.
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        if let Some(offset) = control_char(text) {
            return Err(CheckpointError::ControlCharacter { offset });
        }
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::NoFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        if let Some(i) = lines.iter().position(|l| l.is_empty()) {
            return Err(CheckpointError::EmptyLine { line: i + 1 });
        }
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines);
        };
        Ok(Checkpoint {
            origin: (*origin).to_owned(),
            size: parse_size(size)?,
            root: Hash::from_base64(root).map_err(|_| CheckpointError::InvalidRoot)?,
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
        })
    }

    /// Formats and signs the checkpoint, returning the signed note.
    pub fn sign<S: NoteSigner>(&self, signer: &S) -> Result<String, SignError<S::Error>> {
        let text = self.to_text()?;
        sign_note(&text, signer)
    }

    /// Opens a signed checkpoint: verifies the note against `verifiers`, parses the body and
    /// checks that it comes from the log `origin`.
    pub fn open(
        signed: &str,
        verifiers: &VerifierSet,
        origin: &str,
    ) -> Result<(Checkpoint, OpenedNote), CheckpointError> {
        let note = open_note(signed.as_bytes(), verifiers)?;
        let cp = Checkpoint::parse(&note.text)?;
        if cp.origin != origin {
            return Err(CheckpointError::OriginMismatch {
                expected: origin.to_owned(),
                found: cp.origin,
            });
        }
        Ok((cp, note))
    }

    /// Checks that this (newer) checkpoint is an append-only extension of `old`, using a
    /// consistency proof from `old.size` to `self.size`. Both checkpoints should already have
    /// been opened with [`Checkpoint::open`].
    pub fn verify_extends(
        &self,
        old: &Checkpoint,
        proof: &ConsistencyProof,
    ) -> Result<(), AuditError> {
        if self.origin != old.origin {
            return Err(AuditError::OriginMismatch {
                old: old.origin.clone(),
                new: self.origin.clone(),
            });
        }
        if self.size < old.size {
            return Err(AuditError::Shrunk {
                old: old.size,
                new: self.size,
            });
        }
        if proof.old_size != old.size || proof.new_size != self.size {
            return Err(AuditError::ProofSizes {
                proof_old: proof.old_size,
                proof_new: proof.new_size,
                old: old.size,
                new: self.size,
            });
        }
        proof.verify(&old.root, &self.root)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn format_and_parse_spec_example_body() {
        let text =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let cp = Checkpoint::parse(text).expect("parse");
        assert_eq!(cp.origin, "example.com/behind-the-sofa");
        assert_eq!(cp.size, 20852163);
        assert!(cp.extensions.is_empty());
        assert_eq!(cp.to_text().expect("format"), text);
    }

    #[test]
    fn extensions_round_trip() {
        let mut cp = Checkpoint::new("o", 0, leaf_hash(b""));
        cp.extensions = vec!["ext one".into(), "— two".into()];
        let t = cp.to_text().expect("format");
        assert_eq!(Checkpoint::parse(&t), Ok(cp));
    }

    #[test]
    fn strict_parsing() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        let bad: &[(&str, CheckpointError)] = &[
            ("o\n1\nROOT", CheckpointError::NoFinalNewline),
            ("o\n1\n", CheckpointError::TooFewLines),
            (
                "o\n01\nROOT\n",
                CheckpointError::InvalidSize("leading zero"),
            ),
            (
                "o\n00\nROOT\n",
                CheckpointError::InvalidSize("leading zero"),
            ),
            (
                "o\n+1\nROOT\n",
                CheckpointError::InvalidSize("not a decimal number"),
            ),
            (
                "o\n-1\nROOT\n",
                CheckpointError::InvalidSize("not a decimal number"),
            ),
            (
                "o\n 1\nROOT\n",
                CheckpointError::InvalidSize("not a decimal number"),
            ),
            (
                "o\n18446744073709551616\nROOT\n",
                CheckpointError::InvalidSize("too large"),
            ),
            ("o\n1\nAAAA\n", CheckpointError::InvalidRoot),
            ("o\n1\nROOT\n\n", CheckpointError::EmptyLine { line: 4 }),
            (
                "o\n1\nROOT\n\next\n",
                CheckpointError::EmptyLine { line: 4 },
            ),
            ("\n1\nROOT\n", CheckpointError::EmptyLine { line: 1 }),
            (
                "o\r\n1\nROOT\n",
                CheckpointError::ControlCharacter { offset: 1 },
            ),
        ];
        for (text, want) in bad {
            let text = text.replace("ROOT", root);
            assert_eq!(Checkpoint::parse(&text).as_ref(), Err(want), "{text:?}");
        }
        assert_eq!(
            Checkpoint::parse(&format!("o\n0\n{root}\n")).map(|c| c.size),
            Ok(0)
        );
        assert_eq!(
            Checkpoint::parse(&format!("o\n18446744073709551615\n{root}\n")).map(|c| c.size),
            Ok(u64::MAX)
        );
    }

    #[test]
    fn refuses_to_format_bad_fields() {
        assert!(Checkpoint::new("", 1, Hash::ZERO).to_text().is_err());
        assert!(Checkpoint::new("a\nb", 1, Hash::ZERO).to_text().is_err());
        let mut cp = Checkpoint::new("o", 1, Hash::ZERO);
        cp.extensions.push(String::new());
        assert!(cp.to_text().is_err());
    }
}
