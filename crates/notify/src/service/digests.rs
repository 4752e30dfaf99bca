//! The activity digest: planned every hour, composed once per member and
//! period, sent only when something is new.

use alumni_core::jobs::{self, JobError, JobRun, NewJob};
use alumni_core::{AppResult, MemberId, Viewer};
use chrono::{DateTime, TimeDelta, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde::{Deserialize, Serialize};

use super::NotifyService;
use super::mail::{Addressee, Block};
use crate::digest::{DigestItem, DigestReader, DigestSection};
use crate::model::{DigestFrequency, NotificationChannel, OutboxId};
use crate::rules::{self, DigestPeriod};
use crate::store::{digests as store, preferences};

/// The hourly job that enqueues each period's digests once they are due.
pub const PLAN_DIGESTS: &str = "notify.plan_digests";

/// The job that composes and queues one member's digest of one period.
pub const COMPOSE_DIGEST: &str = "notify.compose_digest";

/// The daily job that forgets digests composed long ago.
pub const PURGE_DIGEST_RECORDS: &str = "notify.purge_digest_records";

/// What one-click unsubscribe tokens of digest mail stop (not a kind of
/// notification: it turns the digest off).
pub const DIGEST_MAIL: &str = "notify.digest";

/// How long the record of a composed digest is kept: longer than any
/// period, so none is composed twice.
const DIGEST_RECORDS_KEPT: TimeDelta = TimeDelta::days(100);

/// How long after a period's sending time its digests may still be
/// planned.
const PLANNING_WINDOW: TimeDelta = TimeDelta::days(1);

/// Members read per statement while planning a period.
const PLAN_PAGE: i64 = 500;

/// The most items a section lists.
const ITEMS_PER_SECTION: i64 = 10;

#[derive(Debug, Serialize, Deserialize)]
struct ComposeDigest {
    member_id: MemberId,
    frequency: DigestFrequency,
    /// The start of the period (the period holding it).
    period_starts_at: DateTime<Utc>,
}

/// What became of one member's digest of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestOutcome {
    /// Not composed (yet).
    Pending,
    /// Composed without a mail: nothing was new, or the member no longer
    /// wanted it (or may no longer get it).
    Empty,
    /// Mailed, listing this many items.
    Sent {
        /// Items listed.
        items: i32,
    },
}

