//! The catalogue: service definitions loaded from files (versioned in the database), browsed
//! by agency and life event, and searched in every locale.

use crate::definition::{Issuance, LOCALES, ServiceDefinition, Text};
use crate::{Civil, CivilError};
use dasan_identity::{Permission, Principal, Scope};
use dasan_kernel::{Actor, FieldError};
use dasan_store::{Pool, StoreError, Tx, TxConn, on_reader, on_tx};
use serde::Serialize;
use std::path::Path;

/// A service as the catalogue lists it (read from a definition's JSON without the rest of it).
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct ServiceSummary {
    pub code: String,
    pub agency: String,
    pub name: Text,
    pub description: Text,
    pub issuance: Issuance,
    #[serde(default)]
    pub life_events: Vec<String>,
}

fn summary(json: &str) -> Result<ServiceSummary, CivilError> {
    serde_json::from_str(json)
        .map_err(|e| CivilError::Store(StoreError::Corrupt(format!("service definition: {e}"))))
}

impl From<&ServiceDefinition> for ServiceSummary {
    fn from(d: &ServiceDefinition) -> Self {
        ServiceSummary {
            code: d.code.clone(),
            agency: d.agency.clone(),
            name: d.name.clone(),
            description: d.description.clone(),
            issuance: d.issuance,
            life_events: d.life_events.clone(),
        }
    }
}

/// A definition with the version the database gave it.
#[derive(Clone, Debug, Serialize)]
pub struct Service {
    pub version: i64,
    pub definition: ServiceDefinition,
}

/// What loading the files did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LoadSummary {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// A definition file that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {problems}")]
pub struct DefinitionFileError {
    pub file: String,
    pub problems: String,
}

/// Reads and checks every `*.toml` under `dir` (recursively). Every bad file is reported; none
/// is used unless all are good.
pub fn read_dir(dir: &Path) -> Result<Vec<ServiceDefinition>, Vec<DefinitionFileError>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut errors = Vec::new();
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) => {
                errors.push(DefinitionFileError {
                    file: d.display().to_string(),
                    problems: e.to_string(),
                });
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut defs: Vec<ServiceDefinition> = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let parsed = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|t| ServiceDefinition::from_toml(&t));
        match parsed {
            Ok(def) => {
                let problems = def.validate();
                if !problems.is_empty() {
                    errors.push(DefinitionFileError {
                        file: name,
                        problems: problems
                            .iter()
                            .map(|p| format!("{} ({})", p.field, p.message))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                } else if defs.iter().any(|d| d.code == def.code) {
                    errors.push(DefinitionFileError {
                        file: name,
                        problems: format!("the code {} is used twice", def.code),
                    });
                } else {
                    defs.push(def);
                }
            }
            Err(e) => errors.push(DefinitionFileError {
                file: name,
                problems: e,
            }),
        }
    }
    if errors.is_empty() {
        Ok(defs)
    } else {
        Err(errors)
    }
}

/// The lower-case text a search looks in.
fn search_text(def: &ServiceDefinition) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for locale in LOCALES {
        parts.push(crate::definition::text(&def.name, locale));
        parts.push(crate::definition::text(&def.description, locale));
    }
    parts.extend(def.keywords.iter().map(String::as_str));
    parts.push(&def.code);
    parts.push(&def.agency);
    parts.join(" ").to_lowercase()
}

type Row = (String, i64);

/// What the full-text index holds for a definition: names (weighted most), keywords with the
/// service and agency codes, and descriptions, in every locale.
fn index_columns(def: &ServiceDefinition) -> [String; 3] {
    let all = |t: &crate::definition::Text| {
        LOCALES
            .iter()
            .map(|l| crate::definition::text(t, l))
            .collect::<Vec<_>>()
            .join(" ")
    };
    [
        all(&def.name),
        format!("{} {} {}", def.keywords.join(" "), def.code, def.agency),
        all(&def.description),
    ]
}

