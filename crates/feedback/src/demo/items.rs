//! A year of feedback: what alumni said about leaving, what should change
//! and what was good; about half of it anonymous.

use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, MemberId, Role, RoleSet, Viewer};
use alumni_membership::demo::DemoMembers;
use chrono::Duration;

use crate::FeedbackService;
use crate::model::{FeedbackItemId, ThemeId, Triage};
use crate::service::{CohortChoice, FeedbackInput, ThemeInput, japan_day};
use crate::store::items as store;

/// (days ago, category, anonymous, attach cohort, text, theme index).
type DemoItem = (i64, &'static str, bool, bool, &'static str, Option<usize>);

const THEMES: [(&str, &str); 4] = [
    (
        "評価制度の透明性",
        "評価の基準と結果の理由が本人に伝わらない、という声が退職理由として多く寄せられています。",
    ),
    (
        "リモートワークと育児・介護の両立",
        "在宅勤務の可否が部署ごとに異なり、家族の事情で退職を選んだという声。",
    ),
    (
        "技術的負債と学習の時間",
        "レガシーシステムの保守に追われ、新しい技術を学ぶ時間が取れなかったという声。",
    ),
    (
        "よかったこと：人と文化",
        "同僚の面倒見のよさ、若手に任せる文化を評価する声。",
    ),
];

const ITEMS: [DemoItem; 24] = [
    (
        350,
        "why_i_left",
        true,
        false,
        "評価面談で結果だけを伝えられ、理由を聞いても「総合的に判断した」としか言われませんでした。何を改善すればよいのか分からないまま3年が過ぎ、転職を決めました。",
        Some(0),
    ),
    (
        340,
        "what_should_change",
        false,
        true,
        "評価シートの記入例と、等級ごとの期待役割を社内ポータルで公開してほしいです。",
        Some(0),
    ),
    (
        320,
        "why_i_left",
        true,
        true,
        "子どもの保育園のお迎えに間に合わず、在宅勤務を相談しましたが「前例がない」と断られました。",
        Some(1),
    ),
    (
        300,
        "what_was_good",
        false,
        false,
        "新人のころ、隣の席の先輩が毎日30分コードレビューに付き合ってくれたことは今でも感謝しています。",
        Some(3),
    ),
    (
        290,
        "what_should_change",
        true,
        false,
        "COBOLの保守担当が固定され、異動の希望が何年も通りませんでした。担当のローテーションを制度にしてほしい。",
        Some(2),
    ),
    (
        270,
        "why_i_left",
        false,
        true,
        "介護のために地元に戻る必要があり、フルリモートの選択肢がなかったため退職しました。制度があれば残っていたと思います。",
        Some(1),
    ),
    (
        250,
        "other",
        true,
        false,
        "退職時の手続きの案内が分かりにくかったです。チェックリストがあると助かります。",
        None,
    ),
    (
        240,
        "what_should_change",
        false,
        false,
        "勉強会への参加を業務時間として認めてほしい。自費・休日参加が当たり前になっていました。",
        Some(2),
    ),
    (
        220,
        "why_i_left",
        true,
        true,
        "昇格の基準が上司によって違うと感じました。同じ成果でも部署で評価が分かれていました。",
        Some(0),
    ),
    (
        200,
        "what_was_good",
        true,
        false,
        "入社2年目で大きな案件のリーダーを任せてもらえたことが、今のキャリアの土台になっています。",
        Some(3),
    ),
    (
        190,
        "what_should_change",
        false,
        true,
        "部署ごとに在宅勤務のルールが違うのは不公平です。全社で統一した基準を作ってください。",
        Some(1),
    ),
    (
        170,
        "why_i_left",
        true,
        false,
        "レガシー案件ばかりで、クラウドの経験を積めないことに焦りを感じて転職しました。",
        Some(2),
    ),
    (
        160,
        "what_should_change",
        true,
        false,
        "評価の理由を文書でフィードバックしてほしいです。",
        Some(0),
    ),
    (
        150,
        "other",
        false,
        false,
        "アルムナイの集まりをもっと地方でも開いてほしいです（大阪・福岡など）。",
        None,
    ),
    (
        130,
        "what_was_good",
        false,
        true,
        "困ったときに部署を越えて相談できる雰囲気がありました。",
        Some(3),
    ),
    (
        120,
        "why_i_left",
        true,
        false,
        "評価面談で理由の説明がなく、納得感がありませんでした。",
        Some(0),
    ),
    (
        100,
        "what_should_change",
        true,
        true,
        "技術研修の予算を個人に割り当てて、自分で選べるようにしてほしいです。",
        Some(2),
    ),
    (
        90,
        "why_i_left",
        false,
        false,
        "配偶者の転勤に帯同するため退職しました。転勤先からリモートで働ける制度があれば続けたかったです。",
        Some(1),
    ),
    (
        70,
        "what_was_good",
        true,
        false,
        "福利厚生の書籍購入補助はとてもよい制度でした。",
        None,
    ),
    (
        60,
        "what_should_change",
        false,
        false,
        "退職者向けに、社内の技術勉強会を一部公開してもらえると嬉しいです。",
        None,
    ),
    (
        45,
        "why_i_left",
        true,
        false,
        "残業が常態化していて、体調を崩しかけました。",
        None,
    ),
    (
        30,
        "other",
        true,
        false,
        "このアンケートの仕組みはよいと思います。匿名で本音が書けるのはありがたいです。",
        None,
    ),
    (
        14,
        "what_should_change",
        false,
        true,
        "評価の結果だけでなく、次の等級に上がるために何が足りないかを教えてほしいです。",
        None,
    ),
    (
        3,
        "why_i_left",
        true,
        false,
        "新しい技術に挑戦したいと伝えても、既存システムの保守から外してもらえませんでした。",
        None,
    ),
];

