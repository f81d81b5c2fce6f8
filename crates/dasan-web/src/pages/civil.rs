//! Civil services: the catalogue, applying step by step (without JavaScript), tracking, and
//! officials' work queue and decisions.

use super::{PageCtx, ShownError, render, render_invalid, see_other, shown};
use crate::auth::{Auth, Signed};
use crate::error::WebError;
use crate::extract::{PageForm, Query, UploadForm};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dasan_civil::definition::{FieldKind, ServiceDefinition, text};
use dasan_civil::inbox::Message;
use dasan_civil::{
    Action, Application, ApplicationId, CivilError, Event, QueueFilter, ServiceSummary, Status,
};
use dasan_identity::delegation::Principalship;
use dasan_identity::{Permission, Principal, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;

fn when(t: dasan_kernel::Timestamp) -> String {
    super::account::when(t)
}

/// Agency code → name in the reader's language.
async fn agency_names(state: &AppState, lang: &str) -> Result<BTreeMap<String, String>, WebError> {
    Ok(state
        .registry()
        .agencies()
        .await?
        .into_iter()
        .map(|a| {
            let name = if lang == "ko" {
                a.data.name_local
            } else {
                a.data.name_latin
            };
            (a.data.code, name)
        })
        .collect())
}

/// A service as a list shows it.
struct ServiceItem {
    code: String,
    name: String,
    description: String,
    agency: String,
    instant: bool,
}

fn items(
    list: Vec<ServiceSummary>,
    lang: &str,
    agencies: &BTreeMap<String, String>,
) -> Vec<ServiceItem> {
    list.into_iter()
        .map(|s| ServiceItem {
            name: text(&s.name, lang).to_owned(),
            description: text(&s.description, lang).to_owned(),
            agency: agencies.get(&s.agency).cloned().unwrap_or(s.agency.clone()),
            instant: s.issuance == dasan_civil::Issuance::Instant,
            code: s.code,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "services.html")]
struct CataloguePage {
    ctx: PageCtx,
    q: String,
    heading: String,
    services: Vec<ServiceItem>,
    agencies: Vec<(String, String, i64)>,
    events: Vec<(&'static str, String)>,
    searched: bool,
}

#[derive(Deserialize, Default)]
pub struct CatalogueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    event: String,
}

/// `GET /services`: search, or browse by agency or life event.
pub async fn catalogue(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<CatalogueQuery>,
) -> Result<Response, WebError> {
    let civil = state.civil();
    let names = agency_names(&state, ctx.lang).await?;
    let q = query.q.trim().chars().take(200).collect::<String>();
    let (list, heading, searched) = if !q.is_empty() {
        let found = civil.search(&q, ctx.lang).await?;
        let heading = ctx.tw("services-results-for", "query", &q);
        (found, heading, true)
    } else if !query.agency.is_empty() {
        let heading = names
            .get(&query.agency)
            .cloned()
            .unwrap_or(query.agency.clone());
        (
            civil.services(Some(&query.agency), None).await?,
            heading,
            true,
        )
    } else if dasan_civil::definition::LIFE_EVENTS.contains(&query.event.as_str()) {
        let heading = ctx.t(&format!("life-event-{}", query.event));
        (
            civil.services(None, Some(&query.event)).await?,
            heading,
            true,
        )
    } else {
        (
            civil.services(None, None).await?,
            ctx.t("services-all"),
            false,
        )
    };
    let agencies = civil
        .agencies_with_services()
        .await?
        .into_iter()
        .map(|(code, n)| {
            let name = names.get(&code).cloned().unwrap_or(code.clone());
            (code, name, n)
        })
        .collect();
    let events = dasan_civil::definition::LIFE_EVENTS
        .iter()
        .map(|e| (*e, ctx.t(&format!("life-event-{e}"))))
        .collect();
    let services = items(list, ctx.lang, &names);
    render(&CataloguePage {
        ctx,
        q,
        heading,
        services,
        agencies,
        events,
        searched,
    })
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    ctx: PageCtx,
    code: String,
    name: String,
    description: String,
    agency: String,
    instant: bool,
    time_limit_days: u32,
    fee: String,
    exemptions: Vec<String>,
    eligibility: Option<String>,
    prefilled: Vec<String>,
    signed_in: bool,
}

fn money(amount: i64, currency: &str) -> String {
    // Integer minor units; KRW has no minor unit.
    let digits = amount.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped} {currency}")
}

/// `GET /services/{code}`
pub async fn service(
    State(state): State<AppState>,
    ctx: PageCtx,
    auth: axum::Extension<Auth>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let def = state.civil().service(&code).await?.definition;
    let names = agency_names(&state, ctx.lang).await?;
    let lang = ctx.lang;
    let fee = if def.fee.amount == 0 {
        ctx.t("service-free")
    } else {
        money(def.fee.amount, &def.fee.currency)
    };
    let prefilled = def
        .fields()
        .filter(|f| f.prefill.is_some())
        .map(|f| text(&f.label, lang).to_owned())
        .collect();
    render(&ServicePage {
        code: def.code.clone(),
        name: text(&def.name, lang).to_owned(),
        description: text(&def.description, lang).to_owned(),
        agency: names
            .get(&def.agency)
            .cloned()
            .unwrap_or(def.agency.clone()),
        instant: def.issuance == dasan_civil::Issuance::Instant,
        time_limit_days: def.time_limit_days,
        fee,
        exemptions: def
            .fee
            .exemptions
            .iter()
            .map(|e| text(&e.label, lang).to_owned())
            .collect(),
        eligibility: def
            .eligibility
            .summary
            .as_ref()
            .map(|s| text(s, lang).to_owned()),
        prefilled,
        signed_in: auth.principal().is_some(),
        ctx,
    })
}

#[derive(Deserialize, Default)]
pub struct StartForm {
    /// The person to apply for (someone the applicant acts for), if not themself.
    #[serde(default, rename = "for")]
    for_person: String,
}

/// `POST /services/{code}/apply`: starts a draft and goes to its first step.
pub async fn start(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    PageForm(form): PageForm<StartForm>,
) -> Result<Response, WebError> {
    let subject = if form.for_person.is_empty() {
        None
    } else {
        Some(form.for_person.parse().map_err(|_| WebError::NotFound)?)
    };
    let id = state
        .civil()
        .start(&signed.principal, &code, subject)
        .await?;
    Ok(see_other(&format!("/applications/{id}/steps/0")))
}

#[derive(Template)]
#[template(path = "service_for.html")]
struct ForPage {
    ctx: PageCtx,
    code: String,
    name: String,
    people: Vec<Principalship>,
}

/// `GET /services/{code}/for`: whom the applicant can apply for.
pub async fn choose_for(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let def = state.civil().service(&code).await?.definition;
    let people = dasan_identity::delegation::represented(
        state.db(),
        state.registry(),
        &signed.principal,
        state.majority_age(),
    )
    .await?
    .into_iter()
    .filter(|p| p.services.iter().any(|s| s == "*" || *s == code))
    .collect();
    render(&ForPage {
        name: text(&def.name, ctx.lang).to_owned(),
        code,
        people,
        ctx,
    })
}

/// One question as a step page shows it.
struct FieldView {
    id: String,
    /// `text`, `textarea`, `number`, `date`, `choice`, `id`.
    kind: &'static str,
    label: String,
    hint: Option<String>,
    required: bool,
    value: String,
    /// For files: the media types accepted.
    accept: String,
    options: Vec<(String, String)>,
    condition: Option<String>,
    error: Option<String>,
}

fn field_views(
    ctx: &PageCtx,
    def: &ServiceDefinition,
    step: usize,
    values: &BTreeMap<String, String>,
    errors: &[ShownError],
) -> Vec<FieldView> {
    let lang = ctx.lang;
    let Some(s) = def.steps.get(step) else {
        return Vec::new();
    };
    s.fields
        .iter()
        .filter(|f| f.prefill.is_none())
        .map(|f| FieldView {
            id: f.id.clone(),
            kind: match f.kind {
                FieldKind::Text
                    if f.max_length
                        .unwrap_or(dasan_civil::form::DEFAULT_MAX_LENGTH)
                        > 200 =>
                {
                    "textarea"
                }
                FieldKind::Address => "textarea",
                FieldKind::Number => "number",
                FieldKind::Date => "date",
                FieldKind::Choice => "choice",
                FieldKind::Person | FieldKind::Business => "id",
                FieldKind::File => "file",
                _ => "text",
            },
            label: text(&f.label, lang).to_owned(),
            hint: f.hint.as_ref().map(|h| text(h, lang).to_owned()),
            required: f.required,
            value: values.get(&f.id).cloned().unwrap_or_default(),
            accept: f.accept.join(","),
            options: f
                .options
                .iter()
                .map(|o| (o.value.clone(), text(&o.label, lang).to_owned()))
                .collect(),
            condition: f.show_if.as_ref().map(|c| {
                let question = def
                    .fields()
                    .find(|q| q.id == c.field)
                    .map(|q| text(&q.label, lang).to_owned())
                    .unwrap_or_default();
                let answer = def
                    .fields()
                    .flat_map(|q| q.options.iter())
                    .find(|o| o.value == c.equals)
                    .map(|o| text(&o.label, lang).to_owned())
                    .unwrap_or(c.equals.clone());
                ctx.tr().with_args(
                    "application-condition",
                    [("question", question.as_str()), ("answer", answer.as_str())],
                )
            }),
            error: errors
                .iter()
                .find(|e| e.field == f.id)
                .map(|e| e.message.clone()),
        })
        .collect()
}

/// Registry facts shown on a step (label, value).
fn prefilled_views(
    def: &ServiceDefinition,
    step: usize,
    app: &Application,
    lang: &str,
) -> Vec<(String, String)> {
    def.steps
        .get(step)
        .map(|s| {
            s.fields
                .iter()
                .filter(|f| f.prefill.is_some())
                .map(|f| {
                    (
                        text(&f.label, lang).to_owned(),
                        app.prefilled.get(&f.id).cloned().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "application_step.html")]
struct StepPage {
    ctx: PageCtx,
    id: ApplicationId,
    service: String,
    step: usize,
    steps: usize,
    title: String,
    prefilled: Vec<(String, String)>,
    fields: Vec<FieldView>,
    errors: Vec<ShownError>,
}

impl StepPage {
    fn has_files(&self) -> bool {
        self.fields.iter().any(|f| f.kind == "file")
    }

    fn checked(&self, field: &FieldView, value: &str) -> bool {
        field.value == value
    }

    fn step_of(&self) -> String {
        let (step, steps) = ((self.step + 1).to_string(), self.steps.to_string());
        self.ctx.tr().with_args(
            "application-step-of",
            [("step", step.as_str()), ("steps", steps.as_str())],
        )
    }
}

async fn draft(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<(Application, ServiceDefinition), WebError> {
    let id: ApplicationId = id.parse().map_err(|_| WebError::NotFound)?;
    let app = state.civil().application(principal, id).await?;
    if app.applicant != principal.account {
        return Err(WebError::NotFound);
    }
    let def = state
        .civil()
        .service_version(&app.service, app.service_version)
        .await?;
    Ok((app, def))
}

fn step_page(
    ctx: PageCtx,
    app: &Application,
    def: &ServiceDefinition,
    step: usize,
    values: &BTreeMap<String, String>,
    errors: Vec<ShownError>,
) -> StepPage {
    let lang = ctx.lang;
    StepPage {
        id: app.id,
        service: text(&def.name, lang).to_owned(),
        step,
        steps: def.steps.len(),
        title: def
            .steps
            .get(step)
            .map(|s| text(&s.title, lang).to_owned())
            .unwrap_or_default(),
        prefilled: prefilled_views(def, step, app, lang),
        fields: field_views(&ctx, def, step, values, &errors),
        errors,
        ctx,
    }
}

/// `GET /applications/{id}/steps/{n}`
pub async fn step_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path((id, step)): Path<(String, usize)>,
) -> Result<Response, WebError> {
    let (app, def) = draft(&state, &signed.principal, &id).await?;
    if app.status != Status::Draft {
        return Ok(see_other(&format!("/applications/{}", app.id)));
    }
    if step >= def.steps.len() {
        return Err(WebError::NotFound);
    }
    render(&step_page(ctx, &app, &def, step, &app.answers, Vec::new()))
}

/// `POST /applications/{id}/steps/{n}`: saves the step; the next step, or the check page.
pub async fn step_save(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path((id, step)): Path<(String, usize)>,
    form: UploadForm,
) -> Result<Response, WebError> {
    let (app, def) = draft(&state, &signed.principal, &id).await?;
    if step >= def.steps.len() {
        return Err(WebError::NotFound);
    }
    let typed = form.fields;
    // Files first: each is checked by its content; a refused one is shown on its field.
    for (field, name, bytes) in &form.files {
        let on_step = def.steps[step].fields.iter().any(|f| f.id == *field);
        if !on_step {
            continue;
        }
        match state
            .civil()
            .attach(&signed.principal, app.id, field, name, bytes)
            .await
        {
            Ok(_) => {}
            Err(CivilError::Invalid(fields)) => {
                let errors = shown(&ctx, &fields);
                let app = state.civil().application(&signed.principal, app.id).await?;
                return render_invalid(&step_page(ctx, &app, &def, step, &typed, errors));
            }
            Err(other) => return Err(other.into()),
        }
    }
    match state
        .civil()
        .save_step(&signed.principal, app.id, step, &typed)
        .await
    {
        Ok(()) => {
            let next =
                if typed.get("check").is_some_and(|v| v == "1") || step + 1 >= def.steps.len() {
                    format!("/applications/{}/check", app.id)
                } else {
                    format!("/applications/{}/steps/{}", app.id, step + 1)
                };
            Ok(see_other(&next))
        }
        Err(CivilError::Invalid(fields)) => {
            let errors = shown(&ctx, &fields);
            render_invalid(&step_page(ctx, &app, &def, step, &typed, errors))
        }
        Err(other) => Err(other.into()),
    }
}

/// An answer as the check page and the application page show it.
struct AnswerView {
    label: String,
    value: String,
    step: usize,
    from_registry: bool,
}

fn answer_views(def: &ServiceDefinition, app: &Application, lang: &str) -> Vec<AnswerView> {
    let mut out = Vec::new();
    for (i, step) in def.steps.iter().enumerate() {
        for f in &step.fields {
            let (value, from_registry) = match f.prefill {
                Some(_) => (app.prefilled.get(&f.id).cloned(), true),
                None => (app.answers.get(&f.id).cloned(), false),
            };
            let Some(value) = value else { continue };
            let value = f
                .options
                .iter()
                .find(|o| o.value == value)
                .map(|o| text(&o.label, lang).to_owned())
                .unwrap_or(value);
            out.push(AnswerView {
                label: text(&f.label, lang).to_owned(),
                value,
                step: i,
                from_registry,
            });
        }
    }
    out
}

#[derive(Template)]
#[template(path = "application_check.html")]
struct CheckPage {
    ctx: PageCtx,
    id: ApplicationId,
    service: String,
    answers: Vec<AnswerView>,
    errors: Vec<ShownError>,
}

/// `GET /applications/{id}/check`
pub async fn check(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (app, def) = draft(&state, &signed.principal, &id).await?;
    if app.status != Status::Draft {
        return Ok(see_other(&format!("/applications/{}", app.id)));
    }
    render(&CheckPage {
        id: app.id,
        service: text(&def.name, ctx.lang).to_owned(),
        answers: answer_views(&def, &app, ctx.lang),
        errors: Vec::new(),
        ctx,
    })
}

/// `POST /applications/{id}/submit`
pub async fn submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let (app, def) = draft(&state, &signed.principal, &id).await?;
    match state.civil().submit(&signed.principal, app.id).await {
        Ok(_) => Ok(see_other(&format!("/applications/{}", app.id))),
        Err(CivilError::Invalid(fields)) => {
            // A step is incomplete: send the person to the first one with a problem.
            let errors = shown(&ctx, &fields);
            let step = def
                .steps
                .iter()
                .position(|s| {
                    s.fields
                        .iter()
                        .any(|f| fields.iter().any(|e| e.field == f.id))
                })
                .unwrap_or(0);
            render_invalid(&step_page(ctx, &app, &def, step, &app.answers, errors))
        }
        Err(other) => Err(other.into()),
    }
}

struct ApplicationItem {
    id: ApplicationId,
    version: i64,
    service: String,
    receipt: String,
    status: Status,
    updated: String,
    overdue: bool,
    assigned_to_me: bool,
}

async fn list_items(
    state: &AppState,
    apps: Vec<Application>,
    lang: &str,
    me: &Principal,
) -> Result<Vec<ApplicationItem>, WebError> {
    let now = state.db().clock().now();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::with_capacity(apps.len());
    for a in apps {
        let key = format!("{}@{}", a.service, a.service_version);
        if !names.contains_key(&key) {
            let def = state
                .civil()
                .service_version(&a.service, a.service_version)
                .await?;
            names.insert(key.clone(), text(&def.name, lang).to_owned());
        }
        out.push(ApplicationItem {
            id: a.id,
            version: a.version,
            service: names.get(&key).cloned().unwrap_or_default(),
            receipt: a.receipt.clone().unwrap_or_default(),
            status: a.status,
            updated: when(a.submitted_at.unwrap_or(a.created_at)),
            overdue: a.overdue(now),
            assigned_to_me: a.assigned_to == Some(me.account),
        })
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "applications.html")]
pub(crate) struct ApplicationsPage {
    pub(crate) ctx: PageCtx,
    applications: Vec<ApplicationItem>,
    documents: Vec<dasan_civil::documents::IssuedDocument>,
    /// Where the person sent their documents.
    shares: Vec<dasan_civil::shares::SentShare>,
    /// Organisations a document can be sent to: (code, name).
    agencies: Vec<(String, String)>,
    pub(crate) errors: Vec<ShownError>,
}

impl ApplicationsPage {
    fn status(&self, s: &Status) -> String {
        self.ctx.t(&format!("civil-status-{}", s.as_str()))
    }

    fn document_label(&self, d: &dasan_civil::documents::IssuedDocument) -> String {
        self.ctx.t(&format!("document-type-{}", d.document_type))
    }

    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        when(*t)
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// `GET /applications`: the signed-in person's applications.
pub async fn mine(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    render(&applications_page(&state, ctx, &signed.principal, Vec::new()).await?)
}

/// The applications page with the wallet, where documents are sent from.
pub(crate) async fn applications_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    errors: Vec<ShownError>,
) -> Result<ApplicationsPage, WebError> {
    let apps = state.civil().mine(principal).await?;
    let applications = list_items(state, apps, ctx.lang, principal).await?;
    let documents = state.civil().my_documents(principal).await?;
    let shares = state.civil().my_shares(principal).await?;
    let agencies = agency_names(state, ctx.lang).await?.into_iter().collect();
    Ok(ApplicationsPage {
        ctx,
        applications,
        documents,
        shares,
        agencies,
        errors,
    })
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    ctx: PageCtx,
    app: Application,
    service: String,
    answers: Vec<AnswerView>,
    events: Vec<Event>,
    applicant: bool,
    official: bool,
    actions: Vec<Action>,
    due: Option<String>,
    overdue: bool,
    conflict: Option<String>,
    message: String,
    errors: Vec<ShownError>,
    attachments: Vec<dasan_civil::attachments::Attachment>,
    documents: Vec<dasan_civil::documents::IssuedDocument>,
    /// Colleagues the application can be given to (officials only).
    assignees: Vec<(String, String)>,
}

impl ApplicationPage {
    fn status(&self, s: &Status) -> String {
        self.ctx.t(&format!("civil-status-{}", s.as_str()))
    }

    fn action_label(&self, a: &Action) -> String {
        self.ctx.t(&format!("civil-action-{}", a.as_str()))
    }

    fn event_label(&self, e: &Event) -> String {
        self.ctx.t(&format!("civil-event-{}", e.action))
    }

    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        when(*t)
    }

    fn warning(&self, a: &Action) -> bool {
        matches!(a, Action::Reject | Action::Withdraw)
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn needs_message(&self, a: &Action) -> bool {
        a.needs_message()
    }

    fn is_assign(&self, a: &Action) -> bool {
        *a == Action::Assign
    }

    fn is_assigned(&self, id: &str) -> bool {
        self.app.assigned_to.is_some_and(|a| a.to_string() == id)
    }

    fn document_label(&self, d: &dasan_civil::documents::IssuedDocument) -> String {
        format!("document-type-{}", d.document_type)
    }
}

/// The actions the principal can take on the application now (the domain's one rule).
fn available(app: &Application, principal: &Principal) -> Vec<Action> {
    [
        Action::Claim,
        Action::RequestInfo,
        Action::Approve,
        Action::Reject,
        Action::Release,
        Action::Issue,
        Action::Answer,
        Action::Message,
        Action::Assign,
        Action::Withdraw,
    ]
    .into_iter()
    .filter(|a| dasan_civil::application::may(app, principal, *a).is_ok())
    .collect()
}

async fn application_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    id: ApplicationId,
    conflict: Option<String>,
    (message, errors): (String, Vec<ShownError>),
) -> Result<ApplicationPage, WebError> {
    let app = state.civil().application(principal, id).await?;
    let def = state
        .civil()
        .service_version(&app.service, app.service_version)
        .await?;
    let events = state.civil().timeline(principal, id).await?;
    let attachments = state.civil().attachments(principal, id).await?;
    let documents = state.civil().documents(principal, id).await?;
    let official = principal.has(Permission::CivilReview, Scope::Agency(&app.agency));
    let now = state.db().clock().now();
    let actions = available(&app, principal);
    let assignees = if actions.contains(&Action::Assign) {
        state
            .civil()
            .assignees(principal, &app.agency)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(ApplicationPage {
        service: text(&def.name, ctx.lang).to_owned(),
        answers: answer_views(&def, &app, ctx.lang),
        events,
        applicant: app.applicant == principal.account,
        official,
        actions,
        assignees,
        due: app.due_at.filter(|_| app.status.with_agency()).map(when),
        overdue: app.overdue(now),
        conflict,
        message,
        errors,
        attachments,
        documents,
        app,
        ctx,
    })
}

/// `GET /applications/{id}`: status, timeline, answers, and what can be done next.
pub async fn view(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: ApplicationId = id.parse().map_err(|_| WebError::NotFound)?;
    let page = application_page(
        &state,
        ctx,
        &signed.principal,
        id,
        None,
        (String::new(), Vec::new()),
    )
    .await?;
    if page.app.status == Status::Draft && page.applicant {
        return Ok(see_other(&format!("/applications/{id}/check")));
    }
    render(&page)
}

#[derive(Deserialize, Default)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    assignee: String,
}

/// `POST /applications/{id}/act`
pub async fn act(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<ActForm>,
) -> Result<Response, WebError> {
    let id: ApplicationId = id.parse().map_err(|_| WebError::NotFound)?;
    let action = Action::parse(&form.action).ok_or(WebError::NotFound)?;
    let version: i64 = form.version.parse().unwrap_or(-1);
    let message = (!form.message.trim().is_empty()).then_some(form.message.as_str());
    let done = if action == Action::Assign {
        match form.assignee.parse() {
            Ok(to) => {
                state
                    .civil()
                    .assign(&signed.principal, id, version, to)
                    .await
            }
            Err(_) => Err(CivilError::Invalid(vec![dasan_kernel::FieldError::new(
                "assignee",
                "civil-error-assignee",
            )])),
        }
    } else {
        state
            .civil()
            .act(&signed.principal, id, action, version, message)
            .await
    };
    match done {
        Ok(_) => Ok(see_other(&format!("/applications/{id}"))),
        Err(CivilError::Invalid(mut fields)) => {
            // Each action's message box has its own id, so the error summary links to the right one.
            for f in &mut fields {
                if f.field == "message" {
                    f.field = format!("message-{}", action.as_str());
                }
            }
            let errors = shown(&ctx, &fields);
            let page = application_page(
                &state,
                ctx,
                &signed.principal,
                id,
                None,
                (form.message, errors),
            )
            .await?;
            render_invalid(&page)
        }
        Err(
            e @ (CivilError::Stale | CivilError::AssignedToOther | CivilError::Transition { .. }),
        ) => {
            let key = match e {
                CivilError::AssignedToOther => "application-conflict-assigned",
                _ => "application-conflict-changed",
            };
            let note = ctx.t(key);
            let page = application_page(
                &state,
                ctx,
                &signed.principal,
                id,
                Some(note),
                (form.message, Vec::new()),
            )
            .await?;
            let mut response = render(&page)?;
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    ctx: PageCtx,
    agency: String,
    agency_name: String,
    filter: &'static str,
    filters: Vec<(&'static str, String)>,
    applications: Vec<ApplicationItem>,
    /// How many a bulk claim just took, and how many it could not.
    claimed: Option<(usize, usize)>,
    page: u32,
    more: bool,
}

impl QueuePage {
    fn selectable(&self, a: &ApplicationItem) -> bool {
        a.status == Status::Submitted
    }

    fn any_selectable(&self) -> bool {
        self.applications.iter().any(|a| self.selectable(a))
    }

    fn claimed_note(&self) -> Option<String> {
        self.claimed.map(|(ok, missed)| {
            let (ok, missed) = (ok.to_string(), missed.to_string());
            self.ctx.tr().with_args(
                "queue-claimed",
                [("claimed", ok.as_str()), ("missed", missed.as_str())],
            )
        })
    }

    fn status(&self, s: &Status) -> String {
        self.ctx.t(&format!("civil-status-{}", s.as_str()))
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    filter: String,
    #[serde(default)]
    page: Option<u32>,
}

const FILTERS: [(&str, QueueFilter); 5] = QueueFilter::ALL;

/// `GET /agencies/{code}/queue?filter=…`: the agency's work queue.
pub async fn queue(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(agency): Path<String>,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    queue_page(&state, ctx, &signed, agency, (&query.filter, page), None).await
}

/// `POST /agencies/{code}/queue/claim`: takes the selected applications (a bulk action). Each
/// `pick` is `id:version`, as the queue showed it.
pub async fn claim_selected(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(agency): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let items: Vec<(ApplicationId, i64)> = pairs
        .iter()
        .filter(|(k, _)| k == "pick")
        .filter_map(|(_, v)| {
            let (id, version) = v.split_once(':')?;
            Some((id.parse().ok()?, version.parse().ok()?))
        })
        .collect();
    // Only the agency's officials (anyone else: "not found"); each claim is checked again.
    if !signed
        .principal
        .has(Permission::CivilReview, Scope::Agency(&agency))
    {
        return Err(WebError::NotFound);
    }
    let mine = items;
    let asked = pairs.iter().filter(|(k, _)| k == "pick").count();
    let claimed = state.civil().claim_all(&signed.principal, &mine).await?;
    queue_page(
        &state,
        ctx,
        &signed,
        agency,
        ("mine", 1),
        Some((claimed, asked.saturating_sub(claimed))),
    )
    .await
}

async fn queue_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    agency: String,
    (filter, page): (&str, u32),
    claimed: Option<(usize, usize)>,
) -> Result<Response, WebError> {
    let (filter_name, filter) = FILTERS
        .iter()
        .find(|(n, _)| *n == filter)
        .copied()
        .unwrap_or(FILTERS[0]);
    let found = state
        .civil()
        .queue(&signed.principal, &agency, filter, page)
        .await?;
    let (page, more) = (found.page, found.more);
    let applications = list_items(state, found.items, ctx.lang, &signed.principal).await?;
    let names = agency_names(state, ctx.lang).await?;
    render(&QueuePage {
        claimed,
        agency_name: names.get(&agency).cloned().unwrap_or(agency.clone()),
        agency,
        filter: filter_name,
        filters: FILTERS
            .iter()
            .map(|(n, _)| (*n, ctx.t(&format!("queue-filter-{n}"))))
            .collect(),
        applications,
        page,
        more,
        ctx,
    })
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    ctx: PageCtx,
    messages: Vec<Message>,
}

impl InboxPage {
    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        when(*t)
    }
}

/// `GET /inbox`
pub async fn inbox(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let messages = state.civil().inbox(&signed.principal).await?;
    render(&InboxPage { ctx, messages })
}

/// `GET /applications/{id}/documents/{number}`: an issued document's signed PDF, for those who
/// may see the application.
pub async fn document(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id: ApplicationId = id.parse().map_err(|_| WebError::NotFound)?;
    let (doc, pdf) = state
        .civil()
        .document_pdf(&signed.principal, id, &number)
        .await?;
    Ok(pdf_download(&doc, pdf))
}

/// `POST /applications/{id}/documents/{number}/reissue`: the applicant (or an official of the
/// agency) replaces a valid document with a new one; a refusal is a translated error page.
pub async fn reissue(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, number)): Path<(String, String)>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let id: ApplicationId = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .civil()
        .reissue_document(&signed.principal, id, &number)
        .await?;
    Ok(see_other(&format!("/applications/{id}#documents")))
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
}

/// `POST /applications/{id}/documents/{number}/revoke`: an official of the issuing agency
/// revokes a document, with a reason.
pub async fn revoke(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path((id, number)): Path<(String, String)>,
    PageForm(form): PageForm<RevokeForm>,
) -> Result<Response, WebError> {
    let id: ApplicationId = id.parse().map_err(|_| WebError::NotFound)?;
    match state
        .civil()
        .revoke_document(&signed.principal, id, &number, &form.reason)
        .await
    {
        Ok(()) => Ok(see_other(&format!("/applications/{id}"))),
        Err(CivilError::Invalid(mut fields)) => {
            for f in &mut fields {
                f.field = format!("reason-{number}");
            }
            let errors = shown(&ctx, &fields);
            let page = application_page(
                &state,
                ctx,
                &signed.principal,
                id,
                None,
                (String::new(), errors),
            )
            .await?;
            render_invalid(&page)
        }
        Err(e) => Err(e.into()),
    }
}

/// A signed PDF as a download named after its type and number.
pub fn pdf_download(doc: &dasan_civil::documents::IssuedDocument, pdf: Vec<u8>) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let filename = format!("{}-{}.pdf", doc.document_type, doc.issue_number);
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pdf,
    )
        .into_response()
}

/// `GET /applications/{id}/files/{field}`: an attached file, for the applicant and the agency's
/// officials only. Sent as a download with the type its content was checked to be.
pub async fn file(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, field)): Path<(String, String)>,
) -> Result<Response, WebError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let id: ApplicationId = id.parse().map_err(|_| WebError::NotFound)?;
    let (meta, bytes) = state
        .civil()
        .attachment(&signed.principal, id, &field)
        .await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        meta.filename
            .replace(|c: char| !c.is_ascii() || c == '\\', "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, meta.media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
