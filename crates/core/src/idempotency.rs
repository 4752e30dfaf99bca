//! Idempotent retries: what became of each request a signed-in member sent
//! with an idempotency key, kept for [`RETENTION_HOURS`], so that a retry
//! is answered with the first response instead of running again.
//!
//! A request claims its key before it runs ([`IdempotencyStore::claim`]):
//! one `INSERT … ON CONFLICT`, so of concurrent requests with one key
//! exactly one gets it. Afterwards the claim is settled: the response is
//! kept ([`IdempotencyStore::complete`]), the claim is released when the
//! request changed nothing ([`IdempotencyStore::release`]), or it is marked
//! as of unknown outcome ([`IdempotencyStore::abandon`]). A claim that is
//! never settled (the database went away, the process died, the request
//! timed out) counts as of unknown outcome once it is older than the
//! request timeout and [`GRACE_SECONDS`], since its request can no longer
//! be running. A claimed
//! key never runs a second request until it expires: when the outcome is
//! unknown, the client looks at the data and decides.
//!
//! Kept responses may hold what the database otherwise keeps only hashed
//! (invitation codes, calendar feed URLs, session tokens) and personal
//! data. So the key is stored as a hash only, and the response is sealed
//! (ChaCha20-Poly1305) under a key derived from the idempotency key: the
//! database can read it back only for the client that sends the key
//! again. A member's withdrawal deletes their rows ([`forget_member`]).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::Timestamptz;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::api_schema::api::idempotency_keys as keys;
use crate::error::AppError;
use crate::id::MemberId;
use crate::{AppResult, ServiceContext};

/// How long a key and its response are kept: a retry sent later runs as a
/// new request.
pub const RETENTION_HOURS: i64 = 24;

/// Fewest characters a key may have: enough to rule out counters and
/// other keys two requests could share by accident.
pub const MIN_KEY_LENGTH: usize = 16;

/// Most characters a key may have.
pub const MAX_KEY_LENGTH: usize = 255;

/// Seconds a claim stays "running" beyond the request timeout: a `COMMIT`
/// sent just before a request was cut off still completes, and the clocks
/// of several servers may differ a little.
pub const GRACE_SECONDS: i64 = 5;

/// Expired rows deleted by one claim at most, so a backlog is worked off
/// a little at a time rather than by one long statement.
const PURGE_BATCH: i64 = 100;

/// A well-formed idempotency key, as the client sent it.
pub struct IdempotencyKey(String);

/// Why a header value is not an idempotency key; the message is for the
/// client.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidKey(String);

