//! A mobile number gets texts only once the code texted to it is typed back; codes expire, wear
//! out after a few wrong tries, and sending them is limited.
#![allow(clippy::unwrap_used)]

use dasan_identity::phone::{self, PhoneStatus};
use dasan_identity::*;
use dasan_kernel::{Actor, ManualClock, Timestamp};
use dasan_store::engine_tests;
use dasan_store::testing::TestDatabase;
use std::sync::Arc;
use std::time::Duration;

async fn citizen(engine: dasan_store::Engine) -> (TestDatabase, ManualClock, Principal) {
    let mut t = TestDatabase::migrated(engine).await;
    let clock = ManualClock::new(Timestamp::from_micros(1_800_000_000_000_000));
    assert!(t.db.configure(
        Arc::new(dasan_store::TableAuditHook),
        Arc::new(clock.clone())
    ));
    let account = create_account(
        &t.db,
        Actor::system(),
        NewAccount {
            kind: AccountKind::Citizen,
            email: "texts@example.kr".into(),
            display_name: "Lee Ji-won".into(),
            password: "a long enough passphrase".into(),
            roles: vec![],
            agency: None,
        },
    )
    .await
    .unwrap();
    let principal = Principal {
        account,
        kind: AccountKind::Citizen,
        display_name: "Lee Ji-won".into(),
        agency: None,
        person: None,
        business: None,
        roles: vec![],
        assurance: Assurance::Single,
        scopes: None,
    };
    (t, clock, principal)
}

/// The code in the latest text to `to`.
async fn texted_code(t: &TestDatabase, to: &str) -> String {
    let body: String = dasan_store::on_reader!(t.db, |p| sqlx::query_scalar(
        "SELECT body FROM outbox WHERE channel = 'sms' AND recipient = $1 ORDER BY created_at DESC, id DESC LIMIT 1"
    )
    .bind(to)
    .fetch_one(p)
    .await)
    .unwrap();
    body.trim_start_matches("[Dasan] ")
        .chars()
        .take(6)
        .collect()
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

engine_tests! {
    async fn a_number_is_confirmed_by_the_code_texted_to_it(engine) {
        let (t, _clock, p) = citizen(engine).await;
        let sent = phone::send_code(&t.db, &p, "010-2222-3333", "KR").await.unwrap();
        assert_eq!(sent.phone, "+821022223333");
        assert_eq!(phone::status(&t.db, p.account).await.unwrap(), PhoneStatus { confirmed: None, pending: Some("+821022223333".into()) });
        let code = texted_code(&t, "+821022223333").await;
        assert!(matches!(phone::confirm(&t.db, &p, other_than(&code)).await, Err(IdentityError::InvalidCode)));
        assert_eq!(phone::confirm(&t.db, &p, &format!("{} {}", &code[..3], &code[3..])).await.unwrap(), "+821022223333");
        assert_eq!(phone::status(&t.db, p.account).await.unwrap(), PhoneStatus { confirmed: Some("+821022223333".into()), pending: None });
        assert!(matches!(phone::confirm(&t.db, &p, &code).await, Err(IdentityError::InvalidCode)), "a code works once");
        // A new number waits for its own code; the old one keeps getting texts meanwhile.
        phone::send_code(&t.db, &p, "+82 10 4444 5555", "KR").await.unwrap();
        let mut tx = t.db.begin(Actor::system()).await.unwrap();
        assert_eq!(phone::text_recipient(&mut tx, p.account).await.unwrap().as_deref(), Some("+821022223333"));
        tx.rollback().await.unwrap();
        // The audit log shows what happened without the number in full or the code.
        let details: Vec<String> = dasan_store::on_reader!(t.db, |c| sqlx::query_scalar(
            "SELECT CAST(detail AS TEXT) FROM audit_events WHERE action LIKE 'account.phone.%'"
        ).fetch_all(c).await).unwrap();
        assert!(details.len() >= 4, "{details:?}");
        assert!(details.iter().all(|d| !d.contains("22223333") && !d.contains(&code)), "{details:?}");
        phone::remove(&t.db, &p).await.unwrap();
        assert_eq!(phone::status(&t.db, p.account).await.unwrap(), PhoneStatus::default());
    }

    async fn codes_expire_and_wear_out(engine) {
        let (t, clock, p) = citizen(engine).await;
        phone::send_code(&t.db, &p, "010-2222-3333", "KR").await.unwrap();
        let code = texted_code(&t, "+821022223333").await;
        clock.advance(Duration::from_secs(phone::CODE_MINUTES as u64 * 60 + 1));
        assert!(matches!(phone::confirm(&t.db, &p, &code).await, Err(IdentityError::InvalidCode)), "expired");
        phone::send_code(&t.db, &p, "010-2222-3333", "KR").await.unwrap();
        let code = texted_code(&t, "+821022223333").await;
        for _ in 0..5 {
            assert!(matches!(phone::confirm(&t.db, &p, other_than(&code)).await, Err(IdentityError::InvalidCode)));
        }
        assert!(matches!(phone::confirm(&t.db, &p, &code).await, Err(IdentityError::InvalidCode)), "worn out after five wrong tries");
        assert_eq!(phone::status(&t.db, p.account).await.unwrap().confirmed, None);
    }

    async fn bad_numbers_are_refused_on_their_field_and_sending_is_limited(engine) {
        let (t, _clock, p) = citizen(engine).await;
        for (typed, message) in [("02-2100-3399", "identity-error-phone-not-mobile"), ("not a number", "identity-error-phone-invalid")] {
            match phone::send_code(&t.db, &p, typed, "KR").await {
                Err(IdentityError::Invalid(errors)) => {
                    assert_eq!(errors[0].field, "phone");
                    assert_eq!(errors[0].message, message);
                }
                other => panic!("{typed}: {other:?}"),
            }
        }
        let texts = || async {
            dasan_store::on_reader!(t.db, |c| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'").fetch_one(c).await).unwrap()
        };
        assert_eq!(texts().await, 0, "nothing sent for a refused number");
        let mut limited = false;
        for _ in 0..10 {
            match phone::send_code(&t.db, &p, "010-2222-3333", "KR").await {
                Ok(_) => {}
                Err(IdentityError::RateLimited { retry_after_secs }) => {
                    assert!(retry_after_secs > 0);
                    limited = true;
                    break;
                }
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(limited, "texts to one account are limited");
        assert!(texts().await <= 6, "{}", texts().await);
    }
}
