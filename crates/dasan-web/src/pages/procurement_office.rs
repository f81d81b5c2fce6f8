//! Pages for procuring officials (who signed in with two factors): their agency's tenders,
//! a no-JavaScript form to publish a tender notice (a fixed number of lot and item rows; blank
//! rows are ignored), the same form to amend one, and cancellation with a reason. Every action
//! calls the same `Procurement` service as the API; only officials holding
//! `procurement.manage` in the agency get past the first look-up (404 for anyone else).

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::{WebError, problem_text};
use crate::extract::{PageForm, UploadForm};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::AccountId;
use dasan_kernel::Problem as _;
use dasan_kernel::{Currency, FieldError, Money, Timestamp};
use dasan_procurement::evaluation::{BestValueRule, PriceFormula, TieBreak};
use dasan_procurement::notice::{
    AmendmentRule, BidSecurity, Criterion, Eligibility, Evaluation, EvaluationMethod, HOUR_US,
    Item, Lot, ReserveRule,
};
use dasan_procurement::{
    CommitteeCandidate, Method, ProcurementError, PublishRequest, TenderId, TenderNotice,
    TenderStatus, Timeline,
};

/// Lot rows on a new tender's form, and item rows per lot (without JavaScript the form cannot
/// grow; three of each covers most notices, and the API takes any number).
const LOT_ROWS: usize = 3;
const ITEM_ROWS: usize = 3;

/// The forms of bid security a notice may accept.
pub const SECURITY_FORMS: [&str; 3] = ["guarantee", "deposit", "insurance"];
const METHODS: [&str; 3] = ["open", "restricted", "limited"];
/// The adequacy review needs its floor-rate table and review criteria, which the API takes; the
/// page offers the two methods whose rules fit a form.
const EVALUATIONS: [&str; 2] = ["lowest_price", "best_value"];
const TIE_BREAKS: [&str; 2] = ["earliest_submission", "lottery"];
/// Points each quality criterion is scored out of on the page (the API takes any).
const FORM_MAX_POINTS: u32 = 100;

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

// ---------------------------------------------------------------------------------------------
// The agency's tenders

struct Row {
    id: String,
    title: String,
    status: String,
    deadline: String,
    /// Still amendable and cancellable (published), or only cancellable (closed).
    amendable: bool,
    cancellable: bool,
    /// Not cancelled: the opening page says where it stands (or shows the record).
    openable: bool,
    /// Opened or later: evaluation, award and complaints.
    awardable: bool,
}

