//! What membership asks this crate to tell, through jobs it enqueues in
//! the transaction of the change (it sits below this crate and cannot
//! call it): how an application was decided, an applicant's verification
//! code, a password reset link, the code confirming a new address, and
//! the notice to the previous address once it changed.

use alumni_core::jobs::{JobError, JobRun};
use alumni_core::secrets::ExposeSecret as _;
use alumni_membership::jobs::{
    ApplicationDecided, EmailChangeRequested, EmailChanged, PasswordResetRequested,
    VerificationRequested,
};
use alumni_membership::model::ApplicationId;
use diesel_async::AsyncConnection as _;
use serde_json::json;

use crate::model::{NoticeKind, NotificationChannel};
use crate::service::{MailContent, Notice, NotifyService};

/// An application was approved.
pub const APPLICATION_APPROVED: NoticeKind = NoticeKind {
    name: "membership.application_approved",
    description: "入会申請が承認されたとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// An application was rejected.
pub const APPLICATION_REJECTED: NoticeKind = NoticeKind {
    name: "membership.application_rejected",
    description: "入会申請が承認されなかったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// The kinds of notification about membership.
pub const KINDS: [NoticeKind; 2] = [APPLICATION_APPROVED, APPLICATION_REJECTED];

impl NotifyService {
    /// The `membership.application_decided` job: notifies the applicant
    /// (enqueued once per application: the application is the job's key).
    pub async fn application_decided(&self, run: JobRun) -> Result<(), JobError> {
        let decided: ApplicationDecided = run.payload()?;
        let now = self.ctx.now();
        let notice = if decided.approved {
            Notice::new(
                &APPLICATION_APPROVED,
                decided.member_id,
                decided.application_id,
            )
            .mail(MailContent {
                subject: "入会申請が承認されました".to_owned(),
                paragraphs: vec![
                    "アルムナイネットワークへの入会申請が承認されました。".to_owned(),
                    "サインインして、プロフィールを整えてください。".to_owned(),
                ],
                link: Some(("サインイン".to_owned(), "/".to_owned())),
            })
        } else {
            Notice::new(
                &APPLICATION_REJECTED,
                decided.member_id,
                decided.application_id,
            )
            .mail(MailContent {
                subject: "入会申請の結果のお知らせ".to_owned(),
                paragraphs: vec![
                    "アルムナイネットワークへの入会申請は、承認されませんでした。".to_owned(),
                    "理由はサインインしてご確認ください。".to_owned(),
                ],
                link: Some(("申請の状況".to_owned(), "/".to_owned())),
            })
        }
        .payload(json!({ "applicationId": decided.application_id, "approved": decided.approved }));
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| self.notify_in(conn, now, vec![notice]).await)
            .await?;
        Ok(())
    }
}

impl NotifyService {
    /// The `membership.verification_requested` job: mails the applicant a
    /// fresh verification code, issued by membership in the same
    /// transaction as the mail is queued (the code never rests in the
    /// queue; the outbox drops the body once sent).
    pub async fn verification_requested(&self, run: JobRun) -> Result<(), JobError> {
        let VerificationRequested { member_id } = run.payload()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let Some((email, name, code)) = self
                .membership
                .issue_verification_code_in(conn, member_id)
                .await?
            else {
                return Ok(());
            };
            let content = MailContent {
                subject: "メールアドレスの確認コード".to_owned(),
                paragraphs: vec![
                    format!("確認コード: {code}"),
                    "アルムナイネットワークにサインインし、このコードを入力してください。有効期限は30分です。".to_owned(),
                    "お心当たりのない場合は、このメールを破棄してください。".to_owned(),
                ],
                link: None,
            };
            self.send_transactional_in(
                conn,
                now,
                (Some(member_id), &email, Some(&name)),
                VERIFY_EMAIL,
                &content,
            )
            .await
        })
        .await?;
        Ok(())
    }
}

