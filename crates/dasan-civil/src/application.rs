//! Applications: started (with registry facts filled in), answered step by step as a draft,
//! submitted with a receipt number, then moved through their statuses by the applicant and the
//! agency's officials. Every change is one audited transaction guarded by the application's
//! version, so two officials can never decide the same application twice.

use crate::definition::{Issuance, ServiceDefinition};
use crate::form::{self, Identifiers};
use crate::status::{self, Action, Party, Status};
use crate::{Civil, CivilError};
use dasan_identity::delegation::{self, Basis};
use dasan_identity::{AccountId, AccountKind, Permission, Principal, Scope};
use dasan_kernel::{FieldError, Timestamp, define_id};
use dasan_registry::{LookupRequest, PersonField, PersonId, SharedPerson};
use dasan_store::{StoreError, Tx, on_reader, on_tx};
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;

define_id!(
    /// Identifies an application.
    ApplicationId
);

/// An application as its applicant and the agency's officials see it.
#[derive(Clone, Debug, Serialize)]
pub struct Application {
    pub id: ApplicationId,
    pub receipt: Option<String>,
    pub service: String,
    pub service_version: i64,
    pub agency: String,
    pub applicant: AccountId,
    pub subject_person: Option<String>,
    pub basis: String,
    pub status: Status,
    pub answers: BTreeMap<String, String>,
    /// Registry facts as read when the application was started (shown, never typed).
    pub prefilled: BTreeMap<String, String>,
    pub assigned_to: Option<AccountId>,
    pub version: i64,
    pub created_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: Option<String>,
}

impl Application {
    /// Past its time limit and still with the agency.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.status.with_agency() && self.due_at.is_some_and(|d| d < now)
    }
}

/// One entry of an application's timeline.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub at: Timestamp,
    pub by_official: bool,
    pub action: String,
    pub status: Status,
    pub message: Option<String>,
}

/// Which applications an official's queue shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueueFilter {
    /// Everything waiting for the agency (submitted or in review).
    #[default]
    Open,
    /// Submitted, nobody working on it.
    Unassigned,
    /// Claimed by the official asking.
    Mine,
    /// Past the time limit.
    Overdue,
    /// Waiting for the applicant.
    WaitingForApplicant,
}

/// How many applications a queue page shows.
pub const QUEUE_PAGE: i64 = 50;

/// One page of a work queue, oldest first.
#[derive(Clone, Debug)]
pub struct QueuePage {
    pub items: Vec<Application>,
    /// From 1.
    pub page: u32,
    /// Another page follows.
    pub more: bool,
}

impl QueueFilter {
    /// Every filter with its name (in links and the API).
    pub const ALL: [(&'static str, QueueFilter); 5] = [
        ("open", QueueFilter::Open),
        ("unassigned", QueueFilter::Unassigned),
        ("mine", QueueFilter::Mine),
        ("overdue", QueueFilter::Overdue),
        ("waiting", QueueFilter::WaitingForApplicant),
    ];

    pub fn parse(name: &str) -> Option<QueueFilter> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}

const COLUMNS: &str = "id, receipt, service, service_version, agency, applicant, subject_person, basis, status, answers, prefilled, assigned_to, version, created_at, submitted_at, due_at, decided_at, decision_reason";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    receipt: Option<String>,
    service: String,
    service_version: i64,
    agency: String,
    applicant: String,
    subject_person: Option<String>,
    basis: String,
    status: String,
    answers: String,
    prefilled: String,
    assigned_to: Option<String>,
    version: i64,
    created_at: i64,
    submitted_at: Option<i64>,
    due_at: Option<i64>,
    decided_at: Option<i64>,
    decision_reason: Option<String>,
}

fn corrupt(what: &str) -> CivilError {
    CivilError::Store(StoreError::Corrupt(format!("application {what}")))
}

fn from_row(r: Row) -> Result<Application, CivilError> {
    Ok(Application {
        id: r.id.parse().map_err(|_| corrupt("id"))?,
        receipt: r.receipt,
        service: r.service,
        service_version: r.service_version,
        agency: r.agency,
        applicant: r.applicant.parse().map_err(|_| corrupt("applicant"))?,
        subject_person: r.subject_person,
        basis: r.basis,
        status: Status::parse(&r.status).ok_or_else(|| corrupt("status"))?,
        answers: serde_json::from_str(&r.answers).map_err(|_| corrupt("answers"))?,
        prefilled: serde_json::from_str(&r.prefilled).map_err(|_| corrupt("prefilled"))?,
        assigned_to: r
            .assigned_to
            .map(|a| a.parse())
            .transpose()
            .map_err(|_| corrupt("assignee"))?,
        version: r.version,
        created_at: Timestamp::from_micros(r.created_at),
        submitted_at: r.submitted_at.map(Timestamp::from_micros),
        due_at: r.due_at.map(Timestamp::from_micros),
        decided_at: r.decided_at.map(Timestamp::from_micros),
        decision_reason: r.decision_reason,
    })
}

