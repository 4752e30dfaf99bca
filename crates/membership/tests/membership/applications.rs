//! Applications: eligibility against the roster, review by the secretariat,
//! refusals, invitations.

use alumni_core::Role;
use alumni_test_support::TestApp;
use chrono::Duration;
use serde_json::json;

use crate::support::{
    SATO, SUZUKI, TAKAHASHI, applied, apply, import, roster, sato_application, world,
};

const MY_APPLICATION: &str =
    "{ myApplication { status approvalBasis rejectionReason fullName company { name } } }";

const QUEUE: &str = "query Queue($first: Int) {
    pendingApplications(first: $first) {
        nodes {
            id fullName status
            applicant { email status }
            candidates { matchedOn entry { id employeeNumber fullName company { shortName } } }
        }
    }
}";

const APPROVE: &str = "mutation($id: ID!, $entry: ID) { approveApplication(id: $id, rosterEntryId: $entry) { status approvalBasis } }";

#[tokio::test]
async fn a_roster_match_is_approved_at_once() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO, TAKAHASHI])).await;

    let (token, _) = applied(app, sato_application(&world.company_id)).await;
    let member = app.client().with_token(token);
    let mine = member.query(MY_APPLICATION).await;
    assert_eq!(mine.data()["myApplication"]["status"], "APPROVED");
    assert_eq!(
        mine.data()["myApplication"]["approvalBasis"],
        "ROSTER_MATCH"
    );

    let me = member
        .query("{ me { roles member { displayName formerSurnames employment { leftYear company { shortName } } } } }")
        .await;
    let me = &me.data()["me"];
    assert_eq!(me["roles"], json!(["ALUMNUS"]));
    assert_eq!(me["member"]["displayName"], "佐藤 花子");
    assert_eq!(me["member"]["formerSurnames"], json!(["山田"]));
    assert_eq!(me["member"]["employment"]["leftYear"], 2015);
    assert_eq!(me["member"]["employment"]["company"]["shortName"], "kansai");
}

#[tokio::test]
async fn an_email_known_to_the_roster_matches_despite_a_kanji_variant() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[TAKAHASHI])).await;
    let mut input = sato_application(&world.company_id);
    input["email"] = json!("Ichiro@Old.example");
    input["fullName"] = json!("髙橋 一郎");
    input["fullNameKana"] = json!("たかはし いちろう");
    input["formerSurnames"] = json!([]);
    input["employeeNumber"] = json!("E1002");
    input["joinedOn"] = json!("1998-04-01");
    input["leftOn"] = json!("2012-09-30");
    let response = apply(app, input).await;
    assert_eq!(
        response.data()["applyForMembership"]["application"]["status"],
        "APPROVED"
    );
}

#[tokio::test]
async fn without_a_match_the_secretariat_reviews_with_roster_candidates() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO, TAKAHASHI, SUZUKI])).await;
    let mut input = sato_application(&world.company_id);
    input["employeeNumber"] = json!(null);
    input["fullName"] = json!("佐藤 華子");
    let (token, application_id) = applied(app, input).await;
    let applicant = app.client().with_token(token);

    // The applicant sees their application and nothing else.
    let mine = applicant.query(MY_APPLICATION).await;
    assert_eq!(mine.data()["myApplication"]["status"], "PENDING_REVIEW");
    assert_eq!(
        mine.data()["myApplication"]["company"]["name"],
        "関西システムズ株式会社"
    );
    applicant
        .query("{ me { roles } }")
        .await
        .expect_error("FORBIDDEN");
    applicant
        .query("{ members { nodes { id } } }")
        .await
        .expect_error("FORBIDDEN");

    let queue = app.client_as(&world.secretariat).query(QUEUE).await;
    let pending = queue.data()["pendingApplications"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["applicant"]["status"], "APPLICANT");
    assert_eq!(pending[0]["applicant"]["email"], "hanako.sato@new.example");
    let best = &pending[0]["candidates"][0];
    assert_eq!(best["entry"]["employeeNumber"], "E1001");
    assert_eq!(best["matchedOn"], json!(["KANA", "COMPANY_AND_LEAVE_DATE"]));

    let approved = app
        .client_as(&world.secretariat)
        .query_with(
            APPROVE,
            json!({ "id": application_id, "entry": best["entry"]["id"] }),
        )
        .await;
    assert_eq!(approved.data()["approveApplication"]["status"], "APPROVED");
    assert_eq!(
        approved.data()["approveApplication"]["approvalBasis"],
        "SECRETARIAT"
    );

    let me = applicant
        .query("{ me { roles member { displayName } } }")
        .await;
    assert_eq!(me.data()["me"]["roles"], json!(["ALUMNUS"]));
    let again = app
        .client_as(&world.secretariat)
        .query_with(APPROVE, json!({ "id": application_id }))
        .await;
    again.expect_error("CONFLICT");
}

