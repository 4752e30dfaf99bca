//! Relay cursor connections over keyset (seek) pagination.
//!
//! A list field takes `first`/`after` (forward) or `last`/`before`
//! (backward); [`PageRequest`] validates them and decodes the cursors into the
//! list's sort key `K`. The store then seeks past the key on an index
//! ([`seek`]) and fetches [`PageRequest::fetch_limit`] rows (one more than
//! the page, to learn whether another page follows);
//! [`PageRequest::into_connection`] trims, orders and wraps them. Offsets are never used, so page N costs the same as
//! page 1 and rows inserted meanwhile do not shift pages.
//!
//! Cursors are opaque to clients: URL-safe base64 of the JSON-encoded key.
//! A decoded key is checked part by part ([`KeyPart`]) before it reaches
//! the database, so a forged cursor is `BAD_USER_INPUT`, never a database
//! error.

use std::borrow::Cow;

use async_graphql::{Object, OutputType, SimpleObject, TypeName};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::QueryResult;
use diesel::dsl::{AsExprOf, Asc, Desc, Gt, Lt, SqlTypeOf};
use diesel::expression::{AsExpression, Expression};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, BoxedSelectStatement, Query, QueryFragment, QueryId};
use diesel::query_dsl::methods::{FilterDsl, LimitDsl, OrderDsl};
use diesel::sql_types::{BigInt, Record, SingleValue};
use diesel::{ExpressionMethods as _, IntoSql as _};
use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::input;

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: usize = 100;

/// Which way a page is read relative to the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `first`/`after`: from the start of the list (or a cursor) onward.
    Forward,
    /// `last`/`before`: from the end of the list (or a cursor) backward.
    Backward,
}

/// A validated page request with decoded cursor keys.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest<K> {
    /// Reading direction.
    pub direction: Direction,
    /// Number of items on the page.
    pub size: usize,
    /// Only items after this key.
    pub after: Option<K>,
    /// Only items before this key.
    pub before: Option<K>,
}

impl<K: Serialize + DeserializeOwned + KeyPart> PageRequest<K> {
    /// Validates Relay connection arguments. `first` and `last` together are
    /// refused, as are negative sizes, sizes over [`MAX_PAGE_SIZE`] and
    /// cursors that do not decode.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Self, AppError> {
        let (direction, requested) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input(
                    "last",
                    "pass either `first` or `last`, not both",
                ));
            }
            (Some(first), None) => (Direction::Forward, Some(("first", first))),
            (None, Some(last)) => (Direction::Backward, Some(("last", last))),
            (None, None) if before.is_some() && after.is_none() => (Direction::Backward, None),
            (None, None) => (Direction::Forward, None),
        };
        let size = match requested {
            None => DEFAULT_PAGE_SIZE,
            Some((field, value)) => usize::try_from(value)
                .ok()
                .filter(|size| *size <= MAX_PAGE_SIZE)
                .ok_or_else(|| {
                    AppError::bad_input(field, format!("must be between 0 and {MAX_PAGE_SIZE}"))
                })?,
        };
        Ok(Self {
            direction,
            size,
            after: after
                .map(|cursor| decode_cursor(&cursor, "after"))
                .transpose()?,
            before: before
                .map(|cursor| decode_cursor(&cursor, "before"))
                .transpose()?,
        })
    }
}

impl<K> PageRequest<K> {
    /// The first page of `size` items; for internal callers.
    pub fn first(size: usize) -> Self {
        Self {
            direction: Direction::Forward,
            size,
            after: None,
            before: None,
        }
    }

    /// How many rows the store should fetch: one more than the page size.
    pub fn fetch_limit(&self) -> i64 {
        i64::try_from(self.size)
            .unwrap_or(i64::MAX)
            .saturating_add(1)
    }

    /// Whether the store should read the list in its natural order
    /// (`true`) or reversed (`false`, for backward pages).
    pub fn reads_in_list_order(&self) -> bool {
        self.direction == Direction::Forward
    }
}

