//! Applications: eligibility against the roster, review by the secretariat,
//! refusals, invitations.

use alumni_core::Role;
use alumni_test_support::TestApp;
use chrono::Duration;
use serde_json::json;

use crate::support::{
    SATO, SUZUKI, TAKAHASHI, applied, apply, import, roster, sato_application,
    sign_in_as_applicant, verified, world,
};

const MY_APPLICATION: &str =
    "{ myApplication { status approvalBasis rejectionReason fullName company { name } } }";

const QUEUE: &str = "query Queue($first: Int) {
    pendingApplications(first: $first) {
        nodes {
            id fullName status
            applicant { email status }
            possibleDuplicate
            possibleDuplicateOf { id fullName status applicant { email } }
            candidates { matchedOn entry { id employeeNumber fullName company { shortName } } }
        }
    }
}";

const APPROVE: &str = "mutation($id: ID!, $entry: ID) { approveApplication(id: $id, rosterEntryId: $entry) { status approvalBasis } }";

#[tokio::test]
async fn a_roster_match_by_a_listed_address_is_approved_once_the_address_is_verified() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO, TAKAHASHI])).await;

    let input = sato_application(&world.company_id);
    apply(app, input.clone()).await.data();
    let token = sign_in_as_applicant(app, &input).await;
    let member = app.client().with_token(token.clone());
    let mine = member
        .query("{ myApplication { status emailVerified } }")
        .await;
    assert_eq!(
        mine.data()["myApplication"],
        json!({ "status": "PENDING_REVIEW", "emailVerified": false }),
        "nothing is approved before the address is proven"
    );
    let verify = "mutation($code: String!) { verifyEmail(code: $code) { status emailVerified } }";
    member
        .query_with(verify, json!({ "code": "000000" }))
        .await
        .expect_error("BAD_USER_INPUT");
    let answered = verified(app, &token, "hanako@old.example").await;
    assert_eq!(
        answered,
        json!({ "status": "APPROVED", "approvalBasis": "ROSTER_MATCH", "emailVerified": true })
    );
    // A used code works no more.
    member
        .query_with(
            verify,
            json!({ "code": app.verification_code("hanako@old.example").await }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
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
    let (token, _) = applied(app, input).await;
    let mine = app.client().with_token(token).query(MY_APPLICATION).await;
    assert_eq!(mine.data()["myApplication"]["status"], "APPROVED");
}

#[tokio::test]
async fn without_a_match_the_secretariat_reviews_with_roster_candidates() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO, TAKAHASHI, SUZUKI])).await;
    let mut input = sato_application(&world.company_id);
    input["email"] = json!("hanako.sato@new.example");
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

    let mut bad_address = base.clone();
    bad_address["email"] = json!("hanako.example");
    let response = apply(app, bad_address).await;
    assert_eq!(
        response.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "input.email"
    );

    let mut short_password = base.clone();
    short_password["password"] = json!("short");
    let response = apply(app, short_password).await;
    assert_eq!(
        response.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "input.password"
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
    let (token, _) = applied(app, invited.clone()).await;
    let mine = app.client().with_token(token).query(MY_APPLICATION).await;
    assert_eq!(mine.data()["myApplication"]["status"], "APPROVED");
    assert_eq!(mine.data()["myApplication"]["approvalBasis"], "INVITATION");

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
async fn an_invitation_used_with_a_taken_address_is_used_up_like_any_other() {
    let world = world().await;
    let app = &world.app;
    let member = app.create_member(&[Role::Alumnus]).await;
    let code = invite(app, &world.secretariat, 30).await;
    let mut input = sato_application(&world.company_id);
    input["invitationCode"] = json!(code);
    input["email"] = json!(member.email);
    apply(app, input.clone()).await.data();

    // Were the code still good, it would tell that the first address was
    // taken.
    input["email"] = json!("fresh@new.example");
    let reused = apply(app, input).await;
    assert!(
        reused.expect_error("BAD_USER_INPUT")["message"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_roster_matches_racing_for_one_person_admit_one() {
    let world = world().await;
    let app = &world.app;
    // Both addresses are on the roster, so either application may be the
    // one approved.
    let both = SATO.replace(
        "hanako@old.example",
        "hanako@old.example;hanako.twin@new.example",
    );
    import(app, &roster(&[&both])).await;
    let first = sato_application(&world.company_id);
    let mut second = first.clone();
    second["email"] = json!("hanako.twin@new.example");
    let (a, b) = tokio::join!(apply(app, first.clone()), apply(app, second.clone()));
    a.data();
    b.data();
    let mut statuses = Vec::new();
    for input in [&first, &second] {
        let token = sign_in_as_applicant(app, input).await;
        verified(app, &token, input["email"].as_str().unwrap()).await;
        let mine = app.client().with_token(token).query(MY_APPLICATION).await;
        statuses.push(mine.data()["myApplication"]["status"].clone());
    }
    statuses.sort_by_key(ToString::to_string);
    assert_eq!(statuses, [json!("APPROVED"), json!("PENDING_REVIEW")]);
    let queue = app.client_as(&world.secretariat).query(QUEUE).await;
    let pending = &queue.data()["pendingApplications"]["nodes"];
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(pending[0]["possibleDuplicate"], true);
}

#[tokio::test]
async fn the_review_queue_costs_the_same_statements_for_any_length() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO, TAKAHASHI, SUZUKI])).await;
    applied(app, sato_application(&world.company_id)).await;
    // Possible duplicates of 佐藤 花子's approved application, so that the
    // page also shows what each may duplicate.
    for n in 0..8 {
        let mut input = sato_application(&world.company_id);
        input["email"] = json!(format!("applicant{n}@new.example"));
        input["employeeNumber"] = json!(null);
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
    let eight = eight.data()["pendingApplications"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(eight.len(), 8);
    assert!(
        eight.iter().all(|node| {
            node["possibleDuplicateOf"]["applicant"]["email"] == "hanako@old.example"
        })
    );
    assert_eq!(two_cost, eight_cost);
}

/// What an applicant sees of their own application.
const MINE_IN_FULL: &str = "{ myApplication {
    status approvalBasis rejectionReason fullName fullNameKana employeeNumber leftOn decidedAt
    applicant { id } rosterEntry { id } candidates { matchedOn } possibleDuplicate possibleDuplicateOf { id }
} }";