impl IdempotencyKey {
    /// Parses a key: [`MIN_KEY_LENGTH`] to [`MAX_KEY_LENGTH`] characters
    /// among `A–Z a–z 0–9 - _ . : + / = ~` (a UUID, ULID, hex or base64
    /// string), optionally in double quotes as the IETF draft writes it.
    pub fn parse(value: &str) -> Result<Self, InvalidKey> {
        let key = value
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or(value);
        if !(MIN_KEY_LENGTH..=MAX_KEY_LENGTH).contains(&key.len()) {
            return Err(InvalidKey(format!(
                "an Idempotency-Key has {MIN_KEY_LENGTH} to {MAX_KEY_LENGTH} characters; \
                 send a new UUID for each operation"
            )));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:+/=~".contains(c);
        if !key.chars().all(allowed) {
            return Err(InvalidKey(
                "an Idempotency-Key consists of letters, digits and `-_.:+/=~`".to_owned(),
            ));
        }
        Ok(Self(key.to_owned()))
    }

    fn digest(&self, label: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(label);
        for part in parts {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        hash.update(self.0.as_bytes());
        hash.finalize().into()
    }

    /// What the database stores instead of the key.
    fn hash(&self) -> [u8; 32] {
        self.digest(b"alumni idempotency key\0", &[])
    }

    /// The request's fingerprint. Keyed, so that it reveals nothing about
    /// the request (its variables) to someone without the key.
    fn fingerprint(&self, request: &[u8]) -> [u8; 32] {
        self.digest(b"alumni idempotency request\0", &[request])
    }

    /// The key that seals the response of one attempt. Each attempt seals
    /// one body only, so the nonce can be fixed.
    fn sealing_key(&self, attempt_id: Uuid) -> [u8; 32] {
        self.digest(b"alumni idempotency seal\0", &[attempt_id.as_bytes()])
    }
}

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptResponse {
    /// HTTP status.
    pub status: u16,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

/// What a claim found.
pub enum Claim {
    /// The key is the request's: run it, then settle the attempt.
    Granted(Attempt),
    /// An earlier request holds the key: answer with what became of it.
    Held(EarlierRequest),
}

/// The request that holds a key, as a later one finds it.
pub enum EarlierRequest {
    /// It completed: its response is the answer.
    Completed(KeptResponse),
    /// It is still running.
    Running,
    /// It ended in a way that may or may not have changed data.
    OutcomeUnknown,
    /// It was a different request.
    Different,
}

/// A request holding a key, until it is settled.
pub struct Attempt {
    member_id: MemberId,
    key_hash: [u8; 32],
    attempt_id: Uuid,
    fingerprint: [u8; 32],
    sealing_key: [u8; 32],
}

crate::text_enum! {
    /// Where a claimed key stands.
    pub enum KeyState stored in "api.idempotency_keys.state" {
        /// Its request is running (or died without settling it).
        InFlight = "IN_FLIGHT",
        /// Its request's response is kept.
        Completed = "COMPLETED",
        /// Its request failed in a way that may have changed data.
        Unknown = "UNKNOWN",
    }
}

#[derive(Insertable)]
#[diesel(table_name = keys)]
struct NewClaim<'a> {
    member_id: Uuid,
    key_hash: &'a [u8],
    attempt_id: Uuid,
    fingerprint: &'a [u8],
    state: KeyState,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    status: Option<i16>,
    body: Option<Vec<u8>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = keys)]
struct ClaimRow {
    attempt_id: Uuid,
    fingerprint: Vec<u8>,
    state: KeyState,
    created_at: DateTime<Utc>,
    status: Option<i16>,
    body: Option<Vec<u8>>,
}

/// Claims and settles idempotency keys. One per process, cheap to clone.
#[derive(Clone)]
pub struct IdempotencyStore {
    ctx: ServiceContext,
    /// How long after its claim a request may still be running.
    running_for: Duration,
}

impl IdempotencyStore {
    /// A store whose requests are answered within `request_timeout` (or
    /// abandoned by the server).
    pub fn new(ctx: ServiceContext, request_timeout: std::time::Duration) -> Self {
        let running_for = Duration::from_std(request_timeout)
            .ok()
            .and_then(|timeout| timeout.checked_add(&Duration::seconds(GRACE_SECONDS)))
            .unwrap_or(Duration::MAX);
        Self { ctx, running_for }
    }

    /// Claims `key` of `member` for `request` (the request's canonical
    /// bytes), or says what became of the request that holds it. Expired
    /// rows are never used: the key's own is taken over, and a few others
    /// are deleted on the way.
    pub async fn claim(
        &self,
        member: MemberId,
        key: &IdempotencyKey,
        request: &[u8],
    ) -> AppResult<Claim> {
        let now = self.ctx.now();
        let expired = now - Duration::hours(RETENTION_HOURS);
        let key_hash = key.hash();
        let fingerprint = key.fingerprint(request);
        let attempt_id = Uuid::now_v7();
        let mut conn = self.ctx.conn().await?;
        purge_expired(&mut conn, expired).await?;
        let upsert = diesel::insert_into(keys::table)
            .values(NewClaim {
                member_id: member.0,
                key_hash: &key_hash,
                attempt_id,
                fingerprint: &fingerprint,
                state: KeyState::InFlight,
                created_at: now,
                finished_at: None,
                status: None,
                body: None,
            })
            .on_conflict((keys::member_id, keys::key_hash))
            .do_update()
            .set((
                keys::attempt_id.eq(excluded(keys::attempt_id)),
                keys::fingerprint.eq(excluded(keys::fingerprint)),
                keys::state.eq(excluded(keys::state)),
                keys::created_at.eq(excluded(keys::created_at)),
                keys::finished_at.eq(excluded(keys::finished_at)),
                keys::status.eq(excluded(keys::status)),
                keys::body.eq(excluded(keys::body)),
            ));
        // Only an expired row is taken over (`ON CONFLICT … DO UPDATE
        // WHERE`); `filter` here is the upsert's, not a query's.
        let claimed =
            diesel::query_dsl::methods::FilterDsl::filter(upsert, keys::created_at.le(expired))
                .returning(keys::attempt_id)
                .get_result::<Uuid>(&mut conn)
                .await
                .optional()?;
        if claimed.is_some() {
            return Ok(Claim::Granted(Attempt {
                member_id: member,
                key_hash,
                attempt_id,
                fingerprint,
                sealing_key: key.sealing_key(attempt_id),
            }));
        }
        // A statement of its own: the holder's row may have been committed
        // after the insert's snapshot was taken.
        let holder = keys::table
            .find((member.0, &key_hash[..]))
            .filter(keys::created_at.gt(expired))
            .select(ClaimRow::as_select())
            .first(&mut conn)
            .await
            .optional()?;
        // No holder: it was released in between, so the key is free on
        // the next attempt.
        let Some(holder) = holder else {
            return Ok(Claim::Held(EarlierRequest::Running));
        };
        if holder.fingerprint != fingerprint {
            return Ok(Claim::Held(EarlierRequest::Different));
        }
        let running = now.signed_duration_since(holder.created_at) < self.running_for;
        Ok(Claim::Held(match holder.state {
            KeyState::Completed => EarlierRequest::Completed(open(member, key, &holder)?),
            KeyState::InFlight if running => EarlierRequest::Running,
            KeyState::InFlight | KeyState::Unknown => EarlierRequest::OutcomeUnknown,
        }))
    }

