//! Demo data: a realistic rule set for the fictional 北辰情報システム, a
//! profile bio the leak guard held, and a member's open report, so a
//! newcomer sees the review queue working. Written through the services.

use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, Role, RoleSet};
use alumni_membership::demo::DemoMembers;
use alumni_membership::service::ProfileUpdate;

use crate::model::{ReportReason, RuleAction, RuleCategory, RuleKind, RuleScope};
use crate::service::{RuleInput, TrustService};

/// (name, category, kind, terms, action, scope, explanation)
type DemoRule = (
    &'static str,
    RuleCategory,
    RuleKind,
    &'static [&'static str],
    RuleAction,
    RuleScope,
    &'static str,
);

const RULES: &[DemoRule] = &[
    (
        "開発中プロジェクトのコード名",
        RuleCategory::Confidential,
        RuleKind::Term,
        &[
            "Project Kestrel",
            "ケストレル計画",
            "天の川プロジェクト",
            "Amanogawa",
            "白鷺基盤",
            "Shirasagi",
        ],
        RuleAction::Block,
        RuleScope::Everywhere,
        "開発中のプロジェクトのコード名は社外秘です。社員同士でも、この場では書かないでください。",
    ),
    (
        "公表前の取引先",
        RuleCategory::Confidential,
        RuleKind::Term,
        &[
            "北斗フィナンシャル",
            "Hokuto Financial",
            "ミナト・ロジスティクス",
            "Minato Logistics",
        ],
        RuleAction::Hold,
        RuleScope::AlumniFacing,
        "取引が公表されていないお客様の名前です。事務局が確認してから公開します。",
    ),
    (
        "社内ホスト名",
        RuleCategory::Confidential,
        RuleKind::Pattern,
        &[r"(?i)\b[a-z0-9-]+\.(corp|intra)\.hokushin\.example\b"],
        RuleAction::Block,
        RuleScope::AlumniFacing,
        "社内システムのホスト名は、アルムナイが読む場所には書けません。",
    ),
    (
        "社内IPアドレス",
        RuleCategory::Confidential,
        RuleKind::Pattern,
        &[r"\b10\.\d{1,3}\.\d{1,3}\.\d{1,3}\b"],
        RuleAction::Block,
        RuleScope::AlumniFacing,
        "社内ネットワークのアドレスは、アルムナイが読む場所には書けません。",
    ),
    (
        "社内チケット番号",
        RuleCategory::Confidential,
        RuleKind::Pattern,
        &[r"\b(PRJ|OPS|SEC)-\d{3,6}\b"],
        RuleAction::Warn,
        RuleScope::AlumniFacing,
        "社内チケットの番号です。内容が社外に出ても問題ないか確かめてください。",
    ),
    (
        "秘密鍵",
        RuleCategory::Confidential,
        RuleKind::Detector,
        &["PRIVATE_KEY"],
        RuleAction::Block,
        RuleScope::Everywhere,
        "秘密鍵は誰にも見せてはいけません。すぐに鍵を作り直してください。",
    ),
    (
        "クラウドのアクセスキー",
        RuleCategory::Confidential,
        RuleKind::Detector,
        &["AWS_ACCESS_KEY"],
        RuleAction::Block,
        RuleScope::Everywhere,
        "アクセスキーは公開できません。漏れた可能性があるなら無効にしてください。",
    ),
    (
        "GitHub のトークン",
        RuleCategory::Confidential,
        RuleKind::Detector,
        &["GITHUB_TOKEN"],
        RuleAction::Block,
        RuleScope::Everywhere,
        "アクセストークンは公開できません。漏れた可能性があるなら無効にしてください。",
    ),
    (
        "ランダムな長い文字列",
        RuleCategory::Confidential,
        RuleKind::Detector,
        &["HIGH_ENTROPY_TOKEN"],
        RuleAction::Hold,
        RuleScope::Everywhere,
        "パスワードや API キーのように見える文字列があります。事務局が確認してから公開します。",
    ),
    (
        "注意が必要な言葉（日本語）",
        RuleCategory::Language,
        RuleKind::Term,
        &["死ね", "殺すぞ", "きもい", "ばか野郎", "ぶっ殺す"],
        RuleAction::Hold,
        RuleScope::Everywhere,
        "人を傷つける言葉が含まれています。事務局が確認してから公開します。",
    ),
    (
        "Watched words (English)",
        RuleCategory::Language,
        RuleKind::Term,
        &["idiot", "moron", "shut up", "kill yourself"],
        RuleAction::Hold,
        RuleScope::Everywhere,
        "This text contains words that may hurt someone; the secretariat will review it before it is shown.",
    ),
    (
        "強い言い方",
        RuleCategory::Language,
        RuleKind::Term,
        &["無能", "ありえない", "最悪"],
        RuleAction::Warn,
        RuleScope::Everywhere,
        "強い言い方になっていませんか。読む人の気持ちを考えて、もう一度確かめてください。",
    ),
];

/// The held bio: it names a customer whose contract is not public.
const HELD_BIO: &str = "在籍中は北斗フィナンシャル向けの決済基盤を担当していました。\
今は独立して、決済まわりの設計相談に乗っています。";

/// Loads the rules, one held bio and one open report.
pub async fn seed(service: &TrustService, members: &DemoMembers) -> AppResult<()> {
    let Some(secretariat) = members.secretariat else {
        return Ok(());
    };
    let secretariat = demo_viewer(secretariat, RoleSet::default().with(Role::Secretariat));
    for (name, category, kind, terms, action, scope, explanation) in RULES {
        service
            .create_rule(
                &secretariat,
                RuleInput {
                    name: (*name).to_owned(),
                    category: *category,
                    kind: *kind,
                    terms: terms.iter().map(|term| (*term).to_owned()).collect(),
                    action: *action,
                    scope: *scope,
                    explanation: (*explanation).to_owned(),
                    enabled: true,
                },
            )
            .await?;
    }
    let alumnus = RoleSet::default().with(Role::Alumnus);
    if let [.., writer, reported, reporter] = members.alumni.as_slice() {
        service
            .membership()
            .update_my_profile(
                &demo_viewer(*writer, alumnus),
                ProfileUpdate {
                    bio: Some(HELD_BIO.to_owned()),
                    ..ProfileUpdate::default()
                },
            )
            .await?;
        service
            .report(
                &demo_viewer(*reporter, alumnus),
                ("Member", reported.0),
                ReportReason::Spam,
                Some("プロフィールのリンクが勧誘サイトばかりです。"),
            )
            .await?;
    }
    Ok(())
}