impl<K: Serialize> PageRequest<K> {
    /// Builds the connection from rows fetched in reading order (list order
    /// for forward pages, reverse for backward), at most
    /// [`fetch_limit`](Self::fetch_limit) of them.
    pub fn into_connection<R, N>(
        self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> K,
        node: impl FnMut(R) -> N,
        total_count: TotalCount,
    ) -> Connection<N> {
        let has_more = rows.len() > self.size;
        rows.truncate(self.size);
        if self.direction == Direction::Backward {
            rows.reverse();
        }
        let (has_previous_page, has_next_page) = match self.direction {
            Direction::Forward => (self.after.is_some(), has_more),
            Direction::Backward => (has_more, self.before.is_some()),
        };
        let cursors: Vec<String> = rows.iter().map(|row| encode_cursor(&key(row))).collect();
        let edges: Vec<Edge<N>> = cursors
            .into_iter()
            .zip(rows.into_iter().map(node))
            .map(|(cursor, node)| Edge { cursor, node })
            .collect();
        let page_info = PageInfo {
            has_previous_page,
            has_next_page,
            start_cursor: edges.first().map(|edge| edge.cursor.clone()),
            end_cursor: edges.last().map(|edge| edge.cursor.clone()),
        };
        Connection {
            edges,
            page_info,
            total_count,
        }
    }
}

/// Applies a page request to a boxed query over a list sorted by two
/// columns (the second makes the key unique): seeks past the cursors with a
/// row-value comparison, orders in reading direction and limits to
/// [`PageRequest::fetch_limit`]. The rows come back in reading order, as
/// [`PageRequest::into_connection`] expects.
///
/// Each column is named once, as a diesel expression: the comparison
/// `ROW(first, second) > ROW($1, $2)` and the `ORDER BY` are both built
/// from it, and the cursor's parts are bound with the columns' SQL types.
/// PostgreSQL answers the comparison from a composite index on the two
/// columns (unlike the equivalent `OR` of conditions), and a cursor whose
/// types do not match the columns does not compile:
///
/// ```
/// use alumni_core::pagination::{ListOrder, PageRequest, seek};
/// use diesel::prelude::*;
///
/// diesel::table! {
///     notes (id) {
///         id -> Uuid,
///         written_at -> Timestamptz,
///     }
/// }
///
/// let page = PageRequest::<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>::first(10);
/// let query = seek(
///     notes::table.into_boxed(),
///     &page,
///     (notes::written_at, notes::id),
///     ListOrder::Descending,
/// );
/// # let _ = query;
/// ```
///
/// ```compile_fail
/// use alumni_core::pagination::{ListOrder, PageRequest, seek};
/// use diesel::prelude::*;
///
/// diesel::table! {
///     notes (id) {
///         id -> Uuid,
///         written_at -> Timestamptz,
///     }
/// }
///
/// // A text key for a timestamp column.
/// let page = PageRequest::<(String, uuid::Uuid)>::first(10);
/// let query = seek(
///     notes::table.into_boxed(),
///     &page,
///     (notes::written_at, notes::id),
///     ListOrder::Descending,
/// );
/// # let _ = query;
/// ```
pub fn seek<'a, ST, QS, First, Second, Key>(
    query: BoxedSelectStatement<'a, ST, QS, Pg>,
    page: &PageRequest<Key>,
    (first, second): (First, Second),
    order: ListOrder,
) -> BoxedSelectStatement<'a, ST, QS, Pg>
where
    First: Expression<SqlType: SingleValue + 'static> + Copy,
    Second: Expression<SqlType: SingleValue + 'static> + Copy,
    (First, Second): AsExpression<RowType<First, Second>>,
    Key: AsExpression<RowType<First, Second>> + Clone,
    BoxedSelectStatement<'a, ST, QS, Pg>: FilterDsl<Gt<Row<First, Second>, Key>, Output = BoxedSelectStatement<'a, ST, QS, Pg>>
        + FilterDsl<Lt<Row<First, Second>, Key>, Output = BoxedSelectStatement<'a, ST, QS, Pg>>
        + OrderDsl<(Asc<First>, Asc<Second>), Output = BoxedSelectStatement<'a, ST, QS, Pg>>
        + OrderDsl<(Desc<First>, Desc<Second>), Output = BoxedSelectStatement<'a, ST, QS, Pg>>
        + LimitDsl<Output = BoxedSelectStatement<'a, ST, QS, Pg>>,
{
    let row = || (first, second).into_sql::<RowType<First, Second>>();
    let ascending = order == ListOrder::Ascending;
    let mut query = query;
    // Past the cursor means greater in ascending lists, smaller in
    // descending ones; `before` is the other way round.
    for (cursor, greater) in [(&page.after, ascending), (&page.before, !ascending)] {
        if let Some(key) = cursor {
            query = if greater {
                query.filter(row().gt(key.clone()))
            } else {
                query.filter(row().lt(key.clone()))
            };
        }
    }
    let query = if ascending == page.reads_in_list_order() {
        query.order((first.asc(), second.asc()))
    } else {
        query.order((first.desc(), second.desc()))
    };
    query.limit(page.fetch_limit())
}