#[derive(Template)]
#[template(path = "procurement_office.html")]
struct OfficePage {
    ctx: PageCtx,
    agency: String,
    tenders: Vec<Row>,
    published: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct OfficeQuery {
    #[serde(default)]
    published: String,
}

/// `GET /procurement/office`: the official's agency's tenders, newest first.
pub async fn office(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    crate::extract::Query(q): crate::extract::Query<OfficeQuery>,
) -> Result<Response, WebError> {
    let p = state.procurement();
    let tenders = p
        .agency_tenders(&signed.principal)
        .await
        .map_err(hide_forbidden)?;
    let rows: Vec<Row> = tenders
        .into_iter()
        .map(|t| Row {
            id: t.id.to_string(),
            title: t.title,
            status: ctx.t(&format!("procurement-status-{}", t.status.as_str())),
            deadline: when(t.bid_deadline),
            amendable: t.status == TenderStatus::Published,
            cancellable: matches!(t.status, TenderStatus::Published | TenderStatus::Closed),
            openable: t.status != TenderStatus::Cancelled,
            awardable: matches!(
                t.status,
                TenderStatus::Opened | TenderStatus::Evaluated | TenderStatus::Awarded
            ),
        })
        .collect();
    // Only a tender of this agency is named in the confirmation.
    let published = q
        .published
        .parse::<TenderId>()
        .ok()
        .map(|id| id.to_string());
    render(&OfficePage {
        agency: signed.principal.agency.clone().unwrap_or_default(),
        ctx,
        published: published.filter(|id| rows_contain(&rows, id)),
        tenders: rows,
    })
}

fn rows_contain(rows: &[Row], id: &str) -> bool {
    rows.iter().any(|r| r.id == id)
}

/// Not an official with procurement duties: the page does not exist for them.
fn hide_forbidden(e: ProcurementError) -> WebError {
    match e {
        ProcurementError::Forbidden(_) => WebError::NotFound,
        other => other.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// The notice form (publication and amendment)

#[derive(Clone, Debug, Default)]
pub struct ItemRow {
    pub description: String,
    pub classification: String,
    pub quantity: String,
    pub unit: String,
}

impl ItemRow {
    fn is_blank(&self) -> bool {
        [
            &self.description,
            &self.classification,
            &self.quantity,
            &self.unit,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

#[derive(Clone, Debug, Default)]
pub struct LotRow {
    /// The lot id bids name (`1`, `2`, …; kept as published when amending).
    pub id: String,
    pub title: String,
    pub items: Vec<ItemRow>,
}

/// The notice form as typed (every field as text, shown again on errors).
#[derive(Clone, Debug, Default)]
pub struct NoticeForm {
    pub title: String,
    pub description: String,
    pub method: String,
    pub invited: String,
    pub lots: Vec<LotRow>,
    pub estimated_value: String,
    pub currency: String,
    pub estimated_public: bool,
    pub categories: String,
    pub licences: String,
    pub criteria: String,
    pub evaluation: String,
    pub weights: String,
    pub tie_break: String,
    pub security_rate: String,
    pub security_forms: Vec<String>,
    pub clarification_date: String,
    pub clarification_hour: String,
    pub deadline_date: String,
    pub deadline_hour: String,
    pub opening_date: String,
    pub opening_hour: String,
    pub extension_hours: String,
    pub reserve_base: String,
    pub reserve_band: String,
    pub committee: Vec<String>,
    pub threshold: String,
    pub material: bool,
    pub summary: String,
}

fn date_of(t: Timestamp) -> String {
    t.to_jiff().strftime("%Y-%m-%d").to_string()
}

fn hour_text(t: Timestamp) -> String {
    t.to_jiff().strftime("%H").to_string()
}

fn blank_lots() -> Vec<LotRow> {
    (1..=LOT_ROWS)
        .map(|i| LotRow {
            id: i.to_string(),
            title: String::new(),
            items: vec![ItemRow::default(); ITEM_ROWS],
        })
        .collect()
}

impl NoticeForm {
    /// A new notice: KRW, open, lowest price, 72 h amendment rule, two of the committee, and
    /// dates two weeks ahead on the hour (UTC) that the official will adjust.
    fn new(now: Timestamp) -> NoticeForm {
        let day = 24 * HOUR_US;
        let base = now.as_micros() - now.as_micros().rem_euclid(day);
        let at = |days: i64, hour: i64| Timestamp::from_micros(base + days * day + hour * HOUR_US);
        NoticeForm {
            method: "open".into(),
            lots: blank_lots(),
            currency: "KRW".into(),
            evaluation: "lowest_price".into(),
            clarification_date: date_of(at(10, 0)),
            clarification_hour: "01".into(),
            deadline_date: date_of(at(14, 0)),
            deadline_hour: "01".into(),
            opening_date: date_of(at(14, 0)),
            opening_hour: "02".into(),
            extension_hours: "72".into(),
            threshold: "2".into(),
            ..NoticeForm::default()
        }
    }

    /// The form of a published notice, to amend it (its lots first, then blank rows).
    fn of(notice: &TenderNotice) -> NoticeForm {
        let currency = notice
            .estimated_value
            .map(|m| m.currency.code().to_owned())
            .unwrap_or_else(|| "KRW".into());
        let major = |minor: i64| -> String {
            currency
                .parse::<Currency>()
                .map(|c| Money::new(minor, c).major_string())
                .unwrap_or_else(|_| minor.to_string())
        };
        let mut lots: Vec<LotRow> = notice
            .lots
            .iter()
            .map(|l| {
                let mut items: Vec<ItemRow> = l
                    .items
                    .iter()
                    .map(|i| ItemRow {
                        description: i.description.clone(),
                        classification: i.classification.clone(),
                        quantity: i.quantity.to_string(),
                        unit: i.unit.clone(),
                    })
                    .collect();
                while items.len() < ITEM_ROWS {
                    items.push(ItemRow::default());
                }
                LotRow {
                    id: l.id.clone(),
                    title: l.title.clone(),
                    items,
                }
            })
            .collect();
        let mut next = lots.len() + 1;
        while lots.len() < LOT_ROWS {
            while lots.iter().any(|l| l.id == next.to_string()) {
                next += 1;
            }
            lots.push(LotRow {
                id: next.to_string(),
                title: String::new(),
                items: vec![ItemRow::default(); ITEM_ROWS],
            });
        }
        let t = notice.timeline;
        NoticeForm {
            title: notice.title.clone(),
            description: notice.description.clone(),
            method: notice.method.as_str().into(),
            invited: notice.invited.join("\n"),
            lots,
            estimated_value: notice
                .estimated_value
                .map(|m| m.major_string())
                .unwrap_or_default(),
            currency: currency.clone(),
            estimated_public: notice.estimated_value_public,
            categories: notice.eligibility.categories.join(" "),
            licences: notice.eligibility.licences.join(", "),
            criteria: notice.eligibility.criteria.join("\n"),
            evaluation: notice.evaluation.method.as_str().into(),
            weights: match &notice.evaluation.method {
                EvaluationMethod::BestValue(r) => r
                    .criteria
                    .iter()
                    .map(|c| format!("{}: {}", c.name, c.weight_bp))
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => String::new(),
            },
            tie_break: tie_break_str(notice.evaluation.tie_break).into(),
            security_rate: notice
                .bid_security
                .as_ref()
                .map(|s| s.rate_bp.to_string())
                .unwrap_or_default(),
            security_forms: notice
                .bid_security
                .as_ref()
                .map(|s| s.forms.clone())
                .unwrap_or_default(),
            clarification_date: date_of(t.clarification_deadline),
            clarification_hour: hour_text(t.clarification_deadline),
            deadline_date: date_of(t.bid_deadline),
            deadline_hour: hour_text(t.bid_deadline),
            opening_date: date_of(t.opening_at),
            opening_hour: hour_text(t.opening_at),
            extension_hours: notice.amendment_rule.material_extension_hours.to_string(),
            reserve_base: notice
                .reserve_price
                .map(|r| major(i64::try_from(r.base_amount).unwrap_or(i64::MAX)))
                .unwrap_or_default(),
            reserve_band: notice
                .reserve_price
                .map(|r| r.band_bp.to_string())
                .unwrap_or_default(),
            ..NoticeForm::default()
        }
    }

    /// Reads the posted fields (repeated ones: `committee`, `security_forms`).
    fn from_pairs(pairs: &[(String, String)]) -> NoticeForm {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let all = |name: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect()
        };
        // Rows are numbered from 1; as many as the form had (at most 50 lots of 50 items, so a
        // crafted form cannot make us loop for long).
        let mut lots = Vec::new();
        for l in 1..=50 {
            let prefix = format!("lot{l}-");
            if !pairs.iter().any(|(k, _)| k.starts_with(&prefix)) {
                break;
            }
            let mut items = Vec::new();
            for i in 1..=50 {
                let f = |x: &str| get(&format!("lot{l}-item{i}-{x}"));
                if !pairs
                    .iter()
                    .any(|(k, _)| k.starts_with(&format!("lot{l}-item{i}-")))
                {
                    break;
                }
                items.push(ItemRow {
                    description: f("description"),
                    classification: f("classification"),
                    quantity: f("quantity"),
                    unit: f("unit"),
                });
            }
            let id = get(&format!("lot{l}-id"));
            lots.push(LotRow {
                id: if id.trim().is_empty() {
                    l.to_string()
                } else {
                    id.trim().to_owned()
                },
                title: get(&format!("lot{l}-title")),
                items,
            });
        }
        NoticeForm {
            title: get("title"),
            description: get("description"),
            method: get("method"),
            invited: get("invited"),
            lots,
            estimated_value: get("estimated_value"),
            currency: get("currency"),
            estimated_public: !get("estimated_public").is_empty(),
            categories: get("categories"),
            licences: get("licences"),
            criteria: get("criteria"),
            evaluation: get("evaluation"),
            weights: get("weights"),
            tie_break: get("tie_break"),
            security_rate: get("security_rate"),
            security_forms: all("security_forms"),
            clarification_date: get("clarification_date"),
            clarification_hour: get("clarification_hour"),
            deadline_date: get("deadline_date"),
            deadline_hour: get("deadline_hour"),
            opening_date: get("opening_date"),
            opening_hour: get("opening_hour"),
            extension_hours: get("extension_hours"),
            reserve_base: get("reserve_base"),
            reserve_band: get("reserve_band"),
            committee: all("committee"),
            threshold: get("threshold"),
            material: !get("material").is_empty(),
            summary: get("summary"),
        }
    }
}

fn tie_break_str(t: TieBreak) -> &'static str {
    match t {
        TieBreak::EarliestSubmission => "earliest_submission",
        TieBreak::Lottery => "lottery",
    }
}

/// Digits only, with the thousands separators people type removed.
fn digits(text: &str) -> String {
    text.chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `YYYY-MM-DD` and an hour `0`–`23`, in UTC.
fn instant(date: &str, hour: &str) -> Option<Timestamp> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    let hour: i8 = hour.trim().parse().ok().filter(|h| (0..24).contains(h))?;
    let at = date
        .at(hour, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?;
    Some(Timestamp::from_micros(at.timestamp().as_microsecond()))
}

/// Where each notice lot and item came from on the form (blank rows are skipped, so the
/// service's `lots[0]` may be the form's second lot row).
#[derive(Default)]
struct RowMap {
    lots: Vec<usize>,
    items: Vec<Vec<usize>>,
}

impl RowMap {
    /// The form field a service error names.
    fn field(&self, service: &str) -> String {
        let lot = |i: usize| self.lots.get(i).copied().unwrap_or(i) + 1;
        let item = |l: usize, i: usize| {
            self.items
                .get(l)
                .and_then(|v| v.get(i))
                .copied()
                .unwrap_or(i)
                + 1
        };
        let index = |s: &str| -> Option<usize> { s.parse().ok() };
        if let Some(rest) = service.strip_prefix("lots[") {
            let (l, rest) = rest.split_once(']').unwrap_or((rest, ""));
            let Some(l) = index(l) else {
                return "lot1-title".into();
            };
            if let Some(rest) = rest.strip_prefix(".items[") {
                let (i, rest) = rest.split_once(']').unwrap_or((rest, ""));
                let i = index(i).unwrap_or(0);
                let x = rest.trim_start_matches('.');
                let x = if x.is_empty() { "description" } else { x };
                return format!("lot{}-item{}-{x}", lot(l), item(l, i));
            }
            if rest == ".items" {
                return format!("lot{}-item1-description", lot(l));
            }
            return format!("lot{}-title", lot(l));
        }
        let head = service.split('[').next().unwrap_or(service);
        match head {
            "lots" => "lot1-title",
            "invited" => "invited",
            "estimated_value" => "estimated_value",
            "eligibility.categories" => "categories",
            "eligibility.licences" => "licences",
            "evaluation.criteria" => "weights",
            "evaluation.tie_break" => "tie_break",
            "bid_security" => "security_rate",
            "documents" => "documents",
            "timeline.clarification_deadline" => "clarification_date",
            "timeline.bid_deadline" => "deadline_date",
            "timeline.opening_at" => "opening_date",
            "reserve_price" => "reserve_base",
            "committee" => "committee",
            "summary" => "summary",
            "title" => "title",
            "description" => "description",
            _ => "title",
        }
        .into()
    }
}

/// The notice the form describes, or the form's own errors (field names of the form).
fn notice_of(form: &NoticeForm) -> (Result<TenderNotice, Vec<FieldError>>, RowMap) {
    let mut errors = Vec::new();
    let mut map = RowMap::default();
    let mut bad = |field: String, msg: &'static str| errors.push(FieldError::new(field, msg));
    let method = match form.method.as_str() {
        "restricted" => Method::Restricted,
        "limited" => Method::Limited,
        _ => Method::Open,
    };
    let mut lots = Vec::new();
    for (li, row) in form.lots.iter().enumerate() {
        let items_given: Vec<(usize, &ItemRow)> = row
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.is_blank())
            .collect();
        if row.title.trim().is_empty() && items_given.is_empty() {
            continue;
        }
        let mut items = Vec::new();
        let mut rows = Vec::new();
        for (ii, item) in items_given {
            let quantity = match digits(&item.quantity).parse::<u64>() {
                Ok(q) => q,
                Err(_) => {
                    bad(
                        format!("lot{}-item{}-quantity", li + 1, ii + 1),
                        "procurement-error-quantity",
                    );
                    0
                }
            };
            items.push(Item {
                description: item.description.clone(),
                classification: item.classification.clone(),
                quantity,
                unit: item.unit.trim().to_ascii_uppercase(),
            });
            rows.push(ii);
        }
        lots.push(Lot {
            id: row.id.clone(),
            title: row.title.clone(),
            items,
        });
        map.lots.push(li);
        map.items.push(rows);
    }
    let currency = match form
        .currency
        .trim()
        .to_ascii_uppercase()
        .parse::<Currency>()
    {
        Ok(c) => Some(c),
        Err(_) => {
            bad("currency".into(), "procurement-error-currency");
            None
        }
    };
    let amount = |text: &str| -> Option<Option<Money>> {
        let text = digits(text);
        if text.is_empty() {
            return Some(None);
        }
        currency.and_then(|c| Money::parse_major(&text, c).ok().map(Some))
    };
    let estimated_value = amount(&form.estimated_value).unwrap_or_else(|| {
        bad("estimated_value".into(), "procurement-error-amount");
        None
    });
    let mut criteria = Vec::new();
    for line in lines(&form.weights) {
        match line
            .rsplit_once(':')
            .and_then(|(n, w)| Some((n.trim(), digits(w).parse::<u32>().ok()?)))
        {
            Some((name, weight_bp)) if !name.is_empty() => criteria.push(Criterion {
                name: name.to_owned(),
                weight_bp,
                max_points: FORM_MAX_POINTS,
            }),
            _ => bad("weights".into(), "procurement-error-weights-line"),
        }
    }
    let evaluation = match form.evaluation.as_str() {
        // Price takes the weight the quality criteria leave (the rule checks the sum).
        "best_value" => EvaluationMethod::BestValue(BestValueRule {
            price_weight_bp: 10_000u32.saturating_sub(
                criteria
                    .iter()
                    .map(|c| c.weight_bp)
                    .fold(0, u32::saturating_add),
            ),
            criteria,
            price_formula: PriceFormula::Proportional,
            abnormally_low: None,
        }),
        _ => EvaluationMethod::LowestPrice {
            abnormally_low: None,
        },
    };
    let tie_break = match form.tie_break.as_str() {
        "lottery" => TieBreak::Lottery,
        "earliest_submission" => TieBreak::EarliestSubmission,
        _ => {
            bad("tie_break".into(), "procurement-error-tie-break");
            TieBreak::EarliestSubmission
        }
    };
    let bid_security = if digits(&form.security_rate).is_empty() {
        None
    } else {
        match digits(&form.security_rate).parse::<u32>() {
            Ok(rate_bp) => Some(BidSecurity {
                rate_bp,
                forms: form
                    .security_forms
                    .iter()
                    .filter(|f| SECURITY_FORMS.contains(&f.as_str()))
                    .cloned()
                    .collect(),
            }),
            Err(_) => {
                bad("security_rate".into(), "procurement-error-bid-security");
                None
            }
        }
    };
    let mut time = |field: &str, date: &str, hour: &str| {
        instant(date, hour).unwrap_or_else(|| {
            bad(field.into(), "procurement-error-date");
            Timestamp::from_micros(0)
        })
    };
    let timeline = Timeline {
        clarification_deadline: time(
            "clarification_date",
            &form.clarification_date,
            &form.clarification_hour,
        ),
        bid_deadline: time("deadline_date", &form.deadline_date, &form.deadline_hour),
        opening_at: time("opening_date", &form.opening_date, &form.opening_hour),
    };
    let material_extension_hours = match digits(&form.extension_hours).parse::<u32>() {
        Ok(h) if h <= 24 * 366 => h,
        _ => {
            bad("extension_hours".into(), "procurement-error-extension");
            0
        }
    };
    let reserve_price = match (
        digits(&form.reserve_base).is_empty(),
        digits(&form.reserve_band).is_empty(),
    ) {
        (true, true) => None,
        _ => {
            let base = amount(&form.reserve_base)
                .flatten()
                .and_then(|m| u64::try_from(m.minor).ok());
            match (base, digits(&form.reserve_band).parse::<u32>().ok()) {
                (Some(base_amount), Some(band_bp)) => Some(ReserveRule {
                    base_amount,
                    band_bp,
                }),
                _ => {
                    bad("reserve_base".into(), "procurement-error-reserve-rule");
                    None
                }
            }
        }
    };
    let notice = TenderNotice {
        title: form.title.clone(),
        description: form.description.clone(),
        method,
        invited: words(&form.invited),
        lots,
        estimated_value,
        estimated_value_public: form.estimated_public,
        eligibility: Eligibility {
            categories: words(&form.categories),
            licences: form
                .licences
                .split([',', '\n'])
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            criteria: lines(&form.criteria),
        },
        evaluation: Evaluation {
            method: evaluation,
            tie_break,
        },
        bid_security,
        documents: Vec::new(),
        timeline,
        amendment_rule: AmendmentRule {
            material_extension_hours,
        },
        reserve_price,
    };
    if errors.is_empty() {
        (Ok(notice), map)
    } else {
        (Err(errors), map)
    }
}

/// The committee and threshold the form names.
fn committee_of(form: &NoticeForm) -> Result<(Vec<AccountId>, u8), Vec<FieldError>> {
    let mut errors = Vec::new();
    let members: Vec<AccountId> = form
        .committee
        .iter()
        .filter_map(|m| match m.parse() {
            Ok(a) => Some(a),
            Err(_) => {
                errors.push(FieldError::new(
                    "committee",
                    "procurement-error-committee-member",
                ));
                None
            }
        })
        .collect();
    let threshold = match digits(&form.threshold).parse::<u8>() {
        Ok(t) if t >= 2 && usize::from(t) <= members.len().max(2) => t,
        _ => {
            errors.push(FieldError::new("threshold", "procurement-error-threshold"));
            0
        }
    };
    if members.len() < 2 {
        errors.push(FieldError::new(
            "committee",
            "procurement-error-committee-size",
        ));
    }
    if errors.is_empty() {
        Ok((members, threshold))
    } else {
        Err(errors)
    }
}

/// A service refusal as a message on the form (the field it concerns, or the title).
fn refusal(ctx: &PageCtx, e: &ProcurementError, map: &RowMap) -> Vec<ShownError> {
    if let ProcurementError::Invalid(fields) = e {
        let moved: Vec<FieldError> = fields
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f.field = map.field(&f.field);
                f
            })
            .collect();
        return shown(ctx, &moved);
    }
    let field = match e {
        ProcurementError::HourFull { .. } | ProcurementError::DeadlinePassed { .. } => {
            "deadline_date"
        }
        ProcurementError::Ceremony(_) => "threshold",
        _ => "title",
    };
    let mut message = format!(
        "{} {}",
        problem_text(ctx.tr(), e.code(), "title"),
        problem_text(ctx.tr(), e.code(), "detail")
    );
    if let ProcurementError::HourFull { next_free, .. } = e
        && !next_free.is_empty()
    {
        let hours: Vec<String> = next_free.iter().map(|t| when(*t)).collect();
        message.push(' ');
        message.push_str(&ctx.tw("procurement-next-free", "hours", hours.join(", ")));
    }
    vec![ShownError {
        field: field.into(),
        message,
    }]
}

struct Candidate {
    id: String,
    name: String,
    has_key: bool,
    checked: bool,
}

#[derive(Template)]
#[template(path = "procurement_notice_form.html")]
struct NoticeFormPage {
    ctx: PageCtx,
    /// `None`: a new tender; `Some(id)`: amending it.
    amending: Option<String>,
    form: NoticeForm,
    candidates: Vec<Candidate>,
    /// The documents the notice lists already (amending); files chosen are added to them.
    documents: Vec<dasan_procurement::notice::TenderDocument>,
    errors: Vec<ShownError>,
}

impl NoticeFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn hours(&self) -> Vec<String> {
        (0..24).map(|h| format!("{h:02}")).collect()
    }

    fn methods(&self) -> &'static [&'static str] {
        &METHODS
    }