/// Brings the full-text index in step with a definition just written to `civil_services`.
async fn reindex(tx: &mut Tx, def: &ServiceDefinition) -> Result<(), StoreError> {
    let [names, keywords, descriptions] = index_columns(def);
    match tx.conn() {
        TxConn::Sqlite(c) => {
            sqlx::query("DELETE FROM civil_services_fts WHERE code = $1")
                .bind(&def.code)
                .execute(&mut **c)
                .await
                .map_err(StoreError::from_sqlx)?;
            sqlx::query(
                "INSERT INTO civil_services_fts (code, names, keywords, descriptions) VALUES ($1, $2, $3, $4)",
            )
            .bind(&def.code)
            .bind(&names)
            .bind(&keywords)
            .bind(&descriptions)
            .execute(&mut **c)
            .await
            .map_err(StoreError::from_sqlx)?;
        }
        TxConn::Postgres(c) => {
            sqlx::query(
                "UPDATE civil_services SET search_vector = \
                 setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') \
                 || setweight(to_tsvector('simple', $4), 'C') WHERE code = $1",
            )
            .bind(&def.code)
            .bind(&names)
            .bind(&keywords)
            .bind(&descriptions)
            .execute(&mut **c)
            .await
            .map_err(StoreError::from_sqlx)?;
        }
    }
    Ok(())
}

/// The words of a search query: letters and digits only (so no query syntax of either engine
/// can be smuggled in), lower case, at most 8 words of 40 characters.
fn query_words(query: &str) -> Vec<String> {
    query
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| w.chars().take(40).collect())
        .collect()
}

/// What storing a definition did.
enum Put {
    /// Identical to the current version (which it names).
    Unchanged(i64),
    Added,
    /// Stored as the version it names.
    Changed(i64),
}

/// Stores `def` as its service's next version (or the first), with its search index, unless it
/// is identical to the current one.
async fn put(
    tx: &mut Tx,
    def: &ServiceDefinition,
    now: i64,
    source: &'static str,
) -> Result<Put, CivilError> {
    let json =
        serde_json::to_string(def).map_err(|e| StoreError::Corrupt(format!("definition: {e}")))?;
    let current: Option<(i64, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT version, definition FROM civil_services WHERE code = $1"
    )
    .bind(&def.code)
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let (version, put) = match &current {
        Some((v, old)) if *old == json => return Ok(Put::Unchanged(*v)),
        Some((v, _)) => (v + 1, Put::Changed(v + 1)),
        None => (1, Put::Added),
    };
    let events = format!(" {} ", def.life_events.join(" "));
    let issuance = match def.issuance {
        Issuance::Instant => "instant",
        Issuance::Review => "review",
    };
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO civil_services (code, agency, version, definition, issuance, life_events, search_text, active, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8) \
         ON CONFLICT (code) DO UPDATE SET agency = $2, version = $3, definition = $4, issuance = $5, \
         life_events = $6, search_text = $7, active = TRUE, updated_at = $8"
    )
    .bind(&def.code)
    .bind(&def.agency)
    .bind(version)
    .bind(&json)
    .bind(issuance)
    .bind(&events)
    .bind(search_text(def))
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    reindex(tx, def).await?;
    // The versions' primary key (code, version) also stops two editors saving the same version.
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO civil_service_versions (code, version, definition, created_at, source) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&def.code)
    .bind(version)
    .bind(&json)
    .bind(now)
    .bind(source)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    Ok(put)
}

impl Civil {
    /// Puts definitions from the services folder into the catalogue: new ones at version 1,
    /// changed files at the next version (the old versions stay, for applications made with
    /// them). A file unchanged since its last load changes nothing, so an edit made in the
    /// portal meanwhile stays. One audited change.
    pub async fn load(
        &self,
        actor: Actor,
        defs: &[ServiceDefinition],
    ) -> Result<LoadSummary, CivilError> {
        let mut summary = LoadSummary::default();
        let mut tx = self.db.begin(actor).await?;
        let now = tx.now().as_micros();
        for def in defs {
            // A file that has not changed since it was last loaded leaves the service alone,
            // even if an administrator has edited it in the portal since.
            let json = serde_json::to_string(def)
                .map_err(|e| StoreError::Corrupt(format!("definition: {e}")))?;
            let last_from_file: Option<String> = on_tx!(tx, |c| {
                sqlx::query_scalar(
                "SELECT definition FROM civil_service_versions WHERE code = $1 AND source = 'file' \
                 ORDER BY version DESC LIMIT 1"
            )
            .bind(&def.code)
            .fetch_optional(c)
            .await
            })
            .map_err(StoreError::from_sqlx)?;
            if last_from_file.as_deref() == Some(json.as_str()) {
                summary.unchanged += 1;
                continue;
            }
            match put(&mut tx, def, now, "file").await? {
                Put::Unchanged(_) => summary.unchanged += 1,
                Put::Added => summary.added += 1,
                Put::Changed(_) => summary.changed += 1,
            }
        }
        if summary.added + summary.changed == 0 {
            tx.rollback().await?;
            return Ok(summary);
        }
        tx.record(
            "civil.services.load",
            "civil:catalogue",
            serde_json::to_value(&summary).unwrap_or_default(),
        );
        tx.commit().await?;
        Ok(summary)
    }

