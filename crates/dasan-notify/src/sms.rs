//! Text messages: numbers checked and normalised with libphonenumber's rules, a provider trait
//! so that each country plugs in its operator's gateway, and one provider that speaks plain
//! HTTP + JSON (a relay in front of any operator API).

use crate::{NotifyError, SendError};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A text message to a mobile number in E.164 form (`+821012345678`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sms {
    pub to: String,
    pub body: String,
}

/// The longest text we queue: three concatenated UCS-2 parts (Korean needs UCS-2), which every
/// operator delivers; longer texts are cut with an ellipsis rather than refused.
pub const MAX_CHARS: usize = 3 * 67;

impl Sms {
    /// `body` shortened to [`MAX_CHARS`] if needed.
    pub fn new(to: impl Into<String>, body: &str) -> Sms {
        let body = if body.chars().count() > MAX_CHARS {
            let mut cut: String = body.chars().take(MAX_CHARS - 1).collect();
            cut.push('…');
            cut
        } else {
            body.to_owned()
        };
        Sms {
            to: to.into(),
            body,
        }
    }
}

/// What a provider's `send` returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// A way to deliver text messages. Implement it for an operator's API and hand it to
/// [`crate::Channels`]; the outbox worker calls it, retries transient failures and stops on
/// permanent ones.
pub trait SmsProvider: Send + Sync + fmt::Debug {
    fn send<'a>(&'a self, sms: &'a Sms) -> SendFuture<'a>;
}

/// Checks a mobile number as a person types it and returns its E.164 form. Numbers without a
/// country code are read as numbers of `region` (ISO 3166-1 alpha-2, e.g. `KR`). Numbers that
/// can only be landlines are refused: they cannot receive texts.
pub fn normalise_mobile(input: &str, region: &str) -> Result<String, NotifyError> {
    use phonenumber::{Mode, Type};
    let region: phonenumber::country::Id = region
        .parse()
        .map_err(|_| NotifyError::Config(format!("unknown region {region:?}")))?;
    let number =
        phonenumber::parse(Some(region), input.trim()).map_err(|_| NotifyError::BadRecipient)?;
    if !phonenumber::is_valid(&number) {
        return Err(NotifyError::BadRecipient);
    }
    match number.number_type(&phonenumber::metadata::DATABASE) {
        Type::Mobile | Type::FixedLineOrMobile => {}
        _ => return Err(NotifyError::NotMobile),
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// An E.164 number as people read it (`+82 10-1234-5678`); unchanged if it cannot be parsed.
pub fn readable(e164: &str) -> String {
    phonenumber::parse(None, e164)
        .map(|n| {
            n.format()
                .mode(phonenumber::Mode::International)
                .to_string()
        })
        .unwrap_or_else(|_| e164.to_owned())
}

/// Whether `to` is already in E.164 form (what the outbox stores).
pub(crate) fn is_e164(to: &str) -> bool {
    let digits = to.strip_prefix('+').unwrap_or("");
    (8..=15).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a configured region code (for configuration validation).
pub fn known_region(region: &str) -> bool {
    region.parse::<phonenumber::country::Id>().is_ok()
}

/// An HTTP gateway: `POST url` with `{"from", "to", "text"}` as JSON and, if a token is set,
/// `Authorization: Bearer <token>`. Any 2xx is delivered; 408, 429 and 5xx are retried; any
/// other answer is permanent (a number the operator refuses will not get better).
#[derive(Clone)]
pub struct HttpSmsGateway {
    client: reqwest::Client,
    url: reqwest::Url,
    token: Option<String>,
    from: String,
}

impl fmt::Debug for HttpSmsGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the token.
        f.debug_struct("HttpSmsGateway")
            .field("url", &self.url.as_str())
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl HttpSmsGateway {
    /// `url` must be `http://` or `https://`; `from` is the sender id the operator registered.
    pub fn new(
        url: &str,
        token: Option<String>,
        from: &str,
    ) -> Result<HttpSmsGateway, NotifyError> {
        let url = reqwest::Url::parse(url)
            .map_err(|e| NotifyError::Config(format!("SMS gateway URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(NotifyError::Config(
                "SMS gateway URL must start with http:// or https://".to_owned(),
            ));
        }
        // reqwest is built without a default TLS provider; use ring, like the database driver.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| NotifyError::Config(format!("SMS gateway client: {e}")))?;
        Ok(HttpSmsGateway {
            client,
            url,
            token: token.filter(|t| !t.is_empty()),
            from: from.to_owned(),
        })
    }
}

impl SmsProvider for HttpSmsGateway {
    fn send<'a>(&'a self, sms: &'a Sms) -> SendFuture<'a> {
        Box::pin(async move {
            let mut request = self.client.post(self.url.clone()).json(&serde_json::json!({
                "from": self.from,
                "to": sms.to,
                "text": sms.body,
            }));
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.map_err(|e| SendError {
                // Without the URL: it may carry credentials in its query.
                message: e.without_url().to_string(),
                permanent: false,
            })?;
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            let body: String = response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            Err(SendError {
                message: format!("gateway answered {status}: {body}"),
                permanent: !(status.is_server_error()
                    || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                    || status == reqwest::StatusCode::REQUEST_TIMEOUT),
            })
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn korean_mobile_numbers_are_normalised() {
        for typed in [
            "010-1234-5678",
            "01012345678",
            "+82 10 1234 5678",
            " 010 1234 5678 ",
        ] {
            assert_eq!(
                normalise_mobile(typed, "KR").unwrap(),
                "+821012345678",
                "{typed}"
            );
        }
        // A number with its own country code keeps it.
        assert_eq!(
            normalise_mobile("+44 7911 123456", "KR").unwrap(),
            "+447911123456"
        );
    }

    #[test]
    fn landlines_and_nonsense_are_refused() {
        // Seoul landline.
        assert!(matches!(
            normalise_mobile("02-2100-3399", "KR"),
            Err(NotifyError::NotMobile)
        ));
        for bad in ["", "hello", "010-12", "+0 123"] {
            assert!(
                matches!(normalise_mobile(bad, "KR"), Err(NotifyError::BadRecipient)),
                "{bad:?}"
            );
        }
        assert!(matches!(
            normalise_mobile("010-1234-5678", "ZZ"),
            Err(NotifyError::Config(_))
        ));
    }

    #[test]
    fn long_texts_are_cut_not_refused() {
        let long = "가".repeat(500);
        let sms = Sms::new("+821012345678", &long);
        assert_eq!(sms.body.chars().count(), MAX_CHARS);
        assert!(sms.body.ends_with('…'));
        assert_eq!(Sms::new("+821012345678", "short").body, "short");
    }

    #[test]
    fn numbers_are_shown_as_people_write_them() {
        assert_eq!(readable("+821012345678"), "+82 10-1234-5678");
        assert_eq!(readable("nonsense"), "nonsense");
    }

    #[test]
    fn e164_check() {
        assert!(is_e164("+821012345678"));
        assert!(!is_e164("01012345678"));
        assert!(!is_e164("+0123456789"));
        assert!(!is_e164("+82 10"));
    }
}