/// The SQL type of a two-column sort key as one row value.
pub type RowType<First, Second> = Record<(SqlTypeOf<First>, SqlTypeOf<Second>)>;

/// Two columns as one row value: `ROW(first, second)`.
pub type Row<First, Second> = AsExprOf<(First, Second), RowType<First, Second>>;

/// The natural order of a list, by its sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// Smallest key first (e.g. names by reading).
    Ascending,
    /// Largest key first (e.g. newest first).
    Descending,
}

/// Query complexity of a connection field: the page size times the cost of
/// one item. Use as `#[graphql(complexity = "connection_complexity(first,
/// last, child_complexity)")]` so a deep query over large pages is refused
/// before it runs.
pub fn connection_complexity(
    first: Option<i32>,
    last: Option<i32>,
    child_complexity: usize,
) -> usize {
    let size = first
        .or(last)
        .and_then(|size| usize::try_from(size).ok())
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    size.max(1)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

fn encode_cursor<K: Serialize>(key: &K) -> String {
    // A key is plain data (strings, numbers, uuids, timestamps); serialising
    // it cannot fail.
    let json = serde_json::to_vec(key).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

fn decode_cursor<K: DeserializeOwned + KeyPart>(cursor: &str, field: &str) -> Result<K, AppError> {
    let key: K = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or_else(|| AppError::bad_input(field, "not a cursor of this list"))?;
    // Only a forged cursor fails here: the server encodes storable keys.
    key.check()
        .map_err(|_| AppError::bad_input(field, "not a cursor of this list"))?;
    Ok(key)
}

/// A part of a list's sort key, as a cursor carries it. Decoding a cursor
/// checks every part, so whatever a client sends, the key reaches the
/// database only if PostgreSQL can compare with it.
pub trait KeyPart {
    /// Whether PostgreSQL can take the value (see [`crate::input`]).
    fn check(&self) -> Result<(), String>;
}

impl KeyPart for String {
    fn check(&self) -> Result<(), String> {
        input::check_text(self)
    }
}

impl KeyPart for chrono::DateTime<chrono::Utc> {
    fn check(&self) -> Result<(), String> {
        input::check_timestamp(self)
    }
}

impl KeyPart for chrono::NaiveDate {
    fn check(&self) -> Result<(), String> {
        input::check_date(*self)
    }
}

macro_rules! any_value_is_storable {
    ($($ty:ty),*) => {
        $(impl KeyPart for $ty {
            fn check(&self) -> Result<(), String> {
                Ok(())
            }
        })*
    };
}

any_value_is_storable!(i16, i32, i64, u32, uuid::Uuid);

impl<A: KeyPart, B: KeyPart> KeyPart for (A, B) {
    fn check(&self) -> Result<(), String> {
        self.0.check()?;
        self.1.check()
    }
}

impl<A: KeyPart, B: KeyPart, C: KeyPart> KeyPart for (A, B, C) {
    fn check(&self) -> Result<(), String> {
        self.0.check()?;
        self.1.check()?;
        self.2.check()
    }
}

impl<A: KeyPart, B: KeyPart, C: KeyPart, D: KeyPart> KeyPart for (A, B, C, D) {
    fn check(&self) -> Result<(), String> {
        self.0.check()?;
        self.1.check()?;
        self.2.check()?;
        self.3.check()
    }
}

/// A page of results in a Relay cursor connection. Page forward with
/// `first`/`after`, backward with `last`/`before`.
pub struct Connection<N> {
    /// The items of the page with their cursors.
    pub edges: Vec<Edge<N>>,
    /// Where the page sits in the whole list.
    pub page_info: PageInfo,
    /// The size of the whole list, counted only if a client asks.
    pub total_count: TotalCount,
}

/// Counting a whole list stops here: a client learns "more than 10,000"
/// and no single request makes PostgreSQL count a million rows.
pub const COUNT_CAP: i64 = 10_000;

/// The size of a whole list, as far as it was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSize {
    /// Items counted, at most [`COUNT_CAP`].
    pub count: i64,
    /// Whether counting stopped at [`COUNT_CAP`] with more items left.
    pub capped: bool,
}

impl ListSize {
    /// The size from a count of at most [`COUNT_CAP`]` + 1` rows (see
    /// [`capped_count`]).
    pub fn from_capped_count(count: i64) -> Self {
        Self {
            count: count.min(COUNT_CAP),
            capped: count > COUNT_CAP,
        }
    }
}

/// The size of a whole list, counted when a client first selects
/// `totalCount` or `totalCountCapped`, at most once per connection. Lists
/// are counted by their own filter, so the count never includes what the
/// viewer may not see.
#[derive(Clone)]
pub struct TotalCount(Shared<BoxFuture<'static, Result<ListSize, AppError>>>);

impl TotalCount {
    /// A count that runs `count` only if asked; the future is polled at
    /// most once.
    pub fn lazy(count: impl Future<Output = Result<ListSize, AppError>> + Send + 'static) -> Self {
        Self(count.boxed().shared())
    }

    /// A count already known, e.g. of a list held in memory.
    pub fn known(count: usize) -> Self {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        Self::lazy(std::future::ready(Ok(ListSize::from_capped_count(count))))
    }

    /// The size, counting it now if nobody asked before.
    pub async fn size(&self) -> Result<ListSize, AppError> {
        self.0.clone().await
    }
}

/// `SELECT count(*) FROM (query LIMIT 10001) AS counted`: counts a list's
/// filtered query no further than [`ListSize`] reports; load it as `i64`
/// and pass that to [`ListSize::from_capped_count`]. Select as little as
/// possible in `query` (a constant or the key), so PostgreSQL can answer
/// from an index alone. A query node of its own because diesel has no
/// subquery in `FROM`; the inner query keeps its bind parameters.
pub fn capped_count<Q: LimitDsl>(query: Q) -> CappedCount<Q::Output> {
    CappedCount(query.limit(COUNT_CAP + 1))
}

/// The query built by [`capped_count`].
#[derive(Debug, Clone, Copy)]
pub struct CappedCount<Q>(Q);

impl<Q> Query for CappedCount<Q> {
    type SqlType = BigInt;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for CappedCount<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT count(*) FROM (");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AS counted");
        Ok(())
    }
}

impl<Q> QueryId for CappedCount<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// A page of results in a Relay cursor connection. Page forward with
/// `first`/`after`, backward with `last`/`before`.
#[Object(name_type)]
impl<N: OutputType> Connection<N> {
    /// The items of this page, each with its cursor.
    async fn edges(&self) -> &[Edge<N>] {
        &self.edges
    }

    /// The items of this page, for clients that need no per-item cursor.
    async fn nodes(&self) -> Vec<&N> {
        self.edges.iter().map(|edge| &edge.node).collect()
    }

    /// Where this page sits in the whole list.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// Number of items in the whole list (all pages, the same filter),
    /// counted up to 10,000; when `totalCountCapped` is `true` the list has
    /// more. Counted only when selected, so leave it out when not shown.
    async fn total_count(&self) -> Result<i64, AppError> {
        Ok(self.total_count.size().await?.count)
    }

    /// Whether the list has more than 10,000 items, so that `totalCount`
    /// stopped counting at 10,000 (show "10,000+").
    async fn total_count_capped(&self) -> Result<bool, AppError> {
        Ok(self.total_count.size().await?.capped)
    }
}

impl<N: OutputType> TypeName for Connection<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", N::type_name()).into()
    }
}