impl NotifyService {
    /// How often the viewer gets the activity digest (their choice, or
    /// the default). It goes out only with the newsletter consent.
    pub async fn digest_frequency(&self, viewer: &Viewer) -> AppResult<DigestFrequency> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::frequency(&mut conn, member)
            .await?
            .unwrap_or(DigestFrequency::DEFAULT))
    }

    /// Sets how often the viewer gets the activity digest. A change counts
    /// from the next period whose digests are not yet planned.
    pub async fn set_digest_frequency(
        &self,
        viewer: &Viewer,
        frequency: DigestFrequency,
    ) -> AppResult<DigestFrequency> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        store::set_frequency(&mut conn, member, frequency, self.ctx.now()).await?;
        Ok(frequency)
    }

    /// What became of `member`'s digest of `period` (for tests and
    /// support questions).
    pub async fn digest_outcome(&self, member: MemberId, period: &str) -> AppResult<DigestOutcome> {
        let mut conn = self.ctx.conn().await?;
        Ok(match store::composed(&mut conn, member, period).await? {
            None => DigestOutcome::Pending,
            Some((_, None)) => DigestOutcome::Empty,
            Some((items, Some(_))) => DigestOutcome::Sent { items },
        })
    }

    /// The hourly `notify.plan_digests` job: once a period's sending time
    /// has come, enqueues a digest for every member who may get one at
    /// that frequency, then records the period as planned, so later runs
    /// read one row. Planning again after a failure enqueues nothing twice
    /// (each job's key is the period and member). A period whose first day
    /// passed without any planner running (every server down, or a new
    /// installation mid-month) is skipped: a digest days late is worth
    /// less than the next one on time.
    pub async fn plan_digests(&self, _run: JobRun) -> Result<(), JobError> {
        let now = self.ctx.now();
        for frequency in [DigestFrequency::Weekly, DigestFrequency::Monthly] {
            let Some(period) = rules::digest_period(frequency, now) else {
                continue;
            };
            if now >= period.send_at && now < period.send_at + PLANNING_WINDOW {
                self.plan_period(frequency, &period, now).await?;
            }
        }
        Ok(())
    }

    async fn plan_period(
        &self,
        frequency: DigestFrequency,
        period: &DigestPeriod,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let mut conn = self.ctx.conn().await?;
        if store::round_planned(&mut conn, &period.key).await? {
            return Ok(());
        }
        let mut after = None;
        let mut enqueued = 0;
        loop {
            let readers = self
                .membership
                .newsletter_readers_in(&mut conn, after, PLAN_PAGE)
                .await?;
            let Some(last) = readers.last() else {
                break;
            };
            after = Some(*last);
            let chosen = store::frequencies(&mut conn, &readers).await?;
            let due: Vec<NewJob> = readers
                .iter()
                .filter(|member| {
                    chosen
                        .iter()
                        .find(|(chooser, _)| chooser == *member)
                        .map_or(DigestFrequency::DEFAULT, |(_, chosen)| *chosen)
                        == frequency
                })
                .map(|member| {
                    NewJob::new(
                        COMPOSE_DIGEST,
                        ComposeDigest {
                            member_id: *member,
                            frequency,
                            period_starts_at: period.starts_at,
                        },
                    )
                    .key(format!("{}:{member}", period.key))
                })
                .collect();
            enqueued += jobs::enqueue_many(&mut conn, now, &due).await?;
            if readers.len() < PLAN_PAGE as usize {
                break;
            }
        }
        store::record_round(
            &mut conn,
            &period.key,
            now,
            i32::try_from(enqueued).unwrap_or(i32::MAX),
        )
        .await?;
        tracing::info!(period = %period.key, enqueued, "planned digests");
        Ok(())
    }

    /// The `notify.compose_digest` job: in one transaction, claims the
    /// member's digest of the period (a second run finds it claimed),
    /// checks they still want it at this frequency and may get it, asks
    /// every section what is new since their last visit, and queues the
    /// mail if anything is.
    pub async fn compose_digest(&self, run: JobRun) -> Result<(), JobError> {
        let ComposeDigest {
            member_id,
            frequency,
            period_starts_at,
        } = run.payload()?;
        let period = rules::digest_period(frequency, period_starts_at)
            .ok_or_else(|| JobError::permanent("a digest that is off has no period"))?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            if !store::claim(conn, member_id, &period.key, now).await? {
                return Ok(());
            }
            let chosen = store::frequency(conn, member_id)
                .await?
                .unwrap_or(DigestFrequency::DEFAULT);
            if chosen != frequency {
                return Ok(());
            }
            let Some(reader) = self
                .membership
                .newsletter_reader_in(conn, member_id)
                .await?
            else {
                return Ok(());
            };
            let digest_reader = DigestReader {
                member_id,
                roles: reader.roles,
                since: rules::digest_since(&period, reader.last_seen_at),
                now,
                limit: ITEMS_PER_SECTION,
            };
            let mut sections = Vec::new();
            if let Some(section) = self
                .unread_notifications_section(conn, &digest_reader)
                .await?
            {
                sections.push(section);
            }
            for source in self.digest_sources.iter() {
                if let Some(section) = source.section(conn, &digest_reader).await?
                    && !section.items.is_empty()
                {
                    sections.push(section);
                }
            }
            if sections.is_empty() {
                return Ok(());
            }
            let items: usize = sections.iter().map(|section| section.items.len()).sum();
            let outbox_id = self
                .mail_digest_in(
                    conn,
                    Addressee {
                        member: Some(member_id),
                        address: reader.recipient.email,
                        name: reader.recipient.name,
                    },
                    frequency,
                    &period,
                    &digest_reader,
                    &sections,
                )
                .await?;
            store::record_sent(
                conn,
                member_id,
                &period.key,
                i32::try_from(items).unwrap_or(i32::MAX),
                outbox_id,
            )
            .await?;
            Ok::<_, alumni_core::AppError>(())
        })
        .await?;
        Ok(())
    }

    /// The member's unread notifications of the kinds they chose to read
    /// in the digest, counted per kind.
    async fn unread_notifications_section(
        &self,
        conn: &mut AsyncPgConnection,
        reader: &DigestReader,
    ) -> AppResult<Option<DigestSection>> {
        let chosen = preferences::of_member(conn, reader.member_id).await?;
        let digested: Vec<&str> = self
            .kinds
            .iter()
            .filter(|kind| {
                let choice = chosen
                    .iter()
                    .find(|choice| choice.kind == kind.name)
                    .map(|choice| choice.channel);
                rules::channel(kind, choice) == NotificationChannel::Digest
            })
            .map(|kind| kind.name)
            .collect();
        if digested.is_empty() {
            return Ok(None);
        }
        let counts =
            store::unread_per_kind_since(conn, reader.member_id, &digested, reader.since).await?;
        let items = counts
            .into_iter()
            .filter_map(|(kind, count)| {
                let kind = self.kinds.get(&kind)?;
                Some(DigestItem {
                    title: format!("「{}」のお知らせ {count}件", kind.description),
                    details: Vec::new(),
                    path: Some("/notifications".to_owned()),
                })
            })
            .collect::<Vec<_>>();
        Ok((!items.is_empty()).then(|| DigestSection {
            title: "あなたへのお知らせ".to_owned(),
            items,
            more: 0,
        }))
    }

    /// Queues the digest mail with its one-click unsubscribe link (which
    /// turns the digest off); returns the message's id.
    async fn mail_digest_in(
        &self,
        conn: &mut AsyncPgConnection,
        to: Addressee,
        frequency: DigestFrequency,
        period: &DigestPeriod,
        reader: &DigestReader,
        sections: &[DigestSection],
    ) -> AppResult<OutboxId> {
        let subject = match frequency {
            DigestFrequency::Monthly => format!(
                "アルムナイネットワーク 月間ダイジェスト（{}）",
                rules::in_japan(period.starts_at).format("%Y年%-m月")
            ),
            _ => format!(
                "アルムナイネットワーク 週間ダイジェスト（{}週）",
                rules::in_japan(period.starts_at).format("%-m月%-d日")
            ),
        };
        let opening = format!(
            "{}以降の新着をお知らせします。",
            rules::in_japan(reader.since).format("%Y年%-m月%-d日 %H:%M")
        );
        let mores: Vec<String> = sections
            .iter()
            .map(|section| format!("ほか{}件", section.more))
            .collect();
        let details: Vec<Vec<String>> = sections
            .iter()
            .map(|section| {
                section
                    .items
                    .iter()
                    .map(|item| item.details.join("\n"))
                    .collect()
            })
            .collect();
        let mut body = vec![Block::Paragraph(&opening)];
        for ((section, more), details) in sections.iter().zip(&mores).zip(&details) {
            body.push(Block::Heading(&section.title));
            for (item, detail) in section.items.iter().zip(details) {
                match &item.path {
                    Some(path) => body.push(Block::Link {
                        label: &item.title,
                        path,
                    }),
                    None => body.push(Block::Paragraph(&item.title)),
                }
                if !detail.is_empty() {
                    body.push(Block::Paragraph(detail));
                }
            }
            if section.more > 0 {
                body.push(Block::Paragraph(more));
            }
        }
        body.push(Block::Paragraph(
            "ダイジェストの配信頻度（毎週・毎月・停止）は設定から変更できます。",
        ));
        body.push(Block::Link {
            label: "アルムナイネットワークを開く",
            path: "/",
        });
        let now = reader.now;
        let (token, unsubscribe_url) = self.unsubscribe_link(reader.member_id, DIGEST_MAIL, now)?;
        preferences::insert_unsubscribe_tokens(conn, &[token]).await?;
        let message =
            self.render_blocks(to, DIGEST_MAIL, &subject, &body, Some(unsubscribe_url), now);
        let id = message.id;
        self.queue_in(conn, now, vec![message]).await?;
        Ok(id)
    }

    /// The daily `notify.purge_digest_records` job.
    pub async fn purge_digest_records(&self, _run: JobRun) -> Result<(), JobError> {
        let mut conn = self.ctx.conn().await?;
        let purged = store::purge(&mut conn, self.ctx.now() - DIGEST_RECORDS_KEPT).await?;
        tracing::info!(purged, "purged old digest records");
        Ok(())
    }
}
