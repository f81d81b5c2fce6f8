#![allow(clippy::unwrap_used)]

use dasan_identity::*;
use dasan_kernel::Actor;
use dasan_store::engine_tests;
use dasan_store::testing::TestDatabase;

fn admin(email: &str) -> NewAccount {
    NewAccount {
        kind: AccountKind::Official,
        email: email.into(),
        display_name: "Kim Min-ji".into(),
        password: "a long enough passphrase".into(),
        roles: vec![RoleGrant {
            role: PLATFORM_ADMIN,
            scope: "platform".into(),
        }],
        agency: None,
    }
}

engine_tests! {
    async fn creates_an_administrator_who_can_then_be_verified(engine) {
        let t = TestDatabase::migrated(engine).await;
        assert!(!platform_admin_exists(&t.db).await.unwrap());
        let id = create_account(&t.db, Actor::system(), admin(" Admin@Example.GOV ")).await.unwrap();
        assert!(platform_admin_exists(&t.db).await.unwrap());
        assert!(account_exists(&t.db, "admin@example.gov").await.unwrap());
        assert_eq!(
            verify_password(&t.db, "ADMIN@example.gov", "a long enough passphrase").await.unwrap(),
            Some(id)
        );
        assert_eq!(verify_password(&t.db, "admin@example.gov", "wrong passphrase!!").await.unwrap(), None);
        assert_eq!(verify_password(&t.db, "nobody@example.gov", "a long enough passphrase").await.unwrap(), None);
    }

    async fn refuses_duplicates_and_bad_input_without_writing(engine) {
        let t = TestDatabase::migrated(engine).await;
        create_account(&t.db, Actor::system(), admin("a@example.gov")).await.unwrap();
        let again = create_account(&t.db, Actor::system(), admin("A@EXAMPLE.gov")).await;
        assert!(matches!(again, Err(IdentityError::EmailTaken)), "{again:?}");
        let mut weak = admin("b@example.gov");
        weak.password = "short".into();
        assert!(matches!(
            create_account(&t.db, Actor::system(), weak).await,
            Err(IdentityError::PasswordTooShort { min: 12 })
        ));
        for bad in ["", "no-at-sign", "a@b", "a @b.c", "@example.gov", "a@.example"] {
            assert!(matches!(
                create_account(&t.db, Actor::system(), admin(bad)).await,
                Err(IdentityError::InvalidEmail)
            ), "{bad:?}");
        }
        let accounts: i64 = dasan_store::on_reader!(t.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(p).await).unwrap();
        let events: i64 = dasan_store::on_reader!(t.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'account.create'").fetch_one(p).await).unwrap();
        assert_eq!((accounts, events), (1, 1));
    }
}

mod sessions {
    use super::*;
    use dasan_identity::session::{self, ClientInfo, SessionPolicy};
    use dasan_kernel::{ManualClock, Timestamp};
    use std::sync::Arc;
    use std::time::Duration;

    async fn signed_in(
        engine: dasan_store::Engine,
    ) -> (TestDatabase, ManualClock, session::SessionToken) {
        let mut t = TestDatabase::migrated(engine).await;
        let clock = ManualClock::new(Timestamp::from_micros(1_800_000_000_000_000));
        assert!(t.db.configure(
            Arc::new(dasan_store::TableAuditHook),
            Arc::new(clock.clone())
        ));
        let mut citizen = admin("citizen@example.kr");
        citizen.kind = AccountKind::Citizen;
        citizen.roles.clear();
        create_account(&t.db, Actor::system(), citizen)
            .await
            .unwrap();
        let signed = dasan_identity::auth::sign_in_password(
            &t.db,
            "citizen@example.kr",
            "a long enough passphrase",
            &ClientInfo::default(),
            &SessionPolicy::default(),
            None,
        )
        .await
        .unwrap();
        (t, clock, signed.token)
    }

    engine_tests! {
        async fn an_idle_session_ends_and_activity_keeps_it_alive(engine) {
            let (t, clock, token) = signed_in(engine).await;
            let policy = SessionPolicy::default();
            clock.advance(Duration::from_secs(25 * 60));
            assert!(session::resume(&t.db, &token, &policy).await.unwrap().is_some(), "25 minutes idle: still open");
            clock.advance(Duration::from_secs(25 * 60));
            assert!(session::resume(&t.db, &token, &policy).await.unwrap().is_some(), "activity reset the idle clock");
            clock.advance(Duration::from_secs(31 * 60));
            assert!(session::resume(&t.db, &token, &policy).await.unwrap().is_none(), "31 minutes idle: ended");
        }

        async fn a_busy_session_still_ends_at_its_absolute_limit(engine) {
            let (t, clock, token) = signed_in(engine).await;
            let policy = SessionPolicy::default();
            // Active every 29 minutes (inside the idle limit) for 24 × 29 = 696 minutes…
            for _ in 0..24 {
                clock.advance(Duration::from_secs(29 * 60));
                assert!(session::resume(&t.db, &token, &policy).await.unwrap().is_some());
            }
            // …and at 725 minutes, past 12 hours, it is over.
            clock.advance(Duration::from_secs(29 * 60));
            assert!(session::resume(&t.db, &token, &policy).await.unwrap().is_none(), "12 hours: ended however active");
        }

        async fn a_session_and_a_token_carry_every_role_grant_and_only_known_roles(engine) {
            let (t, _clock, token) = signed_in(engine).await;
            let policy = SessionPolicy::default();
            let account = session::resume(&t.db, &token, &policy).await.unwrap().unwrap().principal.account;
            // Written directly, as a grant made by an administrator (or a role from a newer
            // version) would be: several roles and scopes, and one role this build does not know.
            for (role, scope) in [
                ("procurement.officer", "MOIS"),
                ("auditor", "platform"),
                ("procurement.officer", "KCS"),
                ("no.such.role", "MOIS"),
            ] {
                let mut tx = t.db.begin_bookkeeping("test: grant").await.unwrap();
                dasan_store::on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO role_grants (account_id, role, scope, granted_at) VALUES ($1, $2, $3, 0)"
                )
                .bind(account.to_string())
                .bind(role)
                .bind(scope)
                .execute(c)
                .await
                .map(drop))
                .unwrap();
                tx.commit().await.unwrap();
            }
            let expected = vec![
                ("auditor", "platform".to_owned()),
                ("procurement.officer", "KCS".to_owned()),
                ("procurement.officer", "MOIS".to_owned()),
            ];
            let grants = |p: &Principal| p.roles.iter().map(|g| (g.role, g.scope.clone())).collect::<Vec<_>>();
            let principal = session::resume(&t.db, &token, &policy).await.unwrap().unwrap().principal;
            assert_eq!(grants(&principal), expected, "session");
            let (_, bearer) = dasan_identity::tokens::create(&t.db, &principal, "ci", &[Permission::AuditRead], 30)
                .await
                .unwrap();
            let by_token = dasan_identity::tokens::authenticate(&t.db, &bearer).await.unwrap().unwrap();
            assert_eq!(grants(&by_token), expected, "token");
            assert_eq!(by_token.scopes, Some(vec![Permission::AuditRead]));
        }

        async fn a_forged_or_unknown_cookie_opens_nothing(engine) {
            let (t, _clock, _token) = signed_in(engine).await;
            let policy = SessionPolicy::default();
            let forged = session::SessionToken::from_cookie("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
            assert!(session::resume(&t.db, &forged, &policy).await.unwrap().is_none());
        }
    }
}
