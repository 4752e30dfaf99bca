//! Proposals to management: the lifecycle from draft to done, who reads
//! and does what, "you said, we did" for members, follows and what
//! followers are told, the leak guard, data rights and the cost of a page.

use alumni_core::Role;
use alumni_test_support::{GqlResponse, TestApp, TestMember};
use serde_json::{Value, json};

use crate::support::{execute, item_id, rows, submit_anonymously, submit_named};

const CREATE: &str =
    "mutation($input: ProposalInput!) { createProposal(input: $input) { id state moderation } }";
const UPDATE: &str = "mutation($id: ID!, $input: ProposalInput!) { updateProposal(id: $id, input: $input) { id title } }";
const SUBMIT: &str = "mutation($id: ID!) { submitProposal(id: $id) { id state submittedAt } }";
const RESPOND: &str = "mutation($id: ID!, $input: ProposalAnswerInput!) { respondToProposal(id: $id, input: $input) { id state response responseReasons progress moderation } }";
const ADD_UPDATE: &str = "mutation($id: ID!, $input: ProposalUpdateInput!) { addProposalUpdate(proposalId: $id, input: $input) { id progress happenedOn proposal { state progress doneAt } } }";
const PUBLISH: &str =
    "mutation($id: ID!) { publishProposal(id: $id) { id published publishedAt } }";
const FOLLOW: &str = "mutation($id: ID!) { followProposal(id: $id) { id followed followerCount } }";
const UNFOLLOW: &str =
    "mutation($id: ID!) { unfollowProposal(id: $id) { id followed followerCount } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { ... on Proposal { id title state response themes { title } timeline { body } } } }";

/// The people who work on proposals.
struct Staff {
    secretariat: TestMember,
    management: TestMember,
}

async fn staff(app: &TestApp) -> Staff {
    Staff {
        secretariat: app.create_member(&[Role::Secretariat]).await,
        management: app.create_member(&[Role::Management]).await,
    }
}

/// A theme; its global id.
async fn theme(app: &TestApp, secretariat: &TestMember, title: &str) -> String {
    app.client_as(secretariat)
        .query_with(
            "mutation($input: FeedbackThemeInput!) { createFeedbackTheme(input: $input) { id } }",
            json!({ "input": { "title": title } }),
        )
        .await
        .data()["createFeedbackTheme"]["id"]
        .as_str()
        .expect("a theme")
        .to_owned()
}

/// Groups items into a theme.
async fn group(app: &TestApp, secretariat: &TestMember, items: &[&str], theme: &str) {
    app.client_as(secretariat)
        .query_with(
            "mutation($items: [ID!]!, $theme: ID!) { groupFeedback(itemIds: $items, themeId: $theme) { id } }",
            json!({ "items": items, "theme": theme }),
        )
        .await
        .data();
}

fn input(title: &str, themes: &[&str]) -> Value {
    json!({ "input": {
        "title": title,
        "body": format!("{title}を提言します。"),
        "themeIds": themes,
    } })
}

/// Creates a proposal as `member`; the response.
async fn create(app: &TestApp, member: &TestMember, title: &str, themes: &[&str]) -> GqlResponse {
    app.client_as(member)
        .query_with(CREATE, input(title, themes))
        .await
}

/// A draft; its global id.
async fn draft(app: &TestApp, secretariat: &TestMember, title: &str, theme: &str) -> String {
    create(app, secretariat, title, &[theme]).await.data()["createProposal"]["id"]
        .as_str()
        .expect("a proposal")
        .to_owned()
}

/// Runs a mutation on a proposal `id` as `member`; the response.
async fn act(app: &TestApp, member: &TestMember, mutation: &str, id: &str) -> GqlResponse {
    app.client_as(member)
        .query_with(mutation, json!({ "id": id }))
        .await
}

/// A submitted proposal; its global id.
async fn submitted(app: &TestApp, staff: &Staff, title: &str, theme: &str) -> String {
    let id = draft(app, &staff.secretariat, title, theme).await;
    act(app, &staff.secretariat, SUBMIT, &id).await.data();
    id
}

/// Management's answer as `member`; the response.
async fn respond(
    app: &TestApp,
    member: &TestMember,
    id: &str,
    response: &str,
    reasons: &str,
) -> GqlResponse {
    app.client_as(member)
        .query_with(
            RESPOND,
            json!({ "id": id, "input": { "response": response, "reasons": reasons } }),
        )
        .await
}

/// A timeline entry as `member`; the response.
async fn add_update(
    app: &TestApp,
    member: &TestMember,
    id: &str,
    day: &str,
    body: &str,
    progress: i32,
) -> GqlResponse {
    app.client_as(member)
        .query_with(
            ADD_UPDATE,
            json!({ "id": id, "input": { "happenedOn": day, "body": body, "progress": progress } }),
        )
        .await
}

