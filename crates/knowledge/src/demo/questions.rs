//! The demo community's questions and answers, and who is open to
//! questions on what: a year of questions (see [`super::year`]), then the
//! ones the demo shows first, asked in the last weeks.

use std::sync::Arc;

use alumni_core::clock::ManualClock;
use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, MemberId, Role, RoleSet};
use alumni_membership::demo::DemoMembers;
use chrono::{DateTime, Duration, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;

use super::year::{self, Asked};
use crate::KnowledgeService;
use crate::model::Availability;
use crate::service::{AvailabilityInput, QuestionInput};

/// A demo question: who asks (an index into the demo's people), its
/// text and tags, and its answers (who, what, whether accepted).
struct DemoQuestion {
    asker: usize,
    title: &'static str,
    body: &'static str,
    tags: &'static [&'static str],
    answers: &'static [(usize, &'static str, bool)],
}

const QUESTIONS: &[DemoQuestion] = &[
    DemoQuestion {
        asker: 0,
        title: "オンプレの基幹システムをクラウドへ移行するとき、最初の半年で何を決めるべきですか",
        body: "製造業の情シスに転職しました。ERP と周辺システムを AWS へ移す計画が動き始めています。\n\n- 移行方式（リフト＆シフトか作り直しか）\n- ネットワーク設計\n- 運用体制\n\nどれから手を付けるべきか、経験のある方の意見を伺いたいです。",
        tags: &["AWS", "設計", "運用"],
        answers: &[
            (
                3,
                "最初に決めるべきは**移行の判断基準**です。業務停止許容時間、データ量、保守期限の三つで各システムを仕分けると、方式はほぼ自動的に決まります。",
                true,
            ),
            (
                5,
                "ネットワークは後から変えるのが一番大変なので、Direct Connect を使うか、CIDR の割り当てをどうするかは早めに。",
                false,
            ),
        ],
    },
    DemoQuestion {
        asker: 1,
        title: "Kubernetes 運用で、夜間のアラートを減らすコツはありますか",
        body: "SRE チームで EKS を運用しています。Pod の再起動アラートが毎晩のように鳴り、当番が疲弊しています。",
        tags: &["Kubernetes", "SRE", "運用"],
        answers: &[
            (
                4,
                "アラートは「人が今すぐ動く必要があるか」で選別しましょう。再起動単体ではなく、SLO のバーンレートで通知するようにしたら夜間の呼び出しが 8 割減りました。",
                true,
            ),
            (
                6,
                "liveness probe の閾値が厳しすぎるケースも多いです。起動に時間がかかるアプリは startupProbe を分けると落ち着きます。",
                false,
            ),
            (
                2,
                "PodDisruptionBudget の設定漏れでノード更新のたびに鳴っていたこともありました。",
                false,
            ),
        ],
    },
    DemoQuestion {
        asker: 2,
        title: "要件定義で業務部門と合意が取れず手戻りが続きます",
        body: "受託開発の PM をしています。要件定義書にサインをもらったあとで「そういう意味ではなかった」と言われることが続いています。",
        tags: &["要件定義", "プロジェクトマネジメント"],
        answers: &[(
            0,
            "文章だけで合意しないことです。画面のモックと、実データを使った業務シナリオで読み合わせると、認識違いが早く見つかります。",
            true,
        )],
    },
    DemoQuestion {
        asker: 3,
        title: "COBOL から Java への移行で、数値計算の結果が合いません",
        body: "COMP-3（パック十進）の項目を Java の double で扱ったところ、月次集計で 1 円ずれる件が出ています。",
        tags: &["COBOL", "Java", "メインフレーム"],
        answers: &[
            (
                7,
                "double は使わず BigDecimal にしてください。丸めも COBOL の ROUNDED 指定に合わせて RoundingMode.HALF_UP を明示する必要があります。",
                true,
            ),
            (
                1,
                "移行ツールが生成したコードだと、中間結果の桁数が COBOL と違うことがあります。PIC 句の桁数で途中の値も切り捨てているか確認を。",
                false,
            ),
        ],
    },
    DemoQuestion {
        asker: 4,
        title: "Rust を社内に導入するとき、最初のプロジェクトに何を選びましたか",
        body: "Go と Python が中心のチームです。Rust に興味がある人は多いのですが、最初の題材選びで迷っています。",
        tags: &["Rust", "Go"],
        answers: &[(
            5,
            "CLI ツールやログ変換のバッチのような、失敗しても業務が止まらないものから始めました。所有権に慣れるまで 1〜2 か月見ておくと安心です。",
            false,
        )],
    },
    DemoQuestion {
        asker: 5,
        title: "Terraform の state をチームで安全に共有する方法",
        body: "S3 + DynamoDB のロックを使っていますが、誤って本番の state を壊しかけたことがあります。皆さんの運用ルールを教えてください。",
        tags: &["Terraform", "AWS"],
        answers: &[(
            6,
            "環境ごとに state を分け、本番への apply は CI からのみ、人の権限は plan までにしています。",
            true,
        )],
    },
    DemoQuestion {
        asker: 6,
        title: "テスト自動化をレガシーな画面に後付けするには",
        body: "10 年物の業務システムで、E2E テストがありません。まずどこから手を付ければ投資対効果が出ますか。",
        tags: &["テスト自動化", "設計"],
        answers: &[(
            2,
            "毎月の締め処理のような、壊れると困る一本の業務シナリオだけを自動化するところから。画面の ID が不安定なら data-testid を足すのが先です。",
            false,
        )],
    },
    DemoQuestion {
        asker: 7,
        title: "PostgreSQL のバキュームが追いつかず、テーブルが肥大化しています",
        body: "更新の多いテーブルで autovacuum が間に合わず、ディスクが逼迫しています。",
        tags: &["PostgreSQL", "運用"],
        answers: &[(
            3,
            "そのテーブルだけ autovacuum_vacuum_scale_factor を小さくし、cost_limit を上げるのが定石です。長時間のトランザクションが残っていないかも確認してください。",
            true,
        )],
    },
    DemoQuestion {
        asker: 1,
        title: "データ分析基盤を小さく始めるなら、どの構成がおすすめですか",
        body: "従業員 200 人の会社で、Excel 集計から卒業したいと考えています。予算は限られています。",
        tags: &["データ分析", "Google Cloud"],
        answers: &[],
    },
    DemoQuestion {
        asker: 2,
        title: "SAP の保守切れに向けた移行計画の立て方",
        body: "2027 年の保守期限が迫っています。S/4HANA へ移るか、別製品にするかの判断材料を集めています。",
        tags: &["SAP", "要件定義"],
        answers: &[],
    },
    DemoQuestion {
        asker: 0,
        title: "組込み開発から Web 系に転職して最初に学ぶべきこと",
        body: "C++ で車載の組込みをしていました。Web 系の会社で働くことになり、何から学ぶべきか悩んでいます。",
        tags: &["組込み", "C++", "TypeScript"],
        answers: &[],
    },
];