impl NotifyService {
    /// The `membership.password_reset_requested` job: mails the member a
    /// link with a fresh reset token, issued by membership in the same
    /// transaction as the mail is queued.
    pub async fn password_reset_requested(&self, run: JobRun) -> Result<(), JobError> {
        let PasswordResetRequested { member_id } = run.payload()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let Some((email, token)) = self
                .membership
                .issue_password_reset_in(conn, member_id)
                .await?
            else {
                return Ok(());
            };
            let content = MailContent {
                subject: "パスワードの再設定".to_owned(),
                paragraphs: vec![
                    "パスワードの再設定を受け付けました。1時間以内に下のリンクから新しいパスワードを設定してください。設定すると、すべての端末でサインアウトされます。".to_owned(),
                    "お心当たりのない場合は、このメールを破棄してください。パスワードは変わりません。".to_owned(),
                ],
                link: Some((
                    "パスワードを再設定する".to_owned(),
                    format!("/reset-password?token={}", token.expose_secret()),
                )),
            };
            self.send_transactional_in(conn, now, (Some(member_id), &email, None), PASSWORD_RESET, &content)
                .await
        })
        .await?;
        Ok(())
    }
}

impl NotifyService {
    /// The `membership.email_change_requested` job: mails the code that
    /// confirms a new address to that address, issued by membership in the
    /// same transaction as the mail is queued.
    pub async fn email_change_requested(&self, run: JobRun) -> Result<(), JobError> {
        let EmailChangeRequested { member_id } = run.payload()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let Some((new_email, name, code)) = self
                .membership
                .issue_email_change_code_in(conn, member_id)
                .await?
            else {
                return Ok(());
            };
            let content = MailContent {
                subject: "新しいメールアドレスの確認コード".to_owned(),
                paragraphs: vec![
                    format!("確認コード: {code}"),
                    "アルムナイネットワークでメールアドレスの変更を受け付けました。設定画面でこのコードを入力すると、このアドレスに変わります。有効期限は30分です。".to_owned(),
                    "お心当たりのない場合は、このメールを破棄してください。アドレスは変わりません。".to_owned(),
                ],
                link: None,
            };
            self.send_transactional_in(
                conn,
                now,
                (Some(member_id), &new_email, name.as_deref()),
                CONFIRM_NEW_EMAIL,
                &content,
            )
            .await
        })
        .await?;
        Ok(())
    }

    /// The `membership.email_changed` job: tells the previous address that
    /// the account's address changed, so an owner who did not make the
    /// change hears of it where they still read mail.
    pub async fn email_changed(&self, run: JobRun) -> Result<(), JobError> {
        let EmailChanged {
            member_id,
            previous_email,
        } = run.payload()?;
        let now = self.ctx.now();
        let content = MailContent {
            subject: "メールアドレスが変更されました".to_owned(),
            paragraphs: vec![
                "アルムナイネットワークのアカウントのメールアドレスが変更されました。今後のお知らせは新しいアドレスに届きます。".to_owned(),
                "お心当たりのない場合は、すぐに事務局へご連絡ください。".to_owned(),
            ],
            link: None,
        };
        let mut conn = self.ctx.conn().await?;
        self.send_transactional_in(
            &mut conn,
            now,
            (Some(member_id), &previous_email, None),
            EMAIL_CHANGED_NOTICE,
            &content,
        )
        .await?;
        Ok(())
    }
}

/// The category of mail confirming a new address in the outbox.
pub const CONFIRM_NEW_EMAIL: &str = "membership.confirm_new_email";

/// The category of the notice of a changed address in the outbox.
pub const EMAIL_CHANGED_NOTICE: &str = "membership.email_changed";

/// The category of password reset mail in the outbox.
pub const PASSWORD_RESET: &str = "membership.password_reset";

/// The category of verification mail in the outbox.
pub const VERIFY_EMAIL: &str = "membership.verify_email";

/// The application a notification of [`KINDS`] is about.
pub fn decided_application(payload: &serde_json::Value) -> Option<(ApplicationId, bool)> {
    let id = payload.get("applicationId")?.as_str()?.parse().ok()?;
    let approved = payload.get("approved")?.as_bool()?;
    Some((ApplicationId(id), approved))
}