/// One item of a connection with the cursor that points at it.
pub struct Edge<N> {
    /// Opaque cursor of this item; pass as `after` or `before`.
    pub cursor: String,
    /// The item.
    pub node: N,
}

/// One item of a connection with the cursor that points at it.
#[Object(name_type)]
impl<N: OutputType> Edge<N> {
    /// Opaque cursor of this item; pass it as `after` to read on, or as
    /// `before` to read back.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The item.
    async fn node(&self) -> &N {
        &self.node
    }
}

impl<N: OutputType> TypeName for Edge<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", N::type_name()).into()
    }
}

/// Where a page sits in the whole list.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct PageInfo {
    /// Whether items exist before this page. When paging forward this is
    /// `true` whenever an `after` cursor was given.
    pub has_previous_page: bool,
    /// Whether items exist after this page. When paging backward this is
    /// `true` whenever a `before` cursor was given.
    pub has_next_page: bool,
    /// Cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of the page.
    pub end_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    type Key = (String, u32);

    fn request(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageRequest<Key>, AppError> {
        PageRequest::new(first, after, last, before)
    }

    #[test]
    fn defaults_to_a_forward_page_of_the_default_size() {
        let page = request(None, None, None, None).unwrap();
        assert_eq!(page.direction, Direction::Forward);
        assert_eq!(page.size, DEFAULT_PAGE_SIZE);
        assert_eq!(page.fetch_limit(), DEFAULT_PAGE_SIZE as i64 + 1);
    }

    #[test]
    fn refuses_first_and_last_together() {
        let err = request(Some(5), None, Some(5), None).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert_eq!(err.field(), Some("last"));
    }

    #[test]
    fn refuses_sizes_out_of_range() {
        let too_big = request(Some(MAX_PAGE_SIZE as i32 + 1), None, None, None).unwrap_err();
        assert_eq!(too_big.field(), Some("first"));
        let negative = request(None, None, Some(-1), None).unwrap_err();
        assert_eq!(negative.field(), Some("last"));
        assert!(request(Some(MAX_PAGE_SIZE as i32), None, None, None).is_ok());
    }

    #[test]
    fn refuses_foreign_cursors() {
        let err = request(Some(5), Some("garbage!".into()), None, None).unwrap_err();
        assert_eq!(err.field(), Some("after"));
        let other_shape = URL_SAFE_NO_PAD.encode(b"{\"x\":1}");
        let err = request(None, None, Some(5), Some(other_shape)).unwrap_err();
        assert_eq!(err.field(), Some("before"));
    }

    #[test]
    fn refuses_cursors_the_database_could_not_compare_with() {
        let nul = URL_SAFE_NO_PAD.encode(b"[\"a\\u0000b\", 1]");
        let err = request(Some(5), Some(nul), None, None).unwrap_err();
        assert_eq!(err.field(), Some("after"));

        let ancient = URL_SAFE_NO_PAD
            .encode(b"[\"-200000-01-01T00:00:00Z\", \"0190f5e2-7a1c-7c3e-8000-000000000000\"]");
        let err = PageRequest::<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>::new(
            None,
            None,
            Some(5),
            Some(ancient),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("before"));
    }

    #[test]
    fn forward_page_reports_more_and_cursors_resume() {
        let rows: Vec<Key> = (0..4).map(|n| (format!("k{n}"), n)).collect();
        let page = request(Some(3), None, None, None).unwrap();
        let connection =
            page.into_connection(rows, Clone::clone, |row| row.1, TotalCount::known(0));
        assert_eq!(
            connection.edges.iter().map(|e| e.node).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert!(connection.page_info.has_next_page);
        assert!(!connection.page_info.has_previous_page);

        let resumed =
            request(Some(3), connection.page_info.end_cursor.clone(), None, None).unwrap();
        assert_eq!(resumed.after, Some(("k2".to_owned(), 2)));
    }

    #[test]
    fn backward_page_is_returned_in_list_order() {
        // Backward pages are fetched in reverse list order.
        let fetched: Vec<Key> = [9, 8, 7]
            .into_iter()
            .map(|n| (format!("k{n}"), n))
            .collect();
        let page = request(None, None, Some(2), None).unwrap();
        assert!(!page.reads_in_list_order());
        let connection =
            page.into_connection(fetched, Clone::clone, |row| row.1, TotalCount::known(0));
        assert_eq!(
            connection.edges.iter().map(|e| e.node).collect::<Vec<_>>(),
            [8, 9]
        );
        assert!(connection.page_info.has_previous_page);
        assert!(!connection.page_info.has_next_page);
    }

    #[test]
    fn counts_past_the_cap_report_the_cap_and_say_so() {
        assert_eq!(
            ListSize::from_capped_count(COUNT_CAP),
            ListSize {
                count: COUNT_CAP,
                capped: false
            }
        );
        assert_eq!(
            ListSize::from_capped_count(COUNT_CAP + 1),
            ListSize {
                count: COUNT_CAP,
                capped: true
            }
        );
    }

    #[tokio::test]
    async fn a_lazy_count_runs_once_and_only_when_asked() {
        let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counting = |runs: std::sync::Arc<std::sync::atomic::AtomicUsize>| {
            TotalCount::lazy(async move {
                runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(ListSize::from_capped_count(7))
            })
        };
        let never_asked = counting(runs.clone());
        drop(never_asked);
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 0);

        let asked = counting(runs.clone());
        assert_eq!(asked.size().await.unwrap().count, 7);
        assert_eq!(asked.size().await.unwrap().count, 7);
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    diesel::table! {
        notes (id) {
            id -> Uuid,
            written_at -> Timestamptz,
        }
    }

    type NoteKey = (chrono::DateTime<chrono::Utc>, uuid::Uuid);

    fn seek_sql(page: &PageRequest<NoteKey>, order: ListOrder) -> String {
        use diesel::QueryDsl as _;
        let query = seek(
            notes::table.select(notes::id).into_boxed(),
            page,
            (notes::written_at, notes::id),
            order,
        );
        diesel::debug_query::<Pg, _>(&query)
            .to_string()
            .split(" -- binds")
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    fn note_cursor() -> String {
        let key: NoteKey = (chrono::Utc::now(), uuid::Uuid::nil());
        encode_cursor(&key)
    }

    #[test]
    fn seeking_is_one_row_value_comparison_in_the_order_of_the_index() {
        let after = PageRequest::new(Some(5), Some(note_cursor()), None, None).unwrap();
        assert_eq!(
            seek_sql(&after, ListOrder::Descending),
            "SELECT \"notes\".\"id\" FROM \"notes\" \
             WHERE (ROW(\"notes\".\"written_at\", \"notes\".\"id\") < ROW($1, $2)) \
             ORDER BY \"notes\".\"written_at\" DESC, \"notes\".\"id\" DESC LIMIT $3"
        );
        // A backward page of an ascending list reads it from the end.
        let before = PageRequest::new(None, None, Some(5), Some(note_cursor())).unwrap();
        assert_eq!(
            seek_sql(&before, ListOrder::Ascending),
            "SELECT \"notes\".\"id\" FROM \"notes\" \
             WHERE (ROW(\"notes\".\"written_at\", \"notes\".\"id\") < ROW($1, $2)) \
             ORDER BY \"notes\".\"written_at\" DESC, \"notes\".\"id\" DESC LIMIT $3"
        );
        let first = PageRequest::<NoteKey>::first(5);
        assert_eq!(
            seek_sql(&first, ListOrder::Ascending),
            "SELECT \"notes\".\"id\" FROM \"notes\" \
             ORDER BY \"notes\".\"written_at\" ASC, \"notes\".\"id\" ASC LIMIT $1"
        );
    }

    #[test]
    fn complexity_scales_with_page_size() {
        assert_eq!(connection_complexity(Some(10), None, 3), 31);
        assert_eq!(connection_complexity(None, None, 1), DEFAULT_PAGE_SIZE + 1);
        assert_eq!(
            connection_complexity(Some(10_000), None, 1),
            MAX_PAGE_SIZE + 1
        );
    }
}
