//! How long the leak guard takes to check one saved text, for rule sets of
//! 1, 1,000 and 10,000 rules, and how long a rule set takes to compile.
//!
//! Run with `cargo bench -p alumni-trust --bench rules`. Plain `main` and
//! std timing: the question is "well under a millisecond per kilobyte or
//! not", which does not need a statistics harness.

use std::hint::black_box;
use std::time::{Duration, Instant};

use alumni_trust::engine::{
    DETECTORS, Engine, RuleAction, RuleKind, RuleScope, RuleSpec, TextAudience,
};
use uuid::Uuid;

const WARM_UP: Duration = Duration::from_millis(500);
const MEASURE: Duration = Duration::from_secs(3);

/// Characters of the checked text, about a long event description.
const TEXT_CHARS: usize = 5_000;

fn main() {
    let text = prose(TEXT_CHARS);
    println!(
        "text: {} chars, {} bytes of mixed Japanese and English (1 KB = 1,000 bytes)",
        text.chars().count(),
        text.len()
    );
    for total in [1, 1_000, 10_000] {
        run(total, &text);
    }
}

/// Compiles `total` rules, then checks `text` repeatedly for [`MEASURE`].
fn run(total: usize, text: &str) {
    let rules = rule_set(total);
    let count = |kind| rules.iter().filter(|rule| rule.kind == kind).count();
    let started = Instant::now();
    let engine = Engine::compile(&rules).expect("benchmark rules compile");
    let compile = started.elapsed();

    let matches = engine.check(text, TextAudience::Alumni).len();
    let started = Instant::now();
    while started.elapsed() < WARM_UP {
        black_box(engine.check(black_box(text), TextAudience::Alumni));
    }
    let mut checks = 0u32;
    let started = Instant::now();
    while started.elapsed() < MEASURE {
        black_box(engine.check(black_box(text), TextAudience::Alumni));
        checks += 1;
    }
    let elapsed = started.elapsed();

    let mean_us = elapsed.as_secs_f64() * 1e6 / f64::from(checks);
    let kilobytes = text.len() as f64 / 1_000.0;
    println!(
        "rules {:>6} ({} term, {} pattern, {} detector) | compile {:>9.2} ms | {} matches | \
         {:>8.1} µs/check | {:>6.2} µs/KB | {:>8.0} checks/s",
        engine.len(),
        count(RuleKind::Term),
        count(RuleKind::Pattern),
        count(RuleKind::Detector),
        compile.as_secs_f64() * 1e3,
        matches,
        mean_us,
        mean_us / kilobytes,
        1e6 / mean_us,
    );
}

/// `total` rules in the proportions a secretariat might keep: nine in ten
/// watched terms, most of the rest patterns, and the built-in detectors.
fn rule_set(total: usize) -> Vec<RuleSpec> {
    let detectors = DETECTORS.len().min(total.saturating_sub(1));
    let patterns = (total / 10).saturating_sub(detectors);
    let terms = total - patterns - detectors;
    let mut rules = Vec::with_capacity(total);
    rules.extend((0..terms).map(|n| spec(RuleKind::Term, term_list(n))));
    rules.extend((0..patterns).map(|n| spec(RuleKind::Pattern, vec![pattern(n)])));
    rules.extend(
        DETECTORS[..detectors]
            .iter()
            .map(|&(name, _)| spec(RuleKind::Detector, vec![name.to_owned()])),
    );
    rules
}

fn spec(kind: RuleKind, terms: Vec<String>) -> RuleSpec {
    RuleSpec {
        id: Uuid::now_v7(),
        kind,
        terms,
        action: RuleAction::Hold,
        scope: RuleScope::Everywhere,
    }
}

/// Code names, customers and hosts, in Japanese and English.
fn term_list(n: usize) -> Vec<String> {
    match n % 4 {
        0 => vec![format!("プロジェクト{n}号"), format!("Project {n}")],
        1 => vec![format!("Falcon{n}"), format!("ファルコン{n}")],
        2 => vec![format!("株式会社サンプル{n}"), format!("サンプル{n}社")],
        _ => vec![format!("build{n}.corp.example")],
    }
}

/// Ticket numbers and internal address ranges.
fn pattern(n: usize) -> String {
    if n.is_multiple_of(2) {
        format!(r"\bPRJ{n}-\d+\b")
    } else {
        format!(r"\b10\.{}\.\d{{1,3}}\.\d{{1,3}}\b", n % 256)
    }
}

/// About `chars` characters of prose, with a few matches for the larger
/// rule sets among many near misses.
fn prose(chars: usize) -> String {
    const SENTENCES: &[&str] = &[
        "来月の同窓会では、新しいメンバーの紹介と近況報告を予定しています。",
        "The alumni meetup will take place in Osaka on the first Friday of the month. ",
        "当日は軽食を用意しますので、お気軽にご参加ください。",
        "We are looking for volunteers to help with registration and photos. ",
        "前職ではKubernetes運用とCI/CDの改善を担当していました。",
        "Happy to chat about career changes, falconry, or product management. ",
        "詳細はイベントページをご確認のうえ、参加登録をお願いします。",
        "Slides from last year's talk on distributed systems are on my blog. ",
        "ＡＩと機械学習の勉強会も、ご要望があれば企画します。",
        "Feel free to reach out; my door (and inbox) is always open. ",
        "転職後もこのネットワークでつながれるのは心強いですね。",
        "Parking is limited, so please use public transport if you can. ",
    ];
    const MATCHES: &[&str] = &[
        "以前はFalcon13のチームにいました。",
        "See PRJ42-1234 for the history. ",
        "株式会社サンプル14との案件は終了しました。",
        "The old host build35.corp.example is gone. ",
    ];
    let mut text = String::new();
    let mut count = 0;
    for index in 0.. {
        let sentence = if index % 25 == 24 {
            MATCHES[(index / 25) % MATCHES.len()]
        } else {
            SENTENCES[index % SENTENCES.len()]
        };
        text.push_str(sentence);
        count += sentence.chars().count();
        if count >= chars {
            break;
        }
    }
    text
}