/// The question closed as a duplicate of the first.
const DUPLICATE: (usize, &str) = (5, "基幹システムのクラウド移行、何から決めればいい？");

#[derive(QueryableByName)]
struct Skill {
    #[diesel(sql_type = SqlUuid)]
    member_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    name: String,
}

/// The people of the community: alumni and employees, taking turns.
fn people(members: &DemoMembers) -> Vec<(MemberId, RoleSet)> {
    let alumni = members
        .alumni
        .iter()
        .map(|id| (*id, RoleSet::default().with(Role::Alumnus)));
    let employees = members
        .employees
        .iter()
        .map(|id| (*id, RoleSet::default().with(Role::Employee)));
    let mut people: Vec<(MemberId, RoleSet)> = Vec::new();
    let (mut alumni, mut employees) = (alumni.peekable(), employees.peekable());
    while alumni.peek().is_some() || employees.peek().is_some() {
        people.extend(alumni.next());
        people.extend(alumni.next());
        people.extend(employees.next());
    }
    people
}

/// Days before the demo is loaded that the questions it shows first
/// begin; the year's questions come before.
const RECENT_DAYS: i64 = 40;

/// Writes the demo questions and answers, each at the time it was asked
/// or answered, and sets who takes questions.
pub async fn seed(service: &KnowledgeService, members: &DemoMembers) -> AppResult<()> {
    let people = people(members);
    if people.len() < 8 {
        return Ok(());
    }
    seed_availability(service, &people).await?;
    let now = service.context().now();
    let clock = Arc::new(ManualClock::new(now));
    let service = service.with_clock(clock.clone());
    let mut rng = fastrand::Rng::with_seed(2026_1217);
    let recent = now - Duration::days(RECENT_DAYS);
    let history = year::plan(
        &mut rng,
        members,
        &people,
        (now - Duration::days(365), recent),
        now,
    );
    for asked in history {
        write(&service, &clock, asked).await?;
    }
    let mut first = None;
    let spacing = Duration::days(RECENT_DAYS - 4) / i32::try_from(QUESTIONS.len()).unwrap_or(1);
    // Nothing after the present: the latest things happen up to an hour ago.
    let before_now = |at: DateTime<Utc>| at.min(now - Duration::hours(1));
    for (index, question) in QUESTIONS.iter().enumerate() {
        let asker = people[question.asker % people.len()];
        let slot = recent + spacing * i32::try_from(index).unwrap_or(0);
        let at = members
            .presence_of(asker.0)
            .and_then(|presence| presence.next_visit(slot))
            .unwrap_or(slot)
            + Duration::minutes(rng.i64(3..20));
        let mut answered_at = at;
        let mut answers = Vec::new();
        let mut accepted = None;
        for (index, (author, body, accept)) in question.answers.iter().enumerate() {
            answered_at = before_now(answered_at + Duration::hours(rng.i64(1..40)));
            answers.push((
                people[*author % people.len()],
                answered_at,
                (*body).to_owned(),
            ));
            if *accept {
                accepted = Some(index);
            }
        }
        let accepted = accepted.map(|index| {
            (
                index,
                before_now(answered_at + Duration::hours(rng.i64(2..30))),
            )
        });
        let id = write(
            &service,
            &clock,
            Asked {
                asker,
                at: before_now(at),
                title: question.title.to_owned(),
                body: question.body.to_owned(),
                tags: question.tags.iter().map(|tag| (*tag).to_owned()).collect(),
                answers,
                accepted,
            },
        )
        .await?;
        first.get_or_insert(id);
    }
    if let Some(original) = first {
        let asker = people[DUPLICATE.0 % people.len()];
        let viewer = demo_viewer(asker.0, asker.1);
        clock.set(now - Duration::days(3));
        let duplicate = service
            .ask_question(
                &viewer,
                QuestionInput {
                    title: DUPLICATE.1.to_owned(),
                    body: "ERP をクラウドに移すことになりました。最初に決めることを知りたいです。"
                        .to_owned(),
                    tags: vec!["AWS".to_owned()],
                    confirm_warnings: true,
                },
            )
            .await?;
        clock.set(now - Duration::days(3) + Duration::hours(2));
        service
            .close_as_duplicate(&viewer, duplicate.id, original)
            .await?;
    }
    Ok(())
}

