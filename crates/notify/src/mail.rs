//! Sending mail: composing a message of the outbox (UTF-8 headers, a plain
//! text and an HTML part, one-click unsubscribe) and handing it to SMTP,
//! or, with no SMTP server configured, writing it to a folder as an `.eml`
//! file a newcomer can open.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport as _, Message, Tokio1Executor};

use crate::model::OutboxRecord;

/// Where mail goes, and in whose name.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://user:pass@host:587` (STARTTLS required; add `?tls=none`
    /// for a local relay without TLS), or `smtps://…:465`; `None` writes
    /// mail to `mail_dir` instead.
    pub smtp_url: Option<String>,
    /// Where mail is written when no SMTP server is configured.
    pub mail_dir: PathBuf,
    /// The sender's address.
    pub from_address: String,
    /// The sender's name; the company's name when unset.
    pub from_name: Option<String>,
    /// The address members reach the network at, for links in mail.
    pub public_url: String,
}

impl MailSettings {
    /// Mail written to `mail_dir`, from a placeholder local address.
    pub fn to_folder(mail_dir: impl Into<PathBuf>) -> Self {
        Self {
            smtp_url: None,
            mail_dir: mail_dir.into(),
            from_address: "alumni@localhost".to_owned(),
            from_name: None,
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Hands messages over: to an SMTP server, or to a folder.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server (with a pool of connections).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A folder of `.eml` files.
    Folder(PathBuf),
}

/// Why a message did not go out.
#[derive(Debug)]
pub struct SendError {
    /// What went wrong, without the message's content.
    pub message: String,
    /// The server refused it for good (a 5xx reply): retrying will not help.
    pub permanent: bool,
}

impl Transport {
    /// The transport `settings` describe.
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        let Some(url) = &settings.smtp_url else {
            return Ok(Transport::Folder(settings.mail_dir.clone()));
        };
        let url = starttls_by_default(url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|error| format!("ALUMNI_SMTP_URL: {error}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Transport::Smtp(transport))
    }

    /// Sends `message`.
    pub async fn send(&self, message: Message, file_stem: &str) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map(drop)
                    .map_err(|error| SendError {
                        permanent: error.is_permanent(),
                        message: format!("SMTP: {error}"),
                    })
            }
            Transport::Folder(dir) => write_eml(dir, file_stem, &message.formatted())
                .await
                .map_err(|error| SendError {
                    permanent: false,
                    message: format!("cannot write to {}: {error}", dir.display()),
                }),
        }
    }
}

/// `smtp://` without a `tls` parameter means STARTTLS required (lettre
/// would send in the clear); `tls=none` asks for no TLS explicitly.
fn starttls_by_default(url: &str) -> Result<String, String> {
    let mut parsed =
        url::Url::parse(url).map_err(|error| format!("ALUMNI_SMTP_URL is not a URL: {error}"))?;
    if parsed.scheme() != "smtp" {
        return Ok(url.to_owned());
    }
    let tls = parsed
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned());
    let others: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(key, _)| key != "tls")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let mut query = parsed.query_pairs_mut();
    query.clear();
    query.extend_pairs(others);
    match tls.as_deref() {
        None => {
            query.append_pair("tls", "required");
        }
        Some("none") => {}
        Some(other) => {
            query.append_pair("tls", other);
        }
    }
    drop(query);
    let mut text = parsed.to_string();
    if text.ends_with('?') {
        text.pop();
    }
    Ok(text)
}

async fn write_eml(dir: &Path, stem: &str, bytes: &[u8]) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    // Written whole under a temporary name, then renamed: a reader never
    // sees half a message.
    let partial = dir.join(format!(".{stem}.eml.partial"));
    tokio::fs::write(&partial, bytes).await?;
    tokio::fs::rename(&partial, dir.join(format!("{stem}.eml"))).await
}

/// The headers of one-click unsubscribe (RFC 8058, with RFC 2369).
fn unsubscribe_headers(url: &str) -> [HeaderValue; 2] {
    [
        HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ),
        HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ),
    ]
}

/// Composes a queued message: `From` the sender, `To` the recipient (names
/// in UTF-8, encoded as RFC 2047 words), a plain-text and an HTML part,
/// and, for mail that is not transactional, the unsubscribe headers.
/// Returns the message and its Message-ID.
pub fn compose(
    queued: &OutboxRecord,
    from: Mailbox,
    sender_domain: &str,
) -> Result<(Message, String), String> {
    let to = Mailbox::new(
        queued.to_name.clone(),
        queued
            .to_address
            .parse()
            .map_err(|error| format!("bad recipient address: {error}"))?,
    );
    let message_id = format!("<{}@{sender_domain}>", queued.id);
    let text = queued.text_body.clone().unwrap_or_default();
    let html = queued.html_body.clone().unwrap_or_default();
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(queued.subject.clone())
        .message_id(Some(message_id.clone()));
    if let Some(url) = &queued.unsubscribe_url {
        for header in unsubscribe_headers(url) {
            builder = builder.raw_header(header);
        }
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(text),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html),
        );
    let message = builder
        .multipart(body)
        .map_err(|error| format!("cannot compose the message: {error}"))?;
    Ok((message, message_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_require_starttls_unless_told_otherwise() {
        assert_eq!(
            starttls_by_default("smtp://user:pass@mail.example:587").unwrap(),
            "smtp://user:pass@mail.example:587?tls=required"
        );
        assert_eq!(
            starttls_by_default("smtp://127.0.0.1:2525?tls=none").unwrap(),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            starttls_by_default("smtp://mail.example?tls=opportunistic").unwrap(),
            "smtp://mail.example?tls=opportunistic"
        );
        assert_eq!(
            starttls_by_default("smtps://mail.example:465").unwrap(),
            "smtps://mail.example:465"
        );
        assert!(starttls_by_default("not a url").is_err());
    }
}