    /// Saves a definition an agency administrator wrote in the portal (TOML, as in the files):
    /// checked exactly as a file at start, for an agency the administrator manages (and, for an
    /// existing service, the agency that owns it now), made over `expected_version` (`None`
    /// for a new service; anything else changed meanwhile is a conflict). Stored as the next
    /// version: applications already made keep theirs. Returns the version now current.
    pub async fn save_definition(
        &self,
        principal: &Principal,
        text: &str,
        expected_version: Option<i64>,
    ) -> Result<i64, CivilError> {
        if text.len() > 200_000 {
            return Err(CivilError::Invalid(vec![
                FieldError::new("definition", "civil-error-too-long").with_arg("max", 200_000),
            ]));
        }
        let def = ServiceDefinition::from_toml(text).map_err(|e| {
            CivilError::Invalid(vec![
                FieldError::new("definition", "civil-def-syntax")
                    .with_arg("detail", e.chars().take(500).collect::<String>()),
            ])
        })?;
        let problems = def.validate();
        if !problems.is_empty() {
            return Err(CivilError::Invalid(problems));
        }
        let manages =
            |agency: &str| principal.has(Permission::CivilManageServices, Scope::Agency(agency));
        if !manages(&def.agency) {
            return Err(CivilError::Invalid(vec![FieldError::new(
                "agency",
                "civil-def-not-your-agency",
            )]));
        }
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        let current: Option<(String, i64)> = on_tx!(tx, |c| sqlx::query_as(
            "SELECT agency, version FROM civil_services WHERE code = $1"
        )
        .bind(&def.code)
        .fetch_optional(c)
        .await)
        .map_err(StoreError::from_sqlx)?;
        match (&current, expected_version) {
            (Some((owner, _)), _) if !manages(owner) => {
                tx.rollback().await?;
                return Err(CivilError::Invalid(vec![FieldError::new(
                    "code",
                    "civil-def-code-taken",
                )]));
            }
            (Some((_, v)), Some(expected)) if *v == expected => {}
            (None, None) => {}
            (Some(_), None) => {
                tx.rollback().await?;
                return Err(CivilError::Invalid(vec![FieldError::new(
                    "code",
                    "civil-def-code-taken",
                )]));
            }
            _ => {
                tx.rollback().await?;
                return Err(CivilError::Stale);
            }
        }
        let version = match put(&mut tx, &def, now, "portal").await? {
            Put::Unchanged(v) => {
                tx.rollback().await?;
                return Ok(v);
            }
            Put::Added => 1,
            Put::Changed(v) => v,
        };
        tx.record(
            "civil.services.save",
            format!("service:{}", def.code),
            serde_json::json!({ "agency": def.agency, "version": version, "from": current.map(|c| c.1) }),
        );
        tx.commit().await?;
        Ok(version)
    }

    /// A service's current definition as TOML (what the portal's editor starts from), with its
    /// version.
    pub async fn definition_toml(&self, code: &str) -> Result<(String, i64), CivilError> {
        let service = self.service(code).await?;
        let text = toml::to_string_pretty(&service.definition).map_err(|e| {
            CivilError::Store(StoreError::Corrupt(format!("definition as TOML: {e}")))
        })?;
        Ok((text, service.version))
    }

