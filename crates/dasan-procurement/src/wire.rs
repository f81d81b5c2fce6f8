//! The length-prefixed binary encoding shared by every format of this crate.
//!
//! All integers are unsigned big-endian. A `str` is a `u16` byte length followed by that many
//! bytes of UTF-8; `bytes16`/`bytes32` are a `u16`/`u32` length followed by the bytes; fixed
//! fields (hashes, keys) are written as they are. Readers reject trailing bytes, so a value has
//! exactly one encoding.

/// Why bytes could not be decoded: what was expected, and the byte offset where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {offset}")]
pub struct DecodeError {
    /// Byte offset in the input where decoding failed.
    pub offset: usize,
    /// What was wrong there.
    pub what: String,
}

pub(crate) struct Writer {
    buf: Vec<u8>,
}

/// A length does not fit its prefix (the caller validates lengths first; this is the backstop).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} is too long ({len} bytes, at most {max})")]
pub struct TooLong {
    /// The field.
    pub field: &'static str,
    /// Its length.
    pub len: usize,
    /// The largest length allowed.
    pub max: usize,
}

impl Writer {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(n),
        }
    }

    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn count16(&mut self, field: &'static str, n: usize) -> Result<(), TooLong> {
        let v = u16::try_from(n).map_err(|_| TooLong {
            field,
            len: n,
            max: u16::MAX as usize,
        })?;
        self.u16(v);
        Ok(())
    }

    pub(crate) fn str(&mut self, field: &'static str, s: &str) -> Result<(), TooLong> {
        self.bytes16(field, s.as_bytes())
    }

    pub(crate) fn bytes16(&mut self, field: &'static str, b: &[u8]) -> Result<(), TooLong> {
        self.count16(field, b.len())?;
        self.raw(b);
        Ok(())
    }

    pub(crate) fn bytes32(&mut self, field: &'static str, b: &[u8]) -> Result<(), TooLong> {
        let v = u32::try_from(b.len()).map_err(|_| TooLong {
            field,
            len: b.len(),
            max: u32::MAX as usize,
        })?;
        self.u32(v);
        self.raw(b);
        Ok(())
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn err(&self, what: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.pos,
            what: what.into(),
        }
    }

    pub(crate) fn err_at(offset: usize, what: impl Into<String>) -> DecodeError {
        DecodeError {
            offset,
            what: what.into(),
        }
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| {
                self.err(format!(
                    "truncated {what}: {n} bytes needed, {} left",
                    self.data.len() - self.pos
                ))
            })?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], DecodeError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn bytes16(&mut self, what: &str) -> Result<&'a [u8], DecodeError> {
        let n = self.u16(what)?;
        self.take(usize::from(n), what)
    }

    pub(crate) fn bytes32(&mut self, what: &str, max: usize) -> Result<&'a [u8], DecodeError> {
        let at = self.pos;
        let n = self.u32(what)? as usize;
        if n > max {
            return Err(Self::err_at(
                at,
                format!("{what} is {n} bytes, more than the {max} allowed"),
            ));
        }
        self.take(n, what)
    }

    pub(crate) fn str(&mut self, what: &str) -> Result<&'a str, DecodeError> {
        let at = self.pos + 2;
        let b = self.bytes16(what)?;
        std::str::from_utf8(b)
            .map_err(|e| Self::err_at(at + e.valid_up_to(), format!("{what} is not valid UTF-8")))
    }

    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(self.err(format!(
                "{} unexpected trailing bytes",
                self.data.len() - self.pos
            )))
        }
    }
}