/// A submitted proposal management accepted and the secretariat
/// published; its global id.
async fn published(app: &TestApp, staff: &Staff, title: &str, theme: &str) -> String {
    let id = submitted(app, staff, title, theme).await;
    act(app, &staff.secretariat, PUBLISH, &id).await.data();
    id
}

/// The kinds of `member`'s notifications about proposals, oldest first,
/// with the response or progress they carry.
async fn proposal_notices(app: &TestApp, member: &TestMember) -> Vec<(String, Value)> {
    let response = app
        .client_as(member)
        .query(
            "{ me { notifications(first: 50) { nodes { kind payload { \
               ... on ProposalNotice { response progress proposal { title } } } } } } }",
        )
        .await;
    let mut notices: Vec<(String, Value)> = response.data()["me"]["notifications"]["nodes"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|node| {
            node["kind"]
                .as_str()
                .unwrap_or("")
                .starts_with("feedback.proposal_")
        })
        .map(|node| {
            (
                node["kind"].as_str().unwrap().to_owned(),
                node["payload"].clone(),
            )
        })
        .collect();
    notices.reverse();
    notices
}

fn kinds(notices: &[(String, Value)]) -> Vec<&str> {
    notices.iter().map(|(kind, _)| kind.as_str()).collect()
}

/// The titles of the proposals list as `member` sees it with `args`.
async fn listed(app: &TestApp, member: &TestMember, args: &str) -> GqlResponse {
    app.client_as(member)
        .query(&format!(
            "{{ proposals(first: 100{args}) {{ totalCount nodes {{ title }} }} }}"
        ))
        .await
}

