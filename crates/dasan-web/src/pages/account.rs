//! The signed-in person's own account: sessions, second factors, passkeys, API tokens.

use super::sign_in::{client, with_session};
use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::{CsrfHeader, SESSION_COOKIE, Signed, SignedPending, cookie_header};
use crate::error::WebError;
use crate::extract::{ApiJson, PageForm};
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use dasan_identity::passkey::{PasskeyId, PasskeyInfo};
use dasan_identity::session::SessionInfo;
use dasan_identity::tokens::{TokenId, TokenInfo};
use dasan_identity::{AccountKind, IdentityError, Permission};
use serde::Deserialize;
use std::net::SocketAddr;

/// A timestamp as people read it (UTC, to the minute).
pub fn when(t: dasan_kernel::Timestamp) -> String {
    t.to_jiff().strftime("%Y-%m-%d %H:%M UTC").to_string()
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    name: String,
    kind: &'static str,
    agency: String,
    roles: Vec<String>,
    totp: bool,
    passkeys: Vec<PasskeyInfo>,
    sessions: Vec<SessionInfo>,
    citizen: bool,
    registrar: bool,
    /// The agency whose work queue the official works.
    queue: Option<String>,
}

impl AccountPage {
    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        when(*t)
    }
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let p = &signed.principal;
    let db = state.db();
    render(&AccountPage {
        name: p.display_name.clone(),
        kind: match p.kind {
            AccountKind::Citizen => "account-kind-citizen",
            AccountKind::Business => "account-kind-business",
            AccountKind::Official => "account-kind-official",
            AccountKind::ApiClient => "account-kind-api-client",
        },
        agency: p.agency.clone().unwrap_or_default(),
        roles: p
            .roles
            .iter()
            .map(|g| format!("{} ({})", g.role, g.scope))
            .collect(),
        totp: dasan_identity::totp::confirmed(db, p.account).await?,
        passkeys: dasan_identity::passkey::list(db, p.account).await?,
        sessions: dasan_identity::session::list(db, p.account, &signed.session_hash).await?,
        citizen: p.kind == AccountKind::Citizen && p.person.is_some(),
        queue: p
            .agency
            .clone()
            .filter(|a| p.has(Permission::CivilReview, dasan_identity::Scope::Agency(a))),
        registrar: p
            .agency
            .as_deref()
            .is_some_and(|a| p.has(Permission::RegistryRead, dasan_identity::Scope::Agency(a))),
        ctx,
    })
}

/// `POST /account/sign-out-everywhere`
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    signed: Signed,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    dasan_identity::auth::sign_out_everywhere(state.db(), &signed.principal).await?;
    let mut response = see_other("/");
    if let Some(v) = cookie_header(SESSION_COOKIE, "", state.settings().tls, Some(0)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    ctx: PageCtx,
    /// Shown after "begin": the QR code (an SVG data URI) and the secret for typing in.
    qr: String,
    secret: String,
    confirmed: bool,
    pending: bool,
    errors: Vec<ShownError>,
}

impl TwoFactorPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub async fn two_factor(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: SignedPending,
) -> Result<Response, WebError> {
    let confirmed =
        dasan_identity::totp::confirmed(state.db(), signed.session.principal.account).await?;
    render(&TwoFactorPage {
        ctx,
        qr: String::new(),
        secret: String::new(),
        confirmed,
        pending: signed.session.pending_factor,
        errors: Vec::new(),
    })
}

fn qr_data_uri(text: &str) -> Result<String, WebError> {
    use base64::Engine;
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| WebError::internal(&e))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// Whether a pending session may enrol: only when the account has no second factor yet,
/// otherwise someone holding just the password could add their own and bypass the real one.
async fn may_enrol(state: &AppState, signed: &SignedPending) -> Result<bool, WebError> {
    if !signed.session.pending_factor {
        return Ok(true);
    }
    let account = signed.session.principal.account;
    Ok(!dasan_identity::totp::confirmed(state.db(), account).await?
        && dasan_identity::passkey::list(state.db(), account)
            .await?
            .is_empty())
}