/// A registry value as the form shows it.
fn shown_value(shared: &SharedPerson, field: PersonField) -> Option<String> {
    match field {
        PersonField::NationalId => shared.national_id.clone(),
        PersonField::NameLocal => shared.name_local.clone(),
        PersonField::NameLatin => shared.name_latin.clone(),
        PersonField::BirthDate => shared.birth_date.map(|d| d.to_string()),
        PersonField::Sex => shared.sex.map(|s| s.as_str().to_owned()),
        PersonField::Nationality => shared.nationality.clone(),
        PersonField::Address => shared.address.as_ref().map(|a| {
            let unit = a
                .unit
                .as_deref()
                .map(|u| format!(" {u}"))
                .unwrap_or_default();
            format!(
                "{} {} {} {}{unit} ({})",
                a.region, a.locality, a.street, a.building, a.postal_code
            )
        }),
        PersonField::Status => shared.status.map(|s| s.as_str().to_owned()),
        PersonField::Family => None,
    }
}

/// Adds `days` working days (Monday to Friday) to `from`.
pub fn add_working_days(from: Timestamp, days: u32) -> Timestamp {
    let mut t = from.to_jiff();
    let mut left = days;
    while left > 0 {
        t = t
            .checked_add(jiff::SignedDuration::from_hours(24))
            .unwrap_or(t);
        let weekday = t.to_zoned(jiff::tz::TimeZone::UTC).weekday();
        if !matches!(
            weekday,
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            left -= 1;
        }
    }
    Timestamp::from_jiff(t)
}

/// A receipt number people can read out: `YYYYMMDD-XXXX-XXXX`.
pub(crate) fn receipt_number(now: Timestamp) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
    let mut rng = rand::rng();
    let mut part = || -> String {
        (0..4)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect()
    };
    let day = now.to_jiff().to_zoned(jiff::tz::TimeZone::UTC).date();
    format!("{}-{}-{}", day.strftime("%Y%m%d"), part(), part())
}

struct RegistryIds<'a>(&'a dasan_registry::Registry);

impl Identifiers for RegistryIds<'_> {
    fn person(&self, text: &str) -> Option<String> {
        self.0.scheme().normalise(text).ok()
    }
}

impl Civil {
    pub(crate) fn is_official_for(principal: &Principal, agency: &str) -> bool {
        principal.has(Permission::CivilReview, Scope::Agency(agency))
    }

    /// Starts an application for the principal, or for `subject` when they may act for that
    /// person (delegation or parental authority). The registry facts the form shows are read
    /// now, under the agency's data-sharing rule for the service's purpose.
    pub async fn start(
        &self,
        principal: &Principal,
        code: &str,
        subject: Option<PersonId>,
    ) -> Result<ApplicationId, CivilError> {
        let service = self.service(code).await?;
        let def = &service.definition;
        let kinds = if def.eligibility.account_kinds.is_empty() {
            vec!["citizen".to_owned()]
        } else {
            def.eligibility.account_kinds.clone()
        };
        let (subject, basis) = match principal.kind {
            AccountKind::Citizen if kinds.iter().any(|k| k == "citizen") => {
                let own: PersonId = principal
                    .person
                    .as_deref()
                    .and_then(|p| p.parse().ok())
                    .ok_or(CivilError::NotEligible("no-person"))?;
                let subject = subject.unwrap_or(own);
                let basis = delegation::acting_for(
                    &self.db,
                    &self.registry,
                    principal,
                    subject,
                    code,
                    self.majority_age,
                )
                .await?;
                let basis = match basis {
                    Basis::Own => "own",
                    Basis::Delegated { .. } => "delegated",
                    Basis::Parent => "parent",
                };
                (Some(subject), basis)
            }
            AccountKind::Business if kinds.iter().any(|k| k == "business") => (None, "business"),
            _ => return Err(CivilError::NotEligible("account-kind")),
        };

        let mut prefilled = BTreeMap::new();
        if let Some(subject) = subject {
            let mut fields = def.prefilled();
            if def.eligibility.min_age.is_some() {
                fields.insert(PersonField::BirthDate);
            }
            if !def.eligibility.nationalities.is_empty() {
                fields.insert(PersonField::Nationality);
            }
            if !fields.is_empty() {
                let shared = self
                    .registry
                    .lookup(
                        principal.actor(None),
                        &LookupRequest {
                            subject,
                            fields,
                            purpose: def.purpose.clone(),
                            requester: def.agency.clone(),
                        },
                    )
                    .await?;
                check_eligibility(def, &shared, self.db.clock().now())?;
                for field in def.fields() {
                    if let Some(p) = &field.prefill
                        && let Some(v) = shown_value(&shared, p.field)
                    {
                        prefilled.insert(field.id.clone(), v);
                    }
                }
            }
        }

        let id = ApplicationId::new();
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO civil_applications (id, service, service_version, agency, applicant, subject_person, basis, status, answers, prefilled, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', '{}', $8, 1, $9, $9)"
        )
        .bind(id.to_string())
        .bind(&def.code)
        .bind(service.version)
        .bind(&def.agency)
        .bind(principal.account.to_string())
        .bind(subject.map(|s| s.to_string()))
        .bind(basis)
        .bind(serde_json::to_string(&prefilled).unwrap_or_else(|_| "{}".into()))
        .bind(now)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.record(
            "civil.application.start",
            format!("application:{id}"),
            serde_json::json!({ "service": def.code, "basis": basis, "subject": subject.map(|s| s.to_string()) }),
        );
        tx.commit().await?;
        Ok(id)
    }

