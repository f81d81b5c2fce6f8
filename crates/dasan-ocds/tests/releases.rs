//! The releases of a full procedure, their compilation and their packages.

use dasan_kernel::Timestamp;
use dasan_ocds::codelist::ReleaseTag;
use dasan_ocds::package::{Links, PackageMeta, Publisher};
use dasan_ocds::{
    BuildError, OcidPrefix, RecordPackageWriter, ReleasePackageWriter, compile, record_linked,
    releases, sample,
};
use serde_json::{Value, json};

fn prefix() -> OcidPrefix {
    OcidPrefix::new("ocds-213czf").expect("valid prefix")
}

fn json_of<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).expect("serialises")
}

fn meta() -> PackageMeta {
    PackageMeta {
        uri: "https://dasan.example/api/v1/ocds/releases".into(),
        published_date: Timestamp::from_micros(1_780_000_000_000_000),
        publisher: Publisher {
            name: "Dasan".into(),
            scheme: None,
            uid: None,
            uri: None,
        },
        license: Some("https://creativecommons.org/licenses/by/4.0/".into()),
        publication_policy: None,
        links: Some(Links {
            next: Some("https://dasan.example/api/v1/ocds/releases?page=2".into()),
            prev: None,
        }),
    }
}

#[test]
fn every_stage_is_released_in_date_order_with_stable_ids() {
    let p = sample::full_cycle(7);
    let rs = releases(&prefix(), &p).expect("builds");
    let tags: Vec<ReleaseTag> = rs.iter().map(|r| r.tag[0]).collect();
    use ReleaseTag::*;
    assert_eq!(
        tags,
        [
            Planning,
            Tender,
            TenderAmendment,
            TenderUpdate, // the opening
            Award,        // lot 1, pending during the standstill
            Award,        // lot 2
            AwardUpdate,  // standstill over: active
            AwardUpdate,
            Contract,
            Contract,
            Implementation, // advance payments
            Implementation,
            ContractAmendment, // lot 2's period extended
            Implementation,    // lot 2 delivered
            Implementation,    // lot 2 final payment
            ContractTermination,
            Implementation, // lot 1 delivered
            Implementation, // lot 1 final payment
            ContractTermination,
        ]
    );
    assert!(rs.windows(2).all(|w| w[0].date <= w[1].date));
    assert!(rs.iter().all(|r| r.ocid == "ocds-213czf-2026-0000007"));
    let mut ids: Vec<&str> = rs.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rs.len(), "release ids are unique");
    // Building again gives the same releases (stable ids and dates).
    assert_eq!(rs, releases(&prefix(), &p).expect("builds"));
    for stage in [
        Planning,
        Tender,
        TenderAmendment,
        TenderUpdate,
        Award,
        Contract,
        ContractAmendment,
        Implementation,
    ] {
        assert!(tags.contains(&stage), "{stage:?} missing");
    }
}

