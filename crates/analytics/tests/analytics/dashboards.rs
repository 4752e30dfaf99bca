//! Each dashboard against figures worked out by hand on a small network
//! (see `support::network`), as an analyst reads it over HTTP.

use serde_json::{Value, json};

use crate::support::{at, count, network};

/// A row as compared: a label, two counts and a rate.
type Line<'a> = (&'a str, Option<i64>, Option<i64>, Option<f64>);

/// A cohort cell as compared: row, column, members, active, active rate.
type CohortLine = (String, String, Option<i64>, Option<i64>, Option<f64>);

fn counts(row: &Value, fields: &[&str]) -> Vec<Option<i64>> {
    fields.iter().map(|field| count(&row[*field])).collect()
}

fn figure(value: &Value) -> Option<f64> {
    value["value"].as_f64()
}

#[tokio::test]
async fn engagement_counts_distinct_members_per_month_and_week() {
    let mut network = network().await;
    let f = &mut network.fixture;
    let post = f.post("一月号", at("2026-01-10T09:00")).await;
    let other = f.post("一月号 別冊", at("2026-01-10T09:00")).await;
    f.read(post, &network.a[..6], at("2026-01-12T10:00")).await;
    // A second read the same week is the same reader.
    f.read(other, &network.a[..1], at("2026-01-14T10:00")).await;
    f.read(post, &network.b[..5], at("2026-01-20T10:00")).await;
    f.comment(post, &network.a[..1], at("2026-02-03T10:00"))
        .await;
    f.sign_in(&network.a[..5], at("2026-03-10T08:00")).await;
    f.refresh().await;

    let monthly = f
        .ask(
            &network.analyst,
            r#"{ analytics { engagement(from: "2026-01-01", to: "2026-04-01", period: MONTH) {
                 asOf period by rows { startsOn group { label }
                   active { value suppressed } readers { value suppressed }
                   writers { value suppressed } attendees { value suppressed } } } } }"#,
        )
        .await;
    let dashboard = &monthly.data()["analytics"]["engagement"];
    assert_eq!(dashboard["asOf"], "2026-04-01T00:00:00+00:00");
    let rows: Vec<(String, Vec<Option<i64>>)> = dashboard["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert!(row["group"].is_null());
            (
                row["startsOn"].as_str().unwrap().to_owned(),
                counts(row, &["active", "readers", "writers", "attendees"]),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "2026-01-01".to_owned(),
                vec![Some(11), Some(11), Some(0), Some(0)]
            ),
            // One member commented: withheld, as anyone alone is.
            ("2026-02-01".to_owned(), vec![None, Some(0), None, Some(0)]),
            (
                "2026-03-01".to_owned(),
                vec![Some(5), Some(0), Some(0), Some(0)]
            ),
            // Everyone's first session (the factory's) is at the start.
            (
                "2026-04-01".to_owned(),
                vec![Some(25), Some(0), Some(0), Some(0)]
            ),
        ]
    );

    let weekly = f
        .ask(
            &network.analyst,
            r#"{ analytics { engagement(from: "2026-01-14", to: "2026-01-25", period: WEEK) {
                 rows { startsOn readers { value suppressed } } } } }"#,
        )
        .await;
    let weeks: Vec<(&str, Option<i64>)> = weekly.data()["analytics"]["engagement"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["startsOn"].as_str().unwrap(), count(&row["readers"])))
        .collect();
    assert_eq!(weeks, [("2026-01-12", Some(6)), ("2026-01-19", Some(5))]);
}

