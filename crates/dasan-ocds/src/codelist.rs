//! The OCDS 1.1.5 codelist values Dasan uses (and the bids extension's bid status), as enums so
//! a value outside the codelist cannot be written. `conformance/ocds` checks every value against
//! the CSV files of the standard.

use serde::Serialize;

macro_rules! codelist {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant,)*
        }

        impl $name {
            /// The code as written in the data.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }
    };
}

codelist!(
    /// releaseTag.csv (closed).
    ReleaseTag {
        Planning = "planning",
        PlanningUpdate = "planningUpdate",
        Tender = "tender",
        TenderAmendment = "tenderAmendment",
        TenderUpdate = "tenderUpdate",
        TenderCancellation = "tenderCancellation",
        Award = "award",
        AwardUpdate = "awardUpdate",
        AwardCancellation = "awardCancellation",
        Contract = "contract",
        ContractUpdate = "contractUpdate",
        ContractAmendment = "contractAmendment",
        Implementation = "implementation",
        ImplementationUpdate = "implementationUpdate",
        ContractTermination = "contractTermination",
        Compiled = "compiled",
    }
);

codelist!(
    /// initiationType.csv (closed).
    InitiationType { Tender = "tender" }
);

codelist!(
    /// partyRole.csv (open; Dasan uses only listed roles).
    PartyRole {
        Buyer = "buyer",
        ProcuringEntity = "procuringEntity",
        Supplier = "supplier",
        Tenderer = "tenderer",
        Payer = "payer",
        Payee = "payee",
        ReviewBody = "reviewBody",
    }
);

codelist!(
    /// tenderStatus.csv (closed).
    TenderStatus {
        Planning = "planning",
        Planned = "planned",
        Active = "active",
        Cancelled = "cancelled",
        Unsuccessful = "unsuccessful",
        Complete = "complete",
        Withdrawn = "withdrawn",
    }
);

codelist!(
    /// awardStatus.csv (closed).
    AwardStatus {
        Pending = "pending",
        Active = "active",
        Cancelled = "cancelled",
        Unsuccessful = "unsuccessful",
    }
);

codelist!(
    /// contractStatus.csv (closed).
    ContractStatus {
        Pending = "pending",
        Active = "active",
        Cancelled = "cancelled",
        Terminated = "terminated",
    }
);

codelist!(
    /// method.csv (closed).
    ProcurementMethod {
        Open = "open",
        Selective = "selective",
        Limited = "limited",
        Direct = "direct",
    }
);

codelist!(
    /// procurementCategory.csv (closed).
    ProcurementCategory {
        Goods = "goods",
        Works = "works",
        Services = "services",
    }
);

codelist!(
    /// awardCriteria.csv (open; Dasan uses only listed codes).
    AwardCriteria {
        PriceOnly = "priceOnly",
        CostOnly = "costOnly",
        QualityOnly = "qualityOnly",
        RatedCriteria = "ratedCriteria",
    }
);

codelist!(
    /// milestoneStatus.csv (closed).
    MilestoneStatus {
        Scheduled = "scheduled",
        Met = "met",
        NotMet = "notMet",
        PartiallyMet = "partiallyMet",
    }
);

codelist!(
    /// milestoneType.csv (open; Dasan uses only listed codes).
    MilestoneType {
        PreProcurement = "preProcurement",
        Approval = "approval",
        Engagement = "engagement",
        Assessment = "assessment",
        Delivery = "delivery",
        Reporting = "reporting",
        Financing = "financing",
        Payment = "payment",
    }
);

codelist!(
    /// documentType.csv (open; Dasan uses only listed codes).
    DocumentType {
        PlannedProcurementNotice = "plannedProcurementNotice",
        TenderNotice = "tenderNotice",
        AwardNotice = "awardNotice",
        ContractNotice = "contractNotice",
        BiddingDocuments = "biddingDocuments",
        TechnicalSpecifications = "technicalSpecifications",
        EvaluationReports = "evaluationReports",
        ContractSigned = "contractSigned",
        Clarifications = "clarifications",
        CancellationDetails = "cancellationDetails",
        CompletionCertificate = "completionCertificate",
    }
);

codelist!(
    /// The bids extension's bidStatus.csv (closed).
    BidStatus {
        Invited = "invited",
        Pending = "pending",
        Valid = "valid",
        Disqualified = "disqualified",
        Withdrawn = "withdrawn",
    }
);
