//! A year of proposals to management from the demo's themes, at every
//! stage: one done, one in progress with a dated timeline, one declined
//! with reasons (all three published, "you said, we did"), and one
//! awaiting management's answer.

use std::sync::Arc;

use alumni_core::clock::ManualClock;
use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, Role, RoleSet};
use alumni_membership::demo::DemoMembers;
use chrono::Duration;

use crate::FeedbackService;
use crate::model::{ProposalResponse, ThemeId};
use crate::service::{ProposalAnswer, ProposalInput, ProposalUpdateInput, japan_day};

/// A proposal of the demo, with the days (ago) each step happened.
struct DemoProposal {
    /// Indexes of the themes it is written from.
    themes: &'static [usize],
    title: &'static str,
    body: &'static str,
    /// Written, and submitted the same week.
    written: i64,
    /// Management's answer: when, what, why.
    answer: Option<(i64, ProposalResponse, &'static str)>,
    /// Published to members.
    published: Option<i64>,
    /// Timeline entries: when, what, progress after it.
    entries: &'static [(i64, &'static str, i32)],
}

const PROPOSALS: [DemoProposal; 4] = [
    DemoProposal {
        themes: &[0],
        title: "評価理由のフィードバックを文書で行う",
        body: "評価面談で結果だけが伝えられ、理由や次の等級に必要なことが分からないまま退職を選んだ、という声が一年を通じて寄せられています。\n\n提言：\n1. 評価結果とあわせて、評価者が理由を文書で本人に渡す。\n2. 等級ごとの期待役割と評価シートの記入例を社内ポータルで公開する。\n3. 評価者向けに、理由の伝え方の研修を行う。",
        written: 300,
        answer: Some((
            280,
            ProposalResponse::PartlyAccepted,
            "1と2は来期の評価から実施します。3の評価者研修は、既存の管理職研修に内容を組み込む形で対応し、独立した研修は設けません。",
        )),
        published: Some(275),
        entries: &[
            (240, "等級ごとの期待役割を社内ポータルで公開しました。", 30),
            (
                150,
                "評価理由を記入する欄を評価シートに追加し、上期の評価から運用を始めました。",
                70,
            ),
            (
                60,
                "管理職研修に「評価理由の伝え方」の章を加え、全管理職が受講しました。",
                100,
            ),
        ],
    },
    DemoProposal {
        themes: &[1],
        title: "フルリモート勤務制度の導入",
        body: "在宅勤務の可否が部署ごとに異なり、育児や介護、配偶者の転勤を理由に退職した方が少なくありません。\n\n提言：全社共通の基準でフルリモート勤務を選べる制度を設け、勤務地を問わず働き続けられるようにする。まず一部の部署で試行し、一年で全社に広げる。",
        written: 210,
        answer: Some((
            190,
            ProposalResponse::Accepted,
            "制度として導入します。情報管理の体制を整えたうえで、開発部門から段階的に広げます。",
        )),
        published: Some(185),
        entries: &[
            (150, "制度案を策定し、労使協議を始めました。", 20),
            (90, "開発部門の三つの部署で試行を始めました。", 45),
            (
                20,
                "試行部署へのアンケートで、九割が継続を希望しました。対象部署を広げる準備をしています。",
                60,
            ),
        ],
    },
    DemoProposal {
        themes: &[2],
        title: "技術研修の予算を個人に割り当てる",
        body: "レガシーシステムの保守に追われて学ぶ時間も機会もなかった、という声が続いています。\n\n提言：技術研修の予算を一人ひとりに割り当て、受講する研修や購入する教材を本人が選べるようにする。",
        written: 160,
        answer: Some((
            130,
            ProposalResponse::Declined,
            "個人への予算割り当ては、部署間の公平性と税務上の扱いに課題があるため見送ります。代わりに、部署単位の研修予算を増やし、使い道を部署のメンバーで決められるようにします。",
        )),
        published: Some(125),
        entries: &[],
    },
    DemoProposal {
        themes: &[2],
        title: "勉強会への参加を業務時間として認める",
        body: "社外の勉強会への参加が自費・休日が当たり前になっていた、という声が寄せられています。\n\n提言：業務に関わる社外の勉強会への参加を、年に一定の時間まで業務時間として認める。",
        written: 10,
        answer: None,
        published: None,
        entries: &[],
    },
];

/// Writes the proposals, answers, timelines and publications at their
/// days, as the secretariat and management would have.
pub async fn seed(
    service: &FeedbackService,
    members: &DemoMembers,
    themes: &[ThemeId],
) -> AppResult<()> {
    let (Some(secretariat), Some(management)) = (members.secretariat, members.management) else {
        return Ok(());
    };
    if themes.is_empty() {
        return Ok(());
    }
    let staff = demo_viewer(secretariat, RoleSet::default().with(Role::Secretariat));
    let board = demo_viewer(management, RoleSet::default().with(Role::Management));
    let real_now = service.context().now();
    let clock = Arc::new(ManualClock::new(real_now));
    let service = service.with_clock(clock.clone());
    let days_ago = |days: i64| real_now - Duration::days(days);
    for demo in &PROPOSALS {
        clock.set(days_ago(demo.written));
        let proposal = service
            .create_proposal(
                &staff,
                ProposalInput {
                    title: demo.title.to_owned(),
                    body: demo.body.to_owned(),
                    themes: demo.themes.iter().map(|index| themes[*index]).collect(),
                    confirm_warnings: false,
                },
            )
            .await?;
        service.submit_proposal(&staff, proposal.id).await?;
        if let Some((day, response, reasons)) = demo.answer {
            clock.set(days_ago(day));
            service
                .respond_to_proposal(
                    &board,
                    proposal.id,
                    ProposalAnswer {
                        response,
                        reasons: reasons.to_owned(),
                        confirm_warnings: false,
                    },
                )
                .await?;
        }
        if let Some(day) = demo.published {
            clock.set(days_ago(day));
            service.publish_proposal(&staff, proposal.id).await?;
        }
        for (day, body, progress) in demo.entries {
            let at = days_ago(*day);
            clock.set(at);
            service
                .add_proposal_update(
                    &staff,
                    proposal.id,
                    ProposalUpdateInput {
                        happened_on: japan_day(at),
                        body: (*body).to_owned(),
                        progress: *progress,
                        confirm_warnings: false,
                    },
                )
                .await?;
        }
    }
    Ok(())
}
