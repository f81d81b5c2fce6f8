//! Pages for a business's representative (or its staff): register the business as a supplier
//! once — its name, number and standing come from the business registry, they add only what
//! the registry cannot know — see its debarments, and (the representative) authorise bidders.
//! Someone who does not act for the business finds no such page (404).

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::{WebError, problem_text};
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::AccountId;
use dasan_kernel::Problem as _;
use dasan_kernel::{FieldError, Timestamp};
use dasan_procurement::{BankAccount, Licence, ProcurementError, Supplier, SupplierDetails};
use dasan_registry::{Business, BusinessId};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Licence rows on the registration form (blank rows are ignored).
const LICENCE_ROWS: usize = 3;

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

fn business_id(text: &str) -> Result<BusinessId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

struct BusinessRow {
    id: String,
    name: String,
    number: String,
    registered: bool,
}

#[derive(Template)]
#[template(path = "procurement_suppliers.html")]
struct ListPage {
    ctx: PageCtx,
    businesses: Vec<BusinessRow>,
}

/// `GET /procurement/suppliers`: the businesses the person acts for, registered or not.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let p = state.procurement();
    let mut businesses = Vec::new();
    for (id, name) in super::procurement::businesses_of(&state, &signed.principal).await? {
        let Ok(bid) = id.parse::<BusinessId>() else {
            continue;
        };
        let number = state
            .registry()
            .business(bid)
            .await
            .map_err(|e| WebError::from_problem(&e))?
            .map(|b| b.data.registration_number)
            .unwrap_or_default();
        let registered = match p.supplier(bid).await {
            Ok(_) => true,
            Err(ProcurementError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        businesses.push(BusinessRow {
            id,
            name,
            number,
            registered,
        });
    }
    render(&ListPage { ctx, businesses })
}

// ---------------------------------------------------------------------------------------------
// One business: the registration form, or the supplier with its debarments and bidders

#[derive(Clone, Debug, Default)]
struct LicenceRow {
    kind: String,
    number: String,
    issuer: String,
    valid_until: String,
}

impl LicenceRow {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("kind", self.kind.clone()),
            ("number", self.number.clone()),
            ("issuer", self.issuer.clone()),
            ("valid_until", self.valid_until.clone()),
        ]
    }
}

impl RegistrationForm {
    fn bank_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("bank", self.bank.clone()),
            ("account_number", self.account_number.clone()),
            ("holder", self.holder.clone()),
        ]
    }
}

/// The registration form as typed.
#[derive(Clone, Debug, Default)]
struct RegistrationForm {
    categories: String,
    licences: Vec<LicenceRow>,
    bank: String,
    account_number: String,
    holder: String,
    contact_email: String,
}

struct DebarmentRow {
    agency: String,
    from: String,
    until: String,
    reason: String,
    in_force: bool,
    lifted: Option<String>,
}

struct BidderRow {
    account: String,
    name: String,
    signing_key: bool,
    since: String,
}

#[derive(Template)]
#[template(path = "procurement_supplier.html")]
struct SupplierPage {
    ctx: PageCtx,
    business: Business,
    status: String,
    /// Registered: its profile; otherwise the form.
    supplier: Option<Supplier>,
    form: RegistrationForm,
    debarments: Vec<DebarmentRow>,
    debarred_now: bool,
    /// The representative sees and authorises bidders; staff do not.
    representative: bool,
    bidders: Vec<BidderRow>,
    /// Who may be authorised: (account id, name).
    people: Vec<(String, String)>,
    account: String,
    signing_key: String,
    notice: Option<String>,
    errors: Vec<ShownError>,
}

impl SupplierPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    done: String,
}

/// The business, if the principal acts for it; 404 otherwise (no probing).
async fn business_for(
    state: &AppState,
    signed: &Signed,
    id: BusinessId,
) -> Result<Business, WebError> {
    if !dasan_identity::business::acts_for(state.registry(), &signed.principal, id).await? {
        return Err(WebError::NotFound);
    }
    state
        .registry()
        .business(id)
        .await
        .map_err(|e| WebError::from_problem(&e))?
        .ok_or(WebError::NotFound)
}

struct Extra {
    /// As typed; `None`: the supplier's current details (or a blank form).
    form: Option<RegistrationForm>,
    account: String,
    signing_key: String,
    notice: Option<String>,
    errors: Vec<ShownError>,
}

