//! Release and record packages, written item by item to any `io::Write` (flat memory at any
//! size: nothing but the current item is held).

use std::io::{self, Write};

use serde::Serialize;
use serde_with::skip_serializing_none;

use crate::merge::Record;
use crate::model::{DateTime, Release};

/// The OCDS version packages declare (`major.minor`; the data follows 1.1.5).
pub const OCDS_VERSION: &str = "1.1";

/// The extensions every package declares: the official bids and lots extensions.
pub const EXTENSIONS: [&str; 2] = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bids_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
];

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Publisher {
    pub name: String,
    pub scheme: Option<String>,
    pub uid: Option<String>,
    pub uri: Option<String>,
}

/// Paging links (`links.next`, as in OCDS 1.2; 1.1 packages allow extra fields).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Links {
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// What a package says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageMeta {
    /// Where this package can be read.
    pub uri: String,
    pub published_date: dasan_kernel::Timestamp,
    pub publisher: Publisher,
    pub license: Option<String>,
    pub publication_policy: Option<String>,
    pub links: Option<Links>,
}

#[skip_serializing_none]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Header<'a> {
    uri: &'a str,
    version: &'static str,
    extensions: &'static [&'static str],
    published_date: DateTime,
    publisher: &'a Publisher,
    license: Option<&'a str>,
    publication_policy: Option<&'a str>,
    links: Option<&'a Links>,
}

/// A package being written: the header, then items, then [`PackageWriter::finish`].
#[derive(Debug)]
pub struct PackageWriter<W: Write> {
    w: W,
    count: u64,
}

impl<W: Write> PackageWriter<W> {
    fn start(mut w: W, meta: &PackageMeta, list: &str) -> io::Result<Self> {
        let header = Header {
            uri: &meta.uri,
            version: OCDS_VERSION,
            extensions: &EXTENSIONS,
            published_date: DateTime(meta.published_date),
            publisher: &meta.publisher,
            license: meta.license.as_deref(),
            publication_policy: meta.publication_policy.as_deref(),
            links: meta.links.as_ref(),
        };
        let mut bytes = serde_json::to_vec(&header)?;
        // `{...}` → `{...,"releases":[`
        bytes.pop();
        w.write_all(&bytes)?;
        write!(w, ",\"{list}\":[")?;
        Ok(Self { w, count: 0 })
    }

    fn item<T: Serialize>(&mut self, item: &T) -> io::Result<()> {
        if self.count > 0 {
            self.w.write_all(b",")?;
        }
        serde_json::to_writer(&mut self.w, item)?;
        self.count += 1;
        Ok(())
    }

    /// How many items were written.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The underlying writer, e.g. to take the bytes written so far out of a `Vec<u8>` and send
    /// them on between items (a streamed HTTP body).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.w
    }

    /// Closes the package and returns the writer (flush it if it buffers).
    pub fn finish(mut self) -> io::Result<W> {
        self.w.write_all(b"]}\n")?;
        Ok(self.w)
    }
}

/// A release package.
#[derive(Debug)]
pub struct ReleasePackageWriter<W: Write>(PackageWriter<W>);

impl<W: Write> ReleasePackageWriter<W> {
    /// See [`PackageWriter::get_mut`].
    pub fn get_mut(&mut self) -> &mut W {
        self.0.get_mut()
    }

    pub fn new(w: W, meta: &PackageMeta) -> io::Result<Self> {
        PackageWriter::start(w, meta, "releases").map(Self)
    }

    pub fn write(&mut self, release: &Release) -> io::Result<()> {
        self.0.item(release)
    }

    pub fn count(&self) -> u64 {
        self.0.count()
    }

    pub fn finish(self) -> io::Result<W> {
        self.0.finish()
    }
}

/// A record package.
#[derive(Debug)]
pub struct RecordPackageWriter<W: Write>(PackageWriter<W>);

impl<W: Write> RecordPackageWriter<W> {
    /// See [`PackageWriter::get_mut`].
    pub fn get_mut(&mut self) -> &mut W {
        self.0.get_mut()
    }

    pub fn new(w: W, meta: &PackageMeta) -> io::Result<Self> {
        PackageWriter::start(w, meta, "records").map(Self)
    }

    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        self.0.item(record)
    }

    pub fn count(&self) -> u64 {
        self.0.count()
    }

    pub fn finish(self) -> io::Result<W> {
        self.0.finish()
    }
}
