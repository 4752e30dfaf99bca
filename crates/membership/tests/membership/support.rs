//! Shared set-up: a secretariat, a predecessor company, roster files and
//! applications.

use alumni_core::Role;
use alumni_membership::service::RosterImportReport;
use alumni_test_support::{GqlResponse, TEST_PASSWORD, TestApp, TestMember};
use serde_json::{Value, json};

/// An application with a secretariat member and one predecessor company.
pub struct World {
    pub app: TestApp,
    pub secretariat: TestMember,
    /// Global id of 関西システムズ株式会社 (short name `kansai`).
    pub company_id: String,
}

pub async fn world() -> World {
    world_on(TestApp::spawn().await).await
}

/// The same world on an application started with other settings.
pub async fn world_on(app: TestApp) -> World {
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let response = app
        .client_as(&secretariat)
        .query_with(
            "mutation($input: CompanyInput!) { createCompany(input: $input) { id } }",
            json!({ "input": { "name": "関西システムズ株式会社", "shortName": "kansai", "mergedOn": "2008-04-01" } }),
        )
        .await;
    let company_id = response.data()["createCompany"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        app,
        secretariat,
        company_id,
    }
}

pub const ROSTER_HEADER: &str = "employee_number,full_name,full_name_kana,former_surnames,emails,company,joined_on,left_on,last_department\n";

/// A roster file with these rows (no header needed).
pub fn roster(rows: &[&str]) -> String {
    format!("{ROSTER_HEADER}{}\n", rows.join("\n"))
}

pub async fn import(app: &TestApp, csv: &str) -> RosterImportReport {
    app.services
        .membership
        .import_roster(csv.as_bytes())
        .await
        .expect("import ran")
        .expect("file accepted")
}

/// The roster rows most tests use.
pub const SATO: &str =
    "E1001,佐藤 花子,さとう はなこ,山田,hanako@old.example,kansai,2001-04-01,2015-03-31,開発一部";
pub const TAKAHASHI: &str =
    "E1002,高橋 一郎,たかはし いちろう,,ichiro@old.example,kansai,1998-04-01,2012-09-30,営業本部";
pub const SUZUKI: &str =
    "E1003,鈴木 健太,すずき けんた,,,kansai,2005-04-01,2019-03-31,インフラ基盤部";

pub const APPLY: &str = "mutation Apply($input: ApplyForMembershipInput!) {
    applyForMembership(input: $input) { email message }
}";

const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }";

/// An application for 佐藤 花子 of the roster, matching by default.
pub fn sato_application(company_id: &str) -> Value {
    json!({
        "email": "hanako@old.example",
        "password": TEST_PASSWORD,
        "fullName": "佐藤 花子",
        "fullNameKana": "さとう はなこ",
        "formerSurnames": ["山田"],
        "employeeNumber": "E1001",
        "companyId": company_id,
        "joinedOn": "2001-04-01",
        "leftOn": "2015-03-31",
        "lastDepartment": "開発一部",
        "acceptedTermsVersion": "",
        "consentPurposes": ["MEMBERSHIP"],
    })
}

pub async fn apply(app: &TestApp, input: Value) -> GqlResponse {
    app.client()
        .query_with(APPLY, json!({ "input": input }))
        .await
}

/// Signs in with an application's address and password, as an applicant
/// does to follow it; returns the token.
pub async fn sign_in_as_applicant(app: &TestApp, input: &Value) -> String {
    let response = app
        .client()
        .query_with(
            LOGIN,
            json!({ "email": input["email"], "password": input["password"] }),
        )
        .await;
    response.data()["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Applies, signs in as the applicant, verifies the address with the code
/// mailed to it, and returns `(token, application id)`.
pub async fn applied(app: &TestApp, input: Value) -> (String, String) {
    apply(app, input.clone()).await.data();
    let token = sign_in_as_applicant(app, &input).await;
    verified(app, &token, input["email"].as_str().unwrap()).await;
    let mine = app
        .client()
        .with_token(token.clone())
        .query("{ myApplication { id } }")
        .await;
    let id = mine.data()["myApplication"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (token, id)
}

/// Verifies the applicant's address with the code mailed to it; returns
/// the application as `verifyEmail` answers it.
pub async fn verified(app: &TestApp, token: &str, email: &str) -> Value {
    let code = app.verification_code(email).await;
    let response = app
        .client()
        .with_token(token)
        .query_with(
            "mutation($code: String!) { verifyEmail(code: $code) { status approvalBasis emailVerified } }",
            json!({ "code": code }),
        )
        .await;
    response.data()["verifyEmail"].clone()
}

/// Rows in a table of membership's schema; `table` may end in a `WHERE`.
pub async fn rows_in(app: &TestApp, table: &str) -> i64 {
    use diesel_async::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let mut conn = app.database().connect().await;
    diesel::sql_query(format!("SELECT count(*) AS count FROM membership.{table}"))
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .count
}