/// Asks the question, answers it and accepts an answer, each at its time.
async fn write(
    service: &KnowledgeService,
    clock: &ManualClock,
    asked: Asked,
) -> AppResult<crate::model::QuestionId> {
    let asker = demo_viewer(asked.asker.0, asked.asker.1);
    clock.set(asked.at);
    let question = service
        .ask_question(
            &asker,
            QuestionInput {
                title: asked.title,
                body: asked.body,
                tags: asked.tags,
                confirm_warnings: true,
            },
        )
        .await?;
    let mut answer_ids = Vec::new();
    for ((member, roles), at, body) in asked.answers {
        clock.set(at);
        let answer = service
            .answer_question(&demo_viewer(member, roles), question.id, &body, true)
            .await?;
        answer_ids.push(answer.id);
    }
    if let Some((index, at)) = asked.accepted
        && let Some(answer) = answer_ids.get(index)
    {
        clock.set(at);
        service.accept_answer(&asker, *answer).await?;
    }
    Ok(question.id)
}

/// Varied availability: of the first members with skills visible to
/// members, some open, some limited, some closed on each skill.
async fn seed_availability(
    service: &KnowledgeService,
    people: &[(MemberId, RoleSet)],
) -> AppResult<()> {
    let ids: Vec<uuid::Uuid> = people.iter().take(24).map(|(id, _)| id.0).collect();
    let mut conn = service.context().conn().await?;
    let skills: Vec<Skill> = diesel::sql_query(
        "SELECT s.member_id, t.name FROM membership.member_skills s \
         JOIN membership.tags t ON t.id = s.tag_id \
         JOIN membership.profiles p ON p.member_id = s.member_id \
         WHERE s.member_id = ANY($1) AND p.skills_visibility = 'MEMBERS' \
         ORDER BY s.member_id, t.slug",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .load(&mut conn)
    .await?;
    drop(conn);
    for (index, skill) in skills.iter().enumerate() {
        let Some((member, roles)) = people.iter().find(|(id, _)| id.0 == skill.member_id) else {
            continue;
        };
        let (availability, max_open_requests) = match index % 4 {
            0 | 1 => (Availability::Open, None),
            2 => (Availability::Limited, Some(2)),
            _ => (Availability::Closed, None),
        };
        service
            .set_availability(
                &demo_viewer(*member, *roles),
                AvailabilityInput {
                    tag: skill.name.clone(),
                    availability: Some(availability),
                    max_open_requests,
                },
            )
            .await?;
    }
    Ok(())
}
