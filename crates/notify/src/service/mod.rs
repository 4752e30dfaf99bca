//! The notification API the domains call, and the member's side of it.
//!
//! A domain tells members of something with [`NotifyService::notify_in`],
//! on the connection of the transaction that makes the change: each
//! member's choice for the kind decides whether it is kept in the app,
//! mailed at once (through the outbox, sent by the job queue) or left for
//! the digest, and nothing is kept or sent if the change rolls back.
//! Transactional mail (a verification code, a password reset) goes through
//! [`NotifyService::send_transactional_in`].

mod digests;
mod mail;
mod notifications;
mod preferences;

use std::sync::Arc;

use alumni_core::{AppError, ServiceContext};
use alumni_membership::MembershipService;

pub use digests::{COMPOSE_DIGEST, DIGEST_MAIL, DigestOutcome, PLAN_DIGESTS, PURGE_DIGEST_RECORDS};
pub use mail::{MailContent, SEND_MAIL};
pub use notifications::{NOTIFICATIONS_CHANNEL, Notice};
pub use preferences::{PURGE_UNSUBSCRIBE_TOKENS, UNSUBSCRIBE_LINKS_KEPT};

use crate::digest::DigestSources;
use crate::mail::{MailSettings, Transport};
use crate::model::NoticeKinds;

/// The notification crate's services.
#[derive(Clone)]
pub struct NotifyService {
    pub(crate) ctx: ServiceContext,
    pub(crate) membership: MembershipService,
    kinds: Arc<NoticeKinds>,
    digest_sources: DigestSources,
    mail: Arc<MailSettings>,
    transport: Transport,
}

impl NotifyService {
    /// Services over a database and clock, knowing `kinds` and the
    /// digest's sections, sending mail as `mail` says; `BAD_USER_INPUT`
    /// when the SMTP address cannot be used.
    pub fn new(
        ctx: ServiceContext,
        membership: MembershipService,
        kinds: NoticeKinds,
        digest_sources: DigestSources,
        mail: MailSettings,
    ) -> Result<Self, AppError> {
        let transport = Transport::new(&mail)
            .map_err(|message| AppError::bad_input("ALUMNI_SMTP_URL", message))?;
        Ok(Self {
            ctx,
            membership,
            kinds: Arc::new(kinds),
            digest_sources,
            mail: Arc::new(mail),
            transport,
        })
    }
}