    fn evaluations(&self) -> &'static [&'static str] {
        &EVALUATIONS
    }

    fn tie_breaks(&self) -> &'static [&'static str] {
        &TIE_BREAKS
    }

    fn security_forms(&self) -> &'static [&'static str] {
        &SECURITY_FORMS
    }

    fn has_form(&self, f: &str) -> bool {
        self.form.security_forms.iter().any(|x| x == f)
    }

    /// Same hour (`1` and `01` are one).
    fn same_hour(&self, a: &str, b: &str) -> bool {
        a.trim().parse::<u8>().ok() == b.trim().parse::<u8>().ok()
    }

    fn action(&self) -> String {
        match &self.amending {
            Some(id) => format!("/procurement/office/tenders/{id}/amend"),
            None => "/procurement/office/new".into(),
        }
    }
}

async fn candidates(
    state: &AppState,
    signed: &Signed,
    chosen: &[String],
) -> Result<Vec<Candidate>, WebError> {
    let list: Vec<CommitteeCandidate> = state
        .procurement()
        .committee_candidates(&signed.principal)
        .await
        .map_err(hide_forbidden)?;
    Ok(list
        .into_iter()
        .map(|c| Candidate {
            checked: chosen.iter().any(|x| *x == c.account.to_string()),
            id: c.account.to_string(),
            name: c.name,
            has_key: c.has_key,
        })
        .collect())
}