#[tokio::test]
async fn engagement_by_company_withholds_small_groups_with_a_complement() {
    let mut network = network().await;
    let f = &mut network.fixture;
    let post = f.post("一月号", at("2026-01-10T09:00")).await;
    f.read(post, &network.a[..6], at("2026-01-12T10:00")).await;
    f.read(post, &network.b[..5], at("2026-01-20T10:00")).await;
    f.refresh().await;

    let response = f
        .ask(
            &network.analyst,
            r#"{ analytics { engagement(from: "2026-01-01", to: "2026-04-30", by: COMPANY) {
                 by rows { startsOn group { dimension key label } active { value suppressed } } } } }"#,
        )
        .await;
    let dashboard = &response.data()["analytics"]["engagement"];
    assert_eq!(dashboard["by"], "COMPANY");
    let rows: Vec<(&str, String, Option<i64>)> = dashboard["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| ["2026-01-01", "2026-04-01"].contains(&row["startsOn"].as_str().unwrap()))
        .map(|row| {
            (
                row["startsOn"].as_str().unwrap(),
                row["group"]["label"].as_str().unwrap_or("(all)").to_owned(),
                count(&row["active"]),
            )
        })
        .collect();
    let company_a = network.companies[0].to_string();
    assert_eq!(
        dashboard["rows"][3]["group"],
        json!({ "dimension": "COMPANY", "key": company_a, "label": "本社" })
    );
    assert_eq!(
        rows,
        [
            ("2026-01-01", "(all)".to_owned(), Some(11)),
            ("2026-01-01", "旧大阪データ".to_owned(), Some(0)),
            ("2026-01-01", "旧東京システム".to_owned(), Some(5)),
            ("2026-01-01", "本社".to_owned(), Some(6)),
            ("2026-01-01", "不明".to_owned(), Some(0)),
            ("2026-04-01", "(all)".to_owned(), Some(25)),
            // 2 is too few; 6, the smallest other group, goes with it so
            // that 25 - 10 - 7 does not give the 2 away.
            ("2026-04-01", "旧大阪データ".to_owned(), None),
            ("2026-04-01", "旧東京システム".to_owned(), None),
            ("2026-04-01", "本社".to_owned(), Some(10)),
            ("2026-04-01", "不明".to_owned(), Some(7)),
        ]
    );
}

#[tokio::test]
async fn cohort_tables_count_members_and_recent_activity_with_totals_and_rates() {
    let network = network().await;
    let f = &network.fixture;
    f.refresh().await;

    let response = f
        .ask(
            &network.analyst,
            r#"{ analytics { cohorts(rows: COMPANY, columns: DEPARTMENT_BAND) {
                 rows columns cells { row { label } column { label }
                   members { value suppressed } active { value suppressed }
                   activeRate { value suppressed } } } } }"#,
        )
        .await;
    let dashboard = &response.data()["analytics"]["cohorts"];
    assert_eq!(dashboard["rows"], "COMPANY");
    assert_eq!(dashboard["columns"], "DEPARTMENT_BAND");
    let cells: Vec<CohortLine> = dashboard["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cell| {
            let label = |group: &Value| group["label"].as_str().unwrap_or("計").to_owned();
            (
                label(&cell["row"]),
                label(&cell["column"]),
                count(&cell["members"]),
                count(&cell["active"]),
                figure(&cell["activeRate"]),
            )
        })
        .collect();
    let cell = |row: &str, column: &str| {
        cells
            .iter()
            .find(|cell| cell.0 == row && cell.1 == column)
            .unwrap_or_else(|| panic!("no cell {row} × {column}: {cells:?}"))
            .clone()
    };
    // 4 rows × 3 columns, 4 row totals, 3 column totals, the grand total.
    assert_eq!(cells.len(), 12 + 4 + 3 + 1);
    // Members: C's 2 are too few, and B's 6 go with them (same column,
    // and each is its row's only cell, so their row totals too).
    // Active: A's 5 inactive members would show, with the totals, that
    // nobody else was inactive (C's two among them): A's active count
    // goes, and the totals it would give away with it.
    let expected = [
        ("旧大阪データ", "開発部", None, None, None),
        ("旧東京システム", "開発部", None, None, None),
        ("本社", "営業部", Some(10), None, None),
        ("本社", "開発部", Some(0), Some(0), None),
        ("不明", "不明", Some(7), Some(7), Some(1.0)),
        ("旧大阪データ", "計", None, None, None),
        ("旧東京システム", "計", None, None, None),
        ("本社", "計", Some(10), None, None),
        ("不明", "計", Some(7), Some(7), Some(1.0)),
        ("計", "営業部", Some(10), None, None),
        ("計", "開発部", Some(8), Some(8), Some(1.0)),
        ("計", "計", Some(25), None, None),
    ];
    for (row, column, members, active, rate) in expected {
        assert_eq!(
            cell(row, column),
            (row.to_owned(), column.to_owned(), members, active, rate),
            "{row} × {column}"
        );
    }
}

