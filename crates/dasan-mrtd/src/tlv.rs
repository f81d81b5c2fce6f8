//! A small BER-TLV reader for the LDS's application-tagged wrappers (ISO/IEC 7816-4).
//!
//! The LDS wraps DER (and some plain BER-TLV) in application tags such as `61` (DG1) or `77`
//! (EF.SOD). RustCrypto's `der` decodes what is inside; this reader only finds the pieces,
//! and never panics: every index is checked.

use thiserror::Error;

/// A TLV problem at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TlvError {
    /// The data ends inside a tag, length or value.
    #[error("truncated TLV at byte {offset}")]
    Truncated {
        /// Offset of the TLV.
        offset: usize,
    },
    /// Tags longer than 3 bytes, lengths longer than 4 bytes, or indefinite lengths.
    #[error("unsupported TLV encoding at byte {offset}")]
    Unsupported {
        /// Offset of the TLV.
        offset: usize,
    },
    /// A different tag than expected.
    #[error("expected tag {expected:X}, found {found:X} at byte {offset}")]
    UnexpectedTag {
        /// Wanted.
        expected: u32,
        /// Found.
        found: u32,
        /// Offset.
        offset: usize,
    },
    /// Bytes after the outer TLV.
    #[error("{count} trailing bytes after the TLV")]
    Trailing {
        /// How many.
        count: usize,
    },
}

/// One TLV: tag (as its bytes in big-endian order), value and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The tag bytes as a number, e.g. `0x5F1F`.
    pub tag: u32,
    /// The value.
    pub value: &'a [u8],
    /// Tag, length and value.
    pub raw: &'a [u8],
    /// Offset of the tag within the buffer the reader was given.
    pub offset: usize,
}

impl Tlv<'_> {
    /// Is the tag constructed (bit 6 of its first byte)?
    pub fn constructed(&self) -> bool {
        self.raw.first().is_some_and(|b| b & 0x20 != 0)
    }
}

/// Reads consecutive TLVs.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            base: 0,
        }
    }

    fn nested(data: &'a [u8], base: usize) -> Self {
        Reader { data, pos: 0, base }
    }

    /// No more bytes.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The next TLV.
    pub fn read(&mut self) -> Result<Tlv<'a>, TlvError> {
        let start = self.pos;
        let offset = self.base + start;
        let byte = |i: usize| {
            self.data
                .get(i)
                .copied()
                .ok_or(TlvError::Truncated { offset })
        };
        let mut i = start;
        let first = byte(i)?;
        let mut tag = u32::from(first);
        i += 1;
        if first & 0x1F == 0x1F {
            loop {
                let b = byte(i)?;
                i += 1;
                if i - start > 3 {
                    return Err(TlvError::Unsupported { offset });
                }
                tag = (tag << 8) | u32::from(b);
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let l0 = byte(i)?;
        i += 1;
        let len = if l0 < 0x80 {
            usize::from(l0)
        } else {
            let n = usize::from(l0 & 0x7F);
            if n == 0 || n > 4 {
                return Err(TlvError::Unsupported { offset });
            }
            let mut len = 0usize;
            for _ in 0..n {
                len = (len << 8) | usize::from(byte(i)?);
                i += 1;
            }
            len
        };
        let end = i.checked_add(len).ok_or(TlvError::Truncated { offset })?;
        let value = self
            .data
            .get(i..end)
            .ok_or(TlvError::Truncated { offset })?;
        let raw = self
            .data
            .get(start..end)
            .ok_or(TlvError::Truncated { offset })?;
        self.pos = end;
        Ok(Tlv {
            tag,
            value,
            raw,
            offset,
        })
    }

    /// The next TLV, which must carry `tag`.
    pub fn expect(&mut self, tag: u32) -> Result<Tlv<'a>, TlvError> {
        let t = self.read()?;
        if t.tag != tag {
            return Err(TlvError::UnexpectedTag {
                expected: tag,
                found: t.tag,
                offset: t.offset,
            });
        }
        Ok(t)
    }

    /// All remaining TLVs.
    pub fn all(mut self) -> Result<Vec<Tlv<'a>>, TlvError> {
        let mut out = Vec::new();
        while !self.is_empty() {
            out.push(self.read()?);
        }
        Ok(out)
    }
}

impl<'a> Tlv<'a> {
    /// A reader over this TLV's value.
    pub fn children(&self) -> Reader<'a> {
        let header = self.raw.len() - self.value.len();
        Reader::nested(self.value, self.offset + header)
    }
}

/// Reads exactly one TLV with `tag` filling all of `data`.
pub fn single(data: &[u8], tag: u32) -> Result<Tlv<'_>, TlvError> {
    let mut r = Reader::new(data);
    let t = r.expect(tag)?;
    let rest = data.len() - t.raw.len();
    if rest != 0 {
        return Err(TlvError::Trailing { count: rest });
    }
    Ok(t)
}

/// Encodes a TLV (definite length; `tag` given as its bytes, e.g. `0x5F1F`).
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    let tag_bytes = tag.to_be_bytes();
    let skip = tag_bytes.iter().position(|&b| b != 0).unwrap_or(3);
    out.extend_from_slice(&tag_bytes[skip..]);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let lb = len.to_be_bytes();
        let skip = lb.iter().position(|&b| b != 0).unwrap_or(lb.len() - 1);
        out.push(0x80 | (lb.len() - skip) as u8);
        out.extend_from_slice(&lb[skip..]);
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let v = vec![7u8; 300];
        let e = encode(0x5F1F, &v);
        let t = single(&e, 0x5F1F).unwrap();
        assert_eq!(t.value, &v[..]);
        for cut in 0..e.len() {
            assert!(single(&e[..cut], 0x5F1F).is_err());
        }
        assert!(single(&[0x61, 0x80, 0, 0], 0x61).is_err());
        assert!(single(&[0x5F, 0xFF, 0xFF, 0xFF, 0x01, 0], 0x5F).is_err());
    }
}