fn titles(response: &GqlResponse) -> Vec<String> {
    response.data()["proposals"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| node["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_proposal_goes_from_draft_to_submitted_answered_in_progress_and_done() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let first = theme(&app, &staff.secretariat, "評価制度の透明性").await;
    let second = theme(&app, &staff.secretariat, "評価者の研修").await;
    let created = create(&app, &staff.secretariat, "評価理由の文書化", &[&first]).await;
    let created = &created.data()["createProposal"];
    assert_eq!(created["state"], "DRAFT");
    assert_eq!(created["moderation"], "VISIBLE");
    let id = created["id"].as_str().unwrap().to_owned();

    // Management does not read drafts.
    let hidden = app
        .client_as(&staff.management)
        .query_with(NODE, json!({ "id": id }))
        .await;
    assert!(hidden.data()["node"].is_null());

    let rewritten = app
        .client_as(&staff.secretariat)
        .query_with(UPDATE, {
            let mut vars = input("評価理由を文書で伝える", &[&first, &second]);
            vars["id"] = json!(id);
            vars
        })
        .await;
    assert_eq!(
        rewritten.data()["updateProposal"]["title"],
        "評価理由を文書で伝える"
    );
    let submitted = act(&app, &staff.secretariat, SUBMIT, &id).await;
    assert_eq!(submitted.data()["submitProposal"]["state"], "SUBMITTED");
    let again = act(&app, &staff.secretariat, SUBMIT, &id).await;
    assert_eq!(
        again.expect_error("CONFLICT")["extensions"]["reason"],
        "ALREADY_SUBMITTED"
    );
    let late_edit = app
        .client_as(&staff.secretariat)
        .query_with(UPDATE, {
            let mut vars = input("書き換え", &[&first]);
            vars["id"] = json!(id);
            vars
        })
        .await;
    assert_eq!(
        late_edit.expect_error("CONFLICT")["extensions"]["reason"],
        "NOT_A_DRAFT"
    );

    let read = app
        .client_as(&staff.management)
        .query_with(NODE, json!({ "id": id }))
        .await;
    assert_eq!(read.data()["node"]["state"], "SUBMITTED");
    assert!(
        read.data()["node"]["themes"].is_null(),
        "themes are the secretariat's and analysts'"
    );
    let answered = respond(
        &app,
        &staff.management,
        &id,
        "ACCEPTED",
        "来期の評価から実施します。",
    )
    .await;
    let answered = &answered.data()["respondToProposal"];
    assert_eq!(answered["state"], "ANSWERED");
    assert_eq!(answered["response"], "ACCEPTED");
    assert_eq!(answered["progress"], 0);

    let step = add_update(
        &app,
        &staff.secretariat,
        &id,
        "2026-03-15",
        "制度案を作りました。",
        40,
    )
    .await;
    let step = &step.data()["addProposalUpdate"];
    assert_eq!(step["proposal"]["state"], "IN_PROGRESS");
    assert_eq!(step["proposal"]["progress"], 40);
    let done = add_update(
        &app,
        &staff.secretariat,
        &id,
        "2026-04-01",
        "全社で運用を始めました。",
        100,
    )
    .await;
    let done = &done.data()["addProposalUpdate"]["proposal"];
    assert_eq!(done["state"], "DONE");
    assert!(done["doneAt"].is_string());
    let after = add_update(&app, &staff.secretariat, &id, "2026-04-01", "追記", 100).await;
    assert_eq!(
        after.expect_error("CONFLICT")["extensions"]["reason"],
        "ALREADY_DONE"
    );

    let whole = app
        .client_as(&staff.secretariat)
        .query_with(NODE, json!({ "id": id }))
        .await;
    let whole = &whole.data()["node"];
    assert_eq!(whole["themes"].as_array().unwrap().len(), 2);
    assert_eq!(
        whole["timeline"],
        json!([{ "body": "制度案を作りました。" }, { "body": "全社で運用を始めました。" }])
    );
    for action in [
        "feedback.proposal_created",
        "feedback.proposal_updated",
        "feedback.proposal_submitted",
        "feedback.proposal_answered",
    ] {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
    assert_eq!(app.audit_count("feedback.proposal_progressed").await, 2);
}

#[tokio::test]
async fn members_read_only_published_proposals_on_every_path() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let topic = theme(&app, &staff.secretariat, "リモートワーク").await;
    let out = published(&app, &staff, "フルリモート制度", &topic).await;
    respond(
        &app,
        &staff.management,
        &out,
        "DECLINED",
        "情報管理の課題があるため見送ります。",
    )
    .await
    .data();
    let waiting = submitted(&app, &staff, "在宅手当", &topic).await;
    let unsent = draft(&app, &staff.secretariat, "サテライトオフィス", &topic).await;

    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    let moderator = app.create_member(&[Role::Moderator]).await;
    for member in [&alumnus, &employee, &analyst, &moderator] {
        for args in ["", ", published: true"] {
            let page = listed(&app, member, args).await;
            assert_eq!(titles(&page), ["フルリモート制度"]);
            assert_eq!(page.data()["proposals"]["totalCount"], 1);
        }
        listed(&app, member, ", published: false")
            .await
            .expect_error("FORBIDDEN");
        for hidden in [&waiting, &unsent] {
            let node = app
                .client_as(member)
                .query_with(NODE, json!({ "id": hidden }))
                .await;
            assert!(node.data()["node"].is_null());
        }
        let shown = app
            .client_as(member)
            .query_with(NODE, json!({ "id": out }))
            .await;
        assert_eq!(shown.data()["node"]["response"], "DECLINED");
    }
    // Themes and their proposals: the secretariat and analysts; an
    // analyst reads the published proposals of a theme only.
    let member_view = app
        .client_as(&alumnus)
        .query_with(NODE, json!({ "id": out }))
        .await;
    assert!(member_view.data()["node"]["themes"].is_null());
    let of_theme =
        "query($id: ID!) { node(id: $id) { ... on FeedbackTheme { proposals { title } } } }";
    let analysis = app
        .client_as(&analyst)
        .query_with(of_theme, json!({ "id": topic }))
        .await;
    assert_eq!(
        analysis.data()["node"]["proposals"],
        json!([{ "title": "フルリモート制度" }])
    );
    let analysed = app
        .client_as(&analyst)
        .query_with(NODE, json!({ "id": out }))
        .await;
    assert_eq!(
        analysed.data()["node"]["themes"],
        json!([{ "title": "リモートワーク" }])
    );
    let all = app
        .client_as(&staff.secretariat)
        .query_with(of_theme, json!({ "id": topic }))
        .await;
    assert_eq!(all.data()["node"]["proposals"].as_array().unwrap().len(), 3);

    // Management reads what was submitted, published or not.
    let board = listed(&app, &staff.management, "").await;
    assert_eq!(titles(&board), ["在宅手当", "フルリモート制度"]);
    let unpublished = listed(&app, &staff.management, ", published: false").await;
    assert_eq!(titles(&unpublished), ["在宅手当"]);
    let everything = listed(&app, &staff.secretariat, "").await;
    assert_eq!(everything.data()["proposals"]["totalCount"], 3);
    let drafts = listed(&app, &staff.secretariat, ", state: [DRAFT]").await;
    assert_eq!(titles(&drafts), ["サテライトオフィス"]);

    app.client()
        .query("{ proposals { totalCount } }")
        .await
        .expect_error("UNAUTHENTICATED");
    app.client()
        .query_with(NODE, json!({ "id": out }))
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn only_management_answers_a_submitted_proposal_and_only_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let topic = theme(&app, &staff.secretariat, "技術研修").await;
    let id = submitted(&app, &staff, "研修予算の個人割り当て", &topic).await;
    let unsent = draft(&app, &staff.secretariat, "勉強会の業務扱い", &topic).await;

    for role in [
        Role::Secretariat,
        Role::Alumnus,
        Role::Employee,
        Role::Analyst,
        Role::Moderator,
    ] {
        let member = app.create_member(&[role]).await;
        respond(&app, &member, &id, "ACCEPTED", "代わりに回答します。")
            .await
            .expect_error("FORBIDDEN");
    }
    respond(
        &app,
        &staff.secretariat,
        &id,
        "ACCEPTED",
        "代わりに回答します。",
    )
    .await
    .expect_error("FORBIDDEN");
    app.client()
        .query_with(
            RESPOND,
            json!({ "id": id, "input": { "response": "ACCEPTED", "reasons": "x" } }),
        )
        .await
        .expect_error("UNAUTHENTICATED");
    respond(
        &app,
        &staff.management,
        &unsent,
        "ACCEPTED",
        "下書きへの回答",
    )
    .await
    .expect_error("NOT_FOUND");
    let early = add_update(&app, &staff.secretariat, &id, "2026-04-01", "着手", 10).await;
    assert_eq!(
        early.expect_error("CONFLICT")["extensions"]["reason"],
        "NOT_ANSWERED"
    );

    let declined = respond(
        &app,
        &staff.management,
        &id,
        "DECLINED",
        "部署間の公平性に課題があるため見送ります。",
    )
    .await;
    let declined = &declined.data()["respondToProposal"];
    assert_eq!(declined["response"], "DECLINED");
    assert!(declined["progress"].is_null());
    let twice = respond(
        &app,
        &staff.management,
        &id,
        "ACCEPTED",
        "やはり採用します。",
    )
    .await;
    assert_eq!(
        twice.expect_error("CONFLICT")["extensions"]["reason"],
        "ALREADY_ANSWERED"
    );
    let progress = add_update(&app, &staff.secretariat, &id, "2026-04-01", "着手", 10).await;
    assert_eq!(
        progress.expect_error("CONFLICT")["extensions"]["reason"],
        "DECLINED"
    );
    assert_eq!(app.audit_count("feedback.proposal_answered").await, 1);
    assert_eq!(
        rows(&app, "feedback.proposals WHERE response = 'DECLINED'").await,
        1
    );
}

#[tokio::test]
async fn the_secretariats_operations_are_refused_to_everyone_else() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let topic = theme(&app, &staff.secretariat, "評価制度").await;
    let unsent = draft(&app, &staff.secretariat, "下書き", &topic).await;
    let accepted = submitted(&app, &staff, "採用された提言", &topic).await;
    respond(
        &app,
        &staff.management,
        &accepted,
        "ACCEPTED",
        "実施します。",
    )
    .await
    .data();
    let before = rows(&app, "feedback.proposals").await;

    let mut outsiders = Vec::new();
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Analyst,
        Role::Moderator,
        Role::Management,
    ] {
        outsiders.push(app.create_member(&[role]).await);
    }
    for member in &outsiders {
        create(&app, member, "勝手な提言", &[&topic])
            .await
            .expect_error("FORBIDDEN");
        let mut vars = input("書き換え", &[&topic]);
        vars["id"] = json!(unsent);
        app.client_as(member)
            .query_with(UPDATE, vars)
            .await
            .expect_error("FORBIDDEN");
        act(&app, member, SUBMIT, &unsent)
            .await
            .expect_error("FORBIDDEN");
        act(&app, member, PUBLISH, &accepted)
            .await
            .expect_error("FORBIDDEN");
        add_update(&app, member, &accepted, "2026-04-01", "進みました", 50)
            .await
            .expect_error("FORBIDDEN");
    }
    let signed_out = app.client();
    signed_out
        .query_with(CREATE, input("匿名の提言", &[&topic]))
        .await
        .expect_error("UNAUTHENTICATED");
    let mut edit = input("匿名の書き換え", &[&topic]);
    edit["id"] = json!(unsent);
    signed_out
        .query_with(UPDATE, edit)
        .await
        .expect_error("UNAUTHENTICATED");
    for mutation in [SUBMIT, PUBLISH] {
        signed_out
            .query_with(mutation, json!({ "id": accepted }))
            .await
            .expect_error("UNAUTHENTICATED");
    }
    signed_out
        .query_with(
            ADD_UPDATE,
            json!({ "id": accepted, "input": { "happenedOn": "2026-04-01", "body": "x", "progress": 1 } }),
        )
        .await
        .expect_error("UNAUTHENTICATED");

    assert_eq!(rows(&app, "feedback.proposals").await, before);
    assert_eq!(rows(&app, "feedback.proposal_updates").await, 0);
    assert_eq!(
        rows(
            &app,
            "feedback.proposals WHERE state = 'DRAFT' OR published_at IS NOT NULL"
        )
        .await,
        1,
        "the draft is still a draft and nothing was published"
    );
}

