//! Demo data of the collaboration board and of consultations: a few
//! offers and searches with members interested in them, posted over the
//! last weeks (a post stays on the board for a month), and requests in
//! every state an expert's answer (or silence) leads to, over the year.

use std::sync::Arc;

use alumni_core::clock::ManualClock;
use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, MemberId, Role, RoleSet, Viewer};
use alumni_membership::demo::DemoMembers;
use chrono::Duration;
use diesel_async::AsyncConnection as _;

use crate::KnowledgeService;
use crate::model::{BoardDirection, ConsultationId};
use crate::service::{
    ANSWER_WITHIN_DAYS, BoardPostInput, ConsultationAnswer, ConsultationRequest,
    ExpertSettingsInput,
};
use crate::store::consultations as consultation_store;

/// A board post of the demo: its author (an index into the alumni), kind,
/// direction, title, body and tags, and who is interested (indexes into
/// the alumni) with their notes.
struct DemoPost {
    author: usize,
    kind: &'static str,
    direction: BoardDirection,
    title: &'static str,
    body: &'static str,
    tags: &'static [&'static str],
    interested: &'static [(usize, &'static str)],
    closed: bool,
}

const POSTS: &[DemoPost] = &[
    DemoPost {
        author: 0,
        kind: "study_group",
        direction: BoardDirection::Seeking,
        title: "勉強会の仲間募集: Rust",
        body: "隔週の木曜夜に、オンラインで Rust の勉強会を始めます。\n\n\
               - 教材: *The Rust Programming Language* を一章ずつ\n\
               - 後半は async/await と tokio で小さな API サーバーを作ります\n\
               - 1 回 90 分、途中参加も歓迎です\n\n\
               Rust は初めてでも大丈夫です。一緒に続けられる方を 4〜5 人探しています。",
        tags: &["Rust", "勉強会", "非同期処理"],
        interested: &[
            (
                3,
                "Go は書いていますが Rust は初めてです。ぜひ参加させてください。",
            ),
            (4, "tokio の回だけでも参加できますか？"),
            (7, ""),
        ],
        closed: false,
    },
    DemoPost {
        author: 1,
        kind: "speaker",
        direction: BoardDirection::Seeking,
        title: "登壇者を探しています: レガシー移行のリアル",
        body: "地域のエンジニアコミュニティで、来月「レガシーシステム移行のリアル」をテーマに LT 会を開きます。\n\n\
               COBOL やオンプレミスの基盤から段階的に移行した経験を、15 分ほどで話していただける方を探しています。\n\
               失敗談も大歓迎です。会場は大阪、オンライン登壇も可能です。",
        tags: &["登壇", "レガシー移行", "LT"],
        interested: &[(
            5,
            "メインフレームからクラウドへの移行を 3 年担当しました。お話しできます。",
        )],
        closed: false,
    },
    DemoPost {
        author: 2,
        kind: "side_business",
        direction: BoardDirection::Offering,
        title: "副業でデータ基盤を手伝えます",
        body: "BigQuery と dbt を使ったデータ基盤づくりを、週 8 時間ほど副業でお手伝いできます。\n\n\
               - 既存のデータの棚卸しとモデリング\n\
               - dbt のテストとドキュメントの整備\n\
               - Looker Studio でのダッシュボード作成\n\n\
               スタートアップや NPO のご相談も歓迎します。まずは気軽に声をかけてください。",
        tags: &["データ基盤", "BigQuery", "dbt"],
        interested: &[
            (0, "社内の売上データの集計を整理したいと考えています。"),
            (
                6,
                "NPO の寄付データの可視化をお願いできるか相談させてください。",
            ),
        ],
        closed: false,
    },
    DemoPost {
        author: 3,
        kind: "project_partner",
        direction: BoardDirection::Seeking,
        title: "Kubernetes Operator を OSS で一緒に作りませんか",
        body: "PostgreSQL のバックアップを宣言的に管理する Kubernetes Operator を OSS として開発しています。\n\n\
               Go と controller-runtime の経験がある方、ドキュメントやテストを手伝ってくださる方を募集しています。\
               週末に 1〜2 時間、GitHub 上で進めるペースです。",
        tags: &["Kubernetes", "Go", "OSS"],
        interested: &[(
            1,
            "controller-runtime は業務で使っています。レビューからお手伝いできます。",
        )],
        closed: false,
    },
    DemoPost {
        author: 5,
        kind: "study_group",
        direction: BoardDirection::Offering,
        title: "輪読会: データ指向アプリケーション設計",
        body: "『データ指向アプリケーション設計』を月 2 回のペースで輪読します。\
               担当章の要約を 10 分で発表し、残りの時間で議論する形式です。分散システムに興味のある方はどなたでもどうぞ。",
        tags: &["分散システム", "輪読会"],
        interested: &[],
        closed: false,
    },
    DemoPost {
        author: 6,
        kind: "other",
        direction: BoardDirection::Seeking,
        title: "モバイルアプリの UI をレビューしてくれる方",
        body: "個人で開発している家計簿アプリ（Flutter）の UI を、デザイナーの目線でレビューしていただける方を探していました。\
               おかげさまで見つかりましたので、募集は終了しました。",
        tags: &["Flutter", "UI デザイン"],
        interested: &[(2, "")],
        closed: true,
    },
];

fn alumnus(member: MemberId) -> Viewer {
    demo_viewer(member, RoleSet::default().with(Role::Alumnus))
}

