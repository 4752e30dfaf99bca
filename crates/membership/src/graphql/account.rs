//! Sign-in, sessions and the viewer's own account in GraphQL.

use alumni_core::graphql::{data, viewer};
use alumni_core::secrets::{ExposeSecret as _, SecretString};
use alumni_core::{Caller, Identity, Role, RoleSet, Standing, Viewer};
use async_graphql::{Context, Object, Result};
use chrono::{DateTime, Utc};

use super::member::{Member, load_member};
use crate::service::{IssuedSession, MembershipService};
use crate::visibility::MemberView;

/// The signed-in member's own account, as part of `me`.
pub struct MembershipViewer {
    identity: Identity,
}

impl MembershipViewer {
    /// The account part of `me` for a signed-in viewer.
    pub fn new(identity: Identity) -> Self {
        Self { identity }
    }
}

/// The signed-in member's own account.
#[Object]
impl MembershipViewer {
    /// The viewer's own member record, with every field they may see.
    async fn member(&self, ctx: &Context<'_>) -> Result<Member> {
        Ok(load_member(ctx, self.identity.member_id).await?)
    }

    /// Roles the viewer holds in this session.
    async fn roles(&self) -> Vec<Role> {
        self.identity.roles.iter().collect()
    }

    /// When the current session expires; sign in again after that.
    async fn session_expires_at(&self) -> DateTime<Utc> {
        self.identity.session_expires_at
    }
}

/// Result of a successful `login`.
pub struct LoginPayload {
    token: SecretString,
    expires_at: DateTime<Utc>,
    member: MemberView,
}

/// Result of a successful `login`: the bearer token and who signed in.
#[Object]
impl LoginPayload {
    /// Bearer token: send it as `Authorization: Bearer <token>`. Shown once;
    /// the server keeps only its hash.
    async fn token(&self) -> &str {
        self.token.expose_secret()
    }

    /// When the session expires.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The member now signed in.
    async fn member(&self) -> Member {
        Member::new(self.member.clone())
    }
}

/// Sign-in and sessions.
#[derive(Default)]
pub struct AccountMutation;

/// Sign-in and sessions.
#[Object]
impl AccountMutation {
    /// Signs in and returns a bearer token. Wrong credentials answer
    /// `UNAUTHENTICATED`; after repeated attempts for one address (from
    /// this client, or from everywhere), too many sign-ins from one client,
    /// or more than one password check in a request, attempts answer
    /// `RATE_LIMITED` with `extensions.retryAfterSeconds`.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "E-mail address of the account.")] email: String,
        #[graphql(desc = "The account's password.")] password: String,
    ) -> Result<LoginPayload> {
        let service = data::<MembershipService>(ctx)?;
        let session = service
            .login(data::<Caller>(ctx)?, &email, &password)
            .await?;
        let member = service
            .member(&session_viewer(&session), session.member_id)
            .await?;
        Ok(LoginPayload {
            token: session.token,
            expires_at: session.expires_at,
            member,
        })
    }

    /// Ends the current session. Returns `true`.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        data::<MembershipService>(ctx)?.logout(viewer(ctx)?).await?;
        Ok(true)
    }

    /// Mails a link to set a new password, if the address belongs to an
    /// active member. Answers `true` either way, so it tells nobody whether
    /// the address has an account. Limited per client as sign-ins are, and
    /// to one mail a quarter of an hour per member.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "E-mail address of the account.")] email: String,
    ) -> Result<bool> {
        data::<MembershipService>(ctx)?
            .request_password_reset(data::<Caller>(ctx)?, &email)
            .await?;
        Ok(true)
    }

    /// Sets a new password with the token of a reset mail (single use,
    /// valid an hour) and ends every session of the account; sign in
    /// again. An unknown, used or expired token answers `BAD_USER_INPUT` on
    /// `token`. Returns `true`.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token from the reset mail's link.")] token: String,
        #[graphql(desc = "The new password (at least 12 characters).")] new_password: String,
    ) -> Result<bool> {
        data::<MembershipService>(ctx)?
            .reset_password(data::<Caller>(ctx)?, &token, &new_password)
            .await?;
        Ok(true)
    }

    /// Starts changing the viewer's e-mail address: the password confirms
    /// it is them, and a six-digit code is mailed to the new address
    /// (valid 30 minutes). Nothing changes until `confirmEmailChange` is
    /// given the code. One request a minute (`RATE_LIMITED`); a wrong
    /// password answers `UNAUTHENTICATED`. Returns `true`.
    async fn request_email_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to change to.")] new_email: String,
        #[graphql(desc = "The viewer's current password.")] password: String,
    ) -> Result<bool> {
        data::<MembershipService>(ctx)?
            .request_email_change(data::<Caller>(ctx)?, viewer(ctx)?, &new_email, &password)
            .await?;
        Ok(true)
    }

    /// Completes the viewer's change of address with the code mailed to
    /// the new address; the previous address is told of the change. A
    /// wrong, expired or overused code answers `BAD_USER_INPUT` on
    /// `code`; `CONFLICT` if another account took the address meanwhile.
    /// Returns the new address.
    async fn confirm_email_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The six-digit code from the mail.")] code: String,
    ) -> Result<String> {
        Ok(data::<MembershipService>(ctx)?
            .confirm_email_change(viewer(ctx)?, &code)
            .await?)
    }
}

/// The viewer a fresh session stands for, to show the member themselves.
fn session_viewer(session: &IssuedSession) -> Viewer {
    Viewer::Member(Identity {
        member_id: session.member_id,
        session_id: session.session_id,
        session_expires_at: session.expires_at,
        roles: RoleSet::EMPTY,
        standing: Standing::Member,
        terms_accepted: true,
    })
}