async fn supplier_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    business: Business,
    extra: Extra,
) -> Result<SupplierPage, WebError> {
    let p = state.procurement();
    let supplier = match p.supplier(business.id).await {
        Ok(s) => Some(s),
        Err(ProcurementError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let now = state.db().clock().now();
    let debarments: Vec<DebarmentRow> = supplier
        .iter()
        .flat_map(|s| &s.debarments)
        .map(|d| DebarmentRow {
            agency: d.agency.clone(),
            from: when(d.starts_at),
            until: d
                .ends_at
                .map(when)
                .unwrap_or_else(|| ctx.t("procurement-supplier-until-lifted")),
            reason: d.reason.clone(),
            in_force: d.in_force(now),
            lifted: d.lifted_at.map(when),
        })
        .collect();
    let representative = dasan_identity::business::as_representative(
        state.registry(),
        &signed.principal,
        business.id,
    )
    .await
    .is_ok();
    let mut bidders = Vec::new();
    let mut people = Vec::new();
    if representative && supplier.is_some() {
        let staff = dasan_identity::business::staff(
            state.db(),
            state.registry(),
            &signed.principal,
            business.id,
        )
        .await?;
        let name_of = |a: AccountId| -> String {
            if a == signed.principal.account {
                signed.principal.display_name.clone()
            } else {
                staff
                    .iter()
                    .find(|s| s.id == a)
                    .map(|s| s.display_name.clone())
                    .unwrap_or_else(|| a.to_string())
            }
        };
        bidders = p
            .bidders(&signed.principal, business.id)
            .await?
            .into_iter()
            .map(|b| BidderRow {
                account: b.account.to_string(),
                name: name_of(b.account),
                signing_key: b.has_signing_key,
                since: when(b.added_at),
            })
            .collect();
        people.push((
            signed.principal.account.to_string(),
            signed.principal.display_name.clone(),
        ));
        people.extend(
            staff
                .iter()
                .filter(|s| s.active)
                .map(|s| (s.id.to_string(), s.display_name.clone())),
        );
    }
    let mut form = extra
        .form
        .unwrap_or_else(|| supplier.as_ref().map(form_from).unwrap_or_default());
    while form.licences.len() < LICENCE_ROWS {
        form.licences.push(LicenceRow::default());
    }
    Ok(SupplierPage {
        status: ctx.t(&format!(
            "procurement-business-status-{}",
            business.data.status.as_str()
        )),
        debarred_now: debarments.iter().any(|d| d.in_force),
        business,
        supplier,
        form,
        debarments,
        representative,
        bidders,
        people,
        account: extra.account,
        signing_key: extra.signing_key,
        notice: extra.notice,
        errors: extra.errors,
        ctx,
    })
}

/// `GET /procurement/suppliers/{business}`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let business = business_for(&state, &signed, business_id(&id)?).await?;
    let notice = match q.done.as_str() {
        "registered" => Some(ctx.t("procurement-supplier-registered")),
        "authorised" => Some(ctx.t("procurement-supplier-authorised")),
        "updated" => Some(ctx.t("procurement-supplier-updated")),
        "removed" => Some(ctx.t("procurement-supplier-removed")),
        _ => None,
    };
    let page = supplier_page(
        &state,
        ctx,
        &signed,
        business,
        Extra {
            form: None,
            account: String::new(),
            signing_key: String::new(),
            notice,
            errors: Vec::new(),
        },
    )
    .await?;
    render(&page)
}

/// The form filled with the supplier's current details (to change them).
fn form_from(s: &Supplier) -> RegistrationForm {
    let d = &s.details;
    RegistrationForm {
        categories: d.categories.join(" "),
        licences: d
            .licences
            .iter()
            .map(|l| LicenceRow {
                kind: l.kind.clone(),
                number: l.number.clone(),
                issuer: l.issuer.clone(),
                valid_until: l
                    .valid_until
                    .map(|t| t.to_jiff().strftime("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        bank: d.bank_account.bank.clone(),
        account_number: d.bank_account.account_number.clone(),
        holder: d.bank_account.holder.clone(),
        contact_email: d.contact_email.clone(),
    }
}

fn form_of(fields: &BTreeMap<String, String>) -> RegistrationForm {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    RegistrationForm {
        categories: get("categories"),
        licences: (1..=LICENCE_ROWS)
            .map(|i| LicenceRow {
                kind: get(&format!("licence{i}-kind")),
                number: get(&format!("licence{i}-number")),
                issuer: get(&format!("licence{i}-issuer")),
                valid_until: get(&format!("licence{i}-valid_until")),
            })
            .collect(),
        bank: get("bank"),
        account_number: get("account_number"),
        holder: get("holder"),
        contact_email: get("contact_email"),
    }
}

/// What the service takes, or the form's own errors; and where each licence came from.
fn details_of(form: &RegistrationForm) -> (Result<SupplierDetails, Vec<FieldError>>, Vec<usize>) {
    let mut errors = Vec::new();
    let mut licences = Vec::new();
    let mut rows = Vec::new();
    for (i, l) in form.licences.iter().enumerate() {
        if [&l.kind, &l.number, &l.issuer, &l.valid_until]
            .iter()
            .all(|v| v.trim().is_empty())
        {
            continue;
        }
        let valid_until = if l.valid_until.trim().is_empty() {
            None
        } else {
            // Valid through the whole day given (UTC).
            match l
                .valid_until
                .trim()
                .parse::<jiff::civil::Date>()
                .ok()
                .and_then(|d| {
                    d.at(23, 59, 59, 999_999_000)
                        .to_zoned(jiff::tz::TimeZone::UTC)
                        .ok()
                }) {
                Some(z) => Some(Timestamp::from_micros(z.timestamp().as_microsecond())),
                None => {
                    errors.push(FieldError::new(
                        format!("licence{}-valid_until", i + 1),
                        "procurement-error-date",
                    ));
                    None
                }
            }
        };
        licences.push(Licence {
            kind: l.kind.clone(),
            number: l.number.clone(),
            issuer: l.issuer.clone(),
            valid_until,
        });
        rows.push(i);
    }
    let details = SupplierDetails {
        categories: form
            .categories
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
        licences,
        bank_account: BankAccount {
            bank: form.bank.clone(),
            account_number: form.account_number.clone(),
            holder: form.holder.clone(),
        },
        contact_email: form.contact_email.clone(),
    };
    if errors.is_empty() {
        (Ok(details), rows)
    } else {
        (Err(errors), rows)
    }
}

/// The form field a service error names (`licences[0].kind` → the row it came from).
fn field_of(service: &str, rows: &[usize]) -> String {
    if let Some(rest) = service.strip_prefix("licences[") {
        let (i, rest) = rest.split_once(']').unwrap_or((rest, ""));
        let row = i
            .parse::<usize>()
            .ok()
            .and_then(|i| rows.get(i).copied())
            .unwrap_or(0)
            + 1;
        let x = rest.trim_start_matches('.');
        return format!("licence{row}-{}", if x.is_empty() { "kind" } else { x });
    }
    match service.split('[').next().unwrap_or(service) {
        "categories" => "categories",
        "bank_account.bank" => "bank",
        "bank_account.account_number" => "account_number",
        "bank_account.holder" => "holder",
        "contact_email" => "contact_email",
        _ => "categories",
    }
    .into()
}

/// `POST /procurement/suppliers/{business}`: registers the business, once.
pub async fn register(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(fields): PageForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let business = business_for(&state, &signed, business_id(&id)?).await?;
    let form = form_of(&fields);
    let (details, rows) = details_of(&form);
    let errors = match details {
        Ok(details) => match state
            .procurement()
            .register_supplier(&signed.principal, business.id, details)
            .await
        {
            Ok(()) => {
                return Ok(see_other(&format!(
                    "/procurement/suppliers/{}?done=registered",
                    business.id
                )));
            }
            Err(ProcurementError::Invalid(fields)) => {
                let moved: Vec<FieldError> = fields
                    .into_iter()
                    .map(|mut f| {
                        f.field = field_of(&f.field, &rows);
                        f
                    })
                    .collect();
                shown(&ctx, &moved)
            }
            Err(
                e @ (ProcurementError::AlreadyRegistered | ProcurementError::BusinessNotActive(_)),
            ) => vec![ShownError {
                field: "categories".into(),
                message: format!(
                    "{} {}",
                    problem_text(ctx.tr(), e.code(), "title"),
                    problem_text(ctx.tr(), e.code(), "detail")
                ),
            }],
            Err(e) => return Err(e.into()),
        },
        Err(fields) => shown(&ctx, &fields),
    };
    let page = supplier_page(
        &state,
        ctx,
        &signed,
        business,
        Extra {
            form: Some(form),
            account: String::new(),
            signing_key: String::new(),
            notice: None,
            errors,
        },
    )
    .await?;
    render_invalid(&page)
}

/// A service refusal that is not about one field, shown against the first field.
fn refusal(ctx: &PageCtx, e: &ProcurementError) -> Vec<ShownError> {
    vec![ShownError {
        field: "categories".into(),
        message: format!(
            "{} {}",
            problem_text(ctx.tr(), e.code(), "title"),
            problem_text(ctx.tr(), e.code(), "detail")
        ),
    }]
}

/// `POST /procurement/suppliers/{business}/details`: changes what the supplier declared
/// (categories, licences, bank account, contact e-mail), against the version shown.
pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(fields): PageForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let business = business_for(&state, &signed, business_id(&id)?).await?;
    let form = form_of(&fields);
    let (details, rows) = details_of(&form);
    // A missing or garbled version is a stale form: refused like someone else's change.
    let version = fields
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let errors = match details {
        Ok(details) => match state
            .procurement()
            .update_supplier(&signed.principal, business.id, details, version)
            .await
        {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/procurement/suppliers/{}?done=updated",
                    business.id
                )));
            }
            Err(ProcurementError::Invalid(fields)) => {
                let moved: Vec<FieldError> = fields
                    .into_iter()
                    .map(|mut f| {
                        f.field = field_of(&f.field, &rows);
                        f
                    })
                    .collect();
                shown(&ctx, &moved)
            }
            Err(ProcurementError::Forbidden(_)) => return Err(WebError::NotFound),
            Err(e @ ProcurementError::Transition { .. }) => refusal(&ctx, &e),
            Err(e) => return Err(e.into()),
        },
        Err(fields) => shown(&ctx, &fields),
    };
    let page = supplier_page(
        &state,
        ctx,
        &signed,
        business,
        Extra {
            form: Some(form),
            account: String::new(),
            signing_key: String::new(),
            notice: None,
            errors,
        },
    )
    .await?;
    render_invalid(&page)
}

