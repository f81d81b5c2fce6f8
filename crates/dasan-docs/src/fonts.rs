//! Fonts: loaded once from files the deployment provides, measured for line breaking.
//!
//! Fonts are an input (a directory or two paths), never compiled into the binary. The default
//! is Debian's `fonts-nanum` NanumGothic (TrueType), which covers Hangul and Latin and which
//! krilla embeds as a small subset with a ToUnicode map.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use krilla::text::Font;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// Where Debian's `fonts-nanum` installs its fonts.
pub const DEBIAN_NANUM_DIR: &str = "/usr/share/fonts/truetype/nanum";

/// Errors loading fonts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FontError {
    /// A font file could not be read.
    #[error("cannot read font {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not a usable font.
    #[error("{0} is not a usable TrueType/OpenType font")]
    Invalid(String),
    /// The font lacks Hangul or Latin glyphs, so documents would print boxes.
    #[error("font {0} does not cover Hangul and Latin text")]
    Coverage(String),
}

/// One face: krilla's handle (for drawing) and the raw data (for measuring).
#[derive(Clone)]
struct Face {
    font: Font,
    data: Arc<Vec<u8>>,
    units_per_em: f32,
}

impl Face {
    fn load(name: &str, data: Vec<u8>) -> Result<Face, FontError> {
        let data = Arc::new(data);
        let font =
            Font::new(data.clone().into(), 0).ok_or_else(|| FontError::Invalid(name.to_owned()))?;
        let units_per_em = {
            let f =
                FontRef::from_index(&data, 0).map_err(|_| FontError::Invalid(name.to_owned()))?;
            let covered = ['가', '힣', 'A', 'z', '0']
                .iter()
                .all(|c| f.charmap().map(*c).is_some());
            if !covered {
                return Err(FontError::Coverage(name.to_owned()));
            }
            f.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em
        };
        Ok(Face {
            font,
            data,
            units_per_em: f32::from(units_per_em.max(1)),
        })
    }

    /// Advance width of `text` at `size`, without kerning (krilla's simple shaping of a
    /// horizontal run of Hangul and Latin is the sum of advances, so this matches what is
    /// drawn closely enough to break lines).
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(f) = FontRef::from_index(&self.data, 0) else {
            return 0.0;
        };
        let charmap = f.charmap();
        let metrics = f.glyph_metrics(Size::unscaled(), LocationRef::default());
        let units: f32 = text
            .chars()
            .map(|c| {
                let gid = charmap.map(c).unwrap_or_default();
                metrics.advance_width(gid).unwrap_or(0.0)
            })
            .sum();
        units * size / self.units_per_em
    }
}

/// The fonts documents are set in: a regular and a bold face.
#[derive(Clone)]
pub struct Fonts {
    regular: Face,
    bold: Face,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts").finish_non_exhaustive()
    }
}

impl Fonts {
    /// Fonts from their bytes (TrueType/OpenType, face 0).
    ///
    /// # Errors
    /// [`FontError::Invalid`] or [`FontError::Coverage`].
    pub fn from_bytes(regular: Vec<u8>, bold: Vec<u8>) -> Result<Fonts, FontError> {
        Ok(Fonts {
            regular: Face::load("regular", regular)?,
            bold: Face::load("bold", bold)?,
        })
    }

    /// Fonts from two files.
    ///
    /// # Errors
    /// [`FontError`].
    pub fn from_files(regular: &Path, bold: &Path) -> Result<Fonts, FontError> {
        let read = |p: &Path| {
            std::fs::read(p).map_err(|source| FontError::Io {
                path: p.to_owned(),
                source,
            })
        };
        Ok(Fonts {
            regular: Face::load(&regular.display().to_string(), read(regular)?)?,
            bold: Face::load(&bold.display().to_string(), read(bold)?)?,
        })
    }

    /// `NanumGothic.ttf` and `NanumGothicBold.ttf` from a directory (e.g.
    /// [`DEBIAN_NANUM_DIR`]).
    ///
    /// # Errors
    /// [`FontError`].
    pub fn nanum_gothic(dir: &Path) -> Result<Fonts, FontError> {
        Fonts::from_files(
            &dir.join("NanumGothic.ttf"),
            &dir.join("NanumGothicBold.ttf"),
        )
    }

    pub(crate) fn font(&self, bold: bool) -> Font {
        if bold {
            self.bold.font.clone()
        } else {
            self.regular.font.clone()
        }
    }

    /// Width of `text` set at `size` points.
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        if bold {
            self.bold.width(text, size)
        } else {
            self.regular.width(text, size)
        }
    }

    /// Break `text` into lines no wider than `max_width`: at spaces where possible, inside a
    /// word only when the word alone is too wide (Korean may break between syllables).
    /// Explicit newlines are kept.
    pub fn wrap(&self, text: &str, size: f32, bold: bool, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= max_width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if self.width(word, size, bold) <= max_width {
                    line = word.to_owned();
                    continue;
                }
                // A word wider than the line: break it between characters.
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if !line.is_empty() && self.width(&next, size, bold) > max_width {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::nanum_gothic(Path::new(DEBIAN_NANUM_DIR))
            .expect("fonts-nanum is installed (apt-get install fonts-nanum)")
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let f = fonts();
        let text = "이 문서는 전자서명되었습니다. The quick brown fox jumps over the lazy dog \
                    and 대한민국특별자치시행정복합도시청사관리본부장직무대리 keeps going.";
        for width in [60.0, 120.0, 300.0] {
            let lines = f.wrap(text, 10.0, false, width);
            for l in &lines {
                assert!(
                    f.width(l, 10.0, false) <= width + 0.01,
                    "{l:?} wider than {width}"
                );
            }
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let want: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(joined, want);
        }
        assert_eq!(f.wrap("a\nb", 10.0, false, 300.0), vec!["a", "b"]);
    }

    #[test]
    fn bold_is_wider_and_width_scales_with_size() {
        let f = fonts();
        let w = f.width("증명서 Certificate", 10.0, false);
        assert!(w > 0.0);
        assert!((f.width("증명서 Certificate", 20.0, false) - 2.0 * w).abs() < 0.01);
        assert!(f.width("증명서 Certificate", 10.0, true) >= w);
    }

    #[test]
    fn a_file_that_is_not_a_font_is_refused() {
        assert!(matches!(
            Fonts::from_bytes(b"not a font".to_vec(), b"nor this".to_vec()),
            Err(FontError::Invalid(_))
        ));
        assert!(matches!(
            Fonts::from_files(
                Path::new("/nonexistent/a.ttf"),
                Path::new("/nonexistent/b.ttf")
            ),
            Err(FontError::Io { .. })
        ));
    }
}
