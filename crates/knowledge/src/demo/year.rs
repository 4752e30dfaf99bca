//! The community's year of questions before the ones the demo shows first:
//! asked on members' visits (see `alumni_membership::demo::presence`), so
//! more when more members come by; answered by the regulars within hours
//! or days; about half with an answer accepted. Each question is one of a
//! few ways of asking about one of the subjects members work on.

use std::collections::BTreeMap;

use alumni_core::{MemberId, RoleSet};
use alumni_membership::demo::DemoMembers;
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};

/// A subject members ask about: its name, the work it comes up in, and
/// the question's tags.
struct Subject {
    name: &'static str,
    work: &'static str,
    tags: &'static [&'static str],
}

const SUBJECTS: [Subject; 24] = [
    Subject {
        name: "Terraform",
        work: "インフラの構成管理",
        tags: &["Terraform", "運用"],
    },
    Subject {
        name: "Kubernetes",
        work: "コンテナ基盤の運用",
        tags: &["Kubernetes", "運用"],
    },
    Subject {
        name: "AWS のコスト管理",
        work: "クラウド費用の見直し",
        tags: &["AWS"],
    },
    Subject {
        name: "PostgreSQL",
        work: "業務データベースの運用",
        tags: &["PostgreSQL"],
    },
    Subject {
        name: "Oracle から PostgreSQL への移行",
        work: "データベースの移行",
        tags: &["PostgreSQL", "Oracle Database"],
    },
    Subject {
        name: "CI/CD",
        work: "リリース作業の自動化",
        tags: &["CI/CD", "テスト自動化"],
    },
    Subject {
        name: "スクラム",
        work: "受託開発のチーム運営",
        tags: &["スクラム", "アジャイル"],
    },
    Subject {
        name: "要件定義",
        work: "業務部門との合意づくり",
        tags: &["要件定義"],
    },
    Subject {
        name: "COBOL の資産",
        work: "基幹システムの保守",
        tags: &["COBOL", "メインフレーム"],
    },
    Subject {
        name: "TypeScript",
        work: "フロントエンドの開発",
        tags: &["TypeScript", "React"],
    },
    Subject {
        name: "Go",
        work: "社内ツールの開発",
        tags: &["Go"],
    },
    Subject {
        name: "Python",
        work: "データ集計の自動化",
        tags: &["Python", "データ分析"],
    },
    Subject {
        name: "機械学習",
        work: "需要予測の試行",
        tags: &["機械学習", "データ分析"],
    },
    Subject {
        name: "脆弱性診断",
        work: "Web システムのセキュリティ対応",
        tags: &["セキュリティ"],
    },
    Subject {
        name: "ネットワーク設計",
        work: "拠点間ネットワークの更改",
        tags: &["ネットワーク"],
    },
    Subject {
        name: "Salesforce",
        work: "営業支援システムの導入",
        tags: &["Salesforce"],
    },
    Subject {
        name: "SAP",
        work: "会計システムの刷新",
        tags: &["SAP"],
    },
    Subject {
        name: "iOS アプリ",
        work: "業務アプリのスマートフォン対応",
        tags: &["iOS"],
    },
    Subject {
        name: "マイクロサービス",
        work: "モノリスの分割",
        tags: &["マイクロサービス", "設計"],
    },
    Subject {
        name: "SRE",
        work: "障害対応の仕組みづくり",
        tags: &["SRE", "運用"],
    },
    Subject {
        name: "Linux サーバー",
        work: "オンプレミス環境の保守",
        tags: &["Linux", "運用"],
    },
    Subject {
        name: "Azure",
        work: "社内システムのクラウド移行",
        tags: &["Azure"],
    },
    Subject {
        name: "UI/UX デザイン",
        work: "業務画面の改善",
        tags: &["UI/UXデザイン"],
    },
    Subject {
        name: "技術営業",
        work: "提案活動",
        tags: &["技術営業"],
    },
];