#[test]
fn amounts_are_exact_decimal_text() {
    // n = 2 is a USD procedure: minor units are cents.
    let p = sample::full_cycle(2);
    let rs = releases(&prefix(), &p).expect("builds");
    let text = serde_json::to_string(&rs[1]).expect("serialises");
    // Estimated value: 60 500 000 thousandths * 1 / 10 + 2 cents = 6 050 002 cents.
    assert!(
        text.contains(r#""value":{"amount":60500.02,"currency":"USD"}"#),
        "{text}"
    );
    let krw = releases(&prefix(), &sample::full_cycle(1)).expect("builds");
    let text = serde_json::to_string(&krw[1]).expect("serialises");
    assert!(
        text.contains(r#""value":{"amount":6050000001,"currency":"KRW"}"#),
        "{text}"
    );
}

#[test]
fn the_compiled_release_merges_by_id_and_keeps_the_latest() {
    let rs = releases(&prefix(), &sample::full_cycle(4)).expect("builds");
    let c = json_of(&compile(&rs).expect("compiles"));
    assert_eq!(c["tag"], json!(["compiled"]));
    assert_eq!(c["date"], json_of(&rs.last().expect("some").date));
    assert_eq!(c["tender"]["status"], "complete");
    // The amendment's quantity replaced the original.
    assert_eq!(c["tender"]["items"][0]["quantity"], 12_600);
    assert_eq!(c["tender"]["amendments"].as_array().map(Vec::len), Some(1));
    // Items of both versions merged by id, not duplicated.
    assert_eq!(c["tender"]["items"].as_array().map(Vec::len), Some(3));
    // Opening data and the planning survive later releases that do not mention them.
    assert_eq!(c["bids"]["details"].as_array().map(Vec::len), Some(4));
    assert_eq!(c["planning"]["budget"]["id"], "2026-ROADS-01");
    // Award status: pending at the award, active after the standstill.
    assert_eq!(c["awards"][0]["status"], "active");
    assert_eq!(
        c["awards"][0]["relatedBids"][0],
        json!(format!("{:064x}-1", (4 << 8) | 1))
    );
    // Transactions and milestones from separate releases accumulate in one contract.
    let contract = &c["contracts"][0];
    assert_eq!(contract["status"], "terminated");
    assert_eq!(
        contract["implementation"]["transactions"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(contract["implementation"]["milestones"][0]["status"], "met");
    // The signed contract and its agreed milestones come with the contract stage.
    assert_eq!(contract["documents"][0]["documentType"], "contractSigned");
    assert_eq!(contract["documents"][0]["format"], "application/pdf");
    assert_eq!(contract["milestones"][0]["type"], "delivery");
    assert_eq!(contract["milestones"][0]["status"], "scheduled");
    assert!(contract["milestones"][0]["dueDate"].is_string());
    // An amendment replaces the period, lists every amendment so far (pointing at the release
    // it amends) and adds the signed amendment to the contract's documents.
    let amended = &c["contracts"][1];
    assert_eq!(amended["id"], "2");
    let amendments = amended["amendments"].as_array().expect("amendments");
    assert_eq!(amendments.len(), 1);
    assert_eq!(
        amendments[0]["amendsReleaseID"],
        format!("{}-contract-2", c["ocid"].as_str().expect("ocid"))
    );
    assert_eq!(
        amendments[0]["releaseID"],
        format!(
            "{}-contract-2-amendment-1",
            c["ocid"].as_str().expect("ocid")
        )
    );
    assert!(
        amendments[0]["rationale"]
            .as_str()
            .is_some_and(|r| r.contains("flooding"))
    );
    assert_eq!(amended["documents"].as_array().map(Vec::len), Some(2));
    let first = rs
        .iter()
        .find(|r| r.id.ends_with("-contract-2"))
        .expect("the contract release");
    assert_ne!(
        json_of(&first.contracts[0].period)["endDate"],
        amended["period"]["endDate"],
        "the compiled contract has the amended period"
    );
    // The winner has every role it had, the buyer too.
    let parties = c["parties"].as_array().expect("parties");
    let winner = parties
        .iter()
        .find(|p| {
            p["roles"]
                .as_array()
                .is_some_and(|r| r.contains(&json!("supplier")))
        })
        .expect("a supplier");
    assert_eq!(winner["roles"], json!(["tenderer", "supplier", "payee"]));
    assert_eq!(
        parties[0]["roles"],
        json!(["buyer", "procuringEntity", "payer"])
    );
    assert_eq!(parties.len(), 4);
}

#[test]
fn compilation_takes_releases_in_date_order() {
    let rs = releases(&prefix(), &sample::full_cycle(5)).expect("builds");
    // The newest release first: compilation sorts by date (ties keep their given order).
    let mut rotated = rs.clone();
    rotated.rotate_right(1);
    assert_ne!(rotated, rs);
    assert_eq!(compile(&rs), compile(&rotated));
    assert!(compile(&[]).is_err());
    let mut other = rs.clone();
    other[1].ocid = "ocds-213czf-other".into();
    assert!(compile(&other).is_err());
}

#[test]
fn an_annulled_award_stays_published_next_to_the_one_that_replaced_it() {
    let rs = releases(&prefix(), &sample::reawarded(6)).expect("builds");
    let c = json_of(&compile(&rs).expect("compiles"));
    let awards = c["awards"].as_array().expect("awards");
    assert_eq!(awards.len(), 3);
    let annulled = awards
        .iter()
        .find(|a| a["id"] == "2-annulled")
        .expect("the annulled award");
    assert_eq!(annulled["status"], "cancelled");
    assert!(
        annulled["description"]
            .as_str()
            .is_some_and(|d| d.contains("Complaint upheld"))
    );
    assert_eq!(annulled["relatedLots"], json!(["2"]));
    assert!(
        awards
            .iter()
            .filter(|a| a["id"] != "2-annulled")
            .all(|a| a["status"] == "active")
    );
    assert_eq!(c["tender"]["status"], "complete");
}

#[test]
fn a_cancelled_tender_is_cancelled_in_its_record() {
    let rs = releases(&prefix(), &sample::cancelled(3)).expect("builds");
    assert_eq!(
        rs.last().expect("some").tag,
        vec![ReleaseTag::TenderCancellation]
    );
    let c = json_of(&compile(&rs).expect("compiles"));
    assert_eq!(c["tender"]["status"], "cancelled");
    assert_eq!(c["tender"]["lots"][0]["status"], "cancelled");
    assert_eq!(
        c["tender"]["documents"][1]["documentType"],
        "cancellationDetails"
    );
}

#[test]
fn bad_input_is_refused() {
    assert!(matches!(
        OcidPrefix::new("ocds 213"),
        Err(BuildError::BadPrefix(_))
    ));
    assert!(OcidPrefix::new("ocds-213czf-").is_err());
    assert!(OcidPrefix::new("").is_err());
    let mut p = sample::full_cycle(1);
    p.contracts[0].award_id = "9".into();
    assert_eq!(
        releases(&prefix(), &p),
        Err(BuildError::UnknownAward("9".into()))
    );
    let mut p = sample::full_cycle(1);
    p.tender_id = "a#b".into();
    assert!(matches!(releases(&prefix(), &p), Err(BuildError::BadId(_))));
    let mut p = sample::full_cycle(1);
    p.awards[0].lots = vec!["7".into()];
    assert_eq!(
        releases(&prefix(), &p),
        Err(BuildError::UnknownLot("7".into()))
    );
    let mut p = sample::full_cycle(1);
    p.tender.clear();
    assert_eq!(releases(&prefix(), &p), Err(BuildError::NoTender));
    let mut p = sample::full_cycle(1);
    p.contracts[0].implementation[1] = p.contracts[0].implementation[0].clone();
    assert!(matches!(
        releases(&prefix(), &p),
        Err(BuildError::DuplicateReleaseId(_))
    ));
}

#[test]
fn packages_stream_and_parse() {
    let mut w = ReleasePackageWriter::new(Vec::new(), &meta()).expect("header");
    let mut records = RecordPackageWriter::new(Vec::new(), &meta()).expect("header");
    let mut n = 0;
    for i in 0..3 {
        let rs = releases(&prefix(), &sample::full_cycle(i)).expect("builds");
        for r in &rs {
            w.write(r).expect("writes");
            n += 1;
        }
        records
            .write(&record_linked(&rs, "https://dasan.example/ocds/bulk.json").expect("compiles"))
            .expect("writes");
    }
    assert_eq!(w.count(), n);
    let bytes = w.finish().expect("finishes");
    let v: Value = serde_json::from_slice(&bytes).expect("valid JSON");
    assert_eq!(v["version"], "1.1");
    assert_eq!(v["releases"].as_array().map(Vec::len), Some(n as usize));
    assert_eq!(v["extensions"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        v["links"]["next"],
        "https://dasan.example/api/v1/ocds/releases?page=2"
    );
    assert_eq!(v["publishedDate"], "2026-05-28T20:26:40Z");
    let v: Value =
        serde_json::from_slice(&records.finish().expect("finishes")).expect("valid JSON");
    let record = &v["records"][2];
    assert_eq!(record["ocid"], "ocds-213czf-2026-0000002");
    assert_eq!(
        record["releases"][0]["url"],
        "https://dasan.example/ocds/bulk.json#ocds-213czf-2026-0000002-planning"
    );
    assert_eq!(record["compiledRelease"]["tag"], json!(["compiled"]));
    // Empty packages are valid too.
    let empty = ReleasePackageWriter::new(Vec::new(), &meta()).expect("header");
    let v: Value = serde_json::from_slice(&empty.finish().expect("ok")).expect("valid JSON");
    assert_eq!(v["releases"], json!([]));
}
