//! Issuing by an operator: an official of the issuing agency issues a certificate for a
//! subject (a person by national identifier, a business by registration number, a parcel by
//! its number) without an application from them — at a counter, or in batch from
//! `dasan doc issue`. It takes the portal's path: an application record (received, approved
//! and issued at once, the operator as applicant), the same numbering, check code, registry
//! reads "as of" the moment, signing and audit events, plus an event naming the operator.

use crate::application::{Application, ApplicationId, event, receipt_number};
use crate::documents::{IssuedDocument, template_for};
use crate::status::{Action, Status};
use crate::{Civil, CivilError};
use dasan_docs::DocumentType;
use dasan_identity::{Permission, Principal, Scope};
use dasan_kernel::FieldError;
use dasan_store::{StoreError, on_tx};
use std::collections::BTreeMap;

/// A document an operator issued.
#[derive(Clone, Debug)]
pub struct OperatorIssued {
    pub application: ApplicationId,
    pub document: IssuedDocument,
    /// The signed PDF.
    pub pdf: Vec<u8>,
}

fn invalid(field: &str, message: &'static str) -> CivilError {
    CivilError::Invalid(vec![FieldError::new(field, message)])
}

/// The service code for `name`: a service code as given, or a document type code
/// (`business-registration`) for the certificate service named after its template.
pub fn service_code(name: &str) -> String {
    match DocumentType::from_code(name) {
        Some(DocumentType::ResidentRegistration) => "resident-registration-certificate".into(),
        Some(DocumentType::FamilyRelations) => "family-relations-certificate".into(),
        Some(DocumentType::BusinessRegistration) => "business-registration-certificate".into(),
        Some(DocumentType::TaxPayment) => "tax-payment-certificate".into(),
        Some(DocumentType::LandRegister) => "land-register-extract".into(),
        _ => name.to_owned(),
    }
}

impl Civil {
    /// Issues the certificate of service `service` (see [`service_code`]) about `subject`. The
    /// principal must review applications for the service's agency (least privilege: the
    /// permission a counter official already has); anyone else is refused. Decision letters
    /// need a decision and cannot be issued this way.
    pub async fn issue_by_operator(
        &self,
        principal: &Principal,
        service: &str,
        subject: &str,
    ) -> Result<OperatorIssued, CivilError> {
        let service = self
            .service(&service_code(service))
            .await
            .map_err(|e| match e {
                CivilError::NotFound => invalid("type", "civil-error-document-type"),
                other => other,
            })?;
        let def = service.definition;
        let kind = def
            .document
            .as_deref()
            .and_then(template_for)
            .filter(|k| *k != DocumentType::DecisionLetter)
            .ok_or_else(|| invalid("type", "civil-error-document-type"))?;
        if !principal.has(Permission::CivilReview, Scope::Agency(&def.agency)) {
            return Err(CivilError::NotEligible("not-an-official-of-the-agency"));
        }
        let subject = subject.trim();
        let mut answers = BTreeMap::new();
        let (person, basis) = match kind {
            DocumentType::ResidentRegistration | DocumentType::FamilyRelations => {
                if self.registry.scheme().normalise(subject).is_err() {
                    return Err(invalid("subject", "civil-error-person"));
                }
                let found = self
                    .registry
                    .find_person(principal.actor(None), subject, "document-issuance")
                    .await?
                    .ok_or_else(|| invalid("subject", "civil-error-person"))?;
                (Some(found), "own")
            }
            DocumentType::BusinessRegistration | DocumentType::TaxPayment => {
                let b = self
                    .registry
                    .business_by_number(subject)
                    .await?
                    .ok_or_else(|| invalid("subject", "civil-error-unknown-business"))?;
                answers.insert("business_number".to_owned(), b.data.registration_number);
                if kind == DocumentType::TaxPayment {
                    answers.insert("use".to_owned(), "other".to_owned());
                }
                // The certificate is issued to the business, through its representative.
                (Some(b.data.representative), "business")
            }
            _ => {
                answers.insert("parcel_number".to_owned(), subject.to_owned());
                (None, "own")
            }
        };
        let now = self.db.clock().now();
        let app = Application {
            id: ApplicationId::new(),
            receipt: Some(receipt_number(now)),
            service: def.code.clone(),
            service_version: service.version,
            agency: def.agency.clone(),
            applicant: principal.account,
            subject_person: person.map(|p| p.to_string()),
            basis: basis.to_owned(),
            status: Status::Issued,
            answers,
            prefilled: BTreeMap::new(),
            assigned_to: None,
            version: 1,
            created_at: now,
            submitted_at: Some(now),
            due_at: None,
            decided_at: Some(now),
            decision_reason: None,
        };
        let made = self
            .make_document(&app, &def, None)
            .await?
            .ok_or(CivilError::DocumentsUnavailable)?;
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let at = tx.now().as_micros();
        let id = app.id;
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO civil_applications (id, receipt, service, service_version, agency, applicant, subject_person, basis, status, answers, prefilled, version, created_at, submitted_at, decided_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'issued', $9, '{}', 1, $10, $10, $10, $10)"
        )
        .bind(id.to_string())
        .bind(&app.receipt)
        .bind(&app.service)
        .bind(app.service_version)
        .bind(&app.agency)
        .bind(principal.account.to_string())
        .bind(&app.subject_person)
        .bind(basis)
        .bind(serde_json::to_string(&app.answers).unwrap_or_else(|_| "{}".into()))
        .bind(at)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        for (action, status) in [
            (Action::Submit, Status::Submitted),
            (Action::Approve, Status::Approved),
            (Action::Issue, Status::Issued),
        ] {
            event(
                &mut tx,
                id,
                Some(principal.account),
                true,
                action,
                status,
                None,
            )
            .await?;
        }
        crate::documents::record(&mut tx, &made).await?;
        tx.record(
            "civil.document.issue-by-operator",
            format!("application:{id}"),
            serde_json::json!({
                "service": app.service,
                "document": made.doc.issue_number,
                "operator": principal.account.to_string(),
                "subject_person": app.subject_person,
            }),
        );
        tx.commit().await?;
        let (document, pdf) = self
            .document_pdf(principal, id, &made.doc.issue_number)
            .await?;
        Ok(OperatorIssued {
            application: id,
            document,
            pdf,
        })
    }
}