/// Indexes (into [`ITEMS`]) of items the secretariat marked as duplicates
/// of an earlier one, and that one.
const DUPLICATES: [(usize, usize); 2] = [(15, 0), (12, 1)];

/// Items read and needing no action.
const NO_ACTION: [usize; 1] = [21];

/// Replies: (item index, text).
const REPLIES: [(usize, &str); 3] = [
    (
        0,
        "率直なご意見をありがとうございます。評価理由の伝え方について、人事制度の見直しの中で検討しています。",
    ),
    (
        5,
        "ご事情をお聞かせいただきありがとうございます。フルリモート制度の導入を経営に提言しました。進捗は「提言と結果」ページでお知らせします。",
    ),
    (
        6,
        "ご指摘ありがとうございます。退職手続きのチェックリストを作成し、来月から配布します。",
    ),
];

fn alumnus(member: MemberId) -> Viewer {
    demo_viewer(member, RoleSet::default().with(Role::Alumnus))
}

/// Writes the items, themes, triage and replies; the themes, in the
/// order of [`THEMES`].
pub async fn seed(service: &FeedbackService, members: &DemoMembers) -> AppResult<Vec<ThemeId>> {
    let (Some(secretariat), false) = (members.secretariat, members.alumni.is_empty()) else {
        return Ok(Vec::new());
    };
    let staff = demo_viewer(secretariat, RoleSet::default().with(Role::Secretariat));
    let today = japan_day(service.context().now());
    let now = service.context().now();
    let mut written: Vec<FeedbackItemId> = Vec::new();
    let mut authors: Vec<MemberId> = Vec::new();
    for (index, (days_ago, category, anonymous, attach, body, _)) in ITEMS.iter().enumerate() {
        // Spread over the alumni, so no one passes the daily limits; named
        // by someone who was a member still coming by on the day.
        let sent_at = now - Duration::days(*days_ago);
        let alumni = &members.alumni;
        let author = (0..alumni.len())
            .map(|step| alumni[(index + step) % alumni.len()])
            .find(|member| {
                !authors.contains(member)
                    && members
                        .presence_of(*member)
                        .is_none_or(|presence| presence.around_at(sent_at))
            })
            .unwrap_or(alumni[index % alumni.len()]);
        authors.push(author);
        let input = |cohort| FeedbackInput {
            category: (*category).to_owned(),
            body: (*body).to_owned(),
            anonymous: *anonymous,
            cohort,
        };
        let chosen = CohortChoice {
            company: *attach,
            left_year_band: *attach,
        };
        // A cohort too small to attach is left off, as the form would.
        let submitted = match service.submit(&alumnus(author), input(chosen)).await {
            Ok(submitted) => submitted,
            Err(error) if error.reason().is_some() => {
                service
                    .submit(&alumnus(author), input(CohortChoice::default()))
                    .await?
            }
            Err(error) => return Err(error),
        };
        let mut conn = service.context().conn().await?;
        store::set_submitted_on(
            &mut conn,
            submitted.item.id,
            today - Duration::days(*days_ago),
        )
        .await?;
        written.push(submitted.item.id);
    }
    let mut themes = Vec::new();
    for (title, summary) in THEMES {
        let theme = service
            .create_theme(
                &staff,
                ThemeInput {
                    title: title.to_owned(),
                    summary: summary.to_owned(),
                },
            )
            .await?;
        themes.push(theme.id);
    }
    for (theme_index, theme) in themes.iter().enumerate() {
        let members_of_theme: Vec<FeedbackItemId> = ITEMS
            .iter()
            .zip(&written)
            .filter(|((.., in_theme), _)| *in_theme == Some(theme_index))
            .map(|(_, id)| *id)
            .collect();
        if !members_of_theme.is_empty() {
            service
                .group_items(&staff, &members_of_theme, *theme)
                .await?;
        }
    }
    for (duplicate, original) in DUPLICATES {
        service
            .mark_duplicate(&staff, written[duplicate], written[original])
            .await?;
    }
    for index in NO_ACTION {
        service
            .set_item_triage(&staff, written[index], Triage::NoAction)
            .await?;
    }
    for (index, body) in REPLIES {
        service.reply(&staff, written[index], body).await?;
    }
    Ok(themes)
}