#[tokio::test]
async fn followers_are_told_of_the_answer_progress_and_completion_once_each() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let topic = theme(&app, &staff.secretariat, "評価制度").await;
    let id = published(&app, &staff, "評価理由の文書化", &topic).await;
    let follower = app.create_member(&[Role::Alumnus]).await;
    let quitter = app.create_member(&[Role::Employee]).await;
    let bystander = app.create_member(&[Role::Alumnus]).await;

    let followed = act(&app, &follower, FOLLOW, &id).await;
    assert_eq!(followed.data()["followProposal"]["followed"], true);
    // Following twice counts once.
    let again = act(&app, &follower, FOLLOW, &id).await;
    assert_eq!(again.data()["followProposal"]["followerCount"], 1);
    act(&app, &quitter, FOLLOW, &id).await.data();
    let left = act(&app, &quitter, UNFOLLOW, &id).await;
    assert_eq!(left.data()["unfollowProposal"]["followed"], false);
    assert_eq!(left.data()["unfollowProposal"]["followerCount"], 1);

    respond(
        &app,
        &staff.management,
        &id,
        "PARTLY_ACCEPTED",
        "一部を実施します。",
    )
    .await
    .data();
    add_update(
        &app,
        &staff.secretariat,
        &id,
        "2026-03-20",
        "記入欄を追加しました。",
        50,
    )
    .await
    .data();
    add_update(
        &app,
        &staff.secretariat,
        &id,
        "2026-04-01",
        "運用を始めました。",
        100,
    )
    .await
    .data();
    // Refused changes tell no one.
    respond(&app, &staff.management, &id, "ACCEPTED", "再回答")
        .await
        .expect_error("CONFLICT");
    act(&app, &staff.secretariat, PUBLISH, &id)
        .await
        .expect_error("CONFLICT");

    let told = proposal_notices(&app, &follower).await;
    assert_eq!(
        kinds(&told),
        [
            "feedback.proposal_answered",
            "feedback.proposal_progressed",
            "feedback.proposal_done",
        ]
    );
    assert_eq!(told[0].1["response"], "PARTLY_ACCEPTED");
    assert_eq!(told[0].1["proposal"]["title"], "評価理由の文書化");
    assert_eq!(told[1].1["progress"], 50);
    assert!(proposal_notices(&app, &quitter).await.is_empty());
    assert!(proposal_notices(&app, &bystander).await.is_empty());
}

