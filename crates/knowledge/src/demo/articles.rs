//! Demo articles: what alumni and employees of 北辰情報システム write for
//! each other (migrations, operations, requirements, careers), with tags,
//! a few comments and replies, helpful marks, one draft, and one article
//! each for alumni only and employees only. One came out every five or six
//! weeks over the year; comments and marks followed in the days after.

use std::sync::Arc;

use alumni_core::clock::ManualClock;
use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, MemberId, Role, RoleSet, Viewer};
use alumni_membership::demo::DemoMembers;
use chrono::{DateTime, Duration, Utc};

use crate::KnowledgeService;
use crate::model::{ArticleId, KnowledgeAudience};
use crate::service::ArticleInput;

/// Who writes a demo article or comment: the n-th alumnus or employee of
/// the demo, or the secretariat.
#[derive(Clone, Copy)]
enum Writer {
    Alumnus(usize),
    Employee(usize),
    Secretariat,
}

struct DemoArticle {
    title: &'static str,
    body: &'static str,
    tags: &'static [&'static str],
    audience: KnowledgeAudience,
    writer: Writer,
}

const ARTICLES: &[DemoArticle] = &[
    DemoArticle {
        title: "クラウド移行の振り返り：オンプレの基幹系を 3 年かけて AWS へ",
        body: "在籍中に担当した、受発注システムのクラウド移行を振り返ります。\n\n\
## なぜ時間がかかったのか\n\n\
技術的な難しさよりも、**止められない業務**との付き合い方に時間を使いました。\
夜間バッチが朝までに終わらないと倉庫が動かない、という制約が最後まで効いてきます。\n\n\
## やってよかったこと\n\n\
- 最初の半年で、移行しない（捨てる）機能の一覧を業務部門と合意した\n\
- データ移行のリハーサルを本番同等の件数で 5 回やった\n\
- 切り戻し手順を「読むだけで実行できる」粒度で書いた\n\n\
## やり直せるなら\n\n\
ネットワークの設計を後回しにしたのは失敗でした。閉域接続の帯域見積もりが甘く、\
移行期間中の二重運用で何度も詰まりました。最初に決めるべきは、アプリではなく経路です。\n\n\
同じような移行を控えている方がいれば、手順書のひな形をお渡しできます。",
        tags: &["クラウド", "AWS", "移行"],
        audience: KnowledgeAudience::Everyone,
        writer: Writer::Alumnus(0),
    },
    DemoArticle {
        title: "Kubernetes 運用の勘所：3 年回して分かった 5 つのこと",
        body: "社内の共通基盤として Kubernetes を運用して 3 年になります。\
ツールの話は他に良い記事がたくさんあるので、運用チームとして効いたことに絞って書きます。\n\n\
1. **リソース要求は必ず書かせる。** requests のない Pod が 1 つあるだけで、ノードの詰め込みが崩れます。\n\
2. **アップグレードは四半期ごとの定例作業にする。** 年 1 回だと毎回が大仕事になります。\n\
3. **アラートは「人が起きるべきか」で分ける。** 夜間に鳴るのはユーザー影響のあるものだけ。\n\
4. **名前空間ごとに責任者を決める。** 誰のものか分からない Deployment が一番怖い。\n\
5. **ポストモーテムは責めない形式で。** 書く人が減ると、同じ障害が繰り返されます。\n\n\
```yaml\nresources:\n  requests:\n    cpu: 250m\n    memory: 256Mi\n```\n\n\
アルムナイの皆さんの現場でのやり方もぜひ聞かせてください。",
        tags: &["Kubernetes", "SRE", "運用"],
        audience: KnowledgeAudience::Everyone,
        writer: Writer::Employee(0),
    },
    DemoArticle {
        title: "要件定義で揉めないために、最初の 2 週間でやること",
        body: "独立してから、要件定義の立て直しを頼まれることが増えました。\
揉める案件には共通点があります。**決める人**と**決めた記録**が曖昧なことです。\n\n\
## 最初の 2 週間でやること\n\n\
- 意思決定者を名前で書き出し、本人に確認する\n\
- 用語集を作る（「受注」「出荷」の意味が部署で違うのはよくあること）\n\
- 決定事項ログを 1 枚にまとめ、毎回の打ち合わせの最初に読み合わせる\n\
- 「やらないこと」を明文化する\n\n\
## 画面より先に業務フロー\n\n\
画面イメージから入ると、細部の議論で時間が溶けます。\
業務フローを 1 枚に描き、例外処理を洗い出してから画面に進むと、手戻りが目に見えて減ります。\n\n\
北辰時代に先輩から教わった「合意は紙に残るまで合意ではない」は、今でも一番役に立っています。",
        tags: &["要件定義", "プロジェクト管理"],
        audience: KnowledgeAudience::Everyone,
        writer: Writer::Alumnus(1),
    },
    DemoArticle {
        title: "COBOL から Java への移行：勘定系リプレースで学んだこと",
        body: "金融機関向けの勘定系を COBOL から Java に移した経験を、アルムナイ向けに少し踏み込んで書きます。\n\n\
## 変換ツールは万能ではない\n\n\
自動変換で 8 割は動きます。残りの 2 割、特に**固定小数点の丸め**と\
**ファイルのレコード長に依存した処理**で苦労しました。\
COMP-3 の項目を BigDecimal に置き換えるときは、丸めモードを項目ごとに確認する必要があります。\n\n\
## 現新比較テスト\n\n\
本番の入力データで旧システムと新システムを並走させ、出力を突き合わせる仕組みを最初に作りました。\
差分が 0 になるまでの期間が、そのまま移行の残り期間でした。\n\n\
## 人の移行\n\n\
COBOL を書いてきた方々が Java のレビューに加わると、業務知識のある指摘が増えて品質が上がりました。\
言語の移行は、知識の移行でもあります。",
        tags: &["COBOL", "Java", "レガシー移行"],
        audience: KnowledgeAudience::Alumni,
        writer: Writer::Alumnus(2),
    },
    DemoArticle {
        title: "Rust で書き直した話：ログ集約サービスのメモリが 10 分の 1 に",
        body: "社内のログ集約サービスを Go から Rust に書き直しました。動機と結果をまとめます。\n\n\
## 動機\n\n\
ピーク時にメモリ使用量が跳ね、GC の停止でログの取りこぼしが出ていました。\
チューニングで粘るより、所有権で寿命を管理できる言語に移す方が早いと判断しました。\n\n\
## 結果\n\n\
| 指標 | 書き直し前 | 書き直し後 |\n|---|---|---|\n| メモリ（ピーク） | 4 GB | 400 MB |\n| p99 遅延 | 120 ms | 15 ms |\n\n\
## つまずいたところ\n\n\
- 非同期処理のライフタイムで最初の 2 週間は苦戦しました\n\
- `tokio` のタスクにブロッキング処理を混ぜて詰まらせたことがあります（`spawn_blocking` を使いましょう）\n\n\
チーム全員が Rust を書けるようになるまで 3 か月。その投資に見合う結果でした。",
        tags: &["Rust", "パフォーマンス"],
        audience: KnowledgeAudience::Everyone,
        writer: Writer::Employee(1),
    },
    DemoArticle {
        title: "社内勉強会まとめ：設計レビューの型",
        body: "先月の社内勉強会「設計レビューの型」の内容を、参加できなかった方向けにまとめます。\n\n\
## レビューの前に\n\n\
- 設計書の冒頭に「決めたいこと」を 3 つまで書く\n\
- 代替案と、それを選ばなかった理由を書く\n\n\
## レビューの場で\n\n\
- 指摘は「必須」「推奨」「質問」に分けて書く\n\
- 30 分で終わらなければ、論点を絞って別の回にする\n\n\
## レビューの後で\n\n\
決定事項と宿題を当日中に共有します。次回は「非機能要件の見積もり」を予定しています。",
        tags: &["設計", "レビュー"],
        audience: KnowledgeAudience::Employees,
        writer: Writer::Employee(2),
    },
    DemoArticle {
        title: "フリーランス 1 年目に知っておきたかったこと",
        body: "北辰を卒業してフリーランスのエンジニアになって 1 年が経ちました。\
技術以外で戸惑ったことを書いておきます。\n\n\
- **契約書は必ず読む。** 準委任か請負かで、責任の範囲がまったく違います。\n\
- **稼働率 100% を目指さない。** 学ぶ時間と営業の時間がなくなります。\n\
- **インボイスと確定申告は早めに相談する。** 税理士さんは最初から頼んで正解でした。\n\
- **古巣とのつながりは財産。** 最初の案件は元同僚からの紹介でした。\n\n\
このネットワークで相談に乗れることがあれば、気軽に声をかけてください。",
        tags: &["キャリア", "フリーランス"],
        audience: KnowledgeAudience::Everyone,
        writer: Writer::Alumnus(3),
    },
    DemoArticle {
        title: "テスト自動化を現場に根付かせるまで",
        body: "「テストを自動化しよう」と言うのは簡単ですが、続けるのは難しいものです。\
今の職場で 2 年かけて定着させた手順を紹介します。\n\n\
1. 壊れやすい E2E テストから始めない。まずは単体テストを CI で必ず回す\n\
2. 失敗したテストを放置しない当番を週替わりで決める\n\
3. テストの実行時間を毎週グラフにして共有する\n\
4. バグ修正のプルリクエストには再現テストを必ず付ける\n\n\
いちばん効いたのは 4 つめです。テストが「守ってくれた」経験が増えると、自然と書く人が増えました。",
        tags: &["テスト自動化", "CI"],
        audience: KnowledgeAudience::Everyone,
        writer: Writer::Alumnus(4),
    },
];