    /// Keeps the response of `attempt`'s request.
    pub async fn complete(&self, attempt: Attempt, status: u16, body: &[u8]) -> AppResult<()> {
        let status = i16::try_from(status).map_err(AppError::internal)?;
        let sealed = seal(&attempt, body)?;
        let mut conn = self.ctx.conn().await?;
        let updated = diesel::update(attempt_row(&attempt))
            .set((
                keys::state.eq(KeyState::Completed),
                keys::finished_at.eq(self.ctx.now()),
                keys::status.eq(status),
                keys::body.eq(sealed),
            ))
            .execute(&mut conn)
            .await?;
        note_lost(updated);
        Ok(())
    }

    /// Frees the key of a request that changed nothing, so it can be sent
    /// again.
    pub async fn release(&self, attempt: Attempt) -> AppResult<()> {
        let mut conn = self.ctx.conn().await?;
        let deleted = diesel::delete(attempt_row(&attempt))
            .execute(&mut conn)
            .await?;
        note_lost(deleted);
        Ok(())
    }

    /// Marks the key of a request that may or may not have changed data.
    pub async fn abandon(&self, attempt: Attempt) -> AppResult<()> {
        let mut conn = self.ctx.conn().await?;
        let updated = diesel::update(attempt_row(&attempt))
            .set((
                keys::state.eq(KeyState::Unknown),
                keys::finished_at.eq(self.ctx.now()),
            ))
            .execute(&mut conn)
            .await?;
        note_lost(updated);
        Ok(())
    }
}

/// The row of `attempt`, while it is still in flight under it.
#[diesel::dsl::auto_type(no_type_alias)]
fn attempt_row(attempt: &Attempt) -> _ {
    let member: Uuid = attempt.member_id.0;
    let key_hash: Vec<u8> = attempt.key_hash.to_vec();
    let attempt_id: Uuid = attempt.attempt_id;
    let in_flight: KeyState = KeyState::InFlight;
    keys::table.filter(
        keys::member_id
            .eq(member)
            .and(keys::key_hash.eq(key_hash))
            .and(keys::attempt_id.eq(attempt_id))
            .and(keys::state.eq(in_flight)),
    )
}

/// A settled claim that was no longer there: its member withdrew while it
/// ran. Nothing is kept for them.
fn note_lost(rows: usize) {
    if rows == 0 {
        tracing::info!("idempotency claim gone before it was settled");
    }
}

/// Deletes a few expired rows, oldest first, skipping rows another claim
/// is working on.
async fn purge_expired(conn: &mut AsyncPgConnection, expired: DateTime<Utc>) -> AppResult<()> {
    diesel::sql_query(
        "DELETE FROM api.idempotency_keys WHERE (member_id, key_hash) IN ( \
             SELECT member_id, key_hash FROM api.idempotency_keys \
             WHERE created_at <= $1 ORDER BY created_at LIMIT $2 \
             FOR UPDATE SKIP LOCKED)",
    )
    .bind::<Timestamptz, _>(expired)
    .bind::<diesel::sql_types::BigInt, _>(PURGE_BATCH)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes every key and kept response of `member` (their withdrawal).
pub async fn forget_member(conn: &mut AsyncPgConnection, member: MemberId) -> AppResult<()> {
    diesel::delete(keys::table.filter(keys::member_id.eq(member.0)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Binds a sealed body to its member and request, so it cannot be moved to
/// another row.
fn associated_data(member: MemberId, fingerprint: &[u8]) -> Vec<u8> {
    [member.0.as_bytes(), fingerprint].concat()
}

fn seal(attempt: &Attempt, body: &[u8]) -> AppResult<Vec<u8>> {
    let cipher =
        ChaCha20Poly1305::new_from_slice(&attempt.sealing_key).map_err(AppError::internal)?;
    let aad = associated_data(attempt.member_id, &attempt.fingerprint);
    cipher
        .encrypt(
            &Nonce::default(),
            Payload {
                msg: body,
                aad: &aad,
            },
        )
        .map_err(|_| AppError::internal("cannot seal an idempotent response"))
}

fn open(member: MemberId, key: &IdempotencyKey, row: &ClaimRow) -> AppResult<KeptResponse> {
    let (Some(status), Some(sealed)) = (row.status, &row.body) else {
        return Err(AppError::internal(
            "a completed idempotency key has no response",
        ));
    };
    let cipher = ChaCha20Poly1305::new_from_slice(&key.sealing_key(row.attempt_id))
        .map_err(AppError::internal)?;
    let aad = associated_data(member, &row.fingerprint);
    let body = cipher
        .decrypt(
            &Nonce::default(),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| AppError::internal("a kept idempotent response does not open"))?;
    Ok(KeptResponse {
        status: u16::try_from(status).map_err(AppError::internal)?,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_bounded_length_and_characters() {
        assert!(IdempotencyKey::parse("0b6f7c1e-8a5d-4c1b-9f3e-2d7a6b5c4e3f").is_ok());
        assert!(IdempotencyKey::parse("\"01HZX3J5Q9R8T7V6W5X4Y3Z2A1\"").is_ok());
        assert!(IdempotencyKey::parse("dGhpcyBpcyBhIGtleQ==").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(MAX_KEY_LENGTH)).is_ok());
        for bad in [
            "",
            "1",
            "fifteen-chars-k",
            "\"short\"",
            "has space in the middle",
            "comma,separated,values",
            "ключ-идемпотентности",
            "\"unbalanced quote-----",
        ] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(MAX_KEY_LENGTH + 1)).is_err());
    }

    fn attempt(key: &IdempotencyKey, member: MemberId, request: &[u8]) -> Attempt {
        let attempt_id = Uuid::now_v7();
        Attempt {
            member_id: member,
            key_hash: key.hash(),
            attempt_id,
            fingerprint: key.fingerprint(request),
            sealing_key: key.sealing_key(attempt_id),
        }
    }

    fn row_of(attempt: &Attempt, sealed: Vec<u8>) -> ClaimRow {
        ClaimRow {
            attempt_id: attempt.attempt_id,
            fingerprint: attempt.fingerprint.to_vec(),
            state: KeyState::Completed,
            created_at: Utc::now(),
            status: Some(200),
            body: Some(sealed),
        }
    }

    #[test]
    fn sealed_responses_open_only_with_their_key_and_member() {
        let key = IdempotencyKey::parse("0b6f7c1e-8a5d-4c1b-9f3e-2d7a6b5c4e3f").unwrap();
        let member = MemberId::new();
        let attempt = attempt(&key, member, b"request");
        let body = br#"{"data":{"createInvitation":{"code":"K7QM2XRP"}}}"#;
        let sealed = seal(&attempt, body).unwrap();
        assert!(!sealed.windows(8).any(|window| window == b"K7QM2XRP"));

        let row = row_of(&attempt, sealed);
        let opened = open(member, &key, &row).unwrap();
        assert_eq!(opened.body, body);
        assert_eq!(opened.status, 200);

        let other_key = IdempotencyKey::parse("1b6f7c1e-8a5d-4c1b-9f3e-2d7a6b5c4e3f").unwrap();
        assert!(open(member, &other_key, &row).is_err());
        assert!(open(MemberId::new(), &key, &row).is_err());
    }

    #[test]
    fn fingerprints_depend_on_the_request_and_the_key() {
        let key = IdempotencyKey::parse("0b6f7c1e-8a5d-4c1b-9f3e-2d7a6b5c4e3f").unwrap();
        let other = IdempotencyKey::parse("1b6f7c1e-8a5d-4c1b-9f3e-2d7a6b5c4e3f").unwrap();
        assert_eq!(key.fingerprint(b"a"), key.fingerprint(b"a"));
        assert_ne!(key.fingerprint(b"a"), key.fingerprint(b"b"));
        assert_ne!(key.fingerprint(b"a"), other.fingerprint(b"a"));
        assert_ne!(key.hash(), other.hash());
        assert_ne!(key.hash(), key.fingerprint(b""));
    }
}