/// The three ways an application can collide with other people, each with
/// its own applicant so that they do not collide with one another.
fn colliding_inputs(company_id: &str, taken_email: &str) -> [(&'static str, serde_json::Value); 3] {
    let mut taken_address = sato_application(company_id);
    taken_address["email"] = json!(taken_email);
    taken_address["password"] = json!("a different password of mine");
    taken_address["fullName"] = json!("別人 太郎");
    taken_address["fullNameKana"] = json!("べつじん たろう");
    taken_address["employeeNumber"] = json!(null);
    taken_address["leftOn"] = json!("2019-03-31");
    let mut employee_number = sato_application(company_id);
    employee_number["email"] = json!("ichiro.tanaka@new.example");
    employee_number["fullName"] = json!("田中 一郎");
    employee_number["fullNameKana"] = json!("たなか いちろう");
    employee_number["leftOn"] = json!("2010-03-31");
    let mut name_and_leave_date = sato_application(company_id);
    name_and_leave_date["email"] = json!("hanako.guess@new.example");
    name_and_leave_date["employeeNumber"] = json!(null);
    [
        ("an address with an account", taken_address),
        ("an employee number with an application", employee_number),
        ("a name and leave date of a member", name_and_leave_date),
    ]
}

#[tokio::test]
async fn applications_that_collide_with_other_people_are_answered_like_fresh_ones() {
    // Where 佐藤 花子 (E1001, left 2015-03-31) is a member and
    // member1@test.example has an account…
    let world = world().await;
    let app = &world.app;
    let member = app.create_member(&[Role::Alumnus]).await;
    import(app, &roster(&[SATO])).await;
    let (_, sato_application_id) = applied(app, sato_application(&world.company_id)).await;
    // …and where nobody is.
    let fresh = crate::support::world().await;

    let colliding = colliding_inputs(&world.company_id, &member.email);
    let in_fresh_world = colliding_inputs(&fresh.company_id, &member.email);
    for ((case, input), (_, fresh_input)) in colliding.iter().zip(&in_fresh_world) {
        let answer = apply(app, input.clone()).await;
        let fresh_answer = apply(&fresh.app, fresh_input.clone()).await;
        assert_eq!(answer.status, fresh_answer.status, "{case}");
        assert_eq!(answer.body, fresh_answer.body, "{case}");
        assert_eq!(
            answer.data()["applyForMembership"]["email"],
            input["email"],
            "{case}"
        );
    }

    // Signed in, an applicant who collided sees a pending application like
    // anyone else's.
    for ((case, input), (_, fresh_input)) in colliding.iter().zip(&in_fresh_world).skip(1) {
        let token = sign_in_as_applicant(app, input).await;
        let mine = app.client().with_token(token).query(MINE_IN_FULL).await;
        let fresh_token = sign_in_as_applicant(&fresh.app, fresh_input).await;
        let fresh_mine = fresh
            .app
            .client()
            .with_token(fresh_token)
            .query(MINE_IN_FULL)
            .await;
        assert_eq!(mine.data(), fresh_mine.data(), "{case}");
        assert_eq!(mine.data()["myApplication"]["status"], "PENDING_REVIEW");
    }

    // The address's owner keeps their account and password; the new
    // password does not sign in (the one remaining signal, until the owner
    // is told by mail).
    let login = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }";
    let (_, taken) = &colliding[0];
    app.client()
        .query_with(
            login,
            json!({ "email": member.email, "password": taken["password"] }),
        )
        .await
        .expect_error("UNAUTHENTICATED");
    app.client()
        .query_with(
            login,
            json!({ "email": member.email, "password": alumni_test_support::TEST_PASSWORD }),
        )
        .await
        .data();
    let audit = app
        .client_as(&world.secretariat)
        .query_with(
            "query($id: ID) { auditEvents(filter: { subjectId: $id, action: \"membership.application_for_taken_email\" }) { nodes { actor { id } details } } }",
            json!({ "id": member.global_id() }),
        )
        .await;
    assert_eq!(
        audit.data()["auditEvents"]["nodes"],
        json!([{ "actor": null, "details": { "invitationId": null } }])
    );

    // The secretariat sees the other two as possible duplicates of 佐藤 花子.
    let queue = app.client_as(&world.secretariat).query(QUEUE).await;
    let pending = queue.data()["pendingApplications"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let flagged: Vec<(&str, &str)> = pending
        .iter()
        .map(|node| {
            assert_eq!(node["possibleDuplicate"], true);
            (
                node["fullName"].as_str().unwrap(),
                node["possibleDuplicateOf"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flagged,
        [
            ("田中 一郎", sato_application_id.as_str()),
            ("佐藤 花子", sato_application_id.as_str()),
        ]
    );
}

#[tokio::test]
async fn a_possible_duplicate_is_approved_only_once_the_other_is_rejected() {
    let world = world().await;
    let app = &world.app;
    let mut input = sato_application(&world.company_id);
    input["employeeNumber"] = json!(null);
    let (_, first) = applied(app, input.clone()).await;
    input["email"] = json!("hanako.again@new.example");
    let (_, second) = applied(app, input).await;
    let secretariat = app.client_as(&world.secretariat);

    let refused = secretariat
        .query_with(APPROVE, json!({ "id": second }))
        .await;
    assert!(
        refused.expect_error("CONFLICT")["message"]
            .as_str()
            .unwrap()
            .contains("name and leave date")
    );
    secretariat
        .query_with(
            "mutation($id: ID!) { rejectApplication(id: $id, reason: \"重複\") { status } }",
            json!({ "id": first }),
        )
        .await
        .data();
    let approved = secretariat
        .query_with(APPROVE, json!({ "id": second }))
        .await;
    assert_eq!(approved.data()["approveApplication"]["status"], "APPROVED");
    let node = secretariat
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Application { possibleDuplicate possibleDuplicateOf { id } } } }",
            json!({ "id": second }),
        )
        .await;
    assert_eq!(
        node.data()["node"],
        json!({ "possibleDuplicate": false, "possibleDuplicateOf": null })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_concurrent_applications_for_one_person_leave_exactly_one_unflagged() {
    let world = world().await;
    let app = &world.app;
    let inputs: Vec<_> = (0..10)
        .map(|n| {
            let mut input = sato_application(&world.company_id);
            input["email"] = json!(format!("hanako{n}@new.example"));
            input["employeeNumber"] = json!(null);
            input
        })
        .collect();
    let answers =
        futures_util::future::join_all(inputs.iter().map(|input| apply(app, input.clone()))).await;
    for answer in &answers {
        answer.data();
    }

    let queue = app
        .client_as(&world.secretariat)
        .query_with(QUEUE, json!({ "first": 20 }))
        .await;
    let pending = queue.data()["pendingApplications"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(pending.len(), 10);
    let (unflagged, flagged): (Vec<_>, Vec<_>) = pending
        .iter()
        .partition(|node| node["possibleDuplicate"] == false);
    assert_eq!(unflagged.len(), 1, "{pending:#?}");
    assert!(
        flagged
            .iter()
            .all(|node| node["possibleDuplicateOf"]["id"] == unflagged[0]["id"]),
        "{pending:#?}"
    );
}

/// Applications of different people, so that none collides with another.
fn stranger(world: &crate::support::World, n: usize) -> serde_json::Value {
    let mut input = sato_application(&world.company_id);
    input["email"] = json!(format!("stranger{n}@new.example"));
    input["fullName"] = json!(format!("見知らぬ 人{n}"));
    input["employeeNumber"] = json!(format!("X{n}"));
    input
}

#[tokio::test]
async fn each_client_may_submit_only_so_many_applications() {
    let world = world().await;
    let app = &world.app;
    let client = app.client().from_address("203.0.113.20");
    for n in 0..10 {
        client
            .query_with(
                crate::support::APPLY,
                json!({ "input": stranger(&world, n) }),
            )
            .await
            .data();
    }
    let refused = client
        .query_with(
            crate::support::APPLY,
            json!({ "input": stranger(&world, 10) }),
        )
        .await;
    refused.expect_error("RATE_LIMITED");
    app.client()
        .from_address("203.0.113.21")
        .query_with(
            crate::support::APPLY,
            json!({ "input": stranger(&world, 11) }),
        )
        .await
        .data();
}

#[tokio::test]
async fn a_request_hashes_one_applicants_password() {
    let world = world().await;
    let batch = json!([
        { "query": crate::support::APPLY, "variables": { "input": stranger(&world, 1) } },
        { "query": crate::support::APPLY, "variables": { "input": stranger(&world, 2) } },
    ]);
    let answers = world.app.client().post_json(&batch).await;
    let answers = answers.body.as_array().expect("a batch answer");
    assert!(answers[0]["errors"].is_null(), "{:#}", answers[0]);
    assert_eq!(
        answers[1]["errors"][0]["extensions"]["code"],
        "RATE_LIMITED"
    );
}

/// The attack from the membership notes: a former colleague who knows 佐藤
/// 花子's employee number, name and leave date applies under their own
/// address. Verifying that address proves nothing about 佐藤 花子, so the
/// application waits for the secretariat instead of being approved.
#[tokio::test]
async fn knowing_a_colleagues_number_name_and_leave_date_no_longer_admits_an_impostor() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO])).await;
    let mut impostor = sato_application(&world.company_id);
    impostor["email"] = json!("someone.else@elsewhere.example");
    let (token, _) = applied(app, impostor).await;
    let mine = app
        .client()
        .with_token(token.clone())
        .query("{ myApplication { status approvalBasis emailVerified } }")
        .await;
    assert_eq!(
        mine.data()["myApplication"],
        json!({ "status": "PENDING_REVIEW", "approvalBasis": null, "emailVerified": true })
    );
    app.client()
        .with_token(token)
        .query("{ members { nodes { id } } }")
        .await
        .expect_error("FORBIDDEN");
    let queue = app
        .client_as(&world.secretariat)
        .query("{ pendingApplications { nodes { fullName emailVerified candidates { entry { employeeNumber } } } } }")
        .await;
    let pending = &queue.data()["pendingApplications"]["nodes"][0];
    assert_eq!(pending["fullName"], "佐藤 花子");
    assert_eq!(pending["emailVerified"], true);
    assert_eq!(pending["candidates"][0]["entry"]["employeeNumber"], "E1001");
}

#[tokio::test]
async fn a_verification_code_expires_and_a_new_one_replaces_it() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO])).await;
    let input = sato_application(&world.company_id);
    apply(app, input.clone()).await.data();
    let token = sign_in_as_applicant(app, &input).await;
    let member = app.client().with_token(token.clone());
    let stale = app.verification_code("hanako@old.example").await;
    app.clock.advance(Duration::minutes(31));
    let verify = "mutation($code: String!) { verifyEmail(code: $code) { status } }";
    let expired = member.query_with(verify, json!({ "code": stale })).await;
    expired.expect_error("BAD_USER_INPUT");
    assert!(
        expired.errors()[0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    member
        .query("mutation { resendVerificationCode }")
        .await
        .data();
    member
        .query("mutation { resendVerificationCode }")
        .await
        .expect_error("RATE_LIMITED");
    let fresh = app.verification_code("hanako@old.example").await;
    assert_ne!(fresh, stale);
    let approved = member.query_with(verify, json!({ "code": fresh })).await;
    assert_eq!(approved.data()["verifyEmail"]["status"], "APPROVED");
}