/// The secretariat's draft: the one demo article only its author reads.
const DRAFT: DemoArticle = DemoArticle {
    title: "コミュニティ記事の書き方ガイド（下書き）",
    body: "記事を書くときのお願いをまとめています。公開前にもう少し例を足す予定です。\n\n\
- 在籍中の案件は、お客様や社内の固有名を伏せて書いてください\n\
- 読み手はアルムナイと社員です。社員だけに向けた内容は「社員のみ」を選んでください\n\
- 図や表は Markdown の表で書けます",
    tags: &["コミュニティ"],
    audience: KnowledgeAudience::Everyone,
    writer: Writer::Secretariat,
};

/// A comment on the article at `article` in [`ARTICLES`], with replies.
struct DemoComment {
    article: usize,
    writer: Writer,
    text: &'static str,
    replies: &'static [(Writer, &'static str)],
}

const COMMENTS: &[DemoComment] = &[
    DemoComment {
        article: 0,
        writer: Writer::Employee(1),
        text: "切り戻し手順の粒度の話、とても参考になりました。リハーサルは毎回同じメンバーでやりましたか？",
        replies: &[(
            Writer::Alumnus(0),
            "毎回半分ずつ入れ替えました。手順書だけで動けるかを確かめたかったので。",
        )],
    },
    DemoComment {
        article: 1,
        writer: Writer::Alumnus(1),
        text: "アップグレードを定例作業にする、は本当にそうですね。今の現場でも提案してみます。",
        replies: &[],
    },
    DemoComment {
        article: 4,
        writer: Writer::Alumnus(2),
        text: "spawn_blocking で詰まった話、まったく同じことをやりました…。",
        replies: &[(
            Writer::Employee(1),
            "みんな一度は通る道ですね。clippy で検知できるといいのですが。",
        )],
    },
];

