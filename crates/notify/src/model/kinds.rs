//! The kinds of notification, each with its default channel. Kinds are
//! declared by the crates that notify (events, and the domains to come)
//! and collected by the gateway, so preferences can be listed and checked
//! without this crate knowing the domains.

use super::NotificationChannel;

/// One kind of notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeKind {
    /// Its dotted name, e.g. `events.registration_confirmed`.
    pub name: &'static str,
    /// What it is about, as members read it in their settings.
    pub description: &'static str,
    /// The channel of members who have not chosen.
    pub default_channel: NotificationChannel,
    /// Whether its mail needs the newsletter consent (news and digests do;
    /// replies about the member's own registrations do not).
    pub needs_newsletter_consent: bool,
}

/// Every kind the network knows.
#[derive(Debug, Clone, Default)]
pub struct NoticeKinds(Vec<NoticeKind>);

impl NoticeKinds {
    /// The kinds of every crate.
    pub fn new(kinds: impl IntoIterator<Item = NoticeKind>) -> Self {
        Self(kinds.into_iter().collect())
    }

    /// The kind named `name`.
    pub fn get(&self, name: &str) -> Option<&NoticeKind> {
        self.0.iter().find(|kind| kind.name == name)
    }

    /// Every kind, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = &NoticeKind> {
        self.0.iter()
    }
}