#[tokio::test]
async fn a_rejection_reaches_the_applicant_with_its_reason() {
    let world = world().await;
    let app = &world.app;
    let mut input = sato_application(&world.company_id);
    input["employeeNumber"] = json!(null);
    let (token, application_id) = applied(app, input).await;

    let rejected = app
        .client_as(&world.secretariat)
        .query_with(
            "mutation($id: ID!) { rejectApplication(id: $id, reason: \"在籍記録を確認できませんでした\") { status } }",
            json!({ "id": application_id }),
        )
        .await;
    assert_eq!(rejected.data()["rejectApplication"]["status"], "REJECTED");
    let mine = app.client().with_token(token).query(MY_APPLICATION).await;
    assert_eq!(
        mine.data()["myApplication"]["rejectionReason"],
        "在籍記録を確認できませんでした"
    );
}

#[tokio::test]
async fn applications_are_refused_for_clear_reasons() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO])).await;
    let base = sato_application(&world.company_id);

    let mut future = base.clone();
    future["leftOn"] = json!("2027-03-31");
    let response = apply(app, future).await;
    assert_eq!(
        response.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "input.leftOn"
    );

    let mut not_kana = base.clone();
    not_kana["fullNameKana"] = json!("Sato Hanako");
    let response = apply(app, not_kana).await;
    assert_eq!(
        response.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "input.fullNameKana"
    );

    let mut unknown_company = base.clone();
    unknown_company["companyId"] = json!(
        alumni_core::GlobalId {
            node_type: "Company".into(),
            uuid: uuid::Uuid::now_v7()
        }
        .encode()
        .0
    );
    let response = apply(app, unknown_company).await;
    assert_eq!(
        response.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "input.companyId"
    );

    let mut no_consent = base.clone();
    no_consent["consentPurposes"] = json!(["NEWSLETTER"]);
    apply(app, no_consent).await.expect_error("BAD_USER_INPUT");

    applied(app, base.clone()).await;

    // The same person again, with another address.
    let mut same_person = base.clone();
    same_person["email"] = json!("hanako.again@new.example");
    let response = apply(app, same_person).await;
    assert!(
        response.expect_error("CONFLICT")["message"]
            .as_str()
            .unwrap()
            .contains("this person")
    );

    // Someone else with an address already in use.
    let mut taken = base.clone();
    taken["fullName"] = json!("別人 太郎");
    taken["fullNameKana"] = json!("べつじん たろう");
    taken["employeeNumber"] = json!(null);
    let response = apply(app, taken).await;
    assert!(
        response.expect_error("CONFLICT")["message"]
            .as_str()
            .unwrap()
            .contains("e-mail")
    );
}

#[tokio::test]
async fn only_the_secretariat_decides() {
    let world = world().await;
    let app = &world.app;
    let mut input = sato_application(&world.company_id);
    input["employeeNumber"] = json!(null);
    let (applicant_token, application_id) = applied(app, input).await;
    let approve = json!({ "id": application_id });

    app.client()
        .query_with(APPROVE, approve.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    app.client()
        .with_token(applicant_token)
        .query_with(APPROVE, approve.clone())
        .await
        .expect_error("FORBIDDEN");
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Moderator,
        Role::Analyst,
    ] {
        let member = app.create_member(&[role]).await;
        app.client_as(&member)
            .query_with(APPROVE, approve.clone())
            .await
            .expect_error("FORBIDDEN");
        app.client_as(&member)
            .query(QUEUE)
            .await
            .expect_error("FORBIDDEN");
        // Nor can anyone else read the application: to them it is not there.
        let node = app
            .client_as(&member)
            .query_with("query($id: ID!) { node(id: $id) { id } }", approve.clone())
            .await;
        assert_eq!(node.data()["node"], json!(null));
    }
}