    async fn load_application(&self, id: ApplicationId) -> Result<Application, CivilError> {
        let sql = format!("SELECT {COLUMNS} FROM civil_applications WHERE id = $1");
        let row: Option<Row> = on_reader!(self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.as_str()
        ))
        .bind(id.to_string())
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        from_row(row.ok_or(CivilError::NotFound)?)
    }

    /// An application, if the principal is its applicant or an official of its agency; anyone
    /// else gets "not found".
    pub async fn application(
        &self,
        principal: &Principal,
        id: ApplicationId,
    ) -> Result<Application, CivilError> {
        let app = self.load_application(id).await?;
        if app.applicant == principal.account || Self::is_official_for(principal, &app.agency) {
            Ok(app)
        } else {
            Err(CivilError::NotFound)
        }
    }

    /// The applicant's draft, or "not found".
    async fn own_draft(
        &self,
        principal: &Principal,
        id: ApplicationId,
    ) -> Result<Application, CivilError> {
        let app = self.load_application(id).await?;
        if app.applicant != principal.account {
            return Err(CivilError::NotFound);
        }
        if app.status != Status::Draft {
            return Err(CivilError::Transition {
                action: "edit",
                status: app.status.as_str(),
            });
        }
        Ok(app)
    }

    /// Applies in one go, as an agency system or a person's script does through the API: every
    /// answer is checked against the whole form first, so a refused request leaves nothing
    /// behind; then the application is started (registry facts filled in), saved and
    /// submitted. Files cannot be sent this way: a form that needs one is refused with the
    /// file fields named. Returns the application and its receipt number.
    pub async fn apply(
        &self,
        principal: &Principal,
        code: &str,
        subject: Option<PersonId>,
        typed: &BTreeMap<String, String>,
    ) -> Result<(ApplicationId, String), CivilError> {
        let def = self.service(code).await?.definition;
        let mut errors: Vec<FieldError> = Vec::new();
        let mut clean: BTreeMap<String, String> = BTreeMap::new();
        for step in &def.steps {
            match form::check_step(step, typed, typed, &RegistryIds(&self.registry)) {
                Ok(answers) => clean.extend(answers),
                Err(mut e) => errors.append(&mut e),
            }
        }
        for field in def.fields() {
            if field.kind == crate::definition::FieldKind::File
                && field.required
                && field.shown(typed)
            {
                errors.push(FieldError::new(
                    field.id.clone(),
                    "civil-error-file-required",
                ));
            }
        }
        // Registry facts are read, never taken from the applicant (once-only).
        for key in typed.keys() {
            match def.fields().find(|f| &f.id == key) {
                None => errors.push(FieldError::new(key.clone(), "civil-error-unknown-field")),
                Some(f) if f.prefill.is_some() => {
                    errors.push(FieldError::new(key.clone(), "civil-error-prefilled"))
                }
                Some(_) => {}
            }
        }
        if !errors.is_empty() {
            return Err(CivilError::Invalid(errors));
        }
        let id = self.start(principal, code, subject).await?;
        let app = self.own_draft(principal, id).await?;
        let mut answers = app.answers.clone();
        answers.extend(clean);
        self.save_answers(principal, &app, &answers, "all").await?;
        let receipt = self.submit(principal, id).await?;
        Ok((id, receipt))
    }

    /// Saves a draft's checked answers (of `step`, or "all") as one audited change.
    async fn save_answers(
        &self,
        principal: &Principal,
        app: &Application,
        answers: &BTreeMap<String, String>,
        step: &str,
    ) -> Result<(), CivilError> {
        let mut tx = self.db.begin(principal.actor(None)).await?;
        if let Err(e) = save_draft_answers(&mut tx, app.id, app.version, answers).await {
            tx.rollback().await?;
            return Err(e);
        }
        tx.record(
            "civil.application.save",
            format!("application:{}", app.id),
            serde_json::json!({ "step": step }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// Saves the answers of one step of a draft (checked; every problem on its field).
    pub async fn save_step(
        &self,
        principal: &Principal,
        id: ApplicationId,
        step: usize,
        typed: &BTreeMap<String, String>,
    ) -> Result<(), CivilError> {
        let app = self.own_draft(principal, id).await?;
        let def = self
            .service_version(&app.service, app.service_version)
            .await?;
        let step_def = def.steps.get(step).ok_or(CivilError::NotFound)?;
        // Typed answers of this step are replaced; attached files keep their names.
        let own_ids: Vec<&str> = step_def
            .fields
            .iter()
            .filter(|f| f.kind != crate::definition::FieldKind::File)
            .map(|f| f.id.as_str())
            .collect();
        let mut answers = app.answers.clone();
        answers.retain(|k, _| !own_ids.contains(&k.as_str()));
        let clean = form::check_step(step_def, typed, &answers, &RegistryIds(&self.registry))
            .map_err(CivilError::Invalid)?;
        answers.extend(clean);
        self.save_answers(principal, &app, &answers, &step_def.id)
            .await
    }

    /// Submits a complete draft: a receipt number, the time limit starts, the applicant is told
    /// (inbox and e-mail). An instant service is issued at once. Returns the receipt number.
    pub async fn submit(
        &self,
        principal: &Principal,
        id: ApplicationId,
    ) -> Result<String, CivilError> {
        let app = self.own_draft(principal, id).await?;
        let def = self
            .service_version(&app.service, app.service_version)
            .await?;
        // Every step must check out with the answers as saved.
        let mut errors: Vec<FieldError> = Vec::new();
        for step in &def.steps {
            let others: BTreeMap<String, String> = app.answers.clone();
            if let Err(mut e) =
                form::check_step(step, &app.answers, &others, &RegistryIds(&self.registry))
            {
                errors.append(&mut e);
            }
        }
        // Required files must be attached.
        let attached: Vec<String> = on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT field FROM civil_attachments WHERE application = $1"
        )
        .bind(id.to_string())
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        for field in def.fields() {
            if field.kind == crate::definition::FieldKind::File
                && field.required
                && field.shown(&app.answers)
                && !attached.contains(&field.id)
            {
                errors.push(FieldError::new(
                    field.id.clone(),
                    "civil-error-file-required",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(CivilError::Invalid(errors));
        }
        let instant = def.issuance == Issuance::Instant;
        // An instant service's document is made from the registry as it stands now.
        let made = if instant {
            self.make_document(&app, &def, None).await?
        } else {
            None
        };
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now();
        let receipt = receipt_number(now);
        let due = (!instant).then(|| add_working_days(now, def.time_limit_days).as_micros());
        let status = if instant {
            Status::Issued
        } else {
            Status::Submitted
        };
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE civil_applications SET status = $3, receipt = $4, submitted_at = $5, due_at = $6, \
             decided_at = CASE WHEN $7 THEN $5 ELSE NULL END, version = version + 1, updated_at = $5 \
             WHERE id = $1 AND version = $2 AND status = 'draft'"
        )
        .bind(id.to_string())
        .bind(app.version)
        .bind(status.as_str())
        .bind(&receipt)
        .bind(now.as_micros())
        .bind(due)
        .bind(instant)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
        if n == 0 {
            tx.rollback().await?;
            return Err(CivilError::Stale);
        }
        event(
            &mut tx,
            id,
            Some(principal.account),
            false,
            Action::Submit,
            Status::Submitted,
            None,
        )
        .await?;
        if instant {
            // Every fact came from the registries: no official decides.
            event(
                &mut tx,
                id,
                None,
                false,
                Action::Approve,
                Status::Approved,
                None,
            )
            .await?;
            event(
                &mut tx,
                id,
                None,
                false,
                Action::Issue,
                Status::Issued,
                None,
            )
            .await?;
            if let Some(made) = &made {
                crate::documents::record(&mut tx, made).await?;
            }
        }
        let name = crate::definition::text(&def.name, "en").to_owned();
        let name_ko = crate::definition::text(&def.name, "ko").to_owned();
        notify(
            &mut tx,
            app.applicant,
            &format!("Received: {name} / 접수: {name_ko}"),
            &format!(
                "Your application \"{name}\" was received with number {receipt}.{}\n\
                 신청하신 \"{name_ko}\"이(가) 접수번호 {receipt}로 접수되었습니다.{}",
                if instant {
                    " It was issued at once."
                } else {
                    ""
                },
                if instant {
                    " 즉시 발급되었습니다."
                } else {
                    ""
                },
            ),
            &format!("/applications/{id}"),
        )
        .await?;
        tx.record(
            "civil.application.submit",
            format!("application:{id}"),
            serde_json::json!({ "service": app.service, "receipt": receipt, "instant": instant }),
        );
        tx.commit().await?;
        Ok(receipt)
    }

    /// Takes `action` on an application read at `expected_version`. The applicant answers and
    /// withdraws; the agency's officials claim, release, ask for information and decide. A
    /// rejection and an information request must say why. If anyone changed the application
    /// since `expected_version`, nothing happens and the caller is told ("changed").
    pub async fn act(
        &self,
        principal: &Principal,
        id: ApplicationId,
        action: Action,
        expected_version: i64,
        message: Option<&str>,
    ) -> Result<Status, CivilError> {
        if action == Action::Assign {
            // Assigning needs an assignee: `assign`.
            return Err(CivilError::Invalid(vec![FieldError::new(
                "assignee",
                "civil-error-assignee",
            )]));
        }
        self.change(principal, id, action, expected_version, message, None)
            .await
    }

    /// Gives an application to `assignee`, an official of its agency who reviews
    /// applications. An official may hand on what is unassigned or their own; taking work
    /// from a colleague needs the agency's role management permission (a team lead).
    pub async fn assign(
        &self,
        principal: &Principal,
        id: ApplicationId,
        expected_version: i64,
        assignee: AccountId,
    ) -> Result<Status, CivilError> {
        self.change(
            principal,
            id,
            Action::Assign,
            expected_version,
            None,
            Some(assignee),
        )
        .await
    }

    /// Who may be given the agency's applications (for the assign form).
    pub async fn assignees(
        &self,
        principal: &Principal,
        agency: &str,
    ) -> Result<Vec<(AccountId, String)>, CivilError> {
        if !Self::is_official_for(principal, agency) {
            return Err(CivilError::NotFound);
        }
        Ok(dasan_identity::admin::holders(&self.db, agency, Permission::CivilReview).await?)
    }

    async fn change(
        &self,
        principal: &Principal,
        id: ApplicationId,
        action: Action,
        expected_version: i64,
        message: Option<&str>,
        assignee: Option<AccountId>,
    ) -> Result<Status, CivilError> {
        let app = self.application(principal, id).await?;
        let official = Self::is_official_for(principal, &app.agency);
        let applicant = app.applicant == principal.account;
        // Submitting has its own checks (`submit`), never an action here.
        if action == Action::Submit || !is_party(app.applicant, official, principal, action) {
            return Err(CivilError::NotFound);
        }
        let message = message.map(str::trim).filter(|m| !m.is_empty());
        if message.is_some_and(|m| m.chars().count() > 5000) {
            return Err(CivilError::Invalid(vec![
                FieldError::new("message", "civil-error-too-long").with_arg("max", 5000),
            ]));
        }
        if action.needs_message() && message.is_none() {
            return Err(CivilError::Invalid(vec![FieldError::new(
                "message",
                match action {
                    Action::Reject => "civil-error-reason",
                    _ => "civil-error-message",
                },
            )]));
        }
        if let Some(to) = assignee {
            let allowed =
                dasan_identity::admin::holders(&self.db, &app.agency, Permission::CivilReview)
                    .await?;
            if !allowed.iter().any(|(a, _)| *a == to) {
                return Err(CivilError::Invalid(vec![FieldError::new(
                    "assignee",
                    "civil-error-assignee",
                )]));
            }
        }
        if app.version != expected_version {
            return Err(CivilError::Stale);
        }
        let to = may(&app, principal, action)?;
        let assigned = match action {
            Action::Claim => Some(principal.account),
            Action::Release => None,
            Action::Assign => assignee,
            _ => app.assigned_to,
        };
        let decision = matches!(action, Action::Approve | Action::Reject);
        // Issuing makes the document first (registry reads, signing); the change records it.
        let made = if action == Action::Issue {
            let def = self
                .service_version(&app.service, app.service_version)
                .await?;
            self.make_document(&app, &def, app.decision_reason.as_deref())
                .await?
        } else {
            None
        };
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE civil_applications SET status = $3, assigned_to = $4, version = version + 1, updated_at = $5, \
             decided_at = CASE WHEN $6 THEN $5 ELSE decided_at END, \
             decision_reason = CASE WHEN $6 THEN $7 ELSE decision_reason END \
             WHERE id = $1 AND version = $2"
        )
        .bind(id.to_string())
        .bind(expected_version)
        .bind(to.as_str())
        .bind(assigned.map(|a| a.to_string()))
        .bind(now)
        .bind(decision)
        .bind(message)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
        if n == 0 {
            // Someone else changed it between our read and this write.
            tx.rollback().await?;
            return Err(CivilError::Stale);
        }
        event(
            &mut tx,
            id,
            Some(principal.account),
            official && !applicant,
            action,
            to,
            message,
        )
        .await?;
        if let Some(made) = &made {
            crate::documents::record(&mut tx, made).await?;
        }
        let def = self
            .service_version(&app.service, app.service_version)
            .await?;
        let name = crate::definition::text(&def.name, "en");
        let name_ko = crate::definition::text(&def.name, "ko");
        let receipt = app.receipt.clone().unwrap_or_default();
        let link = format!("/applications/{id}");
        // Who hears of it: the applicant of what an official does; the official working on it
        // of the applicant's messages and answers; an assignee of the assignment.
        let notice = match action {
            Action::RequestInfo => Some((
                app.applicant,
                "More information is needed",
                "추가 정보가 필요합니다",
            )),
            Action::Approve => Some((app.applicant, "Approved", "승인되었습니다")),
            Action::Reject => Some((app.applicant, "Not approved", "승인되지 않았습니다")),
            Action::Issue => Some((app.applicant, "Issued", "발급되었습니다")),
            Action::Message if !applicant => Some((app.applicant, "New message", "새 메시지")),
            Action::Message | Action::Answer => app
                .assigned_to
                .map(|o| (o, "New message from the applicant", "신청인의 새 메시지")),
            Action::Assign => assigned
                .filter(|a| *a != principal.account)
                .map(|o| (o, "Assigned to you", "배정된 신청")),
            _ => None,
        };
        if let Some((to_account, en, ko)) = notice {
            notify(
                &mut tx,
                to_account,
                &format!("{en}: {name} ({receipt}) / {ko}: {name_ko}"),
                &format!(
                    "{en}: {name} ({receipt}).\n{}\n\n{ko}: {name_ko} ({receipt}).\n\
                     See the details and what you can do next in your applications.\n\
                     자세한 내용과 다음 절차는 신청 내역에서 확인하세요.",
                    message.unwrap_or_default()
                ),
                &link,
            )
            .await?;
        }
        tx.record(
            audit_action(action),
            format!("application:{id}"),
            serde_json::json!({
                "from": app.status.as_str(),
                "to": to.as_str(),
                "message": message.is_some(),
                "assigned_to": assigned.filter(|_| action == Action::Assign).map(|a| a.to_string()),
            }),
        );
        tx.commit().await?;
        Ok(to)
    }

    /// Claims several applications at once (a bulk action from the queue), each as read at its
    /// version. Returns how many were claimed; the others had changed or been taken meanwhile
    /// and are left alone.
    pub async fn claim_all(
        &self,
        principal: &Principal,
        items: &[(ApplicationId, i64)],
    ) -> Result<usize, CivilError> {
        let mut claimed = 0;
        for (id, version) in items.iter().take(100) {
            match self
                .act(principal, *id, Action::Claim, *version, None)
                .await
            {
                Ok(_) => claimed += 1,
                Err(
                    CivilError::Stale
                    | CivilError::Transition { .. }
                    | CivilError::AssignedToOther
                    | CivilError::NotFound,
                ) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(claimed)
    }

    /// The principal's own applications, newest first.
    pub async fn mine(&self, principal: &Principal) -> Result<Vec<Application>, CivilError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM civil_applications WHERE applicant = $1 ORDER BY updated_at DESC LIMIT 200"
        );
        let rows: Vec<Row> = on_reader!(self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.as_str()
        ))
        .bind(principal.account.to_string())
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        rows.into_iter().map(from_row).collect()
    }

    /// An agency's work queue for one of its officials (else "not found"), oldest first.
    pub async fn queue(
        &self,
        principal: &Principal,
        agency: &str,
        filter: QueueFilter,
        page: u32,
    ) -> Result<QueuePage, CivilError> {
        if !Self::is_official_for(principal, agency) {
            return Err(CivilError::NotFound);
        }
        let now = self.db.clock().now().as_micros();
        let condition = match filter {
            QueueFilter::Open => "status IN ('submitted', 'in_review')",
            QueueFilter::Unassigned => "status = 'submitted'",
            QueueFilter::Mine => "status IN ('in_review', 'info_requested') AND assigned_to = $2",
            QueueFilter::Overdue => "status IN ('submitted', 'in_review') AND due_at < $3",
            QueueFilter::WaitingForApplicant => "status = 'info_requested'",
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM civil_applications WHERE agency = $1 AND {condition} \
             AND ($2 = $2 AND $3 = $3) ORDER BY submitted_at, id LIMIT $4 OFFSET $5"
        );
        let page = page.clamp(1, 10_000);
        let rows: Vec<Row> = on_reader!(self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.as_str()
        ))
        .bind(agency)
        .bind(principal.account.to_string())
        .bind(now)
        .bind(QUEUE_PAGE + 1)
        .bind(i64::from(page - 1) * QUEUE_PAGE)
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        // One row more than a page tells whether another page follows.
        let more = rows.len() as i64 > QUEUE_PAGE;
        let items = rows
            .into_iter()
            .take(QUEUE_PAGE as usize)
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(QueuePage { items, page, more })
    }

    /// An application's timeline, oldest first (for those who may see the application).
    pub async fn timeline(
        &self,
        principal: &Principal,
        id: ApplicationId,
    ) -> Result<Vec<Event>, CivilError> {
        self.application(principal, id).await?;
        let rows: Vec<(i64, bool, String, String, Option<String>)> =
            on_reader!(self.db, |p| sqlx::query_as(
                "SELECT at, by_official, action, status, message FROM civil_application_events \
                 WHERE application = $1 ORDER BY at, id"
            )
            .bind(id.to_string())
            .fetch_all(p)
            .await)
            .map_err(StoreError::from_sqlx)?;
        rows.into_iter()
            .map(|(at, by_official, action, status, message)| {
                Ok(Event {
                    at: Timestamp::from_micros(at),
                    by_official,
                    action,
                    status: Status::parse(&status).ok_or_else(|| corrupt("event status"))?,
                    message,
                })
            })
            .collect()
    }
}