#[tokio::test]
async fn the_funnel_runs_from_the_roster_to_members_active_lately() {
    let mut network = network().await;
    let [company_a, _, company_c] = network.companies;
    let a = network.a.clone();
    let c = network.c.clone();
    let f = &mut network.fixture;
    f.roster(company_a, 2016, 12).await;
    f.roster(company_c, 2021, 3).await;
    f.approved_applications(&a, company_a, 2016).await;
    f.approved_applications(&c, company_c, 2021).await;
    f.refresh().await;

    let response = f
        .ask(
            &network.analyst,
            r#"{ analytics {
                 all: funnel { rows { group { label } roster { value suppressed } applied { value suppressed }
                   approved { value suppressed } active { value suppressed } appliedRate { value } activeRate { value } } }
                 byCompany: funnel(by: COMPANY) { rows { group { label } roster { value suppressed }
                   applied { value suppressed } approved { value suppressed } active { value suppressed } } } } }"#,
        )
        .await;
    let all = &response.data()["analytics"]["all"]["rows"];
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(
        counts(&all[0], &["roster", "applied", "approved", "active"]),
        [Some(15), Some(12), Some(12), Some(7)]
    );
    assert_eq!(figure(&all[0]["appliedRate"]), Some(0.8));
    assert_eq!(figure(&all[0]["activeRate"]), Some(7.0 / 12.0));

    let rows: Vec<(String, Vec<Option<i64>>)> = response.data()["analytics"]["byCompany"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["group"]["label"].as_str().unwrap_or("計").to_owned(),
                counts(row, &["roster", "applied", "approved", "active"]),
            )
        })
        .collect();
    // C's 3 on the roster and 2 applicants are too few, and A's figures go
    // with them: each total less A would give C away.
    assert_eq!(
        rows,
        [
            ("旧大阪データ".to_owned(), vec![None, None, None, None]),
            ("本社".to_owned(), vec![None, None, None, None]),
            ("計".to_owned(), vec![Some(15), Some(12), Some(12), Some(7)]),
        ]
    );
}

#[tokio::test]
async fn event_attendance_shows_rates_with_parts_withheld_against_their_totals() {
    let mut network = network().await;
    let (a, b, analyst) = (
        network.a.clone(),
        network.b.clone(),
        network.analyst.clone(),
    );
    let f = &mut network.fixture;
    let study = f
        .event("勉強会 2月", at("2026-02-14T19:00"), &analyst)
        .await;
    f.register(study, &b[..5], true).await;
    f.register(study, &b[5..], false).await;
    let meetup = f
        .event("交流会 3月", at("2026-03-05T19:00"), &analyst)
        .await;
    f.register(meetup, &a[..5], true).await;
    f.register(meetup, &a[5..], false).await;
    f.refresh().await;

    let response = f
        .ask(
            &analyst,
            r#"{ analytics { eventAttendance(from: "2026-02-01", to: "2026-03-31") {
                 rows { eventId title kind startsAt confirmed { value suppressed } attended { value suppressed }
                   attendanceRate { value suppressed } } } } }"#,
        )
        .await;
    let rows = response.data()["analytics"]["eventAttendance"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    let shown: Vec<Line> = rows
        .iter()
        .map(|row| {
            (
                row["title"].as_str().unwrap(),
                count(&row["confirmed"]),
                count(&row["attended"]),
                figure(&row["attendanceRate"]),
            )
        })
        .collect();
    // One no-show at the study session is too few to show; the meetup's
    // attendance goes with it, or the total would give it away.
    assert_eq!(
        shown,
        [
            ("勉強会 2月", Some(6), None, None),
            ("交流会 3月", Some(10), None, None),
            ("合計", Some(16), Some(10), Some(0.625)),
        ]
    );
    assert_eq!(rows[0]["kind"], "STUDY_SESSION");
    assert_eq!(rows[0]["startsAt"], "2026-02-14T10:00:00+00:00");
    assert!(rows[0]["eventId"].is_string() && rows[2]["eventId"].is_null());
}