#[tokio::test]
async fn following_is_for_alumni_and_employees_and_published_proposals() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let topic = theme(&app, &staff.secretariat, "評価制度").await;
    let out = published(&app, &staff, "公開済みの提言", &topic).await;
    let waiting = submitted(&app, &staff, "回答待ちの提言", &topic).await;
    for role in [
        Role::Analyst,
        Role::Moderator,
        Role::Management,
        Role::Secretariat,
    ] {
        let member = app.create_member(&[role]).await;
        for mutation in [FOLLOW, UNFOLLOW] {
            act(&app, &member, mutation, &out)
                .await
                .expect_error("FORBIDDEN");
        }
    }
    for mutation in [FOLLOW, UNFOLLOW] {
        app.client()
            .query_with(mutation, json!({ "id": out }))
            .await
            .expect_error("UNAUTHENTICATED");
    }
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    act(&app, &alumnus, FOLLOW, &waiting)
        .await
        .expect_error("NOT_FOUND");
    // An employee of the secretariat reads it, but may not follow it yet.
    let staff_employee = app
        .create_member(&[Role::Secretariat, Role::Employee])
        .await;
    let early = act(&app, &staff_employee, FOLLOW, &waiting).await;
    assert_eq!(
        early.expect_error("CONFLICT")["extensions"]["reason"],
        "NOT_PUBLISHED"
    );
    assert_eq!(rows(&app, "feedback.proposal_follows").await, 0);
}