/// Replaces a draft's answers in the caller's change, if the draft is still at `version`
/// ("changed" otherwise).
pub(crate) async fn save_draft_answers(
    tx: &mut Tx,
    id: ApplicationId,
    version: i64,
    answers: &BTreeMap<String, String>,
) -> Result<(), CivilError> {
    let now = tx.now().as_micros();
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE civil_applications SET answers = $3, version = version + 1, updated_at = $4 \
         WHERE id = $1 AND version = $2 AND status = 'draft'"
    )
    .bind(id.to_string())
    .bind(version)
    .bind(serde_json::to_string(answers).unwrap_or_else(|_| "{}".into()))
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if n == 0 {
        return Err(CivilError::Stale);
    }
    Ok(())
}

/// Whether the principal is on the side that takes `action` (the applicant, an official of the
/// agency, or either).
fn is_party(applicant: AccountId, official: bool, principal: &Principal, action: Action) -> bool {
    let applicant = applicant == principal.account;
    match action.party() {
        Party::Applicant => applicant,
        Party::Official => official,
        Party::Either => applicant || official,
    }
}

/// Whether `principal` may take `action` on `app` now, and the status it leads to: the one rule
/// behind both [`Civil::act`] and the buttons a page offers.
pub fn may(app: &Application, principal: &Principal, action: Action) -> Result<Status, CivilError> {
    let official = principal.has(Permission::CivilReview, Scope::Agency(&app.agency));
    if !is_party(app.applicant, official, principal, action) {
        return Err(CivilError::NotFound);
    }
    let to = status::next(app.status, action).ok_or(CivilError::Transition {
        action: action.as_str(),
        status: app.status.as_str(),
    })?;
    let mine_or_free = app.assigned_to.is_none_or(|a| a == principal.account);
    let assignee_ok = match action {
        _ if action.needs_assignee() => app.assigned_to == Some(principal.account),
        Action::Assign => {
            mine_or_free || principal.has(Permission::ManageRoles, Scope::Agency(&app.agency))
        }
        _ => true,
    };
    if !assignee_ok {
        return Err(CivilError::AssignedToOther);
    }
    Ok(to)
}