#[tokio::test]
async fn question_answers_count_answer_rates_and_hours_to_the_first_answer() {
    let mut network = network().await;
    let (a, b) = (network.a.clone(), network.b.clone());
    let f = &mut network.fixture;
    let first_answer_hours = [2, 4, 6, 30, 50];
    for (index, asker) in a.iter().enumerate() {
        let asked = at(&format!("2026-01-{:02}T09:00", index + 5));
        let question = f.question(asker, asked).await;
        if let Some(hours) = first_answer_hours.get(index) {
            let answered = asked + chrono::Duration::hours(*hours);
            f.answer(question, &b[0], answered, true).await;
            // A later answer does not change the time to the first.
            f.answer(
                question,
                &b[1],
                answered + chrono::Duration::hours(1),
                false,
            )
            .await;
        }
    }
    f.question(&b[0], at("2026-02-10T09:00")).await;
    f.question(&b[1], at("2026-02-11T09:00")).await;
    f.refresh().await;

    let response = f
        .ask(
            &network.analyst,
            r#"{ analytics { questionAnswers(from: "2026-01-01", to: "2026-03-31") {
                 rows { month asked { value suppressed } answered { value suppressed }
                   answerRate { value suppressed } answeredWithinDay { value suppressed }
                   accepted { value suppressed } medianHoursToFirstAnswer { value suppressed }
                   p90HoursToFirstAnswer { value suppressed } } } } }"#,
        )
        .await;
    let rows = &response.data()["analytics"]["questionAnswers"]["rows"];
    assert_eq!(rows.as_array().unwrap().len(), 3);
    let january = &rows[0];
    assert_eq!(january["month"], "2026-01-01");
    assert_eq!(
        counts(
            january,
            &["asked", "answered", "answeredWithinDay", "accepted"]
        ),
        // Three of ten answered within a day: too few to show.
        [Some(10), Some(5), None, Some(5)]
    );
    assert_eq!(figure(&january["answerRate"]), Some(0.5));
    assert_eq!(figure(&january["medianHoursToFirstAnswer"]), Some(6.0));
    // Between 30 and 50 hours, 60% of the way (percentile_cont).
    assert_eq!(figure(&january["p90HoursToFirstAnswer"]), Some(42.0));
    let february = &rows[1];
    assert_eq!(
        counts(
            february,
            &["asked", "answered", "answeredWithinDay", "accepted"]
        ),
        [None, None, None, None]
    );
    assert_eq!(february["medianHoursToFirstAnswer"]["suppressed"], true);
    let march = &rows[2];
    assert_eq!(counts(march, &["asked", "answered"]), [Some(0), Some(0)]);
    assert_eq!(
        march["answerRate"],
        json!({ "value": null, "suppressed": false })
    );
}

#[tokio::test]
async fn content_reads_compare_readers_with_the_audience() {
    let mut network = network().await;
    let (a, b) = (network.a.clone(), network.b.clone());
    let f = &mut network.fixture;
    let january = f.post("一月号", at("2026-01-10T09:00")).await;
    f.read(january, &a[..6], at("2026-01-12T10:00")).await;
    f.read(january, &b[..5], at("2026-01-20T10:00")).await;
    let february = f.post("二月号", at("2026-02-01T09:00")).await;
    f.read(february, &a[..3], at("2026-02-02T10:00")).await;
    f.refresh().await;

    let response = f
        .ask(
            &network.analyst,
            r#"{ analytics { contentReads(from: "2026-01-01", to: "2026-02-28") {
                 rows { postId title publishedAt audience { value suppressed } readers { value suppressed }
                   readRate { value suppressed } } } } }"#,
        )
        .await;
    let rows: Vec<Line> = response.data()["analytics"]["contentReads"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["title"].as_str().unwrap(),
                count(&row["audience"]),
                count(&row["readers"]),
                figure(&row["readRate"]),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("二月号", Some(25), None, None),
            ("一月号", Some(25), Some(11), Some(0.44)),
        ]
    );
}

#[tokio::test]
async fn ranges_are_bounded_and_arguments_checked() {
    let network = network().await;
    let f = &network.fixture;
    for (query, field) in [
        (
            r#"{ analytics { engagement(from: "2024-01-01", to: "2026-03-31") { asOf } } }"#,
            "from",
        ),
        (
            r#"{ analytics { engagement(from: "2026-03-01", to: "2026-01-01") { asOf } } }"#,
            "to",
        ),
        (
            r#"{ analytics { cohorts(rows: COMPANY, columns: COMPANY) { asOf } } }"#,
            "columns",
        ),
        (
            r#"{ analytics { contentReads(from: "2020-01-01", to: "2026-03-31") { asOf } } }"#,
            "from",
        ),
    ] {
        let response = f.ask(&network.analyst, query).await;
        assert_eq!(response.error_code(), Some("BAD_USER_INPUT"), "{query}");
        assert_eq!(
            response.errors()[0]["extensions"]["field"],
            field,
            "{query}"
        );
    }
}