/// A way of asking: the title and body, with `{s}` for the subject's name
/// and `{w}` for its work, and answers that fit any subject.
struct Way {
    title: &'static str,
    body: &'static str,
    answers: [&'static str; 3],
}

const WAYS: [Way; 5] = [
    Way {
        title: "{s}を新しく導入するとき、最初に決めておくべきことは？",
        body: "転職先で{w}を任されることになり、{s}の導入を検討しています。後から変えにくいことを先に決めておきたいので、経験のある方の意見を聞かせてください。",
        answers: [
            "私の現場では、命名規則と権限の分け方を最初に決めました。{s}は後から整理し直すのが一番大変なところです。",
            "小さな範囲で一度試して、手順を文書にしてから広げるのがおすすめです。最初から全部を載せようとすると、判断の根拠が残りません。",
            "決める人を先に決めることです。技術の選択よりも、誰が最終判断するかが曖昧なまま進むと後で揉めます。",
        ],
    },
    Way {
        title: "{s}を独学で身につけるなら、何から始めますか",
        body: "{w}に関わる部署へ異動になりました。業務と並行して{s}を学ぶ必要があります。遠回りしない進め方や、役に立った教材があれば教えてください。",
        answers: [
            "公式のチュートリアルを一通りやってから、業務の小さな作業を一つ置き換えてみるのが近道でした。",
            "社内の勉強会で人に説明する役を引き受けると、理解が一気に深まります。{s}なら、最初の一か月は基本を毎日少しずつ触るだけで十分です。",
            "本を一冊決めて最後まで読むのがおすすめです。あれこれ手を出すより、一つを通しでやるほうが身につきました。",
        ],
    },
    Way {
        title: "{s}の仕事が一人に集中してしまうのをどう防いでいますか",
        body: "いまの職場では{s}に詳しいのが私だけで、{w}の作業がすべて回ってきます。休みも取りにくい状況です。皆さんの現場ではどうやって分担していますか。",
        answers: [
            "手順書を書く時間を業務として確保してもらいました。書く時間がないまま属人化が進むのが一番の原因でした。",
            "週に一度ペア作業を入れて、もう一人が手を動かす形にしました。半年で二人目が一人で回せるようになりました。",
            "当番表を作って、あえて詳しくない人にも担当してもらいました。最初は時間がかかりますが、結果的に楽になります。",
        ],
    },
    Way {
        title: "{s}で失敗した経験と、そこから変えたことを教えてください",
        body: "来月から{w}のプロジェクトに入ります。{s}にまつわる失敗談と、その後どう改善したかを伺って、同じ轍を踏まないようにしたいです。",
        answers: [
            "本番と検証環境の差に気づかず、リリース当日に止まったことがあります。それ以来、環境の差分を一覧にして毎回確認しています。",
            "見積もりに{s}を覚える時間を入れ忘れて、スケジュールが崩れました。慣れていない技術には、最初から余裕を持たせるようにしています。",
            "レビューを省いた回に限って事故が起きました。小さな変更でも二人で見るルールにしてから、大きな失敗はなくなりました。",
        ],
    },
    Way {
        title: "{s}を扱う社外の勉強会やコミュニティで、おすすめはありますか",
        body: "社内だけだと{w}の情報が偏りがちなので、{s}を扱っている社外の勉強会やコミュニティに参加したいと思っています。参加してよかったものがあれば教えてください。",
        answers: [
            "地域のユーザー会は少人数で質問しやすく、おすすめです。最初は聞くだけでも十分歓迎されます。",
            "オンラインの勉強会を一つ決めて、毎回参加するようにしています。登壇者の資料を後から読み返すだけでも学びがあります。",
            "このネットワークの勉強会にも{s}に詳しい方が来ています。まずはここで顔見知りを作るのが早いと思います。",
        ],
    },
];

/// Members of the community as the services see them.
pub(super) type Participant = (MemberId, RoleSet);

/// A member's visit: when, and who.
type Visit = (DateTime<Utc>, Participant);

/// A question of the year as it happened: who asked what when, the
/// answers (who, when, what) and which answer the asker accepted, when.
pub(super) struct Asked {
    pub asker: Participant,
    pub at: DateTime<Utc>,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub answers: Vec<(Participant, DateTime<Utc>, String)>,
    pub accepted: Option<(usize, DateTime<Utc>)>,
}

/// How many of the first `people` answer questions: the community's
/// regulars.
const ANSWERERS: usize = 24;
/// Questions every month has at least, however few members came by.
const MONTHLY_MINIMUM: usize = 6;

/// Hours between `low` and `high`, evenly on a log scale: answers come
/// within hours more often than within days.
fn hours_between(rng: &mut fastrand::Rng, low: f64, high: f64) -> Duration {
    let hours = (low.ln() + rng.f64() * (high.ln() - low.ln())).exp();
    Duration::minutes((hours * 60.0) as i64)
}

/// `count` of the `visits` (or all, if fewer) for questions: each month
/// (Japan time) gets [`MONTHLY_MINIMUM`], the rest go to months as members
/// came by in them.
fn spread_over_months(rng: &mut fastrand::Rng, visits: Vec<Visit>, count: usize) -> Vec<Visit> {
    let mut months: BTreeMap<NaiveDate, Vec<Visit>> = BTreeMap::new();
    for visit in visits {
        let day = (visit.0 + Duration::hours(9)).date_naive();
        months
            .entry(day.with_day(1).unwrap_or(day))
            .or_default()
            .push(visit);
    }
    let total: usize = months.values().map(Vec::len).sum();
    let floor = MONTHLY_MINIMUM.min(count / months.len().max(1));
    let rest = count.saturating_sub(floor * months.len());
    months
        .into_values()
        .flat_map(|mut month| {
            rng.shuffle(&mut month);
            let share = floor + rest * month.len() / total.max(1);
            month.truncate(share);
            month
        })
        .collect()
}

/// The year's questions, asked from `from` until `until` on the visits of
/// `people`, oldest first; nothing happens after `now`.
pub(super) fn plan(
    rng: &mut fastrand::Rng,
    members: &DemoMembers,
    people: &[Participant],
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Vec<Asked> {
    let mut kinds: Vec<(usize, usize)> = (0..SUBJECTS.len())
        .flat_map(|subject| (0..WAYS.len()).map(move |way| (subject, way)))
        .collect();
    rng.shuffle(&mut kinds);
    let visits: Vec<Visit> = people
        .iter()
        .filter_map(|person| Some((members.presence_of(person.0)?, *person)))
        .flat_map(|(presence, person)| {
            presence
                .visits_between(from, until)
                .iter()
                .map(move |visit| (*visit, person))
        })
        .collect();
    let visits = spread_over_months(rng, visits, kinds.len());
    let mut chosen: Vec<(Visit, (usize, usize))> = visits.into_iter().zip(kinds).collect();
    chosen.sort_by_key(|((at, _), _)| *at);
    let around = |person: Participant, at: DateTime<Utc>| {
        members
            .presence_of(person.0)
            .is_some_and(|presence| presence.around_at(at))
    };
    let answerers = &people[..ANSWERERS.min(people.len())];
    chosen
        .into_iter()
        .map(|((visit, asker), (subject, way))| {
            let (subject, way) = (&SUBJECTS[subject], &WAYS[way]);
            let fill = |text: &str| {
                text.replace("{s}", subject.name)
                    .replace("{w}", subject.work)
            };
            let at = visit + Duration::minutes(rng.i64(3..20));
            let mut answers: Vec<(Participant, DateTime<Utc>, String)> = Vec::new();
            let wanted = match rng.u8(..20) {
                0..9 => 1,
                9..16 => 2,
                _ => 3,
            };
            let mut answered_at = at + hours_between(rng, 0.5, 96.0);
            for text in way.answers.iter().take(wanted) {
                if answered_at >= now - Duration::hours(1) {
                    break;
                }
                let answerer = (0..10)
                    .map(|_| answerers[rng.usize(..answerers.len())])
                    .find(|person| {
                        person.0 != asker.0
                            && answers.iter().all(|(other, ..)| other.0 != person.0)
                            && around(*person, answered_at)
                    });
                if let Some(answerer) = answerer {
                    answers.push((answerer, answered_at, fill(text)));
                }
                answered_at += hours_between(rng, 1.0, 120.0);
            }
            let accepted = answers.last().and_then(|(_, last, _)| {
                let accepted_at = *last + hours_between(rng, 1.0, 72.0);
                let accepts = rng.u8(..100) < 55
                    && accepted_at < now - Duration::hours(1)
                    && around(asker, accepted_at);
                let pick = if rng.u8(..10) < 6 {
                    0
                } else {
                    rng.usize(..answers.len())
                };
                accepts.then_some((pick, accepted_at))
            });
            Asked {
                asker,
                at,
                title: fill(way.title),
                body: fill(way.body),
                tags: subject.tags.iter().map(|tag| (*tag).to_owned()).collect(),
                answers,
                accepted,
            }
        })
        .collect()
}
