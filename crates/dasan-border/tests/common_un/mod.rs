// Shared by the tests that need the whole UN list (included with `mod`).
use dasan_border::{Imported, WatchlistEntry, import_un_xml};
use std::path::PathBuf;

pub fn un_list_path() -> PathBuf {
    std::env::var_os("DASAN_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata")
        })
        .join("watchlists/UN_consolidated.xml")
}

#[allow(clippy::unwrap_used)]
pub fn import_full_un_list() -> Imported<WatchlistEntry> {
    let path = un_list_path();
    let file = std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set DASAN_TESTDATA)", path.display()));
    import_un_xml(std::io::BufReader::new(file)).unwrap()
}