#[tokio::test]
async fn named_authors_follow_automatically_and_anonymous_ones_are_never_linked() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let named = app.create_member(&[Role::Alumnus]).await;
    let anonymous = app.create_member(&[Role::Alumnus]).await;
    let later = app.create_member(&[Role::Employee]).await;
    let named_item = submit_named(&app, &named, "在宅勤務を選べるようにしてほしい").await;
    let receipt = submit_anonymously(&app, &anonymous, "介護で退職しました").await;
    let anonymous_item = item_id(&app, &staff.secretariat, "介護で退職しました").await;
    let topic = theme(&app, &staff.secretariat, "リモートワーク").await;
    group(
        &app,
        &staff.secretariat,
        &[&named_item, &anonymous_item],
        &topic,
    )
    .await;

    // Answered before publication: the followers learn it on publication.
    let id = submitted(&app, &staff, "フルリモート制度", &topic).await;
    respond(
        &app,
        &staff.management,
        &id,
        "ACCEPTED",
        "段階的に導入します。",
    )
    .await
    .data();
    add_update(
        &app,
        &staff.secretariat,
        &id,
        "2026-03-01",
        "試行を始めました。",
        30,
    )
    .await
    .data();
    assert_eq!(rows(&app, "feedback.proposal_follows").await, 0);
    act(&app, &staff.secretariat, PUBLISH, &id).await.data();

    let told = proposal_notices(&app, &named).await;
    assert_eq!(kinds(&told), ["feedback.proposal_published"]);
    assert_eq!(told[0].1["proposal"]["title"], "フルリモート制度");
    let seen = app
        .client_as(&named)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Proposal { followed followerCount } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(seen.data()["node"]["followed"], true);
    assert_eq!(seen.data()["node"]["followerCount"], 1);
    // Publishing wrote one follow, the named author's: nothing names the
    // anonymous author, here or in their notifications.
    assert_eq!(rows(&app, "feedback.proposal_follows").await, 1);
    assert_eq!(
        rows(
            &app,
            &format!(
                "feedback.proposal_follows WHERE member_id = '{}' AND automatic",
                named.id.0
            )
        )
        .await,
        1
    );
    for written in [
        "feedback.proposal_follows WHERE",
        "notify.notifications WHERE kind LIKE 'feedback.%' AND",
    ] {
        assert_eq!(
            rows(&app, &format!("{written} member_id = '{}'", anonymous.id.0)).await,
            0,
            "{written}"
        );
    }

    // The anonymous author reads the proposal through the receipt,
    // signed out.
    let status = app
        .client()
        .query_with(
            "query($receipt: String!) { feedbackByReceipt(receipt: $receipt) { proposals { \
               title response followed followerCount themes { title } timeline { body progress } } } }",
            json!({ "receipt": receipt }),
        )
        .await;
    assert_eq!(
        status.data()["feedbackByReceipt"]["proposals"],
        json!([{
            "title": "フルリモート制度", "response": "ACCEPTED", "followed": false,
            "followerCount": 1, "themes": null,
            "timeline": [{ "body": "試行を始めました。", "progress": 30 }],
        }])
    );

    // Named feedback grouped later joins the followers (once); anonymous
    // feedback grouped later does not.
    let later_item = submit_named(&app, &later, "転勤先から働きたい").await;
    submit_anonymously(&app, &anonymous, "育児との両立が難しかった").await;
    let later_anonymous = item_id(&app, &staff.secretariat, "育児との両立が難しかった").await;
    group(
        &app,
        &staff.secretariat,
        &[&later_item, &later_anonymous],
        &topic,
    )
    .await;
    group(&app, &staff.secretariat, &[&later_item], &topic).await;
    assert_eq!(
        kinds(&proposal_notices(&app, &later).await),
        ["feedback.proposal_published"]
    );
    assert_eq!(rows(&app, "feedback.proposal_follows").await, 2);
    assert_eq!(
        rows(
            &app,
            &format!(
                "feedback.proposal_follows WHERE member_id = '{}'",
                anonymous.id.0
            )
        )
        .await,
        0
    );

    // Whoever unfollowed is not followed again by grouping.
    act(&app, &named, UNFOLLOW, &id).await.data();
    let another = submit_named(&app, &named, "もう一つの意見").await;
    group(&app, &staff.secretariat, &[&another], &topic).await;
    let again = app
        .client_as(&named)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Proposal { followed } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(again.data()["node"]["followed"], false);
    assert_eq!(proposal_notices(&app, &named).await.len(), 1);
}

#[tokio::test]
async fn the_leak_guard_screens_proposals_and_withheld_texts_reach_followers_when_released() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let moderator = app.create_member(&[Role::Moderator]).await;
    for (term, action) in [("オリオン計画", "BLOCK"), ("北斗銀行", "HOLD")] {
        app.client_as(&staff.secretariat)
            .query_with(
                "mutation($input: ModerationRuleInput!) { createModerationRule(input: $input) { id } }",
                json!({ "input": {
                    "name": term, "category": "CONFIDENTIAL", "kind": "TERM", "terms": [term],
                    "action": action, "scope": "EVERYWHERE", "explanation": "社外秘です",
                } }),
            )
            .await
            .data();
    }
    let topic = theme(&app, &staff.secretariat, "評価制度").await;
    create(&app, &staff.secretariat, "オリオン計画の評価", &[&topic])
        .await
        .expect_error("CONTENT_BLOCKED");
    assert_eq!(rows(&app, "feedback.proposals").await, 0);

    // A held draft may go to management but is not published until a
    // moderator releases it.
    let held = create(&app, &staff.secretariat, "北斗銀行の案件の評価", &[&topic]).await;
    assert_eq!(held.data()["createProposal"]["moderation"], "HELD");
    let held = held.data()["createProposal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    act(&app, &staff.secretariat, SUBMIT, &held).await.data();
    let refused = act(&app, &staff.secretariat, PUBLISH, &held).await;
    assert_eq!(
        refused.expect_error("CONFLICT")["extensions"]["reason"],
        "HELD_FOR_REVIEW"
    );
    release(&app, &moderator, &held).await;
    act(&app, &staff.secretariat, PUBLISH, &held).await.data();

    // A held entry of a published proposal stays from members, and its
    // followers hear of it when it is released, once.
    let follower = app.create_member(&[Role::Alumnus]).await;
    act(&app, &follower, FOLLOW, &held).await.data();
    respond(&app, &staff.management, &held, "ACCEPTED", "実施します。")
        .await
        .data();
    let entry = add_update(
        &app,
        &staff.secretariat,
        &held,
        "2026-04-01",
        "北斗銀行と調整しました。",
        20,
    )
    .await;
    let entry = entry.data()["addProposalUpdate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let timeline = app
        .client_as(&follower)
        .query_with(NODE, json!({ "id": held }))
        .await;
    assert_eq!(timeline.data()["node"]["timeline"], json!([]));
    let node = app
        .client_as(&follower)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on ProposalUpdate { body } } }",
            json!({ "id": entry }),
        )
        .await;
    assert!(node.data()["node"].is_null());
    assert_eq!(
        kinds(&proposal_notices(&app, &follower).await),
        ["feedback.proposal_answered"]
    );
    release(&app, &moderator, &entry).await;
    assert_eq!(
        kinds(&proposal_notices(&app, &follower).await),
        ["feedback.proposal_answered", "feedback.proposal_progressed"]
    );
    let shown = app
        .client_as(&follower)
        .query_with(NODE, json!({ "id": held }))
        .await;
    assert_eq!(
        shown.data()["node"]["timeline"],
        json!([{ "body": "北斗銀行と調整しました。" }])
    );
}