/// Helpful marks: (article index, the members who found it helpful).
const MARKS: &[(usize, &[Writer])] = &[
    (
        0,
        &[Writer::Employee(0), Writer::Employee(1), Writer::Alumnus(2)],
    ),
    (1, &[Writer::Alumnus(0), Writer::Alumnus(1)]),
    (2, &[Writer::Alumnus(0), Writer::Employee(2)]),
    (3, &[Writer::Alumnus(1)]),
    (4, &[Writer::Alumnus(3), Writer::Employee(0)]),
];

/// The demo member behind `writer`, signed in, if the demo has them.
fn as_member(members: &DemoMembers, writer: Writer) -> Option<(MemberId, Viewer)> {
    let (member, role) = match writer {
        Writer::Alumnus(index) => (
            members.alumni.get(index % members.alumni.len().max(1)),
            Role::Alumnus,
        ),
        Writer::Employee(index) => (
            members
                .employees
                .get(index % members.employees.len().max(1)),
            Role::Employee,
        ),
        Writer::Secretariat => (members.secretariat.as_ref(), Role::Secretariat),
    };
    let member = *member?;
    Some((member, demo_viewer(member, RoleSet::default().with(role))))
}

fn input(article: &DemoArticle) -> ArticleInput {
    ArticleInput {
        title: article.title.to_owned(),
        body: article.body.to_owned(),
        tags: article.tags.iter().map(|tag| (*tag).to_owned()).collect(),
        audience: article.audience,
        confirm_warnings: true,
    }
}