/// Uploads the files chosen in the form's `documents` field; the notice's entries for them, or
/// the form's errors (a refused file is named).
async fn upload_documents(
    state: &AppState,
    signed: &Signed,
    ctx: &PageCtx,
    files: &[(String, String, Vec<u8>)],
) -> Result<Result<Vec<dasan_procurement::notice::TenderDocument>, Vec<ShownError>>, WebError> {
    let mut docs = Vec::new();
    for (_, name, bytes) in files.iter().filter(|(field, _, _)| field == "documents") {
        match state
            .procurement()
            .upload_document(&signed.principal, name, bytes.clone())
            .await
        {
            Ok(d) => {
                if !docs
                    .iter()
                    .any(|e: &dasan_procurement::notice::TenderDocument| e.sha256 == d.sha256)
                {
                    docs.push(d);
                }
            }
            Err(ProcurementError::Invalid(fields)) => {
                let named: Vec<FieldError> = fields
                    .into_iter()
                    .map(|mut f| {
                        f.field = "documents".into();
                        f
                    })
                    .collect();
                return Ok(Err(shown(ctx, &named)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Ok(docs))
}

/// `GET /procurement/office/new`
pub async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let candidates = candidates(&state, &signed, &[]).await?;
    render(&NoticeFormPage {
        ctx,
        amending: None,
        form: NoticeForm::new(state.db().clock().now()),
        candidates,
        documents: Vec::new(),
        errors: Vec::new(),
    })
}

/// `POST /procurement/office/new`: publishes through the same service as the API.
pub async fn publish(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    upload: UploadForm,
) -> Result<Response, WebError> {
    let form = NoticeForm::from_pairs(&upload.pairs);
    let candidates = candidates(&state, &signed, &form.committee).await?;
    let (notice, map) = notice_of(&form);
    let committee = committee_of(&form);
    let errors = match (notice, committee) {
        (Ok(mut notice), Ok((committee, threshold))) => {
            match upload_documents(&state, &signed, &ctx, &upload.files).await? {
                Ok(docs) => notice.documents = docs,
                Err(errors) => {
                    return render_invalid(&NoticeFormPage {
                        ctx,
                        amending: None,
                        form,
                        candidates,
                        documents: Vec::new(),
                        errors,
                    });
                }
            }
            match state
                .procurement()
                .publish(
                    &signed.principal,
                    PublishRequest {
                        notice,
                        committee,
                        threshold,
                    },
                )
                .await
            {
                Ok(id) => return Ok(see_other(&format!("/procurement/office?published={id}"))),
                Err(e @ (ProcurementError::Store(_) | ProcurementError::Forbidden(_))) => {
                    return Err(e.into());
                }
                Err(e) if e.kind() == dasan_kernel::ErrorKind::Internal => return Err(e.into()),
                Err(e) => refusal(&ctx, &e, &map),
            }
        }
        (notice, committee) => {
            let mut fields = notice.err().unwrap_or_default();
            fields.extend(committee.err().unwrap_or_default());
            shown(&ctx, &fields)
        }
    };
    render_invalid(&NoticeFormPage {
        ctx,
        amending: None,
        form,
        candidates,
        documents: Vec::new(),
        errors,
    })
}

/// `GET /procurement/office/tenders/{id}/amend`: the notice as published, to change.
pub async fn amend_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let tender = state
        .procurement()
        .tender_for_agency(&signed.principal, id)
        .await?;
    render(&NoticeFormPage {
        ctx,
        amending: Some(id.to_string()),
        form: NoticeForm::of(&tender.notice),
        candidates: Vec::new(),
        documents: tender.notice.documents.clone(),
        errors: Vec::new(),
    })
}

/// `POST /procurement/office/tenders/{id}/amend`
pub async fn amend(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    upload: UploadForm,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    // Only the procuring entity's officials get this far (404 otherwise).
    let tender = p.tender_for_agency(&signed.principal, id).await?;
    let form = NoticeForm::from_pairs(&upload.pairs);
    let (notice, map) = notice_of(&form);
    let errors = match notice {
        Ok(mut notice) => {
            // The documents published stay; files chosen are added.
            notice.documents = tender.notice.documents.clone();
            match upload_documents(&state, &signed, &ctx, &upload.files).await? {
                Ok(docs) => {
                    for d in docs {
                        if !notice.documents.iter().any(|e| e.sha256 == d.sha256) {
                            notice.documents.push(d);
                        }
                    }
                }
                Err(errors) => {
                    return render_invalid(&NoticeFormPage {
                        ctx,
                        amending: Some(id.to_string()),
                        form,
                        candidates: Vec::new(),
                        documents: tender.notice.documents.clone(),
                        errors,
                    });
                }
            }
            match p
                .amend(&signed.principal, id, notice, form.material, &form.summary)
                .await
            {
                Ok(_) => return Ok(see_other(&format!("/procurement/tenders/{id}"))),
                Err(e @ (ProcurementError::Store(_) | ProcurementError::Forbidden(_))) => {
                    return Err(e.into());
                }
                Err(e) if e.kind() == dasan_kernel::ErrorKind::Internal => return Err(e.into()),
                Err(e) => refusal(&ctx, &e, &map),
            }
        }
        Err(fields) => shown(&ctx, &fields),
    };
    render_invalid(&NoticeFormPage {
        ctx,
        amending: Some(id.to_string()),
        form,
        candidates: Vec::new(),
        documents: tender.notice.documents.clone(),
        errors,
    })
}

// ---------------------------------------------------------------------------------------------
// Cancellation

#[derive(Template)]
#[template(path = "procurement_cancel.html")]
struct CancelPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    reason: String,
    errors: Vec<ShownError>,
}

impl CancelPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// `GET /procurement/office/tenders/{id}/cancel`
pub async fn cancel_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let tender = state
        .procurement()
        .tender_for_agency(&signed.principal, id)
        .await?;
    render(&CancelPage {
        ctx,
        tender_id: id.to_string(),
        title: tender.notice.title,
        reason: String::new(),
        errors: Vec::new(),
    })
}