    /// Every active service, optionally of one agency or life event, ordered by code.
    pub async fn services(
        &self,
        agency: Option<&str>,
        life_event: Option<&str>,
    ) -> Result<Vec<ServiceSummary>, CivilError> {
        // Only well-formed codes reach SQL (PostgreSQL refuses text with NUL bytes outright).
        if agency.is_some_and(|a| dasan_registry::agency_code(a).is_none())
            || life_event.is_some_and(|e| !crate::definition::LIFE_EVENTS.contains(&e))
        {
            return Ok(Vec::new());
        }
        let event = life_event.map(|e| format!("% {e} %"));
        let rows: Vec<(String,)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT definition FROM civil_services WHERE active = TRUE \
             AND ($1 IS NULL OR agency = $1) AND ($2 IS NULL OR life_events LIKE $2) ORDER BY code"
        )
        .bind(agency)
        .bind(event.as_deref())
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        rows.iter().map(|(json,)| summary(json)).collect()
    }

    /// Services matching every word of `query` (in any locale, case ignored; each word a prefix
    /// of a word of the service), best first as the engine's full-text ranking has it: names
    /// weigh most, then keywords, then descriptions. At most 50.
    pub async fn search(
        &self,
        query: &str,
        _locale: &str,
    ) -> Result<Vec<ServiceSummary>, CivilError> {
        let words = query_words(query);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // A word inside a Korean compound (등본 in 주민등록등본) is no token's prefix: when the
        // index finds nothing, a substring scan looks (trigram-indexed on PostgreSQL).
        let mut rows = self.search_index(&words).await?;
        if rows.is_empty() {
            let mut sql = String::from("SELECT definition FROM civil_services WHERE active = TRUE");
            for i in 1..=words.len() {
                sql.push_str(&format!(" AND search_text LIKE ${i} ESCAPE '\\'"));
            }
            sql.push_str(" ORDER BY code LIMIT 50");
            let patterns: Vec<String> = words
                .iter()
                .map(|w| format!("%{}%", escape_like(w)))
                .collect();
            rows = on_reader!(self.db, |p| {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()));
                for pattern in &patterns {
                    q = q.bind(pattern);
                }
                q.fetch_all(p).await
            })
            .map_err(StoreError::from_sqlx)?;
        }
        rows.iter().map(|json| summary(json)).collect()
    }

    /// The best 50 from the full-text index, every word as a prefix.
    async fn search_index(&self, words: &[String]) -> Result<Vec<String>, CivilError> {
        let rows = match self.db.reader() {
            Pool::Sqlite(p) => {
                // FTS5: each word quoted (it holds only letters and digits) and a prefix.
                let expr = words
                    .iter()
                    .map(|w| format!("\"{w}\"*"))
                    .collect::<Vec<_>>()
                    .join(" ");
                sqlx::query_scalar(
                    "SELECT s.definition FROM civil_services_fts \
                     JOIN civil_services s ON s.code = civil_services_fts.code \
                     WHERE civil_services_fts MATCH $1 AND s.active = TRUE \
                     ORDER BY bm25(civil_services_fts, 0.0, 10.0, 4.0, 1.0), s.code LIMIT 50",
                )
                .bind(expr)
                .fetch_all(p)
                .await
            }
            Pool::Postgres(p) => {
                let expr = words
                    .iter()
                    .map(|w| format!("'{w}':*"))
                    .collect::<Vec<_>>()
                    .join(" & ");
                sqlx::query_scalar(
                    "SELECT definition FROM civil_services, to_tsquery('simple', $1) q \
                     WHERE active = TRUE AND search_vector @@ q \
                     ORDER BY ts_rank_cd(search_vector, q) DESC, code LIMIT 50",
                )
                .bind(expr)
                .fetch_all(p)
                .await
            }
        };
        Ok(rows.map_err(StoreError::from_sqlx)?)
    }

    /// A service as it stands now.
    pub async fn service(&self, code: &str) -> Result<Service, CivilError> {
        if !crate::definition::code_ok(code) {
            return Err(CivilError::NotFound);
        }
        let row: Option<(String, i64)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT definition, version FROM civil_services WHERE code = $1 AND active = TRUE"
        )
        .bind(code)
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        let (json, version) = row.ok_or(CivilError::NotFound)?;
        Ok(Service {
            version,
            definition: parse(&json)?,
        })
    }

    /// A service as it stood at `version` (the form an application was made with).
    pub async fn service_version(
        &self,
        code: &str,
        version: i64,
    ) -> Result<ServiceDefinition, CivilError> {
        if !crate::definition::code_ok(code) {
            return Err(CivilError::NotFound);
        }
        let row: Option<(String,)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT definition FROM civil_service_versions WHERE code = $1 AND version = $2"
        )
        .bind(code)
        .bind(version)
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        parse(&row.ok_or(CivilError::NotFound)?.0)
    }

    /// The agencies that own at least one active service, with how many.
    pub async fn agencies_with_services(&self) -> Result<Vec<(String, i64)>, CivilError> {
        let rows: Vec<Row> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT agency, COUNT(*) FROM civil_services WHERE active = TRUE GROUP BY agency ORDER BY agency"
        )
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        Ok(rows)
    }
}

fn escape_like(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

pub(crate) fn parse(json: &str) -> Result<ServiceDefinition, CivilError> {
    serde_json::from_str(json)
        .map_err(|e| CivilError::Store(StoreError::Corrupt(format!("service definition: {e}"))))
}