/// Releases the held content `subject` from the review queue.
async fn release(app: &TestApp, moderator: &TestMember, subject: &str) {
    let queue = app
        .client_as(moderator)
        .query("{ moderationQueue(first: 20) { nodes { id subjectId } } }")
        .await;
    let case = queue.data()["moderationQueue"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["subjectId"] == subject)
        .expect("a case for the held text")["id"]
        .clone();
    app.client_as(moderator)
        .query_with(
            "mutation($id: ID!) { resolveModerationCase(id: $id, resolution: RELEASED) { id } }",
            json!({ "id": case }),
        )
        .await
        .data();
}

#[tokio::test]
async fn bad_input_and_unknown_ids_are_refused_without_writing_anything() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let topic = theme(&app, &staff.secretariat, "評価制度").await;
    let id = submitted(&app, &staff, "評価理由の文書化", &topic).await;
    respond(&app, &staff.management, &id, "ACCEPTED", "実施します。")
        .await
        .data();
    let unknown_theme = global("FeedbackTheme");
    let proposals_before = rows(&app, "feedback.proposals").await;
    for (title, themes) in [("", vec![topic.as_str()]), ("題", vec![])] {
        create(&app, &staff.secretariat, title, &themes)
            .await
            .expect_error("BAD_USER_INPUT");
    }
    create(&app, &staff.secretariat, "題", &[&unknown_theme])
        .await
        .expect_error("NOT_FOUND");
    create(&app, &staff.secretariat, "題", &["not-an-id"])
        .await
        .expect_error("BAD_USER_INPUT");
    assert_eq!(rows(&app, "feedback.proposals").await, proposals_before);

    for progress in [-1, 101] {
        add_update(
            &app,
            &staff.secretariat,
            &id,
            "2026-04-01",
            "進捗",
            progress,
        )
        .await
        .expect_error("BAD_USER_INPUT");
    }
    add_update(
        &app,
        &staff.secretariat,
        &id,
        "2026-04-02",
        "明日のこと",
        10,
    )
    .await
    .expect_error("BAD_USER_INPUT");
    add_update(&app, &staff.secretariat, &id, "2026-04-01", " ", 10)
        .await
        .expect_error("BAD_USER_INPUT");
    respond(&app, &staff.management, &id, "ACCEPTED", "   ")
        .await
        .expect_error("BAD_USER_INPUT");
    assert_eq!(rows(&app, "feedback.proposal_updates").await, 0);

    // A well-formed id of no proposal is NOT_FOUND everywhere; a malformed
    // one is bad input.
    let nowhere = global("Proposal");
    let nowhere = nowhere.as_str();
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    for (member, mutation) in [
        (&staff.secretariat, SUBMIT),
        (&staff.secretariat, PUBLISH),
        (&alumnus, FOLLOW),
        (&alumnus, UNFOLLOW),
    ] {
        act(&app, member, mutation, nowhere)
            .await
            .expect_error("NOT_FOUND");
        act(&app, member, mutation, "not-an-id")
            .await
            .expect_error("BAD_USER_INPUT");
    }
    respond(&app, &staff.management, nowhere, "ACCEPTED", "実施します。")
        .await
        .expect_error("NOT_FOUND");
    add_update(&app, &staff.secretariat, nowhere, "2026-04-01", "進捗", 10)
        .await
        .expect_error("NOT_FOUND");
}

