//! Translations: Fluent messages from `locales/<lang>/*.ftl`, embedded in the binary.
//!
//! The language of a request comes from the `dasan_lang` cookie (set by the language
//! switcher), else the browser's `Accept-Language`, else the configured default.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use rust_embed::Embed;
use std::collections::BTreeMap;
use std::sync::Arc;
use unic_langid::LanguageIdentifier;

#[derive(Embed)]
#[folder = "../../locales/"]
#[include = "*.ftl"]
struct LocaleFiles;

/// The cookie that remembers a chosen language.
pub const LANG_COOKIE: &str = "dasan_lang";

/// The languages the portal speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Ko,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ko];

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ko => "ko",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ko => "한국어",
        }
    }

    pub fn from_code(code: &str) -> Option<Locale> {
        match code {
            "en" => Some(Locale::En),
            "ko" => Some(Locale::Ko),
            _ => None,
        }
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Locale::En => unic_langid::langid!("en"),
            Locale::Ko => unic_langid::langid!("ko"),
        }
    }

    /// Picks the language for a request.
    pub fn negotiate(
        cookie: Option<&str>,
        accept_language: Option<&str>,
        default: Locale,
    ) -> Locale {
        if let Some(locale) = cookie.and_then(Locale::from_code) {
            return locale;
        }
        let Some(header) = accept_language else {
            return default;
        };
        // A header longer than any real browser sends is ignored rather than parsed.
        if header.len() > 512 {
            return default;
        }
        // fluent-langneg has its own (ICU) language identifiers, distinct from fluent-bundle's.
        let parse = |code: &str| code.parse::<fluent_langneg::LanguageIdentifier>().ok();
        let requested: Vec<_> = by_preference(header)
            .into_iter()
            .filter_map(parse)
            .collect();
        let available: Vec<_> = Locale::ALL.iter().filter_map(|l| parse(l.code())).collect();
        let default_id = parse(default.code());
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            default_id.as_ref(),
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        chosen
            .first()
            .and_then(|id| Locale::from_code(id.language.as_str()))
            .unwrap_or(default)
    }
}

/// The language ranges of an `Accept-Language` header, most preferred first (RFC 9110 §12.5.4:
/// by q-value, ties in the order given; `q=0` means "not this one").
fn by_preference(header: &str) -> Vec<&str> {
    let mut ranges: Vec<(&str, u16)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            // q-values have at most three decimals: compare them as integer thousandths.
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map(|q| {
                    let (whole, frac) = q.split_once('.').unwrap_or((q, ""));
                    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
                    match (whole, frac.parse::<u16>()) {
                        ("1", _) => 1000,
                        ("0", Ok(f)) => f,
                        _ => 0,
                    }
                })
                .unwrap_or(1000);
            (!tag.is_empty() && tag != "*" && q > 0).then_some((tag, q))
        })
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.1));
    ranges.into_iter().map(|(tag, _)| tag).collect()
}

/// Every message in every language, loaded once at start.
pub struct Catalog {
    bundles: BTreeMap<&'static str, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").finish_non_exhaustive()
    }
}

/// The embedded translation files could not be loaded (a build defect, caught by tests).
#[derive(Debug, thiserror::Error)]
#[error("translation file {file}: {reason}")]
pub struct CatalogError {
    pub file: String,
    pub reason: String,
}

impl Catalog {
    pub fn load() -> Result<Catalog, CatalogError> {
        let mut bundles = BTreeMap::new();
        for locale in Locale::ALL {
            let mut bundle = FluentBundle::new_concurrent(vec![locale.langid()]);
            // Unicode isolation marks would end up inside HTML attributes and URLs.
            bundle.set_use_isolating(false);
            let prefix = format!("{}/", locale.code());
            let mut files: Vec<_> = LocaleFiles::iter()
                .filter(|f| f.starts_with(&prefix))
                .collect();
            files.sort();
            for file in files {
                let error = |reason: String| CatalogError {
                    file: file.to_string(),
                    reason,
                };
                let content = LocaleFiles::get(&file).ok_or_else(|| error("missing".into()))?;
                let text = String::from_utf8(content.data.into_owned())
                    .map_err(|_| error("not UTF-8".into()))?;
                let resource = FluentResource::try_new(text)
                    .map_err(|(_, errors)| error(format!("{errors:?}")))?;
                bundle
                    .add_resource(resource)
                    .map_err(|errors| error(format!("{errors:?}")))?;
            }
            bundles.insert(locale.code(), bundle);
        }
        Ok(Catalog { bundles })
    }