fn audit_action(action: Action) -> &'static str {
    match action {
        Action::Submit => "civil.application.submit",
        Action::Claim => "civil.application.claim",
        Action::Release => "civil.application.release",
        Action::RequestInfo => "civil.application.request_info",
        Action::Answer => "civil.application.answer",
        Action::Approve => "civil.application.approve",
        Action::Reject => "civil.application.reject",
        Action::Issue => "civil.application.issue",
        Action::Withdraw => "civil.application.withdraw",
        Action::Assign => "civil.application.assign",
        Action::Message => "civil.application.message",
    }
}

fn check_eligibility(
    def: &ServiceDefinition,
    shared: &SharedPerson,
    now: Timestamp,
) -> Result<(), CivilError> {
    if let Some(min) = def.eligibility.min_age {
        let today = delegation::today(now);
        let old_enough = shared
            .birth_date
            .is_some_and(|b| !delegation::is_minor(b, today, min));
        if !old_enough {
            return Err(CivilError::NotEligible("age"));
        }
    }
    if !def.eligibility.nationalities.is_empty()
        && !shared
            .nationality
            .as_ref()
            .is_some_and(|n| def.eligibility.nationalities.contains(n))
    {
        return Err(CivilError::NotEligible("nationality"));
    }
    Ok(())
}