#[tokio::test]
async fn a_followers_data_is_exported_and_goes_with_them() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let topic = theme(&app, &staff.secretariat, "評価制度").await;
    let id = published(&app, &staff, "評価理由の文書化", &topic).await;
    respond(&app, &staff.management, &id, "ACCEPTED", "実施します。")
        .await
        .data();
    add_update(
        &app,
        &staff.secretariat,
        &id,
        "2026-04-01",
        "始めました。",
        10,
    )
    .await
    .data();
    let follower = app.create_member(&[Role::Alumnus]).await;
    act(&app, &follower, FOLLOW, &id).await.data();

    let export = app
        .client_as(&follower)
        .query("mutation { exportMyData }")
        .await;
    let follows = &export.data()["exportMyData"]["feedback"]["proposalFollows"];
    assert_eq!(follows[0]["title"], "評価理由の文書化");
    assert_eq!(follows[0]["automatic"], false);
    assert!(follows[0]["unfollowedAt"].is_null());

    app.client_as(&follower)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    assert_eq!(rows(&app, "feedback.proposal_follows").await, 0);
    // (The last secretariat member may not leave.)
    app.create_member(&[Role::Secretariat]).await;
    for member in [&staff.secretariat, &staff.management] {
        app.client_as(member)
            .query("mutation { withdrawMembership(confirm: true) }")
            .await
            .data();
    }
    assert_eq!(
        rows(
            &app,
            "feedback.proposals WHERE created_by IS NULL AND responded_by IS NULL AND response = 'ACCEPTED'"
        )
        .await,
        1,
        "the proposal and its answer stay without names"
    );
    assert_eq!(
        rows(&app, "feedback.proposal_updates WHERE created_by IS NULL").await,
        1
    );
}

/// A well-formed global id of `node_type` that names nothing.
fn global(node_type: &str) -> String {
    alumni_core::GlobalId {
        node_type: node_type.to_owned(),
        uuid: uuid::Uuid::now_v7(),
    }
    .encode()
    .0
}

/// Published proposals with themes, timelines and followers, written
/// directly: `count` of them on `theme`, each followed by `follower`.
async fn many_published(app: &TestApp, count: usize, theme: &str, follower: &TestMember) {
    let theme = alumni_core::GlobalId::decode(&theme.to_owned().into(), "theme")
        .unwrap()
        .uuid;
    execute(
        app,
        &format!(
            "WITH made AS (
               INSERT INTO feedback.proposals (id, title, body, state, moderation, created_at,
                   updated_at, submitted_at, published_at, response, response_reasons,
                   responded_at, progress)
               SELECT gen_random_uuid(), '提言 ' || n, '本文', 'IN_PROGRESS', 'VISIBLE',
                   now() - n * interval '1 minute', now(), now(), now(), 'ACCEPTED', '理由',
                   now(), 50
                 FROM generate_series(1, {count}) AS n
               RETURNING id
             ), themed AS (
               INSERT INTO feedback.proposal_themes (proposal_id, theme_id)
               SELECT id, '{theme}' FROM made
             ), followed AS (
               INSERT INTO feedback.proposal_follows (proposal_id, member_id, automatic, created_at)
               SELECT id, '{}', false, now() FROM made
             )
             INSERT INTO feedback.proposal_updates (id, proposal_id, happened_on, body, progress,
                 moderation, created_at)
             SELECT gen_random_uuid(), id, '2026-03-01', '進みました', 50, 'VISIBLE', now() FROM made",
            follower.id.0
        ),
    )
    .await;
}

#[tokio::test]
async fn a_page_of_proposals_costs_the_same_at_10_and_100() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let topic = theme(&app, &staff.secretariat, "評価制度").await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    many_published(&app, 100, &topic, &alumnus).await;
    const PAGE: &str = "query($first: Int!) { proposals(first: $first, published: true) {
        totalCount nodes {
            id title state response responseReasons progress followerCount followed
            themes { title itemCount }
            timeline { happenedOn body progress }
        } } }";
    for member in [&staff.secretariat, &alumnus] {
        let client = app.client_as(member);
        client.query_with(PAGE, json!({ "first": 1 })).await.data();
        let mut costs = Vec::new();
        for first in [10, 100] {
            let (response, statements) = app
                .count_statements(client.query_with(PAGE, json!({ "first": first })))
                .await;
            let nodes = response.data()["proposals"]["nodes"]
                .as_array()
                .unwrap()
                .clone();
            assert_eq!(nodes.len(), first);
            assert!(nodes.iter().all(|node| {
                node["timeline"].as_array().unwrap().len() == 1
                    && node["followerCount"] == 1
                    && node["followed"] == (member.id == alumnus.id)
            }));
            costs.push(statements);
        }
        assert_eq!(
            costs[0], costs[1],
            "statements for 10 and 100 proposals as {}",
            member.email
        );
    }
}
