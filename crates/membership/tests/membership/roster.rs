//! Importing HR's roster: idempotent upserts, and bad files refused whole.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Timestamptz};
use diesel_async::RunQueryDsl;

use crate::support::{SATO, SUZUKI, TAKAHASHI, import, roster, world};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[derive(QueryableByName, PartialEq, Debug)]
struct Stamp {
    #[diesel(sql_type = Timestamptz)]
    updated_at: chrono::DateTime<chrono::Utc>,
}

async fn entries(app: &alumni_test_support::TestApp) -> i64 {
    let mut conn = app.database().connect().await;
    diesel::sql_query("SELECT count(*) AS count FROM membership.roster_entries")
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .count
}

async fn stamps(app: &alumni_test_support::TestApp) -> Vec<Stamp> {
    let mut conn = app.database().connect().await;
    diesel::sql_query("SELECT updated_at FROM membership.roster_entries ORDER BY employee_number")
        .load(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    let world = world().await;
    let app = &world.app;
    let file = roster(&[SATO, TAKAHASHI, SUZUKI]);

    let first = import(app, &file).await;
    assert_eq!(
        (first.rows, first.inserted, first.updated, first.unchanged),
        (3, 3, 0, 0)
    );
    let before = stamps(app).await;

    app.clock.advance(chrono::Duration::days(1));
    let again = import(app, &file).await;
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(stamps(app).await, before, "no row was rewritten");

    // A changed department updates that entry only.
    let moved = SUZUKI.replace("インフラ基盤部", "クラウド推進室");
    let changed = import(app, &roster(&[SATO, TAKAHASHI, &moved])).await;
    assert_eq!(
        (changed.inserted, changed.updated, changed.unchanged),
        (0, 1, 2)
    );
    assert_eq!(entries(app).await, 3);
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_with_every_bad_line() {
    let world = world().await;
    let app = &world.app;
    let file = roster(&[
        SATO,
        "E2001,田中 次郎,Tanaka Jiro,,,kansai,2001-04-01,2015-03-31,",
        TAKAHASHI,
        "E2002,伊藤 誠,いとう まこと,,not-an-address,kansai,2001-04-01,31/03/2015,",
        "E1001,佐藤 花子,さとう はなこ,,,kansai,2001-04-01,2015-03-31,",
    ]);
    let rejected = app
        .services
        .membership
        .import_roster(file.as_bytes())
        .await
        .unwrap()
        .expect_err("the file has bad rows");
    let lines: Vec<u64> = rejected.errors.iter().map(|error| error.line).collect();
    assert_eq!(lines, [3, 5, 5, 6]);
    assert!(
        rejected.errors[0].message.contains("kana"),
        "{:?}",
        rejected.errors[0]
    );
    assert!(rejected.errors[1].message.contains("not-an-address"));
    assert!(rejected.errors[2].message.contains("31/03/2015"));
    assert!(rejected.errors[3].message.contains("first on line 2"));
    assert_eq!(
        entries(app).await,
        0,
        "nothing of a refused file is written"
    );
}

#[tokio::test]
async fn japanese_headers_and_a_byte_order_mark_are_understood() {
    let world = world().await;
    let file = "\u{feff}社員番号,氏名,氏名カナ,会社,入社日,退職日\n\
                Ｅ３００１,渡辺 直美,ワタナベ ナオミ,関西システムズ株式会社,2003/04/01,2010/03/31\n";
    let report = import(&world.app, file).await;
    assert_eq!(report.inserted, 1);
}
