//! Importers on real and broken input.
#![allow(clippy::unwrap_used)]

use dasan_border::watchlist::NameKind;
use dasan_border::{
    BirthDate, EntryKind, ImportError, IssueKind, ListSource, import_national_csv, import_un_xml,
};

const EXCERPT: &str = include_str!("data/un_excerpt.xml");

#[test]
fn un_excerpt_every_field() {
    let imported = import_un_xml(EXCERPT.as_bytes()).unwrap();
    assert!(imported.issues.is_empty(), "{:?}", imported.issues);
    let r = &imported.records;
    assert_eq!(r.len(), 6);
    assert_eq!(r.iter().filter(|e| e.kind == EntryKind::Entity).count(), 1);
    let frank = &r[0];
    assert_eq!(frank.id, "6907994");
    assert_eq!(frank.reference, "CDi.002");
    assert_eq!(frank.source, ListSource::Un);
    assert_eq!(frank.primary_name(), "FRANK KAKOLELE BWAMBALE");
    assert_eq!(frank.names.len(), 4);
    assert_eq!(frank.nationalities, ["COD"]);
    assert!(frank.birth_dates.is_empty());

    let bosco = &r[1];
    assert_eq!(
        bosco.birth_dates,
        [BirthDate::Between {
            from: 1973,
            to: 1974
        }]
    );
    assert!(
        bosco
            .names
            .iter()
            .any(|n| n.text == "Lydia" && n.kind.is_low_quality())
    );

    let ra = &r[2];
    assert_eq!(ra.primary_name(), "RA KY'ONG-SU");
    assert_eq!(ra.nationalities, ["PRK"]);
    assert_eq!(
        ra.birth_dates,
        [BirthDate::Exact {
            year: 1954,
            month: 6,
            day: 4
        }]
    );
    assert!(!ra.documents.is_empty());
    assert_eq!(ra.documents[0].number, "645120196");

    let floribert = &r[3];
    let passport = floribert
        .documents
        .iter()
        .find(|d| d.kind == "Passport")
        .unwrap();
    assert_eq!(passport.number, "OB 0243318");
    assert_eq!(passport.issuing_country, "Democratic Republic of the Congo");

    let abid = &r[4];
    assert!(
        abid.names
            .iter()
            .any(|n| n.kind == NameKind::OriginalScript)
    );
    assert!(abid.birth_dates.iter().any(|d| matches!(
        d,
        BirthDate::Year {
            approximate: true,
            ..
        }
    )));

    let adf = &r[5];
    assert_eq!(adf.kind, EntryKind::Entity);
    assert_eq!(adf.primary_name(), "ADF");
    assert!(
        adf.names
            .iter()
            .any(|n| n.text == "Allied Democratic Forces")
    );
}

#[test]
fn un_bad_values_are_issues_with_line_and_field() {
    let bad = EXCERPT
        .replacen("<DATE>1954-06-04</DATE>", "<DATE>1954-13-04</DATE>", 1)
        .replacen(
            "<FROM_YEAR>1973</FROM_YEAR>",
            "<FROM_YEAR>19x3</FROM_YEAR>",
            1,
        );
    let imported = import_un_xml(bad.as_bytes()).unwrap();
    assert_eq!(
        imported.records.len(),
        6,
        "bad values drop the value, not the record"
    );
    let issues = imported.issues.clone();
    assert_eq!(issues.len(), 2, "{issues:?}");
    let line_of = |needle: &str| bad.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1;
    assert_eq!(issues[0].field, "FROM_YEAR");
    assert_eq!(issues[0].record, "6908021");
    assert_eq!(issues[0].line, line_of("19x3"));
    assert_eq!(issues[0].problem, IssueKind::BadYear("19x3".into()));
    assert_eq!(issues[1].field, "DATE");
    assert_eq!(issues[1].line, line_of("1954-13-04"));
    assert!(matches!(imported.strict(), Err(ImportError::Issue(_))));
}

#[test]
fn un_broken_xml_is_an_error_with_a_line() {
    let broken = EXCERPT.replacen("</SECOND_NAME>", "</THIRD_NAME>", 1);
    match import_un_xml(broken.as_bytes()) {
        Err(ImportError::Xml { line, .. }) => assert_eq!(line, 8),
        other => panic!("{other:?}"),
    }
    let truncated = &EXCERPT[..EXCERPT.len() / 2];
    assert!(matches!(
        import_un_xml(truncated.as_bytes()),
        Err(ImportError::Xml { .. })
    ));
}

#[test]
fn national_csv() {
    let csv = "id,kind,name,aliases,birth_dates,nationalities,documents,listed_on\n\
        K-1,individual,홍길동,HONG Kil-tong|Hong Gildong,1970-03-15,KOR,P:KOR:M1234567,2024-01-02\n\
        K-2,entity,Example Trading Co,,,PRK,,\n\
        K-3,individual,,,,,,\n\
        K-4,individual,PARK Ji-hoon,,~1980|1975/1977|1980-02-30,Republic of Korea,P:KOR,\n\
        K-1,individual,dup,,,,,\n\
        K-5,robot,X,,,,,\n";
    let imported = import_national_csv("KOR-MOJ", csv.as_bytes()).unwrap();
    let ids: Vec<&str> = imported.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["K-1", "K-2", "K-4"]);
    let hong = &imported.records[0];
    assert_eq!(hong.source, ListSource::National("KOR-MOJ".into()));
    assert_eq!(hong.names.len(), 3);
    assert_eq!(hong.documents[0].number, "M1234567");
    let park = &imported.records[2];
    assert_eq!(
        park.birth_dates,
        [
            BirthDate::Year {
                year: 1980,
                approximate: true
            },
            BirthDate::Between {
                from: 1975,
                to: 1977
            }
        ]
    );
    assert_eq!(park.nationalities, ["KOR"]);
    let issues: Vec<(u64, &str, &IssueKind)> = imported
        .issues
        .iter()
        .map(|i| (i.line, i.field.as_str(), &i.problem))
        .collect();
    assert_eq!(
        issues,
        [
            (4, "name", &IssueKind::Missing),
            (5, "birth_dates", &IssueKind::BadDate("1980-02-30".into())),
            (5, "documents", &IssueKind::Invalid("P:KOR".into())),
            (6, "id", &IssueKind::Duplicate("K-1".into())),
            (7, "kind", &IssueKind::Unknown("robot".into())),
        ]
    );
}

#[test]
fn national_csv_without_required_columns() {
    let err = import_national_csv("X", "name\nA\n".as_bytes()).unwrap_err();
    assert!(matches!(err, ImportError::Csv { line: 1, .. }), "{err}");
    let err = import_national_csv("X", "id,name\n1,A,extra\n".as_bytes()).unwrap_err();
    assert!(matches!(err, ImportError::Csv { line: 2, .. }), "{err}");
}