    /// Formats message `id` (or `id.attribute`) in `locale`. A missing message shows its id,
    /// which tests catch, rather than failing the page.
    pub fn format(&self, locale: Locale, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(bundle) = self.bundles.get(locale.code()) else {
            return id.to_owned();
        };
        let (message_id, attribute) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let Some(message) = bundle.get_message(message_id) else {
            tracing::warn!(id, locale = locale.code(), "missing translation");
            return id.to_owned();
        };
        let pattern = match attribute {
            Some(a) => message.get_attribute(a).map(|a| a.value()),
            None => message.value(),
        };
        let Some(pattern) = pattern else {
            tracing::warn!(id, locale = locale.code(), "missing translation");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, locale = locale.code(), ?errors, "translation error");
        }
        text.into_owned()
    }

    /// Whether `id` exists in every language (used for problem codes).
    pub fn has(&self, id: &str) -> bool {
        self.bundles.values().all(|b| b.has_message(id))
    }
}

/// A translator bound to one request's language, handed to templates as `t`.
#[derive(Clone, Debug)]
pub struct Tr {
    catalog: Arc<Catalog>,
    pub locale: Locale,
}

impl Tr {
    pub fn new(catalog: Arc<Catalog>, locale: Locale) -> Self {
        Self { catalog, locale }
    }

    /// `{{ t.get("home-title") }}`
    pub fn get(&self, id: &str) -> String {
        self.catalog.format(self.locale, id, None)
    }

    /// `{{ t.with("feedback-error-comment-too-long", "max", 1200) }}`
    pub fn with(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let value = value.to_string();
        self.with_args(id, [(name, value.as_str())])
    }

    /// Formats a message with string arguments (field errors carry theirs this way).
    pub fn with_args<'a>(
        &self,
        id: &str,
        args: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            // Numbers stay numbers so that plural selection works.
            match value.parse::<i64>() {
                Ok(n) => fluent.set(name.to_owned(), FluentValue::from(n)),
                Err(_) => fluent.set(name.to_owned(), FluentValue::from(value.to_owned())),
            }
        }
        self.catalog.format(self.locale, id, Some(&fluent))
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_cookie_then_header_then_default() {
        assert_eq!(
            Locale::negotiate(Some("ko"), Some("en-GB"), Locale::En),
            Locale::Ko
        );
        assert_eq!(
            Locale::negotiate(Some("fr"), Some("ko-KR,ko;q=0.9"), Locale::En),
            Locale::Ko
        );
        assert_eq!(
            Locale::negotiate(None, Some("fr-FR, ko;q=0.5, en;q=0.9"), Locale::Ko),
            Locale::En
        );
        assert_eq!(
            Locale::negotiate(None, Some("de, fr"), Locale::Ko),
            Locale::Ko
        );
        assert_eq!(Locale::negotiate(None, None, Locale::En), Locale::En);
        assert_eq!(
            Locale::negotiate(None, Some(&"x".repeat(10_000)), Locale::Ko),
            Locale::Ko
        );
        assert_eq!(
            Locale::negotiate(None, Some(";;;q=,,"), Locale::En),
            Locale::En
        );
        assert_eq!(
            Locale::negotiate(None, Some("ko;q=0, en;q=0.1"), Locale::Ko),
            Locale::En
        );
        assert_eq!(
            by_preference("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"),
            ["ko-KR", "ko", "en-US", "en"]
        );
        assert_eq!(
            by_preference("en;q=0.5, fr, ko;q=0.50, *;q=0.1"),
            ["fr", "en", "ko"]
        );
    }

    #[test]
    fn the_catalog_loads_and_formats_with_plurals() {
        let catalog = Arc::new(Catalog::load().expect("embedded translations load"));
        let en = Tr::new(catalog.clone(), Locale::En);
        let ko = Tr::new(catalog, Locale::Ko);
        assert_eq!(en.get("site-name"), "Dasan");
        assert_ne!(ko.get("home-title"), en.get("home-title"));
        assert_eq!(en.get("no-such-message"), "no-such-message");
        let one = en.with_args("feedback-error-comment-too-long", [("max", "1")]);
        let many = en.with_args("feedback-error-comment-too-long", [("max", "1200")]);
        assert!(
            one.contains("1 character") && many.contains("1,200 characters")
                || many.contains("1200 characters"),
            "{one} / {many}"
        );
    }
}