/// `POST /account/two-factor/begin`: a new secret, shown once.
pub async fn two_factor_begin(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: SignedPending,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    if !may_enrol(&state, &signed).await? {
        return Ok(see_other("/sign-in/second-factor"));
    }
    let p = &signed.session.principal;
    let label = p.display_name.clone();
    let issuer = state
        .settings()
        .public_url
        .host_str()
        .unwrap_or("Dasan")
        .to_owned();
    let enrollment =
        dasan_identity::totp::begin(state.db(), p, &format!("Dasan {issuer}"), &label).await?;
    render(&TwoFactorPage {
        qr: qr_data_uri(&enrollment.uri)?,
        secret: enrollment.secret,
        confirmed: false,
        pending: signed.session.pending_factor,
        errors: Vec::new(),
        ctx,
    })
}

#[derive(Deserialize)]
pub struct Code {
    #[serde(default)]
    code: String,
}

/// `POST /account/two-factor/confirm`
pub async fn two_factor_confirm(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ctx: PageCtx,
    signed: SignedPending,
    PageForm(form): PageForm<Code>,
) -> Result<Response, WebError> {
    if !may_enrol(&state, &signed).await? {
        return Ok(see_other("/sign-in/second-factor"));
    }
    let p = &signed.session.principal;
    match dasan_identity::totp::confirm(state.db(), p, &form.code).await {
        Ok(()) => {}
        Err(IdentityError::InvalidCode) => {
            let errors = shown(&ctx, &[IdentityError::InvalidCode.on_field("code")]);
            return render_invalid(&TwoFactorPage {
                ctx,
                qr: String::new(),
                secret: String::new(),
                confirmed: false,
                pending: signed.session.pending_factor,
                errors,
            });
        }
        Err(other) => return Err(other.into()),
    }
    // Enrolling proved possession of the new factor: the session may now act. New id.
    let token = dasan_identity::auth::upgrade_after_enrolment(
        state.db(),
        p,
        &signed.session.id_hash,
        &client(addr, &headers),
        state.session_policy(),
    )
    .await?;
    Ok(with_session(see_other("/account"), &state, &token))
}

/// `POST /account/two-factor/remove`: an official must keep at least one second factor.
pub async fn two_factor_remove(
    State(state): State<AppState>,
    signed: Signed,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let p = &signed.principal;
    if p.kind == AccountKind::Official
        && dasan_identity::passkey::list(state.db(), p.account)
            .await?
            .is_empty()
    {
        return Err(WebError::new(StatusCode::CONFLICT, "last-second-factor"));
    }
    dasan_identity::totp::remove(state.db(), p).await?;
    Ok(see_other("/account"))
}

/// `POST /account/passkeys/options`: a challenge for `navigator.credentials.create`.
pub async fn passkey_options(
    State(state): State<AppState>,
    signed: SignedPending,
    _csrf: CsrfHeader,
) -> Result<Json<serde_json::Value>, WebError> {
    if !may_enrol(&state, &signed).await? {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "second-factor-required",
        ));
    }
    let (ceremony, options) = state
        .passkeys()
        .begin_registration(
            state.db(),
            &signed.session.principal,
            &signed.session.id_hash,
        )
        .await?;
    Ok(Json(
        serde_json::json!({ "ceremony": ceremony, "options": options }),
    ))
}

#[derive(Deserialize)]
pub struct NewPasskey {
    ceremony: String,
    credential: serde_json::Value,
    #[serde(default)]
    name: String,
}

