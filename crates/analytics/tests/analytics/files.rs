//! Every dashboard as a CSV file: UTF-8 with a byte-order mark for Excel,
//! the same rows and the same withheld cells (left empty), no formulas.

use crate::support::{at, csv_rows, network};

#[tokio::test]
async fn csv_files_hold_the_dashboards_with_the_same_cells_withheld() {
    let mut network = network().await;
    let (a, b) = (network.a.clone(), network.b.clone());
    let f = &mut network.fixture;
    let january = f.post("一月号", at("2026-01-10T09:00")).await;
    f.read(january, &a[..6], at("2026-01-12T10:00")).await;
    f.read(january, &b[..5], at("2026-01-20T10:00")).await;
    // A title a spreadsheet would run as a formula.
    let february = f
        .post(
            "=HYPERLINK(\"https://evil.example\")",
            at("2026-02-01T09:00"),
        )
        .await;
    f.read(february, &a[..3], at("2026-02-02T10:00")).await;
    f.refresh().await;
    let (app, analyst) = (&f.app, &network.analyst);

    let cohorts = csv_rows(
        app,
        analyst,
        "/analytics/cohorts.csv?rows=COMPANY",
        &[
            "row",
            "column",
            "members",
            "active",
            "active_rate",
            "readers",
            "reader_rate",
            "writers",
            "writer_rate",
            "attendees",
            "attendee_rate",
        ],
    )
    .await;
    let members: Vec<(&str, &str)> = cohorts
        .iter()
        .map(|row| (row[0].as_str(), row[2].as_str()))
        .collect();
    // As in GraphQL: 2 withheld, and 6 with it; withheld cells are empty.
    assert_eq!(
        members,
        [
            ("旧大阪データ", ""),
            ("旧東京システム", ""),
            ("本社", "10"),
            ("不明", "7"),
            ("合計", "25")
        ]
    );
    assert_eq!(cohorts[3][3..5], ["7", "1.0000"]);

    let engagement = csv_rows(
        app,
        analyst,
        "/analytics/engagement.csv?from=2026-01-01&to=2026-02-28&period=MONTH&by=COMPANY",
        &[
            "starts_on",
            "group",
            "active",
            "readers",
            "writers",
            "attendees",
        ],
    )
    .await;
    // Groups with activity in the range: 旧東京システム and 本社.
    assert_eq!(
        engagement,
        [
            ["2026-01-01", "合計", "11", "11", "0", "0"],
            ["2026-01-01", "旧東京システム", "5", "5", "0", "0"],
            ["2026-01-01", "本社", "6", "6", "0", "0"],
            // Three readers in February: withheld, total and group alike.
            ["2026-02-01", "合計", "", "", "0", "0"],
            ["2026-02-01", "旧東京システム", "0", "0", "0", "0"],
            ["2026-02-01", "本社", "", "", "0", "0"],
        ]
    );

    let reads = csv_rows(
        app,
        analyst,
        "/analytics/content-reads.csv?from=2026-01-01&to=2026-02-28",
        &["published_at", "title", "audience", "readers", "read_rate"],
    )
    .await;
    assert_eq!(reads[0][1], "'=HYPERLINK(\"https://evil.example\")");
    assert_eq!(reads[0][2..], ["25", "", ""]);
    assert_eq!(reads[1][1..], ["一月号", "25", "11", "0.4400"]);

    for (path, header) in [
        ("/analytics/funnel.csv?by=LEAVE_YEAR_BAND", "group"),
        (
            "/analytics/event-attendance.csv?from=2026-01-01&to=2026-03-31",
            "starts_at",
        ),
        (
            "/analytics/question-answers.csv?from=2026-01-01&to=2026-03-31",
            "month",
        ),
    ] {
        let response = app.client_as(analyst).get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body = response.bytes().await.unwrap();
        assert!(body.starts_with(b"\xEF\xBB\xBF"), "{path}");
        assert!(body[3..].starts_with(header.as_bytes()), "{path}");
    }
}

#[tokio::test]
async fn bad_arguments_and_unknown_files_are_refused_plainly() {
    let network = network().await;
    let client = network.fixture.app.client_as(&network.analyst);
    for path in [
        "/analytics/engagement.csv?to=2026-03-31",
        "/analytics/engagement.csv?from=yesterday&to=2026-03-31",
        "/analytics/engagement.csv?from=2026-01-01&to=2026-03-31&by=NAME",
        "/analytics/engagement.csv?from=2026-01-01&from=2026-02-01&to=2026-03-31",
        "/analytics/cohorts.csv",
    ] {
        let response = client.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{path}: {body}"
        );
    }
    assert_eq!(client.get("/analytics/members.csv").await.status(), 404);
}
