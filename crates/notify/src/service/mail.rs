//! Mail: queued in the outbox inside the change's transaction, rendered
//! from the domain's words into a plain-text and an HTML part, and sent by
//! the job queue.

use alumni_core::jobs::{self, JobError, JobRun, NewJob};
use alumni_core::{AppResult, MemberId, secrets};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

use super::NotifyService;
use crate::mail::compose;
use crate::model::{MailState, NoticeKind, NotificationChannel, OutboxId, OutboxRecord};
use crate::rules;
use crate::store::{outbox, preferences};

/// The job that sends one message of the outbox.
pub const SEND_MAIL: &str = "notify.send_mail";

/// Attempts at sending one message: the last about a day after the first
/// (back-off 10 s doubling, at most an hour).
const SEND_ATTEMPTS: i32 = 12;

/// What a domain says in a mail: the subject and paragraphs of plain
/// text, and a link into the network. The notification crate adds the
/// greeting, the footer, the HTML version and the unsubscribe link.
#[derive(Debug, Clone)]
pub struct MailContent {
    /// The subject line.
    pub subject: String,
    /// Paragraphs of plain text.
    pub paragraphs: Vec<String>,
    /// A link: its label and its path under the network's public address.
    pub link: Option<(String, String)>,
}

/// A part of a mail's body.
pub(super) enum Block<'a> {
    /// A section heading.
    Heading(&'a str),
    /// A paragraph of plain text (line breaks kept).
    Paragraph(&'a str),
    /// A link: its label and its path under the network's public address.
    Link { label: &'a str, path: &'a str },
}

#[derive(Debug, Serialize, Deserialize)]
struct SendMail {
    outbox_id: OutboxId,
}

/// An address and name to send to.
#[derive(Debug, Clone)]
pub(crate) struct Addressee {
    pub member: Option<MemberId>,
    pub address: String,
    pub name: Option<String>,
}

impl NotifyService {
    /// Queues the mail of notices for the members who chose e-mail (with
    /// consent where the kind needs it), with an unsubscribe link each.
    pub(super) async fn mail_notices_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        mailed: &[(
            MemberId,
            &'static NoticeKind,
            NotificationChannel,
            &MailContent,
        )],
    ) -> AppResult<()> {
        if mailed.is_empty() {
            return Ok(());
        }
        let members: Vec<MemberId> = mailed.iter().map(|(member, ..)| *member).collect();
        let recipients = self.membership.mail_recipients_in(conn, &members).await?;
        let mut messages = Vec::new();
        let mut tokens = Vec::new();
        for (member, kind, channel, content) in mailed {
            let Some(recipient) = recipients.iter().find(|r| r.member_id == *member) else {
                continue;
            };
            if !rules::mails_now(kind, *channel, recipient.newsletter_consent) {
                continue;
            }
            let (token, unsubscribe_url) = self.unsubscribe_link(*member, kind.name, now)?;
            tokens.push(token);
            messages.push(self.render(
                Addressee {
                    member: Some(*member),
                    address: recipient.email.clone(),
                    name: recipient.name.clone(),
                },
                kind.name,
                content,
                Some(unsubscribe_url),
                now,
            ));
        }
        if !tokens.is_empty() {
            preferences::insert_unsubscribe_tokens(conn, &tokens).await?;
        }
        self.queue_in(conn, now, messages).await
    }

    /// Queues a transactional message (a verification code, a password
    /// reset) to `address`: no unsubscribe link, sent whatever the
    /// member's preferences.
    pub async fn send_transactional_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        to: (Option<MemberId>, &str, Option<&str>),
        category: &str,
        content: &MailContent,
    ) -> AppResult<()> {
        let (member, address, name) = to;
        let message = self.render(
            Addressee {
                member,
                address: address.to_owned(),
                name: name.map(str::to_owned),
            },
            category,
            content,
            None,
            now,
        );
        self.queue_in(conn, now, vec![message]).await
    }

    /// A new one-click unsubscribe token for mail of `kind` to `member`,
    /// and its address.
    pub(super) fn unsubscribe_link(
        &self,
        member: MemberId,
        kind: &'static str,
        now: DateTime<Utc>,
    ) -> AppResult<(preferences::UnsubscribeToken<'static>, String)> {
        let token = secrets::token("unsub_")?;
        let token = secrets::ExposeSecret::expose_secret(&token);
        let url = format!("{}/unsubscribe/{token}", self.public_url());
        Ok((
            preferences::UnsubscribeToken {
                token_hash: secrets::hash(token),
                member_id: member,
                kind,
                created_at: now,
            },
            url,
        ))
    }

    pub(super) async fn queue_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        messages: Vec<OutboxRecord>,
    ) -> AppResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let sends: Vec<NewJob> = messages
            .iter()
            .map(|message| {
                NewJob::new(
                    SEND_MAIL,
                    SendMail {
                        outbox_id: message.id,
                    },
                )
                .key(message.id.to_string())
                .max_attempts(SEND_ATTEMPTS)
            })
            .collect();
        outbox::insert(conn, &messages).await?;
        jobs::enqueue_many(conn, now, &sends).await?;
        Ok(())
    }

    fn public_url(&self) -> &str {
        self.mail.public_url.trim_end_matches('/')
    }

    fn render(
        &self,
        to: Addressee,
        category: &str,
        content: &MailContent,
        unsubscribe_url: Option<String>,
        now: DateTime<Utc>,
    ) -> OutboxRecord {
        let mut body: Vec<Block<'_>> = content
            .paragraphs
            .iter()
            .map(|paragraph| Block::Paragraph(paragraph))
            .collect();
        if let Some((label, path)) = &content.link {
            body.push(Block::Link { label, path });
        }
        self.render_blocks(to, category, &content.subject, &body, unsubscribe_url, now)
    }

    /// A message of the outbox with `body` as plain text and as HTML,
    /// between the greeting and the footer (with the unsubscribe link,
    /// for non-transactional mail).
    pub(super) fn render_blocks(
        &self,
        to: Addressee,
        category: &str,
        subject: &str,
        body: &[Block<'_>],
        unsubscribe_url: Option<String>,
        now: DateTime<Utc>,
    ) -> OutboxRecord {
        let greeting = match &to.name {
            Some(name) => format!("{name} 様"),
            None => "ご担当者様".to_owned(),
        };
        let mut text = format!("{greeting}\n\n");
        let mut html = format!(
            "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{}</title></head><body><p>{}</p>",
            escape(subject),
            escape(&greeting)
        );
        for block in body {
            match block {
                Block::Heading(heading) => {
                    text.push_str(&format!("■ {heading}\n\n"));
                    html.push_str(&format!("<h2>{}</h2>", escape(heading)));
                }
                Block::Paragraph(paragraph) => {
                    text.push_str(paragraph);
                    text.push_str("\n\n");
                    html.push_str(&format!(
                        "<p>{}</p>",
                        escape(paragraph).replace('\n', "<br>")
                    ));
                }
                Block::Link { label, path } => {
                    let url = format!("{}{path}", self.public_url());
                    text.push_str(&format!("{label}: {url}\n\n"));
                    html.push_str(&format!(
                        "<p><a href=\"{}\">{}</a></p>",
                        escape(&url),
                        escape(label)
                    ));
                }
            }
        }
        text.push_str("-- \nこのメールはアルムナイネットワークからお送りしています。\n");
        html.push_str("<hr><p>このメールはアルムナイネットワークからお送りしています。");
        if let Some(url) = &unsubscribe_url {
            text.push_str(&format!("この種類のメールの配信停止: {url}\n"));
            html.push_str(&format!(
                "<br><a href=\"{}\">この種類のメールの配信停止</a>",
                escape(url)
            ));
        }
        html.push_str("</p></body></html>");
        OutboxRecord {
            id: OutboxId::new(),
            member_id: to.member,
            to_address: to.address,
            to_name: to.name,
            subject: subject.to_owned(),
            text_body: Some(text),
            html_body: Some(html),
            category: category.to_owned(),
            unsubscribe_url,
            state: MailState::Queued,
            created_at: now,
            sent_at: None,
            message_id: None,
        }
    }

    /// The `notify.send_mail` job: sends one queued message. Sending twice
    /// is avoided by the message's state (a message already sent is not
    /// sent again); the database connection is not held during the SMTP
    /// conversation. A refusal for good, or the last failed attempt, marks
    /// the message failed; an operator's retry of the job sends it again.
    pub async fn send_queued(&self, run: JobRun) -> Result<(), JobError> {
        let SendMail { outbox_id } = run.payload()?;
        let mut conn = self.ctx.conn().await?;
        let Some(queued) = outbox::message(&mut conn, outbox_id).await? else {
            return Ok(());
        };
        match queued.state {
            MailState::Sent => return Ok(()),
            MailState::Failed => outbox::requeue(&mut conn, outbox_id).await?,
            MailState::Queued => {}
        }
        let company = self.membership.company_name_in(&mut conn).await?;
        drop(conn);
        let from_name = self.mail.from_name.clone().or(company);
        let from_address = self
            .mail
            .from_address
            .parse()
            .map_err(|error| JobError::permanent(format!("bad sender address: {error}")))?;
        let sender_domain = self
            .mail
            .from_address
            .rsplit_once('@')
            .map_or("localhost", |(_, domain)| domain)
            .to_owned();
        let (message, message_id) = compose(
            &queued,
            Mailbox::new(from_name, from_address),
            &sender_domain,
        )
        .map_err(JobError::permanent)?;
        let file_stem = format!(
            "{}-{}",
            queued.created_at.format("%Y%m%dT%H%M%S"),
            queued.id
        );
        let sent = self.transport.send(message, &file_stem).await;
        let mut conn = self.ctx.conn().await?;
        match sent {
            Ok(()) => {
                outbox::mark_sent(&mut conn, outbox_id, &message_id, self.ctx.now()).await?;
                Ok(())
            }
            Err(error) => {
                if error.permanent || run.last_attempt {
                    outbox::mark_failed(&mut conn, outbox_id).await?;
                }
                if error.permanent {
                    Err(JobError::permanent(error.message))
                } else {
                    Err(JobError::retry(error.message))
                }
            }
        }
    }
}

/// Text made safe inside HTML elements and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }
}
