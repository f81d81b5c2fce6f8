//! The messages identity sends. Bilingual (English and Korean): they go to an address, not to a
//! browser whose language we know.

use crate::IdentityError;
use dasan_notify::Email;
use dasan_store::Tx;

fn queue_error(e: dasan_notify::NotifyError) -> IdentityError {
    match e {
        dasan_notify::NotifyError::Store(s) => IdentityError::Store(s),
        _ => IdentityError::InvalidEmail,
    }
}

/// Tells the owner that sign-in to their account was blocked after repeated failures.
pub(crate) async fn enqueue_lockout_notice(
    tx: &mut Tx,
    to: &str,
    blocked_secs: i64,
) -> Result<(), IdentityError> {
    let minutes = (blocked_secs + 59) / 60;
    let email = Email {
        to: to.to_owned(),
        subject: "Dasan: sign-in to your account was paused / 로그인 일시 중지 안내".to_owned(),
        body: format!(
            "Someone tried to sign in to your Dasan account several times with a wrong password.\n\
             Sign-in is paused for about {minutes} minute(s). If it was not you, you need do nothing;\n\
             if it keeps happening, change your password.\n\n\
             누군가 잘못된 비밀번호로 다산 계정에 여러 번 로그인을 시도했습니다.\n\
             약 {minutes}분 동안 로그인이 일시 중지됩니다. 본인이 아니라면 따로 하실 일은 없으며,\n\
             계속 반복되면 비밀번호를 바꾸세요.\n"
        ),
    };
    dasan_notify::enqueue(tx, &email)
        .await
        .map(drop)
        .map_err(queue_error)
}

/// Sends a one-time account recovery link.
pub(crate) async fn enqueue_recovery(
    tx: &mut Tx,
    to: &str,
    link: &str,
    minutes: i64,
) -> Result<(), IdentityError> {
    let email = Email {
        to: to.to_owned(),
        subject: "Dasan: reset your password / 비밀번호 재설정".to_owned(),
        body: format!(
            "To choose a new password for your Dasan account, open this link within {minutes} minutes:\n\
             {link}\n\
             It works once. If you did not ask for it, ignore this message: your password is unchanged.\n\n\
             다산 계정의 새 비밀번호를 정하려면 {minutes}분 안에 다음 링크를 여세요:\n\
             {link}\n\
             링크는 한 번만 쓸 수 있습니다. 요청하지 않으셨다면 이 메일을 무시하세요. 비밀번호는 바뀌지 않습니다.\n"
        ),
    };
    dasan_notify::enqueue(tx, &email)
        .await
        .map(drop)
        .map_err(queue_error)
}

/// Why someone is invited to choose a password.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Invitation<'a> {
    Official { agency: &'a str },
    Staff { business: &'a str },
}

/// Invites an official or a business's staff member to choose a password.
pub(crate) async fn enqueue_invitation(
    tx: &mut Tx,
    to: &str,
    link: &str,
    invitation: Invitation<'_>,
) -> Result<(), IdentityError> {
    let hours = crate::admin::INVITATION_HOURS;
    let email = match invitation {
        Invitation::Official { agency } => Email {
            to: to.to_owned(),
            subject: "Dasan: your official account / 공무원 계정 안내".to_owned(),
            body: format!(
                "An account was created for you as an official of agency {agency} on Dasan.\n\
                 Choose your password within {hours} hours: {link}\n\
                 At your first sign-in you will set up a second factor (an authenticator app or a passkey).\n\n\
                 다산에 {agency} 기관 공무원 계정이 만들어졌습니다.\n\
                 {hours}시간 안에 비밀번호를 정하세요: {link}\n\
                 처음 로그인할 때 두 번째 인증 수단(인증 앱 또는 패스키)을 등록합니다.\n"
            ),
        },
        Invitation::Staff { business } => Email {
            to: to.to_owned(),
            subject: "Dasan: act for your business / 사업자 업무 계정 안내".to_owned(),
            body: format!(
                "The representative of {business} invited you to act for it on Dasan.\n\
                 Choose your password within {hours} hours: {link}\n\n\
                 {business}의 대표자가 다산에서 사업자 업무를 맡도록 초대했습니다.\n\
                 {hours}시간 안에 비밀번호를 정하세요: {link}\n"
            ),
        },
    };
    dasan_notify::enqueue(tx, &email)
        .await
        .map(drop)
        .map_err(queue_error)
}