pub(crate) async fn event(
    tx: &mut Tx,
    application: ApplicationId,
    actor: Option<AccountId>,
    by_official: bool,
    action: Action,
    status: Status,
    message: Option<&str>,
) -> Result<(), CivilError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO civil_application_events (id, application, at, actor, by_official, action, status, message) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(&id)
    .bind(application.to_string())
    .bind(now)
    .bind(actor.map(|a| a.to_string()))
    .bind(by_official)
    .bind(action.as_str())
    .bind(status.as_str())
    .bind(message)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Puts a message in the account's portal inbox and in the outbox: by e-mail if the account has
/// an address, by text if it has a confirmed mobile number (sent by the worker: an outage delays
/// them, never blocks the change).
pub(crate) async fn notify(
    tx: &mut Tx,
    account: AccountId,
    subject: &str,
    body: &str,
    link: &str,
) -> Result<(), CivilError> {
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO inbox (id, account_id, subject, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(account.to_string())
    .bind(subject)
    .bind(body)
    .bind(link)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    let email: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT email FROM accounts WHERE id = $1"
    )
    .bind(account.to_string())
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    if let Some(to) = email.flatten() {
        dasan_notify::enqueue(
            tx,
            &dasan_notify::Email {
                to,
                subject: format!("Dasan: {subject}"),
                body: body.to_owned(),
            },
        )
        .await
        .map_err(queue_error)?;
    }
    if let Some(phone) = dasan_identity::phone::text_recipient(tx, account).await? {
        // A text is a nudge to look: the details stay behind the sign-in.
        let text = dasan_notify::Sms::new(phone, &format!("[Dasan] {subject}"));
        dasan_notify::enqueue_sms(tx, &text)
            .await
            .map_err(queue_error)?;
    }
    Ok(())
}

fn queue_error(e: dasan_notify::NotifyError) -> CivilError {
    match e {
        dasan_notify::NotifyError::Store(s) => CivilError::Store(s),
        other => CivilError::Store(StoreError::Corrupt(other.to_string())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-27 is a Friday.
        let friday = Timestamp::from_jiff("2026-11-27T09:00:00Z".parse().unwrap());
        let due = add_working_days(friday, 1);
        assert_eq!(due.to_jiff().to_string(), "2026-11-30T09:00:00Z");
        assert_eq!(add_working_days(friday, 0), friday);
    }

    #[test]
    fn receipt_numbers_carry_the_day() {
        let t = Timestamp::from_jiff("2026-11-27T09:00:00Z".parse().unwrap());
        let r = receipt_number(t);
        assert!(r.starts_with("20261127-") && r.len() == 18, "{r}");
    }
}