#[derive(serde::Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

/// `POST /procurement/office/tenders/{id}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<CancelForm>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    let tender = p.tender_for_agency(&signed.principal, id).await?;
    let errors = match p.cancel(&signed.principal, id, &form.reason).await {
        Ok(()) => return Ok(see_other(&format!("/procurement/tenders/{id}"))),
        Err(ProcurementError::Invalid(fields)) => shown(&ctx, &fields),
        Err(e @ ProcurementError::Transition { .. }) => vec![ShownError {
            field: "reason".into(),
            message: format!(
                "{} {}",
                problem_text(ctx.tr(), e.code(), "title"),
                problem_text(ctx.tr(), e.code(), "detail")
            ),
        }],
        Err(e) => return Err(e.into()),
    };
    render_invalid(&CancelPage {
        ctx,
        tender_id: id.to_string(),
        title: tender.notice.title,
        reason: form.reason,
        errors,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_point_at_the_form_rows_they_came_from() {
        // The second lot row was blank: the service's lots[1] is the form's third row.
        let map = RowMap {
            lots: vec![0, 2],
            items: vec![vec![0], vec![1, 2]],
        };
        assert_eq!(
            map.field("lots[1].items[0].classification"),
            "lot3-item2-classification"
        );
        assert_eq!(map.field("lots[1].title"), "lot3-title");
        assert_eq!(map.field("lots[0].items"), "lot1-item1-description");
        assert_eq!(map.field("timeline.bid_deadline"), "deadline_date");
        assert_eq!(map.field("eligibility.categories[2]"), "categories");
        assert_eq!(map.field("committee[1]"), "committee");
    }

    #[test]
    fn blank_rows_are_ignored_and_hours_are_utc() {
        let mut form = NoticeForm::new(Timestamp::from_micros(0));
        form.title = "Paving".into();
        form.description = "Roads".into();
        form.tie_break = "earliest_submission".into();
        form.lots[1].title = "North".into();
        form.lots[1].items[2] = ItemRow {
            description: "Asphalt".into(),
            classification: "cpv:45233120".into(),
            quantity: "12,000".into(),
            unit: "mtk".into(),
        };
        form.estimated_value = "1,200,000,000".into();
        let (notice, map) = notice_of(&form);
        let notice = notice.unwrap();
        assert_eq!(notice.lots.len(), 1);
        assert_eq!(notice.lots[0].id, "2");
        assert_eq!(notice.lots[0].items[0].quantity, 12_000);
        assert_eq!(notice.lots[0].items[0].unit, "MTK");
        assert_eq!(map.field("lots[0].items[0].unit"), "lot2-item3-unit");
        assert_eq!(notice.estimated_value.unwrap().minor, 1_200_000_000);
        assert_eq!(
            notice.timeline.bid_deadline.as_micros(),
            (14 * 24 + 1) * HOUR_US
        );
        form.deadline_hour = "24".into();
        let (bad, _) = notice_of(&form);
        assert_eq!(bad.unwrap_err()[0].field, "deadline_date");
    }
}