/// Writes the board's demo posts and interests, and consultation requests
/// in every state, as the demo alumni would.
pub async fn seed_board(service: &KnowledgeService, members: &DemoMembers) -> AppResult<()> {
    let alumni = &members.alumni;
    if alumni.len() < 12 {
        return Ok(());
    }
    let now = service.context().now();
    let clock = Arc::new(ManualClock::new(now));
    let service = service.with_clock(clock.clone());
    for (index, post) in POSTS.iter().enumerate() {
        let author = alumnus(alumni[post.author]);
        // One every few days, the first four weeks ago.
        let posted_at =
            now - Duration::days(26) + Duration::hours(84) * i32::try_from(index).unwrap_or(0);
        clock.set(posted_at);
        let created = service
            .create_board_post(
                &author,
                BoardPostInput {
                    kind: post.kind.to_owned(),
                    direction: post.direction,
                    title: post.title.to_owned(),
                    body: post.body.to_owned(),
                    tags: post.tags.iter().map(|tag| (*tag).to_owned()).collect(),
                    confirm_warnings: true,
                },
            )
            .await?;
        for (order, (member, note)) in post.interested.iter().enumerate() {
            clock.set(posted_at + Duration::hours(20) * (1 + i32::try_from(order).unwrap_or(0)));
            service
                .express_interest(&alumnus(alumni[*member]), created.id, note, true)
                .await?;
        }
        if post.closed {
            clock.set((posted_at + Duration::days(3)).min(now));
            service.close_board_post(&author, created.id).await?;
        }
    }
    seed_consultations(&service, &clock, alumni).await
}

/// Requests over the year: one accepted five months ago, one declined two
/// months ago, one left unanswered last week, one waiting now.
async fn seed_consultations(
    service: &KnowledgeService,
    clock: &ManualClock,
    alumni: &[MemberId],
) -> AppResult<()> {
    let now = service.context().now();
    let days_ago = |days: i64| now - Duration::days(days);
    clock.set(days_ago(160));
    service
        .update_expert_settings(
            &alumnus(alumni[8]),
            ExpertSettingsInput {
                accepts_consultations: Some(true),
                max_pending: Some(5),
            },
        )
        .await?;
    service
        .update_expert_settings(
            &alumnus(alumni[11]),
            ExpertSettingsInput {
                accepts_consultations: Some(false),
                max_pending: None,
            },
        )
        .await?;
    let ask = async |requester: usize, expert: usize, topic: &str, message: &str, tags: &[&str]| {
        service
            .request_consultation(
                &alumnus(alumni[requester]),
                ConsultationRequest {
                    expert: alumni[expert],
                    topic: topic.to_owned(),
                    message: message.to_owned(),
                    tags: tags.iter().map(|tag| (*tag).to_owned()).collect(),
                    confirm_warnings: true,
                },
            )
            .await
    };
    clock.set(days_ago(150));
    let accepted = ask(
        0,
        8,
        "SRE チームの立ち上げ方",
        "今の会社で SRE チームを 3 人で立ち上げることになりました。SLO の決め方と、開発チームとの役割分担をどう進めたか、30 分ほどお話を伺えないでしょうか。",
        &["SRE", "SLO"],
    )
    .await?;
    clock.set(days_ago(149));
    service
        .answer_consultation(
            &alumnus(alumni[8]),
            accepted.id,
            ConsultationAnswer {
                accept: true,
                share_email: true,
                reply: Some(
                    "喜んで。来週の平日夜ならいつでも大丈夫です。メールで候補日を送ってください。"
                        .to_owned(),
                ),
                confirm_warnings: true,
            },
        )
        .await?;
    clock.set(days_ago(60));
    let declined = ask(
        9,
        10,
        "技術面接の準備について",
        "来月、外資系企業のシステム設計面接を受けます。面接官の経験があると伺ったので、準備の進め方を相談させてください。",
        &["転職", "システム設計"],
    )
    .await?;
    clock.set(days_ago(58));
    service
        .answer_consultation(
            &alumnus(alumni[10]),
            declined.id,
            ConsultationAnswer {
                accept: false,
                share_email: false,
                reply: Some(
                    "今月は立て込んでいてお時間を取れそうにありません。ごめんなさい。".to_owned(),
                ),
                confirm_warnings: true,
            },
        )
        .await?;
    clock.set(now);
    let expired = ask(
        4,
        8,
        "Terraform のモジュール設計",
        "複数のプロダクトで Terraform のモジュールを共有したいのですが、バージョン管理の方針に悩んでいます。",
        &["Terraform", "IaC"],
    )
    .await?;
    expire_as_if_unanswered(service, expired.id).await?;
    clock.set(days_ago(2));
    ask(
        0,
        3,
        "Rust への段階的な移行について",
        "Python で書かれたバッチ処理の一部を Rust に置き換えようとしています。PyO3 で少しずつ移す進め方について、経験談を聞かせていただけますか。",
        &["Rust", "Python"],
    )
    .await?;
    Ok(())
}

/// Dates a fresh request back past its time to answer, and lets the
/// expiry run over it, as a week without an answer would.
async fn expire_as_if_unanswered(service: &KnowledgeService, id: ConsultationId) -> AppResult<()> {
    let now = service.context().now();
    let sent = now - Duration::days(ANSWER_WITHIN_DAYS + 2);
    let mut conn = service.context().conn().await?;
    conn.transaction(async |conn| {
        consultation_store::backdate(conn, id, sent, sent + Duration::days(ANSWER_WITHIN_DAYS))
            .await?;
        service.expire_consultations_in(conn, now).await?;
        Ok(())
    })
    .await
}