/// When the article at `index` in [`ARTICLES`] came out: the first
/// eleven months ago, then one every five or six weeks.
fn published_at(now: DateTime<Utc>, index: usize) -> DateTime<Utc> {
    now - Duration::days(330) + Duration::days(40) * i32::try_from(index).unwrap_or(0)
}

/// Writes the demo articles through the services as their authors would,
/// each at its time, publishes all but the secretariat's draft, and adds
/// comments and helpful marks; the ids of the articles written.
pub async fn seed_articles(
    service: &KnowledgeService,
    members: &DemoMembers,
) -> AppResult<Vec<ArticleId>> {
    let now = service.context().now();
    let clock = Arc::new(ManualClock::new(now));
    let service = service.with_clock(clock.clone());
    let mut published: Vec<Option<(ArticleId, MemberId)>> = Vec::with_capacity(ARTICLES.len());
    for (index, article) in ARTICLES.iter().enumerate() {
        let Some((member, author)) = as_member(members, article.writer) else {
            published.push(None);
            continue;
        };
        let at = published_at(now, index);
        clock.set(at - Duration::days(2));
        let created = service.create_article(&author, input(article)).await?;
        clock.set(at);
        service.publish_article(&author, created.id).await?;
        published.push(Some((created.id, member)));
    }
    for DemoComment {
        article: index,
        writer,
        text,
        replies,
    } in COMMENTS
    {
        let (Some(Some((article, _))), Some((_, commenter))) =
            (published.get(*index), as_member(members, *writer))
        else {
            continue;
        };
        let commented_at = published_at(now, *index) + Duration::days(3) + Duration::hours(11);
        clock.set(commented_at);
        let comment = service
            .add_article_comment(&commenter, *article, None, text, true)
            .await?;
        for (writer, reply) in *replies {
            if let Some((_, replier)) = as_member(members, *writer) {
                clock.set(commented_at + Duration::hours(20));
                service
                    .add_article_comment(&replier, *article, Some(comment.id), reply, true)
                    .await?;
            }
        }
    }
    for (index, readers) in MARKS {
        let Some(Some((article, author))) = published.get(*index) else {
            continue;
        };
        for (order, reader) in readers.iter().enumerate() {
            // A small demo may map a reader onto the author, who cannot
            // mark their own article.
            if let Some((member, reader)) = as_member(members, *reader)
                && member != *author
            {
                let days = 1 + 4 * i32::try_from(order).unwrap_or(0);
                clock.set(published_at(now, *index) + Duration::days(1) * days);
                service.set_article_helpful(&reader, *article, true).await?;
            }
        }
    }
    let mut written: Vec<ArticleId> = published
        .into_iter()
        .flatten()
        .map(|(article, _)| article)
        .collect();
    if let Some((_, author)) = as_member(members, DRAFT.writer) {
        clock.set(now - Duration::days(5));
        written.push(service.create_article(&author, input(&DRAFT)).await?.id);
    }
    Ok(written)
}