/// The form has nothing but its CSRF token.
#[derive(Deserialize)]
pub struct RemoveForm {}

/// `POST /procurement/suppliers/{business}/bidders/{account}/remove`: the representative
/// withdraws a bidder's authority (audited).
pub async fn remove_bidder(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, account)): Path<(String, String)>,
    PageForm(_form): PageForm<RemoveForm>,
) -> Result<Response, WebError> {
    let business = business_for(&state, &signed, business_id(&id)?).await?;
    let account: AccountId = account.parse().map_err(|_| WebError::NotFound)?;
    match state
        .procurement()
        .remove_bidder(&signed.principal, business.id, account)
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/procurement/suppliers/{}?done=removed",
            business.id
        ))),
        // Staff (not the representative), or not a current bidder: no such thing to remove.
        Err(ProcurementError::Forbidden(_) | ProcurementError::NotFound) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct BidderForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    signing_key: String,
}

/// `POST /procurement/suppliers/{business}/bidders`: the representative authorises a bidder.
pub async fn authorise(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<BidderForm>,
) -> Result<Response, WebError> {
    let business = business_for(&state, &signed, business_id(&id)?).await?;
    let mut errors = Vec::new();
    let account: Option<AccountId> = form.account.trim().parse().ok();
    if account.is_none() {
        errors.push(FieldError::new("account", "procurement-error-not-staff"));
    }
    let spki = if form.signing_key.trim().is_empty() {
        None
    } else {
        let spki = crate::api::procurement::spki_of(&form.signing_key);
        if spki.is_none() {
            errors.push(FieldError::new(
                "signing_key",
                "procurement-error-signing-key",
            ));
        }
        spki
    };
    let errors = match account {
        Some(account) if errors.is_empty() => {
            match state
                .procurement()
                .authorise_bidder(&signed.principal, business.id, account, spki.as_deref())
                .await
            {
                Ok(()) => {
                    return Ok(see_other(&format!(
                        "/procurement/suppliers/{}?done=authorised",
                        business.id
                    )));
                }
                Err(ProcurementError::Invalid(fields)) => shown(&ctx, &fields),
                Err(ProcurementError::Forbidden(_)) => return Err(WebError::NotFound),
                Err(e) => return Err(e.into()),
            }
        }
        _ => shown(&ctx, &errors),
    };
    let page = supplier_page(
        &state,
        ctx,
        &signed,
        business,
        Extra {
            form: None,
            account: form.account,
            signing_key: form.signing_key,
            notice: None,
            errors,
        },
    )
    .await?;
    render_invalid(&page)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn licence_errors_point_at_the_row_typed() {
        assert_eq!(field_of("licences[0].number", &[2]), "licence3-number");
        assert_eq!(field_of("bank_account.holder", &[]), "holder");
        assert_eq!(field_of("categories[4]", &[]), "categories");
        let mut form = RegistrationForm {
            licences: vec![
                LicenceRow::default(),
                LicenceRow {
                    kind: "construction.general".into(),
                    number: "A-1".into(),
                    issuer: "MOLIT".into(),
                    valid_until: "2030-12-31".into(),
                },
            ],
            ..RegistrationForm::default()
        };
        let (details, rows) = details_of(&form);
        let details = details.unwrap();
        assert_eq!(rows, vec![1]);
        assert_eq!(details.licences.len(), 1);
        assert!(details.licences[0].valid_until.is_some());
        form.licences[1].valid_until = "31/12/2030".into();
        assert_eq!(
            details_of(&form).0.unwrap_err()[0].field,
            "licence2-valid_until"
        );
    }
}
