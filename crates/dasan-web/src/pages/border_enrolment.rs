//! Enrolment pages: the public pre-registration form and its confirmation; the enrolment desk
//! for border officials (pending pre-registrations, the desk step with the chip's files as
//! uploads, suspend / reinstate / revoke); the border administrators' lists page with uploads.
//!
//! Enrolments are not tied to a port (a traveller may come to any desk), so the desk shows
//! every pending one to any border official.

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::api::border::{border_of, plain_id, plain_text};
use crate::api::border_enrolment::{
    LIST_KINDS, PreRegistrationDoc, access_code, import_list, is_border_admin, is_border_official,
    pre_register_as, requested_state,
};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::{PageForm, Query, UploadForm};
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dasan_border::gate::{ChipCheckOutcome, ChipFiles, Modality};
use dasan_border::store::{
    BiometricReference, BorderError, DeskCapture, EnrolmentRecord, EnrolmentState,
};
use dasan_identity::Principal;
use dasan_kernel::{Actor, FieldError};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

fn name_of(v: impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn when(t: dasan_kernel::Timestamp) -> String {
    super::account::when(t)
}

fn official(principal: &Principal) -> Result<(), WebError> {
    if is_border_official(principal) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

#[derive(Template)]
#[template(path = "border_enrol.html")]
struct EnrolPage {
    ctx: PageCtx,
    mrz: String,
    contact: String,
    consent: bool,
    consent_version: String,
    errors: Vec<ShownError>,
}

impl EnrolPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// `GET /border/enrol`: pre-registration for the automated gates (no account needed).
pub async fn enrol_form(State(state): State<AppState>, ctx: PageCtx) -> Result<Response, WebError> {
    let border = border_of(&state)?;
    render(&EnrolPage {
        ctx,
        mrz: String::new(),
        contact: String::new(),
        consent: false,
        consent_version: border.config().enrolment.consent_version.clone(),
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    mrz: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    consent_version: String,
}

#[derive(Template)]
#[template(path = "border_enrol_done.html")]
struct EnrolDonePage {
    ctx: PageCtx,
    id: String,
    code: String,
    name: String,
    document: String,
}

/// `POST /border/enrol`: pre-registers and shows the reference and access code (rendered, not
/// redirected, so the code never travels in a URL).
pub async fn enrol_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ctx: PageCtx,
    PageForm(form): PageForm<EnrolForm>,
) -> Result<Response, WebError> {
    let result = pre_register_as(
        &state,
        &addr.ip().to_string(),
        Actor::anonymous(Some(ctx.request_id.clone())),
        PreRegistrationDoc {
            mrz: form.mrz.clone(),
            contact: form.contact.clone(),
            consent: form.consent.is_some(),
            consent_version: form.consent_version.clone(),
        },
    )
    .await;
    match result {
        Ok(r) => {
            let code = access_code(&state, &r.id);
            render(&EnrolDonePage {
                ctx,
                code,
                name: format!("{} {}", r.surname, r.given_names).trim().to_owned(),
                document: format!("{} {}", r.issuing_state, r.document_number),
                id: r.id,
            })
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::TOO_MANY_REQUESTS => {
            let fields = match e.code {
                "validation-failed" => e.fields,
                "not-eligible" => vec![FieldError::new("mrz", "border-error-not-eligible")],
                "enrolment-not-required" => {
                    vec![FieldError::new(
                        "mrz",
                        "border-error-enrolment-not-required",
                    )]
                }
                "invalid-transition" => {
                    vec![FieldError::new("mrz", "border-error-already-enrolled")]
                }
                _ => return Err(e),
            };
            let errors = shown(&ctx, &fields);
            render_invalid(&EnrolPage {
                ctx,
                mrz: form.mrz,
                contact: form.contact,
                consent: form.consent.is_some(),
                consent_version: form.consent_version,
                errors,
            })
        }
        Err(e) => Err(e),
    }
}

struct DeskRow {
    id: String,
    name: String,
    document: String,
    nationality: String,
    created: String,
}

#[derive(Template)]
#[template(path = "border_enrolments.html")]
struct DeskPage {
    ctx: PageCtx,
    rows: Vec<DeskRow>,
    done: bool,
    admin: bool,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /border/enrolments`: pre-registrations waiting for the desk step.
pub async fn desk(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let border = border_of(&state)?;
    official(&signed.principal)?;
    let pending = border.enrolments_in_state(EnrolmentState::Pending).await?;
    let rows = pending
        .iter()
        .map(|r| DeskRow {
            id: r.id.clone(),
            name: format!("{} {}", r.surname, r.given_names).trim().to_owned(),
            document: format!("{} {}", r.issuing_state, r.document_number),
            nationality: r.nationality.clone(),
            created: when(r.created_at),
        })
        .collect();
    render(&DeskPage {
        ctx,
        rows,
        done: q.done.is_some(),
        admin: is_border_admin(&signed.principal),
    })
}

#[derive(Template)]
#[template(path = "border_enrolment.html")]
struct EnrolmentPage {
    ctx: PageCtx,
    e: EnrolmentRecord,
    state: String,
    details: Vec<(String, String)>,
    pending: bool,
    changeable: bool,
    matcher: String,
    modality: String,
    active_authentication: String,
    aa_choices: Vec<(String, String)>,
    to_choices: Vec<(String, String)>,
    to: String,
    reason: String,
    errors: Vec<ShownError>,
    not_authentic: bool,
    conflict: bool,
    done: bool,
}

impl EnrolmentPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn aa_checked(&self, v: &str) -> bool {
        self.active_authentication == v
    }

    fn to_checked(&self, v: &str) -> bool {
        self.to == v
    }
}

async fn enrolment_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    id: &str,
) -> Result<EnrolmentPage, WebError> {
    let border = border_of(state)?;
    official(principal)?;
    if !plain_id(id) {
        return Err(WebError::NotFound);
    }
    let e = match border.enrolment(id).await {
        Ok(e) => e,
        Err(BorderError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let mut details = vec![
        (ctx.t("border-doc-surname"), e.surname.clone()),
        (ctx.t("border-doc-given-names"), e.given_names.clone()),
        (ctx.t("border-doc-nationality"), e.nationality.clone()),
        (ctx.t("border-doc-birth-date"), e.birth_date.to_string()),
        (ctx.t("border-doc-issuer"), e.issuing_state.clone()),
        (ctx.t("border-doc-number"), e.document_number.clone()),
        (ctx.t("border-doc-expiry"), e.document_expiry.to_string()),
        (ctx.t("border-enrol-contact"), e.contact.clone()),
        (ctx.t("border-enrolment-created"), when(e.created_at)),
    ];
    if let Some(until) = e.valid_until {
        details.push((ctx.t("border-enrolment-valid-until"), until.to_string()));
    }
    if let Some(pa) = &e.passive_authentication {
        details.push((ctx.t("border-enrolment-pa"), name_of(pa.verdict)));
    }
    for (m, matcher) in &e.biometrics {
        details.push((
            ctx.t("border-enrolment-biometric"),
            format!(
                "{} ({matcher})",
                ctx.t(&format!("border-modality-{}", name_of(m)))
            ),
        ));
    }
    if let Some(r) = &e.status_reason {
        details.push((ctx.t("border-decision-reason"), r.clone()));
    }
    let choices = |prefix: &str, values: &[&str]| {
        values
            .iter()
            .map(|v| ((*v).to_owned(), ctx.t(&format!("{prefix}{v}"))))
            .collect::<Vec<_>>()
    };
    let aa_choices = choices(
        "border-aa-",
        &["passed", "not_supported", "not_performed", "failed"],
    );
    // Only the changes the state allows.
    let to_choices = match e.state {
        EnrolmentState::Active => choices("border-enrolment-to-", &["suspended", "revoked"]),
        EnrolmentState::Suspended => choices("border-enrolment-to-", &["active", "revoked"]),
        _ => choices("border-enrolment-to-", &["revoked"]),
    };
    Ok(EnrolmentPage {
        aa_choices,
        to_choices,
        state: ctx.t(&format!("border-enrolment-state-{}", name_of(e.state))),
        pending: e.state == EnrolmentState::Pending,
        changeable: e.state != EnrolmentState::Revoked,
        details,
        e,
        matcher: String::new(),
        modality: "face".into(),
        active_authentication: "passed".into(),
        to: String::new(),
        reason: String::new(),
        errors: Vec::new(),
        not_authentic: false,
        conflict: false,
        done: false,
        ctx,
    })
}

/// `GET /border/enrolments/{id}`
pub async fn enrolment(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let mut page = enrolment_page(&state, ctx, &signed.principal, &id).await?;
    page.done = q.done.is_some();
    render(&page)
}

fn desk_actor(signed: &Signed) -> Actor {
    let mut actor = signed.principal.actor(Some(signed.request_id.clone()));
    actor.agency = signed.principal.agency.clone();
    actor
}

fn conflict_page(page: &EnrolmentPage) -> Result<Response, WebError> {
    let mut response = render(page)?;
    *response.status_mut() = StatusCode::CONFLICT;
    response.extensions_mut().insert(crate::error::Rendered);
    Ok(response)
}

/// `POST /border/enrolments/{id}/complete` (multipart): the desk step.
pub async fn complete(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    form: UploadForm,
) -> Result<Response, WebError> {
    let border = border_of(&state)?.clone();
    let mut page = enrolment_page(&state, ctx, &signed.principal, &id).await?;
    let field = |name: &str| form.fields.get(name).cloned().unwrap_or_default();
    let file = |name: &str| {
        form.files
            .iter()
            .find(|(f, _, _)| f == name)
            .map(|(_, _, b)| b.clone())
    };
    page.matcher = field("matcher");
    page.modality = field("modality");
    page.active_authentication = field("active_authentication");
    let mut errors = Vec::new();
    let sod = file("sod");
    if sod.is_none() {
        errors.push(FieldError::new("sod", "border-error-sod-required"));
    }
    let dg1 = file("dg1");
    if dg1.is_none() {
        errors.push(FieldError::new("dg1", "border-error-dg1-required"));
    }
    let reference = file("reference");
    if reference.is_none() {
        errors.push(FieldError::new(
            "reference",
            "border-error-biometric-required",
        ));
    }
    let modality = match page.modality.as_str() {
        "face" => Some(Modality::Face),
        "fingerprint" => Some(Modality::Fingerprint),
        _ => {
            errors.push(FieldError::new("modality", "border-error-modality"));
            None
        }
    };
    let matcher = page.matcher.trim().to_owned();
    if matcher.is_empty() || matcher.len() > 100 || matcher.chars().any(char::is_control) {
        errors.push(FieldError::new("matcher", "border-error-matcher"));
    }
    let aa = match page.active_authentication.as_str() {
        "passed" => Some(ChipCheckOutcome::Passed),
        "failed" => Some(ChipCheckOutcome::Failed),
        "not_supported" => Some(ChipCheckOutcome::NotSupported),
        "not_performed" => Some(ChipCheckOutcome::NotPerformed),
        _ => {
            errors.push(FieldError::new(
                "active_authentication",
                "border-error-active-authentication",
            ));
            None
        }
    };
    let result = match (sod, dg1, reference, modality, aa) {
        (Some(sod), Some(dg1), Some(reference), Some(modality), Some(aa)) if errors.is_empty() => {
            border
                .complete_enrolment(
                    desk_actor(&signed),
                    &id,
                    DeskCapture {
                        chip: ChipFiles {
                            sod,
                            data_groups: [(1u8, dg1)].into_iter().collect(),
                        },
                        active_authentication: aa,
                        biometrics: vec![BiometricReference {
                            modality,
                            matcher,
                            reference,
                        }],
                    },
                )
                .await
        }
        _ => Err(BorderError::Invalid(errors)),
    };
    match result {
        Ok(_) => Ok(see_other("/border/enrolments?done=1")),
        Err(BorderError::Invalid(fields)) => {
            // The domain names biometric fields `biometrics[0]`: show them at the upload.
            let fields: Vec<FieldError> = fields
                .into_iter()
                .map(|mut f| {
                    if f.field.starts_with("biometrics") {
                        f.field = "reference".into();
                    } else if f.field == "chip" {
                        f.field = "dg1".into();
                    }
                    f
                })
                .collect();
            page.errors = shown(&page.ctx, &fields);
            render_invalid(&page)
        }
        Err(BorderError::DocumentNotAuthentic(_)) => {
            page.not_authentic = true;
            render_invalid(&page)
        }
        Err(BorderError::Stale | BorderError::Transition { .. }) => {
            page.conflict = true;
            conflict_page(&page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StateForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

/// `POST /border/enrolments/{id}/state`: suspend, reinstate or revoke.
pub async fn set_state(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<StateForm>,
) -> Result<Response, WebError> {
    let border = border_of(&state)?.clone();
    let mut page = enrolment_page(&state, ctx, &signed.principal, &id).await?;
    let mut errors = Vec::new();
    let to = requested_state(&form.to);
    if to.is_none() {
        errors.push(FieldError::new("to", "border-error-enrolment-state"));
    }
    if form.reason.trim().is_empty() || !plain_text(&form.reason) || form.reason.len() > 2000 {
        errors.push(FieldError::new("reason", "border-error-reason-required"));
    }
    let result = match to {
        Some(to) if errors.is_empty() => {
            border
                .set_enrolment_state(desk_actor(&signed), &id, to, &form.reason)
                .await
        }
        _ => Err(BorderError::Invalid(errors)),
    };
    page.to = form.to;
    page.reason = form.reason;
    match result {
        Ok(_) => Ok(see_other(&format!("/border/enrolments/{id}?done=1"))),
        Err(BorderError::Invalid(fields)) => {
            page.errors = shown(&page.ctx, &fields);
            render_invalid(&page)
        }
        Err(BorderError::Stale | BorderError::Transition { .. }) => {
            page.conflict = true;
            conflict_page(&page)
        }
        Err(e) => Err(e.into()),
    }
}

struct ListRow {
    key: String,
    kind: String,
    version: String,
    entries: i64,
    issues: i64,
    imported: String,
    imported_by: String,
}

#[derive(Template)]
#[template(path = "border_lists.html")]
struct ListsPage {
    ctx: PageCtx,
    lists: Vec<ListRow>,
    kinds: Vec<(&'static str, String)>,
    kind: String,
    name: String,
    version: String,
    errors: Vec<ShownError>,
    failed: bool,
    imported: bool,
}

impl ListsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn kind_checked(&self, v: &str) -> bool {
        self.kind == v
    }
}

async fn lists_page(state: &AppState, ctx: PageCtx) -> Result<ListsPage, WebError> {
    let border = border_of(state)?;
    let mut lists = Vec::new();
    for l in border.lists().await? {
        let imported_by = match &l.imported_by {
            Some(account) => dasan_identity::admin::display_name(state.db(), account)
                .await?
                .unwrap_or_else(|| account.clone()),
            None => ctx.t("border-lists-by-platform"),
        };
        lists.push(ListRow {
            kind: ctx.t(&format!("border-list-kind-{}", name_of(l.kind))),
            key: l.list_key,
            version: l.version,
            entries: l.entry_count,
            issues: l.issue_count,
            imported: when(l.imported_at),
            imported_by,
        });
    }
    let kinds = LIST_KINDS
        .iter()
        .map(|k| (*k, ctx.t(&format!("border-list-upload-{k}"))))
        .collect();
    Ok(ListsPage {
        ctx,
        lists,
        kinds,
        kind: "national".into(),
        name: String::new(),
        version: String::new(),
        errors: Vec::new(),
        failed: false,
        imported: false,
    })
}

#[derive(Deserialize)]
pub struct ImportedQuery {
    #[serde(default)]
    imported: Option<String>,
}

/// `GET /border/lists`: the lists in force and the upload form (border administrators).
pub async fn lists(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Query(q): Query<ImportedQuery>,
) -> Result<Response, WebError> {
    if !is_border_admin(&signed.principal) {
        return Err(WebError::NotFound);
    }
    let mut page = lists_page(&state, ctx).await?;
    page.imported = q.imported.is_some();
    render(&page)
}

/// `POST /border/lists` (multipart): imports the uploaded file (body limit
/// `border.list_body_limit_bytes`).
pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    form: UploadForm,
) -> Result<Response, WebError> {
    if !is_border_admin(&signed.principal) {
        return Err(WebError::NotFound);
    }
    let mut page = lists_page(&state, ctx).await?;
    let field = |name: &str| form.fields.get(name).cloned().unwrap_or_default();
    page.kind = field("kind");
    page.name = field("name");
    page.version = field("version");
    let mut errors = Vec::new();
    if !LIST_KINDS.contains(&page.kind.as_str()) {
        errors.push(FieldError::new("kind", "border-error-list-kind"));
    }
    let file = form
        .files
        .iter()
        .find(|(f, _, _)| f == "file")
        .map(|(_, _, b)| b.as_slice());
    if file.is_none() {
        errors.push(FieldError::new("file", "border-error-list-file"));
    }
    let (Some(file), true) = (file, errors.is_empty()) else {
        page.errors = shown(&page.ctx, &errors);
        return render_invalid(&page);
    };
    let name = Some(page.name.as_str()).filter(|n| !n.trim().is_empty());
    let version = Some(page.version.as_str()).filter(|v| !v.trim().is_empty());
    match import_list(&state, desk_actor(&signed), &page.kind, name, version, file).await {
        Ok(_) => Ok(see_other("/border/lists?imported=1")),
        Err(e) if e.code == "validation-failed" => {
            // A row of a visa or waiver file names its column: show it at the upload.
            let fields: Vec<FieldError> = e
                .fields
                .into_iter()
                .map(|mut f| {
                    if !["name", "version"].contains(&f.field.as_str()) {
                        f.field = "file".into();
                    }
                    f
                })
                .collect();
            page.errors = shown(&page.ctx, &fields);
            render_invalid(&page)
        }
        Err(e) if e.code == "import-failed" => {
            page.failed = true;
            render_invalid(&page)
        }
        Err(e) => Err(e),
    }
}
