//! Two surveys: last month's engagement survey of alumni, closed with its
//! results published (some groups of respondents too small to show), and
//! an open survey about events that the demo alumna has not answered yet.

use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, MemberId, Role, RoleSet, Viewer};
use alumni_membership::demo::DemoMembers;
use chrono::Duration;

use crate::FeedbackService;
use crate::model::{SurveyAudience, SurveyId, SurveyQuestionKind, SurveyRecord};
use crate::service::{AnswerInput, QuestionInput, SurveyInput, japan_day};
use crate::store::surveys as store;

/// Alumni who answered the engagement survey (the first of them is the
/// demo alumna).
const ENGAGEMENT_RESPONDENTS: usize = 90;

/// Alumni (not the demo alumna) and employees who answered the events
/// survey so far.
const EVENTS_ALUMNI: usize = 9;
const EVENTS_EMPLOYEES: usize = 3;

/// The option chosen as most useful, cycled through respondents.
const MOST_USEFUL: [i32; 12] = [0, 1, 0, 2, 0, 1, 3, 0, 4, 1, 2, 0];

/// Points given to the two scale questions, cycled through respondents.
const SATISFACTION: [i32; 10] = [4, 3, 5, 4, 2, 4, 3, 5, 4, 3];
const RECOMMEND: [i32; 7] = [3, 4, 2, 5, 3, 4, 1];

/// Free texts of the engagement survey, given by every third respondent
/// (some say the same).
const REMARKS: [&str; 9] = [
    "特になし",
    "地方在住でもオンラインで参加できるイベントを増やしてほしいです。",
    "現役社員の方と気軽に話せる場がもっとあると嬉しいです。",
    "特になし",
    "マガジンの技術記事が読みごたえがありました。",
    "副業で協業できる案件の情報がほしいです。",
    "退職後もつながりを大切にしてくれる姿勢がありがたいです。",
    "イベントの告知をもう少し早めにしてもらえると参加しやすいです。",
    "再入社の制度について詳しく知りたいです。",
];

fn as_member(member: MemberId, role: Role) -> Viewer {
    demo_viewer(member, RoleSet::default().with(role))
}

fn question(
    kind: SurveyQuestionKind,
    prompt: &str,
    required: bool,
    options: &[&str],
) -> QuestionInput {
    QuestionInput {
        kind,
        prompt: prompt.to_owned(),
        required,
        options: options.iter().map(|option| (*option).to_owned()).collect(),
    }
}

/// Creates a survey with its questions and opens it.
async fn open_survey(
    service: &FeedbackService,
    staff: &Viewer,
    input: SurveyInput,
    questions: Vec<QuestionInput>,
) -> AppResult<(SurveyRecord, Vec<crate::model::SurveyQuestionId>)> {
    let survey = service.create_survey(staff, input).await?;
    let mut ids = Vec::new();
    for question in questions {
        ids.push(
            service
                .add_survey_question(staff, survey.id, question)
                .await?
                .id,
        );
    }
    let survey = service.open_survey(staff, survey.id, None).await?;
    Ok((survey, ids))
}

/// Writes the two surveys and their responses.
pub async fn seed(service: &FeedbackService, members: &DemoMembers) -> AppResult<()> {
    let (Some(secretariat), false) = (members.secretariat, members.alumni.is_empty()) else {
        return Ok(());
    };
    let staff = as_member(secretariat, Role::Secretariat);
    let now = service.context().now();
    let engagement = engagement_survey(service, &staff, members).await?;
    // The survey ran from six weeks ago until two weeks ago.
    let opens_at = now - Duration::days(45);
    let closes_at = now - Duration::days(15);
    let mut conn = service.context().conn().await?;
    store::backdate(
        &mut conn,
        engagement,
        opens_at,
        closes_at,
        japan_day(opens_at),
        30,
    )
    .await?;
    drop(conn);
    service
        .publish_survey_results(&staff, engagement, true)
        .await?;
    events_survey(service, &staff, members).await
}