const INVITE: &str = "mutation($days: Int) { createInvitation(input: { note: \"田中さん\", validForDays: $days }) { code invitation { status expiresAt } } }";

async fn invite(app: &TestApp, secretariat: &alumni_test_support::TestMember, days: i64) -> String {
    let response = app
        .client_as(secretariat)
        .query_with(INVITE, json!({ "days": days }))
        .await;
    assert_eq!(
        response.data()["createInvitation"]["invitation"]["status"],
        "UNUSED"
    );
    response.data()["createInvitation"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn invitation_codes_preapprove_once_and_expire() {
    let world = world().await;
    let app = &world.app;
    let code = invite(app, &world.secretariat, 30).await;

    // Not on the roster, but invited.
    let mut invited = sato_application(&world.company_id);
    invited["employeeNumber"] = json!(null);
    invited["invitationCode"] = json!(code.to_lowercase());
    let response = apply(app, invited.clone()).await;
    let application = &response.data()["applyForMembership"]["application"];
    assert_eq!(application["status"], "APPROVED");
    assert_eq!(application["approvalBasis"], "INVITATION");

    let mut second = invited.clone();
    second["email"] = json!("someone.else@new.example");
    second["fullName"] = json!("別人 太郎");
    second["fullNameKana"] = json!("べつじん たろう");
    let reused = apply(app, second.clone()).await;
    assert!(
        reused.expect_error("BAD_USER_INPUT")["message"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );

    let short_lived = invite(app, &world.secretariat, 1).await;
    app.clock.advance(Duration::days(2));
    second["invitationCode"] = json!(short_lived);
    let expired = apply(app, second.clone()).await;
    assert!(
        expired.expect_error("BAD_USER_INPUT")["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    second["invitationCode"] = json!("NOPE-NOPE-NOPE");
    let unknown = apply(app, second).await;
    assert!(
        unknown.expect_error("BAD_USER_INPUT")["message"]
            .as_str()
            .unwrap()
            .contains("not a valid")
    );

    let alumnus = app.create_member(&[Role::Alumnus]).await;
    app.client_as(&alumnus)
        .query_with(INVITE, json!({ "days": 30 }))
        .await
        .expect_error("FORBIDDEN");
}

#[tokio::test]
async fn a_refused_application_does_not_use_up_its_invitation() {
    let world = world().await;
    let app = &world.app;
    let member = app.create_member(&[Role::Alumnus]).await;
    let code = invite(app, &world.secretariat, 30).await;
    let mut input = sato_application(&world.company_id);
    input["invitationCode"] = json!(code);
    input["email"] = json!(member.email);
    apply(app, input.clone()).await.expect_error("CONFLICT");

    input["email"] = json!("fresh@new.example");
    let response = apply(app, input).await;
    assert_eq!(
        response.data()["applyForMembership"]["application"]["approvalBasis"],
        "INVITATION"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applications_racing_for_one_person_admit_one() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO])).await;
    let first = sato_application(&world.company_id);
    let mut second = first.clone();
    second["email"] = json!("hanako.twin@new.example");
    let (a, b) = tokio::join!(apply(app, first), apply(app, second));
    let codes = [a.error_code(), b.error_code()];
    assert!(codes.contains(&None), "one succeeds: {codes:?}");
    assert!(
        codes.contains(&Some("CONFLICT")),
        "the other is refused: {codes:?}"
    );
}

#[tokio::test]
async fn the_review_queue_costs_the_same_statements_for_any_length() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO, TAKAHASHI, SUZUKI])).await;
    for n in 0..8 {
        let mut input = sato_application(&world.company_id);
        input["email"] = json!(format!("applicant{n}@new.example"));
        input["employeeNumber"] = json!(null);
        input["fullName"] = json!(format!("候補 {n}"));
        input["leftOn"] = json!(format!("2015-03-{:02}", 10 + n));
        applied(app, input).await;
    }
    let client = app.client_as(&world.secretariat);
    let (two, two_cost) = app
        .count_statements(client.query_with(QUEUE, json!({ "first": 2 })))
        .await;
    let (eight, eight_cost) = app
        .count_statements(client.query_with(QUEUE, json!({ "first": 8 })))
        .await;
    assert_eq!(
        two.data()["pendingApplications"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        eight.data()["pendingApplications"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(two_cost, eight_cost);
}