/// `POST /account/passkeys`: the browser's answer.
pub async fn passkey_add(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    signed: SignedPending,
    _csrf: CsrfHeader,
    ApiJson(answer): ApiJson<NewPasskey>,
) -> Result<Response, WebError> {
    if !may_enrol(&state, &signed).await? {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "second-factor-required",
        ));
    }
    let p = &signed.session.principal;
    let name = if answer.name.trim().is_empty() {
        "Passkey".to_owned()
    } else {
        answer.name
    };
    state
        .passkeys()
        .finish_registration(
            state.db(),
            p,
            &signed.session.id_hash,
            &answer.ceremony,
            &answer.credential,
            &name,
        )
        .await?;
    let body = Json(serde_json::json!({ "next": "/account" }));
    if signed.session.pending_factor {
        let token = dasan_identity::auth::upgrade_after_enrolment(
            state.db(),
            p,
            &signed.session.id_hash,
            &client(addr, &headers),
            state.session_policy(),
        )
        .await?;
        return Ok(with_session(
            axum::response::IntoResponse::into_response(body),
            &state,
            &token,
        ));
    }
    Ok(axum::response::IntoResponse::into_response(body))
}

/// `POST /account/passkeys/{id}/remove`
pub async fn passkey_remove(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let id: PasskeyId = id.parse().map_err(|_| WebError::NotFound)?;
    let p = &signed.principal;
    let remaining = dasan_identity::passkey::list(state.db(), p.account)
        .await?
        .len();
    if p.kind == AccountKind::Official
        && remaining <= 1
        && !dasan_identity::totp::confirmed(state.db(), p.account).await?
    {
        return Err(WebError::new(StatusCode::CONFLICT, "last-second-factor"));
    }
    dasan_identity::passkey::remove(state.db(), p, id).await?;
    Ok(see_other("/account"))
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: PageCtx,
    tokens: Vec<TokenInfo>,
    permissions: Vec<&'static str>,
    created: Option<String>,
    name: String,
    errors: Vec<ShownError>,
}

impl TokensPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        when(*t)
    }
}

async fn tokens_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    created: Option<String>,
    name: String,
    errors: Vec<ShownError>,
) -> Result<TokensPage, WebError> {
    Ok(TokensPage {
        tokens: dasan_identity::tokens::list(state.db(), signed.principal.account).await?,
        permissions: signed
            .principal
            .permissions()
            .into_iter()
            .map(|p| p.as_str())
            .collect(),
        created,
        name,
        errors,
        ctx,
    })
}

pub async fn tokens(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    render(&tokens_page(&state, ctx, &signed, None, String::new(), Vec::new()).await?)
}

/// `POST /account/tokens`: creates a token and shows its secret once. Read as pairs, because
/// the permission checkboxes arrive as repeated `scope` fields.
pub async fn token_create(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let scopes: Vec<Permission> = fields
        .iter()
        .filter(|(k, _)| k == "scope")
        .filter_map(|(_, v)| Permission::parse(v))
        .collect();
    let name = field("name").to_owned();
    let days: i64 = field("days").trim().parse().unwrap_or(0);
    match dasan_identity::tokens::create(state.db(), &signed.principal, &name, &scopes, days).await
    {
        Ok((_, secret)) => render(
            &tokens_page(
                &state,
                ctx,
                &signed,
                Some(secret),
                String::new(),
                Vec::new(),
            )
            .await?,
        ),
        Err(IdentityError::Invalid(errors)) => {
            let errors = shown(&ctx, &errors);
            render_invalid(&tokens_page(&state, ctx, &signed, None, name, errors).await?)
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /account/tokens/{id}/revoke`
pub async fn token_revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let id: TokenId = id.parse().map_err(|_| WebError::NotFound)?;
    dasan_identity::tokens::revoke(state.db(), &signed.principal, id).await?;
    Ok(see_other("/account/tokens"))
}

#[derive(Template)]
#[template(path = "data_access.html")]
struct DataAccessPage {
    ctx: PageCtx,
    linked: bool,
    reads: Vec<dasan_audit::DataRead>,
}

impl DataAccessPage {
    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        when(*t)
    }
}

/// `GET /account/data-access`: who read my registry data, when and why (every such read is
/// an audit event with a purpose).
pub async fn data_access(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let person = signed.principal.person.clone();
    let reads = match &person {
        Some(id) => dasan_audit::reads_of(state.db(), &format!("person:{id}"), 200).await?,
        None => Vec::new(),
    };
    render(&DataAccessPage {
        ctx,
        linked: person.is_some(),
        reads,
    })
}