async fn engagement_survey(
    service: &FeedbackService,
    staff: &Viewer,
    members: &DemoMembers,
) -> AppResult<SurveyId> {
    let now = service.context().now();
    let (survey, questions) = open_survey(
        service,
        staff,
        SurveyInput {
            title: "退職者エンゲージメント調査 2026".to_owned(),
            description: "アルムナイネットワークの運営改善のため、皆さまのご意見をお聞かせください。回答は匿名で集計され、5名未満のグループの結果は表示されません。所要時間は約3分です。".to_owned(),
            audience: SurveyAudience::Alumni,
            closes_at: now + Duration::days(30),
            min_group: 5,
            min_text_group: 10,
        },
        vec![
            question(
                SurveyQuestionKind::Scale,
                "アルムナイネットワークにどの程度満足していますか。（1: 不満 〜 5: 満足）",
                true,
                &[],
            ),
            question(
                SurveyQuestionKind::Scale,
                "以前の職場を知人に勧めたいと思いますか。（1: 思わない 〜 5: 強く思う）",
                true,
                &[],
            ),
            question(
                SurveyQuestionKind::SingleChoice,
                "ネットワークで最も役に立っているものはどれですか。",
                true,
                &["イベント", "知識コミュニティ", "マガジン", "協業・副業の情報", "特にない"],
            ),
            question(
                SurveyQuestionKind::MultipleChoice,
                "今後参加してみたい取り組みを選んでください（複数可）。",
                false,
                &["現役社員との交流会", "業務委託・副業での協業", "後輩のメンター", "再入社の相談会"],
            ),
            question(
                SurveyQuestionKind::FreeText,
                "事務局へのご意見・ご要望があればお書きください。",
                false,
                &[],
            ),
        ],
    )
    .await?;
    for (index, member) in members
        .alumni
        .iter()
        .take(ENGAGEMENT_RESPONDENTS)
        .enumerate()
    {
        // The first option is wished for most, the last least.
        let wished: Vec<i32> = (0..4)
            .filter(|option| index % (option + 2) == 0)
            .map(|option| i32::try_from(option).unwrap_or_default())
            .collect();
        let answers = vec![
            AnswerInput {
                question: questions[0],
                scale: Some(SATISFACTION[index % SATISFACTION.len()]),
                ..AnswerInput::default()
            },
            AnswerInput {
                question: questions[1],
                scale: Some(RECOMMEND[index % RECOMMEND.len()]),
                ..AnswerInput::default()
            },
            AnswerInput {
                question: questions[2],
                choices: Some(vec![MOST_USEFUL[index % MOST_USEFUL.len()]]),
                ..AnswerInput::default()
            },
            AnswerInput {
                question: questions[3],
                choices: Some(wished),
                ..AnswerInput::default()
            },
            AnswerInput {
                question: questions[4],
                text: (index % 3 == 0).then(|| REMARKS[index / 3 % REMARKS.len()].to_owned()),
                ..AnswerInput::default()
            },
        ];
        service
            .respond_to_survey(&as_member(*member, Role::Alumnus), survey.id, answers)
            .await?;
    }
    Ok(survey.id)
}

async fn events_survey(
    service: &FeedbackService,
    staff: &Viewer,
    members: &DemoMembers,
) -> AppResult<()> {
    let now = service.context().now();
    let (survey, questions) = open_survey(
        service,
        staff,
        SurveyInput {
            title: "イベント満足度アンケート（2026年春）".to_owned(),
            description: "この春のイベントについて、よかった点と改善点を教えてください。"
                .to_owned(),
            audience: SurveyAudience::Everyone,
            closes_at: now + Duration::days(21),
            min_group: 5,
            min_text_group: 10,
        },
        vec![
            question(
                SurveyQuestionKind::Scale,
                "参加したイベントの満足度を教えてください。（1: 不満 〜 5: 満足）",
                true,
                &[],
            ),
            question(
                SurveyQuestionKind::SingleChoice,
                "参加しやすい開催形式はどれですか。",
                true,
                &["会場開催", "オンライン", "ハイブリッド"],
            ),
            question(
                SurveyQuestionKind::FreeText,
                "次回取り上げてほしいテーマがあればお書きください。",
                false,
                &[],
            ),
        ],
    )
    .await?;
    let respondents = members
        .alumni
        .iter()
        .skip(1)
        .map(|member| (*member, Role::Alumnus))
        .take(EVENTS_ALUMNI)
        .chain(
            members
                .employees
                .iter()
                .skip(1)
                .take(EVENTS_EMPLOYEES)
                .map(|member| (*member, Role::Employee)),
        );
    for (index, (member, role)) in respondents.enumerate() {
        let answers = vec![
            AnswerInput {
                question: questions[0],
                scale: Some(SATISFACTION[(index + 3) % SATISFACTION.len()]),
                ..AnswerInput::default()
            },
            AnswerInput {
                question: questions[1],
                choices: Some(vec![i32::try_from(index % 3).unwrap_or_default()]),
                ..AnswerInput::default()
            },
        ];
        service
            .respond_to_survey(&as_member(member, role), survey.id, answers)
            .await?;
    }
    Ok(())
}
