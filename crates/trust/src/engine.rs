//! The leak guard's rule engine: the secretariat's rules compiled into one
//! matcher that every saved text passes through.
//!
//! The engine is pure and synchronous. The service layer loads the rules,
//! compiles them once per rule-set version with [`Engine::compile`] and calls
//! [`Engine::check`] on every save, so the cost of a check must not grow with
//! the number of rules: the literal terms of all rules share one
//! Aho-Corasick automaton, the patterns of all rules one [`RegexSet`], and
//! only the patterns the set reports are run again to find where they match.
//!
//! Terms are compared the way the directory search compares names (see
//! [`alumni_core::search::normalize`]): "ＦＡＬＣＯＮ", "Project-Falcon" and
//! "ファルコン" written in half-width kana all match their plain forms.
//! Patterns see the text in NFKC only, so "１０.２.３.４" is an address but
//! case and spacing are left to the pattern's author. Detectors look for
//! secrets in the text exactly as written. Every match is reported as a byte
//! range of the original text.

use std::collections::HashMap;
use std::fmt;
use std::iter;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use alumni_core::search::{is_name_punctuation, katakana_to_hiragana};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use unicode_normalization::char::{canonical_combining_class, decompose_compatible};
use unicode_normalization::{IsNormalized, UnicodeNormalization as _, is_nfkc_quick};
use uuid::Uuid;

/// Most terms one Term rule may hold.
pub const MAX_TERMS_PER_RULE: usize = 500;

/// Longest term, in characters as written.
pub const MAX_TERM_CHARS: usize = 100;

/// Longest pattern, in characters.
pub const MAX_PATTERN_CHARS: usize = 500;

/// Most matches one rule reports in one text, so that a pasted log with
/// thousands of hits still gives a short answer.
pub const MAX_MATCHES_PER_RULE: usize = 5;

/// Compiled size a single pattern may reach: generous for any pattern a
/// person writes by hand, and it refuses `\w{1000}{1000}` and its kin.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Lazy DFA cache of the whole pattern set. With a small cache the set would
/// keep clearing it on Japanese text and fall back to a much slower engine.
const PATTERN_SET_DFA_LIMIT: usize = 16 << 20;

/// Characters of context shown on either side of a match.
const EXCERPT_CONTEXT: usize = 12;

/// Characters of a secret an excerpt may show: enough to recognise which
/// key it was, far too few to use it.
const SECRET_PREFIX: usize = 4;

/// Built-in secret detectors: (name, description for the secretariat's UI).
pub const DETECTORS: &[(&str, &str)] = &[
    (
        "PRIVATE_KEY",
        "The header of a PEM private key (RSA, EC, DSA, OpenSSH, PGP or encrypted).",
    ),
    (
        "AWS_ACCESS_KEY",
        "An AWS access key ID (AKIA… or ASIA… followed by 16 letters or digits).",
    ),
    (
        "GITHUB_TOKEN",
        "A GitHub token: personal access (ghp_…), OAuth, app, refresh or fine-grained (github_pat_…).",
    ),
    (
        "SLACK_TOKEN",
        "A Slack bot, user, app, refresh or workspace token (xoxb-… and the like).",
    ),
    (
        "HIGH_ENTROPY_TOKEN",
        "A random-looking string of at least 32 letters and digits, such as an API key or a generated password.",
    ),
];

/// What a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// One or more literal terms, compared after normalisation (a watched-word
    /// list is one rule with many terms, in Japanese and English).
    Term,
    /// Exactly one regular expression (regex crate syntax), run on the NFKC
    /// form of the text. `\b` is an ASCII word boundary, so that the address
    /// in "IPは10.2.3.4です" is bounded although kana are word characters.
    Pattern,
    /// Exactly one built-in detector named in [`DETECTORS`].
    Detector,
}

/// What happens to a text a rule matches, from the mildest to the strictest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleAction {
    /// The author is warned and may save anyway.
    Warn,
    /// The text is saved but held for a moderator before anyone sees it.
    Hold,
    /// The text is refused.
    Block,
}

/// Which texts a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleScope {
    /// Every text, whoever reads it.
    Everywhere,
    /// Only texts alumni can read, e.g. for an internal system name employees
    /// may discuss among themselves.
    AlumniFacing,
}

/// Who will read a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextAudience {
    /// Alumni (and employees) can read it.
    Alumni,
    /// Only current employees can read it.
    EmployeesOnly,
}

/// One rule as the engine needs it.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    /// The rule's identity, reported with its matches.
    pub id: Uuid,
    /// What the rule matches.
    pub kind: RuleKind,
    /// The terms, the pattern or the detector name, depending on `kind`.
    pub terms: Vec<String>,
    /// What happens to a text the rule matches.
    pub action: RuleAction,
    /// Which texts the rule applies to.
    pub scope: RuleScope,
}

/// One place a rule matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// The rule that matched.
    pub rule: Uuid,
    /// The rule's action.
    pub action: RuleAction,
    /// Start of the match: a byte offset in the original text, on a char
    /// boundary.
    pub start: usize,
    /// End of the match (exclusive): a byte offset in the original text, on
    /// a char boundary.
    pub end: usize,
    /// The matched text with up to 12 characters of context either side, on
    /// one line, with "…" where the context was cut. A detector's match is a
    /// secret: only its first 4 characters are shown, followed by "…", and
    /// no context after it.
    pub excerpt: String,
}

/// Why a rule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The rule refused.
    pub rule: Uuid,
    /// What is wrong with it, for the secretariat.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}: {}", self.rule, self.message)
    }
}

impl std::error::Error for RuleError {}

/// The strictest action among the matches (None if no match).
pub fn verdict(matches: &[RuleMatch]) -> Option<RuleAction> {
    matches.iter().map(|found| found.action).max()
}

/// The secretariat's rules, compiled for checking texts.
pub struct Engine {
    rules: Vec<Rule>,
    terms: Option<Terms>,
    patterns: Option<Patterns>,
    /// (rule index, detector) for every Detector rule.
    detectors: Vec<(usize, Detector)>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Compiles every rule; the first invalid one is an error.
    pub fn compile(rules: &[RuleSpec]) -> Result<Engine, RuleError> {
        let mut compiled = Vec::with_capacity(rules.len());
        let mut terms = TermsBuilder::default();
        let mut patterns = PatternsBuilder::default();
        let mut detectors = Vec::new();
        for (index, spec) in rules.iter().enumerate() {
            match prepare(spec)? {
                Prepared::Terms(normalized) => terms.add(index, spec.id, normalized),
                Prepared::Pattern { source, regex } => {
                    patterns.add(index, spec.id, source, regex);
                }
                Prepared::Detector(detector) => detectors.push((index, detector)),
            }
            compiled.push(Rule {
                id: spec.id,
                action: spec.action,
                scope: spec.scope,
                kind: spec.kind,
            });
        }
        Ok(Engine {
            rules: compiled,
            terms: terms.build()?,
            patterns: patterns.build()?,
            detectors,
        })
    }

    /// An engine with no rules (matches nothing).
    pub fn empty() -> Engine {
        Engine {
            rules: Vec::new(),
            terms: None,
            patterns: None,
            detectors: Vec::new(),
        }
    }

    /// Checks whether one rule can be compiled. Term: 1 to
    /// [`MAX_TERMS_PER_RULE`] terms, each at most [`MAX_TERM_CHARS`]
    /// characters and not empty once normalised. Pattern: exactly one, at
    /// most [`MAX_PATTERN_CHARS`] characters, valid, of bounded compiled size
    /// and not matching empty text. Detector: exactly one name from
    /// [`DETECTORS`].
    pub fn validate(rule: &RuleSpec) -> Result<(), RuleError> {
        prepare(rule).map(drop)
    }

    /// Every match of every rule applying to `audience` in `text`, in text
    /// order (by start, then by rule in compile order). Each rule reports at
    /// most its first [`MAX_MATCHES_PER_RULE`] matches, none overlapping.
    pub fn check(&self, text: &str, audience: TextAudience) -> Vec<RuleMatch> {
        let applies = |rule: usize| self.rules[rule].applies_to(audience);
        let mut hits = Hits::new(self.rules.len());
        let rewritten = Rewritten::new(text, self.terms.is_some(), self.patterns.is_some());
        if let Some(terms) = &self.terms {
            terms.find(&rewritten.folded, applies, &mut hits);
        }
        if let Some(patterns) = &self.patterns {
            patterns.find(&rewritten.nfkc, applies, &mut hits);
        }
        for &(rule, detector) in &self.detectors {
            if applies(rule) {
                detector.find(text, |span| hits.record(rule, span));
            }
        }
        hits.found
            .sort_unstable_by_key(|hit| (hit.span.start, hit.rule, hit.span.end));
        hits.found
            .into_iter()
            .map(|hit| {
                let rule = &self.rules[hit.rule];
                RuleMatch {
                    rule: rule.id,
                    action: rule.action,
                    start: hit.span.start,
                    end: hit.span.end,
                    excerpt: excerpt(text, hit.span, rule.kind == RuleKind::Detector),
                }
            })
            .collect()
    }

    /// Number of rules compiled.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the engine has no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// What the engine keeps of a rule besides its matcher.
struct Rule {
    id: Uuid,
    action: RuleAction,
    scope: RuleScope,
    kind: RuleKind,
}

impl Rule {
    fn applies_to(&self, audience: TextAudience) -> bool {
        self.scope == RuleScope::Everywhere || audience == TextAudience::Alumni
    }
}

/// A rule checked and turned into what its matcher is built from.
enum Prepared {
    /// The normalised terms.
    Terms(Vec<String>),
    /// The pattern as compiled (see [`ascii_word_boundaries`]).
    Pattern {
        source: String,
        regex: Regex,
    },
    Detector(Detector),
}

fn prepare(rule: &RuleSpec) -> Result<Prepared, RuleError> {
    let refuse = |message: String| RuleError {
        rule: rule.id,
        message,
    };
    match rule.kind {
        RuleKind::Term => {
            if rule.terms.is_empty() {
                return Err(refuse("add at least one term".to_owned()));
            }
            if rule.terms.len() > MAX_TERMS_PER_RULE {
                return Err(refuse(format!(
                    "a rule may hold at most {MAX_TERMS_PER_RULE} terms"
                )));
            }
            rule.terms
                .iter()
                .map(|term| {
                    if term.chars().count() > MAX_TERM_CHARS {
                        return Err(refuse(format!(
                            "each term must be at most {MAX_TERM_CHARS} characters"
                        )));
                    }
                    let folded = Rewritten::new(term, true, false).folded.text;
                    if folded.is_empty() {
                        return Err(refuse(format!(
                            "the term {term:?} has nothing to match once spaces and punctuation are ignored"
                        )));
                    }
                    Ok(folded)
                })
                .collect::<Result<_, _>>()
                .map(Prepared::Terms)
        }
        RuleKind::Pattern => {
            let [pattern] = rule.terms.as_slice() else {
                return Err(refuse(
                    "a pattern rule holds exactly one regular expression".to_owned(),
                ));
            };
            if pattern.chars().count() > MAX_PATTERN_CHARS {
                return Err(refuse(format!(
                    "the pattern must be at most {MAX_PATTERN_CHARS} characters"
                )));
            }
            let build = |source: &str| {
                RegexBuilder::new(source)
                    .size_limit(PATTERN_SIZE_LIMIT)
                    .dfa_size_limit(PATTERN_SIZE_LIMIT)
                    .build()
            };
            let source = ascii_word_boundaries(pattern);
            let regex = build(&source).map_err(|error| {
                // The author should see the error in what they wrote, not
                // in the rewritten form.
                let error = build(pattern).err().unwrap_or(error);
                refuse(format!("invalid pattern: {error}"))
            })?;
            if regex.is_match("") {
                return Err(refuse(
                    "the pattern matches empty text, so it would match everywhere".to_owned(),
                ));
            }
            Ok(Prepared::Pattern { source, regex })
        }
        RuleKind::Detector => {
            let [name] = rule.terms.as_slice() else {
                return Err(refuse(
                    "a detector rule names exactly one detector".to_owned(),
                ));
            };
            Detector::named(name)
                .map(Prepared::Detector)
                .ok_or_else(|| refuse(format!("unknown detector {name:?}")))
        }
    }
}

/// Rewrites the word-boundary assertions `\b`, `\B`, `\<` and `\>` into their
/// ASCII forms. Unicode counts kana and kanji as word characters, so it sees
/// no boundary in "IPは10.2.3.4です"; and the lazy DFA gives up on Unicode
/// boundaries as soon as the text holds a non-ASCII byte, which would make
/// the whole pattern set crawl on Japanese text.
fn ascii_word_boundaries(pattern: &str) -> String {
    let mut rewritten = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            rewritten.push(c);
            continue;
        }
        match chars.next() {
            Some(assertion @ ('b' | 'B' | '<' | '>')) => {
                rewritten.push_str("(?-u:\\");
                rewritten.push(assertion);
                // `\b{start}` and its kin keep their braces inside the group.
                if assertion == 'b' && chars.peek() == Some(&'{') {
                    for c in chars.by_ref() {
                        rewritten.push(c);
                        if c == '}' {
                            break;
                        }
                    }
                }
                rewritten.push(')');
            }
            Some(escaped) => {
                rewritten.push('\\');
                rewritten.push(escaped);
            }
            None => rewritten.push('\\'),
        }
    }
    rewritten
}

/// The literal terms of all Term rules, in one automaton.
struct Terms {
    automaton: AhoCorasick,
    /// What each pattern of the automaton (a distinct normalised term)
    /// stands for.
    needles: Vec<Needle>,
}

struct Needle {
    /// The term begins with a Latin letter or digit, so it must not begin
    /// inside a word ("ai" in "said").
    bounded_start: bool,
    /// The term ends with a Latin letter or digit, so it must not end inside
    /// a word ("falcon" in "falconry").
    bounded_end: bool,
    /// Every rule holding the term (several may).
    rules: Vec<usize>,
}

#[derive(Default)]
struct TermsBuilder {
    needles: Vec<Needle>,
    texts: Vec<String>,
    slots: HashMap<String, usize>,
    last_rule: Option<Uuid>,
}

impl TermsBuilder {
    fn add(&mut self, rule: usize, id: Uuid, terms: Vec<String>) {
        for term in terms {
            let slot = match self.slots.get(&term) {
                Some(&slot) => slot,
                None => {
                    let slot = self.needles.len();
                    self.needles.push(Needle {
                        bounded_start: term.starts_with(|c: char| c.is_ascii_alphanumeric()),
                        bounded_end: term.ends_with(|c: char| c.is_ascii_alphanumeric()),
                        rules: Vec::new(),
                    });
                    self.slots.insert(term.clone(), slot);
                    self.texts.push(term);
                    slot
                }
            };
            let rules = &mut self.needles[slot].rules;
            // Rules are added in order, so a term repeated within one rule
            // is always the last entry.
            if rules.last() != Some(&rule) {
                rules.push(rule);
            }
        }
        self.last_rule = Some(id);
    }

    fn build(self) -> Result<Option<Terms>, RuleError> {
        let Some(last_rule) = self.last_rule else {
            return Ok(None);
        };
        // Overlapping search, so that "falcon" and "project falcon" in two
        // rules both report on "Project Falcon".
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&self.texts)
            .map_err(|error| RuleError {
                rule: last_rule,
                message: format!("the terms of all rules together are too many: {error}"),
            })?;
        Ok(Some(Terms {
            automaton,
            needles: self.needles,
        }))
    }
}

impl Terms {
    fn find(&self, folded: &Mapped, applies: impl Fn(usize) -> bool, hits: &mut Hits) {
        for found in self.automaton.find_overlapping_iter(&folded.text) {
            let needle = &self.needles[found.pattern().as_usize()];
            if (needle.bounded_start && folded.word_continues_before(found.start()))
                || (needle.bounded_end && folded.word_continues_after(found.end()))
            {
                continue;
            }
            let span = folded.original(found.start(), found.end());
            for &rule in &needle.rules {
                if applies(rule) {
                    hits.record(rule, span);
                }
            }
        }
    }
}

/// The patterns of all Pattern rules: one set to learn which match, and each
/// alone to learn where.
struct Patterns {
    set: RegexSet,
    regexes: Vec<Regex>,
    rules: Vec<usize>,
}

#[derive(Default)]
struct PatternsBuilder {
    sources: Vec<String>,
    regexes: Vec<Regex>,
    rules: Vec<usize>,
    last_rule: Option<Uuid>,
}

impl PatternsBuilder {
    fn add(&mut self, rule: usize, id: Uuid, source: String, regex: Regex) {
        self.sources.push(source);
        self.regexes.push(regex);
        self.rules.push(rule);
        self.last_rule = Some(id);
    }

    fn build(self) -> Result<Option<Patterns>, RuleError> {
        let Some(last_rule) = self.last_rule else {
            return Ok(None);
        };
        // Each pattern fits its own limit, so the set fits their sum.
        let set = RegexSetBuilder::new(&self.sources)
            .size_limit(PATTERN_SIZE_LIMIT.saturating_mul(self.sources.len()))
            .dfa_size_limit(PATTERN_SET_DFA_LIMIT)
            .build()
            .map_err(|error| RuleError {
                rule: last_rule,
                message: format!("the patterns of all rules together are too large: {error}"),
            })?;
        Ok(Some(Patterns {
            set,
            regexes: self.regexes,
            rules: self.rules,
        }))
    }
}

impl Patterns {
    fn find(&self, nfkc: &Mapped, applies: impl Fn(usize) -> bool, hits: &mut Hits) {
        for index in self.set.matches(&nfkc.text).iter() {
            let rule = self.rules[index];
            if !applies(rule) {
                continue;
            }
            for found in self.regexes[index].find_iter(&nfkc.text) {
                // An empty match is possible despite validation (`\bx?`
                // matches nothing at a word's edge) and shows nothing.
                if found.is_empty() {
                    continue;
                }
                if !hits.record(rule, nfkc.original(found.start(), found.end())) {
                    break;
                }
            }
        }
    }
}

/// A built-in secret detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detector {
    PrivateKey,
    AwsAccessKey,
    GithubToken,
    SlackToken,
    HighEntropyToken,
}

impl Detector {
    /// In the order of [`DETECTORS`].
    const ALL: [Detector; 5] = [
        Detector::PrivateKey,
        Detector::AwsAccessKey,
        Detector::GithubToken,
        Detector::SlackToken,
        Detector::HighEntropyToken,
    ];

    fn named(name: &str) -> Option<Detector> {
        DETECTORS
            .iter()
            .position(|&(known, _)| known == name)
            .map(|index| Detector::ALL[index])
    }

    /// What the detector looks for. Word boundaries are ASCII ones so that
    /// a key glued to Japanese text ("キーはAKIA…です") is still found.
    fn pattern(self) -> &'static str {
        match self {
            Detector::PrivateKey => {
                r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
            }
            Detector::AwsAccessKey => r"(?-u:\b)(?:AKIA|ASIA)[0-9A-Z]{16}(?-u:\b)",
            Detector::GithubToken => {
                r"(?-u:\b)gh[pousr]_[A-Za-z0-9]{36,}(?-u:\b)|github_pat_[A-Za-z0-9_]{40,}"
            }
            Detector::SlackToken => r"(?-u:\b)xox[baprs]-[A-Za-z0-9-]{10,}",
            // Candidates only; `looks_random` decides.
            Detector::HighEntropyToken => r"[A-Za-z0-9+/=_-]{32,}",
        }
    }

    fn regex(self) -> &'static Regex {
        static REGEXES: LazyLock<[Regex; 5]> = LazyLock::new(|| {
            Detector::ALL
                .map(|detector| Regex::new(detector.pattern()).expect("detector patterns compile"))
        });
        &REGEXES[self as usize]
    }

    /// Reports every secret in `text` to `record` until it asks for no more.
    fn find(self, text: &str, mut record: impl FnMut(Span) -> bool) {
        for found in self.regex().find_iter(text) {
            if self == Detector::HighEntropyToken && !looks_random(found.as_str()) {
                continue;
            }
            if !record(Span {
                start: found.start(),
                end: found.end(),
            }) {
                break;
            }
        }
    }
}

/// Whether a run of token characters looks like a generated secret rather
/// than an identifier, a path or a hash. Random strings use many different
/// characters (at least 4 bits of entropy each), scatter digits among the
/// letters (two separate runs of digits or more) and have few vowels (under
/// two letters in five). Words joined into one, as in "my-branch-name-2024",
/// "/api/v1/users/12345/settings" or "ThisIsAVeryLongName2024", reach 4 bits
/// too, but fail one of the other two. Hex strings (UUIDs, commit hashes)
/// are identifiers here; their entropy tops out near 4 bits anyway.
fn looks_random(token: &str) -> bool {
    let bytes = token.as_bytes();
    if bytes.iter().all(|&b| b.is_ascii_hexdigit() || b == b'-') {
        return false;
    }
    let digit_runs = bytes
        .iter()
        .zip(iter::once(&b' ').chain(bytes))
        .filter(|&(b, before)| b.is_ascii_digit() && !before.is_ascii_digit())
        .count();
    let letters = bytes.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let vowels = bytes
        .iter()
        .filter(|b| matches!(b.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u'))
        .count();
    digit_runs >= 2 && letters > 0 && vowels * 5 < letters * 2 && entropy(bytes) >= 4.0
}

/// Shannon entropy of the byte distribution, in bits per byte.
fn entropy(bytes: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let total = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let share = f64::from(count) / total;
            -share * share.log2()
        })
        .sum()
}

/// A byte range of the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

/// A rewriting of a text, remembering for each of its bytes the original
/// characters that byte came from.
#[derive(Default)]
struct Mapped {
    text: String,
    origins: Vec<Span>,
}

impl Mapped {
    fn with_capacity(capacity: usize) -> Mapped {
        Mapped {
            text: String::with_capacity(capacity),
            origins: Vec::with_capacity(capacity),
        }
    }

    fn push(&mut self, c: char, origin: Span) {
        self.text.push(c);
        self.origins.resize(self.text.len(), origin);
    }

    /// The original bytes that `start..end` of the rewriting came from.
    fn original(&self, start: usize, end: usize) -> Span {
        Span {
            start: self.origins[start].start,
            end: self.origins[end - 1].end,
        }
    }

    /// Whether the characters at `at - 1` and `at` were adjacent in the
    /// original (nothing dropped between them) and the former is a Latin
    /// letter or digit, i.e. a match starting at `at` starts inside a word.
    fn word_continues_before(&self, at: usize) -> bool {
        self.text[..at]
            .chars()
            .next_back()
            .is_some_and(|before| before.is_ascii_alphanumeric() && self.adjacent(at))
    }

    /// Whether a match ending at `at` ends inside a word.
    fn word_continues_after(&self, at: usize) -> bool {
        self.text[at..]
            .chars()
            .next()
            .is_some_and(|after| after.is_ascii_alphanumeric() && self.adjacent(at))
    }

    /// Whether the characters either side of byte `at` (both present) came
    /// from the same original characters or from neighbouring ones.
    fn adjacent(&self, at: usize) -> bool {
        let (before, after) = (self.origins[at - 1], self.origins[at]);
        before == after || before.end == after.start
    }
}

/// The two rewritings of a text that rules look at.
struct Rewritten {
    /// For terms: as [`alumni_core::search::normalize`] would have it.
    folded: Mapped,
    /// For patterns: NFKC only.
    nfkc: Mapped,
}

impl Rewritten {
    /// Rewrites `text` in one pass; a rewriting not asked for stays empty.
    fn new(text: &str, fold: bool, nfkc: bool) -> Rewritten {
        let mut rewritten = Rewritten {
            folded: Mapped::with_capacity(if fold { text.len() } else { 0 }),
            nfkc: Mapped::with_capacity(if nfkc { text.len() } else { 0 }),
        };
        for_each_nfkc(text, |c, origin| {
            if nfkc {
                rewritten.nfkc.push(c, origin);
            }
            if fold {
                fold_char(c, |folded| rewritten.folded.push(folded, origin));
            }
        });
        rewritten
    }
}

/// Kana, kanji and CJK symbols have no case; sparing them the case tables
/// matters for Japanese text, where they are nearly every character.
const CASELESS: RangeInclusive<char> = '\u{3000}'..='\u{9fff}';

/// Gives what the NFKC character `c` becomes in the directory search's
/// form: lower case, katakana as hiragana, spaces and name punctuation gone.
fn fold_char(c: char, mut keep: impl FnMut(char)) {
    let mut fold = |c: char| {
        if !c.is_whitespace() && !is_name_punctuation(c) {
            keep(katakana_to_hiragana(c));
        }
    };
    if c.is_ascii() {
        fold(c.to_ascii_lowercase());
    } else if CASELESS.contains(&c) {
        fold(c);
    } else {
        c.to_lowercase().for_each(fold);
    }
}

/// Calls `emit` with each character of the NFKC form of `text` and the
/// original characters it came from. The text is cut into pieces before
/// every character NFKC cannot merge with what precedes it, and each piece
/// is normalised alone: the result is that of normalising the whole text,
/// yet a half-width "ﾃﾞ" still becomes "デ", mapped back to both characters.
fn for_each_nfkc(text: &str, mut emit: impl FnMut(char, Span)) {
    // A piece alone and stable is its own NFKC form; skipping the
    // normaliser for it is what keeps ordinary text fast.
    let mut flush = |start: usize, end: usize, alone_and_stable: Option<char>| {
        let origin = Span { start, end };
        match alone_and_stable {
            Some(c) => emit(c, origin),
            None => text[start..end].nfkc().for_each(|c| emit(c, origin)),
        }
    };
    // The piece gathered so far: its start, and its character while it is
    // alone and stable.
    let mut piece: Option<(usize, Option<char>)> = None;
    for (at, c) in text.char_indices() {
        let stable = is_stable(c);
        piece = match piece {
            Some((start, _)) if !stable && !starts_piece(c) => Some((start, None)),
            Some((start, alone_and_stable)) => {
                flush(start, at, alone_and_stable);
                Some((at, stable.then_some(c)))
            }
            None => Some((at, stable.then_some(c))),
        };
    }
    if let Some((start, alone_and_stable)) = piece {
        flush(start, text.len(), alone_and_stable);
    }
}

/// Whether NFKC leaves `c` as it is and never merges it with what precedes
/// it (a starter that is quick-checked as normalised).
fn is_stable(c: char) -> bool {
    c.is_ascii()
        || KANA_AND_KANJI.iter().any(|range| range.contains(&c))
        || (canonical_combining_class(c) == 0 && is_nfkc_quick(iter::once(c)) == IsNormalized::Yes)
}

/// Hiragana, katakana and the unified kanji, all stable: most characters
/// of a Japanese text, answered without the normalisation tables.
const KANA_AND_KANJI: [RangeInclusive<char>; 3] = [
    '\u{3041}'..='\u{3096}',
    '\u{30a1}'..='\u{30fc}',
    '\u{4e00}'..='\u{9fff}',
];

/// Whether NFKC never merges the unstable `c` with what precedes it: its
/// decomposition starts with a stable character ("Ｆ" does, the half-width
/// voiced mark "ﾞ" does not).
fn starts_piece(c: char) -> bool {
    let mut first = None;
    decompose_compatible(c, |part| {
        first.get_or_insert(part);
    });
    first.is_some_and(is_stable)
}

/// The matches found so far, and how many each rule has.
struct Hits {
    found: Vec<Hit>,
    tallies: Vec<Tally>,
}

struct Hit {
    rule: usize,
    span: Span,
}

#[derive(Clone, Copy, Default)]
struct Tally {
    count: usize,
    /// End of the rule's last match.
    end: usize,
}

impl Hits {
    fn new(rules: usize) -> Hits {
        Hits {
            found: Vec::new(),
            tallies: vec![Tally::default(); rules],
        }
    }

    /// Keeps a match of `rule` unless the rule has reported enough or the
    /// match overlaps its previous one; returns whether the rule wants more.
    fn record(&mut self, rule: usize, span: Span) -> bool {
        let tally = &mut self.tallies[rule];
        if tally.count >= MAX_MATCHES_PER_RULE {
            return false;
        }
        if span.start >= tally.end {
            self.found.push(Hit { rule, span });
            tally.count += 1;
            tally.end = span.end;
        }
        tally.count < MAX_MATCHES_PER_RULE
    }
}

/// The match in `span` with some context, on one line; a secret is cut
/// after its first characters and shown without what follows.
fn excerpt(text: &str, span: Span, secret: bool) -> String {
    let from = text[..span.start]
        .char_indices()
        .rev()
        .nth(EXCERPT_CONTEXT - 1)
        .map_or(0, |(at, _)| at);
    let mut excerpt = String::new();
    let mut show = |part: &str| {
        excerpt.extend(part.chars().map(|c| if c.is_control() { ' ' } else { c }));
    };
    if from > 0 {
        show("…");
    }
    show(&text[from..span.start]);
    let matched = &text[span.start..span.end];
    if secret {
        let shown = matched
            .char_indices()
            .nth(SECRET_PREFIX)
            .map_or(matched.len(), |(at, _)| at);
        show(&matched[..shown]);
        show("…");
    } else {
        let to = text[span.end..]
            .char_indices()
            .nth(EXCERPT_CONTEXT)
            .map_or(text.len(), |(at, _)| span.end + at);
        show(matched);
        show(&text[span.end..to]);
        if to < text.len() {
            show("…");
        }
    }
    excerpt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: RuleKind, terms: &[&str], action: RuleAction, scope: RuleScope) -> RuleSpec {
        RuleSpec {
            id: Uuid::now_v7(),
            kind,
            terms: terms.iter().map(|&term| term.to_owned()).collect(),
            action,
            scope,
        }
    }

    fn term(terms: &[&str]) -> RuleSpec {
        rule(
            RuleKind::Term,
            terms,
            RuleAction::Hold,
            RuleScope::Everywhere,
        )
    }

    fn pattern(pattern: &str) -> RuleSpec {
        rule(
            RuleKind::Pattern,
            &[pattern],
            RuleAction::Hold,
            RuleScope::Everywhere,
        )
    }

    fn detector(name: &str) -> RuleSpec {
        rule(
            RuleKind::Detector,
            &[name],
            RuleAction::Block,
            RuleScope::Everywhere,
        )
    }

    fn check(rules: &[RuleSpec], text: &str) -> Vec<RuleMatch> {
        Engine::compile(rules)
            .expect("rules compile")
            .check(text, TextAudience::Alumni)
    }

    /// The original text of every match.
    fn matched<'a>(rules: &[RuleSpec], text: &'a str) -> Vec<&'a str> {
        check(rules, text)
            .iter()
            .map(|found| &text[found.start..found.end])
            .collect()
    }

    fn refusal(rule: &RuleSpec) -> String {
        Engine::validate(rule).expect_err("rule is refused").message
    }

    #[test]
    fn a_term_matches_inside_japanese_text() {
        assert_eq!(matched(&[term(&["極秘"])], "これは極秘です"), ["極秘"]);
    }

    #[test]
    fn full_width_latin_matches_and_maps_back_to_the_original() {
        let text = "次はＦＡＬＣＯＮで";
        let found = check(&[term(&["falcon"])], text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].start..found[0].end], "ＦＡＬＣＯＮ");
    }

    #[test]
    fn half_width_kana_match_a_katakana_term() {
        let rules = [term(&["ファルコン"])];
        assert_eq!(matched(&rules, "ﾌｧﾙｺﾝの件"), ["ﾌｧﾙｺﾝ"]);
        // A voiced mark written apart still composes: ﾃﾞ is デ.
        assert_eq!(matched(&[term(&["データ"])], "ﾃﾞｰﾀ移行"), ["ﾃﾞｰﾀ"]);
    }

    #[test]
    fn katakana_and_hiragana_match_each_other() {
        assert_eq!(
            matched(&[term(&["ふぁるこん"])], "ファルコン計画"),
            ["ファルコン"]
        );
        assert_eq!(
            matched(&[term(&["ファルコン"])], "ふぁるこん計画"),
            ["ふぁるこん"]
        );
    }

    #[test]
    fn spaces_hyphens_and_case_are_ignored() {
        let rules = [term(&["project falcon"])];
        for text in [
            "Project Falcon",
            "project-falcon",
            "ProjectFalcon",
            "PROJECT_FALCON",
        ] {
            assert_eq!(matched(&rules, text), [text], "{text}");
        }
    }

    #[test]
    fn latin_terms_match_whole_words_only() {
        let rules = [term(&["falcon"])];
        assert!(matched(&rules, "falconry is an old art").is_empty());
        assert!(matched(&rules, "the ProjectFalcon repo").is_empty());
        assert!(matched(&rules, "falcon2").is_empty());
        assert_eq!(matched(&rules, "Falcon's launch"), ["Falcon"]);
        assert_eq!(matched(&rules, "Falcon計画"), ["Falcon"]);
        assert_eq!(matched(&rules, "新Falcon"), ["Falcon"]);
        assert!(matched(&[term(&["ai"])], "she said so").is_empty());
        // The boundary is judged after NFKC: a full-width letter is a letter.
        assert!(matched(&rules, "Ｘfalcon").is_empty());
    }

    #[test]
    fn mixed_terms_are_bounded_on_their_latin_side_only() {
        let rules = [term(&["Falcon計画"])];
        assert_eq!(matched(&rules, "Falcon計画書"), ["Falcon計画"]);
        assert_eq!(matched(&rules, "falcon 計画"), ["falcon 計画"]);
        assert!(matched(&rules, "SuperFalcon計画").is_empty());
        let rules = [term(&["Kubernetes 運用"])];
        assert_eq!(
            matched(&rules, "社内のKubernetes運用手順"),
            ["Kubernetes運用"]
        );
    }

    #[test]
    fn rules_sharing_or_overlapping_terms_all_report() {
        let rules = [
            term(&["falcon"]),
            term(&["ファルコン", "FALCON"]),
            term(&["project falcon"]),
        ];
        let found = check(&rules, "Project Falcon");
        let ids: Vec<Uuid> = found.iter().map(|found| found.rule).collect();
        assert_eq!(ids, [rules[2].id, rules[0].id, rules[1].id]);
    }

    #[test]
    fn a_pattern_sees_full_width_digits_as_digits() {
        let rules = [pattern(r"\b10\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")];
        assert_eq!(
            matched(&rules, "接続先は１０.２.３.４です"),
            ["１０.２.３.４"]
        );
        assert_eq!(
            matched(&rules, "接続先は１０．２．３．４です"),
            ["１０．２．３．４"]
        );
        assert_eq!(matched(&rules, "IPは10.2.3.4です"), ["10.2.3.4"]);
        assert!(matched(&rules, "version 110.2.3.4").is_empty());
    }

    #[test]
    fn a_ticket_pattern_matches() {
        let rules = [pattern(r"(?i)\bPRJ-\d+\b")];
        assert_eq!(
            matched(&rules, "prj-1234 と ＰＲＪ－９９ を参照"),
            ["prj-1234", "ＰＲＪ－９９"]
        );
        assert!(matched(&rules, "XPRJ-12").is_empty());
    }

    #[test]
    fn private_key_detector() {
        let rules = [detector("PRIVATE_KEY")];
        assert_eq!(
            matched(
                &rules,
                "鍵です\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA"
            ),
            ["-----BEGIN RSA PRIVATE KEY-----"]
        );
        assert_eq!(matched(&rules, "-----BEGIN PRIVATE KEY-----").len(), 1);
        assert_eq!(
            matched(&rules, "-----BEGIN PGP PRIVATE KEY BLOCK-----").len(),
            1
        );
        assert!(matched(&rules, "-----BEGIN PUBLIC KEY-----").is_empty());
    }

    #[test]
    fn aws_access_key_detector() {
        let rules = [detector("AWS_ACCESS_KEY")];
        assert_eq!(
            matched(&rules, "キーはAKIAIOSFODNN7EXAMPLEです"),
            ["AKIAIOSFODNN7EXAMPLE"]
        );
        assert_eq!(matched(&rules, "ASIAY34FZKBOKMUTVV7A").len(), 1);
        assert!(matched(&rules, "AKIAIOSFODNN7EXAMPL").is_empty());
        assert!(matched(&rules, "AKIAIOSFODNN7EXAMPLE1").is_empty());
        assert!(matched(&rules, "akiaiosfodnn7example").is_empty());
    }

    #[test]
    fn github_token_detector() {
        let rules = [detector("GITHUB_TOKEN")];
        let classic = format!("ghp_{}", "a1B2c3D4e5".repeat(4));
        assert_eq!(
            matched(&rules, &format!("token: {classic}")),
            [classic.as_str()]
        );
        let fine_grained = format!("github_pat_11ABCDEFG0_{}", "x9Y8z7W6v5".repeat(5));
        assert_eq!(matched(&rules, &fine_grained), [fine_grained.as_str()]);
        assert!(matched(&rules, &format!("ghp_{}", "a1B2c3D4e5".repeat(3))).is_empty());
        assert!(matched(&rules, &format!("ghx_{}", "a1B2c3D4e5".repeat(4))).is_empty());
    }

    #[test]
    fn slack_token_detector() {
        let rules = [detector("SLACK_TOKEN")];
        assert_eq!(
            matched(&rules, "xoxb-1234567890-abcdefGHIJ です"),
            ["xoxb-1234567890-abcdefGHIJ"]
        );
        assert!(matched(&rules, "xoxb-12345").is_empty());
        assert!(matched(&rules, "xoxq-1234567890-abcdef").is_empty());
    }

    #[test]
    fn high_entropy_token_detector() {
        let rules = [detector("HIGH_ENTROPY_TOKEN")];
        for secret in [
            "kX9vQ2mZ7pL4wR8tY3nB6cF1hJ5dG0sA",
            "wJalrXUtnF3MI/K7MDENG/bPxRfiCY9x2LEKzY8z",
        ] {
            assert_eq!(
                matched(&rules, &format!("APIキー: {secret} です")),
                [secret]
            );
        }
        for ordinary in [
            "0190a3b2-7c4d-7e5f-8a6b-9c0d1e2f3a4b",
            "d670460b4b4aece5915caf5c68d12f560a9fe3e4",
            "my-long-branch-name-feature-1234-fix-login",
            "/api/v1/users/12345/profile/settings/notifications",
            "ThisIsAVeryLongIdentifierName2024Version",
            "internationalizationAndLocalizationWithoutDigits",
            "kX9vQ2mZ7pL4wR8tY3nB6cF1hJ5dG0s",
        ] {
            assert!(matched(&rules, ordinary).is_empty(), "{ordinary}");
        }
    }

    #[test]
    fn a_detector_excerpt_does_not_reveal_the_secret() {
        let secret = "AKIAIOSFODNN7EXAMPLE";
        let text = format!("本番のキーは {secret} です。使わないでください");
        let found = check(&[detector("AWS_ACCESS_KEY")], &text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].excerpt, "本番のキーは AKIA…");
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA";
        let found = check(&[detector("PRIVATE_KEY")], key);
        assert_eq!(found[0].excerpt, "----…");
    }

    #[test]
    fn an_excerpt_shows_the_match_with_context_on_one_line() {
        let text = "前置きが長い文章です。\nこの件は極秘です。\n以下は関係のない文章が続きます。";
        let found = check(&[term(&["極秘"])], text);
        assert_eq!(
            found[0].excerpt,
            "…長い文章です。 この件は極秘です。 以下は関係のない…"
        );
        assert_eq!(check(&[term(&["極秘"])], "極秘")[0].excerpt, "極秘");
    }

    #[test]
    fn alumni_facing_rules_skip_texts_for_employees() {
        let internal = rule(
            RuleKind::Term,
            &["Hayabusa"],
            RuleAction::Hold,
            RuleScope::AlumniFacing,
        );
        let everywhere = term(&["極秘"]);
        let engine = Engine::compile(&[internal.clone(), everywhere.clone()]).expect("compiles");
        let text = "Hayabusa の極秘資料";
        let rules_for = |audience| -> Vec<Uuid> {
            engine
                .check(text, audience)
                .iter()
                .map(|found| found.rule)
                .collect()
        };
        assert_eq!(
            rules_for(TextAudience::Alumni),
            [internal.id, everywhere.id]
        );
        assert_eq!(rules_for(TextAudience::EmployeesOnly), [everywhere.id]);
    }

    #[test]
    fn the_verdict_is_the_strictest_action() {
        let rules = [
            rule(
                RuleKind::Term,
                &["warn"],
                RuleAction::Warn,
                RuleScope::Everywhere,
            ),
            rule(
                RuleKind::Term,
                &["block"],
                RuleAction::Block,
                RuleScope::Everywhere,
            ),
            rule(
                RuleKind::Term,
                &["hold"],
                RuleAction::Hold,
                RuleScope::Everywhere,
            ),
        ];
        let engine = Engine::compile(&rules).expect("compiles");
        let verdict_of = |text| verdict(&engine.check(text, TextAudience::Alumni));
        assert_eq!(verdict_of("warn hold block"), Some(RuleAction::Block));
        assert_eq!(verdict_of("hold warn"), Some(RuleAction::Hold));
        assert_eq!(verdict_of("warn"), Some(RuleAction::Warn));
        assert_eq!(verdict_of("nothing here"), None);
    }

    #[test]
    fn validate_refuses_unusable_rules() {
        assert!(Engine::validate(&term(&["極秘", "Falcon"])).is_ok());
        assert!(Engine::validate(&pattern(r"PRJ-\d+")).is_ok());
        assert!(Engine::validate(&detector("SLACK_TOKEN")).is_ok());

        assert!(refusal(&term(&[])).contains("at least one"));
        assert!(refusal(&term(&["極秘", " ・- "])).contains("nothing to match"));
        assert!(refusal(&term(&[&"あ".repeat(MAX_TERM_CHARS + 1)])).contains("at most"));
        let many: Vec<String> = (0..=MAX_TERMS_PER_RULE)
            .map(|n| format!("term{n}"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(refusal(&term(&many)).contains("at most 500 terms"));

        assert!(refusal(&pattern(r"PRJ-(\d+")).contains("invalid pattern"));
        assert!(refusal(&pattern(r"[\b]")).contains(r"[\b]"));
        assert!(refusal(&pattern(r"\d*")).contains("empty text"));
        assert!(refusal(&pattern(r"(?:\w{100}){100}")).contains("invalid pattern"));
        assert!(refusal(&pattern(&"a".repeat(MAX_PATTERN_CHARS + 1))).contains("at most"));
        let two = rule(
            RuleKind::Pattern,
            &["a", "b"],
            RuleAction::Hold,
            RuleScope::Everywhere,
        );
        assert!(refusal(&two).contains("exactly one"));

        assert!(refusal(&detector("PASSWORD")).contains("unknown detector"));
    }

    #[test]
    fn compile_reports_the_first_invalid_rule() {
        let bad = pattern("(");
        let error =
            Engine::compile(&[term(&["ok"]), bad.clone(), detector("NOPE")]).expect_err("refused");
        assert_eq!(error.rule, bad.id);
        assert!(error.to_string().starts_with(&format!("rule {}: ", bad.id)));
    }

    #[test]
    fn each_rule_reports_at_most_five_matches() {
        let text = "極秘、".repeat(100) + &"PRJ-1 ".repeat(100);
        let found = check(&[term(&["極秘"]), pattern(r"PRJ-\d")], &text);
        assert_eq!(found.len(), 2 * MAX_MATCHES_PER_RULE);
        assert!(
            found[..MAX_MATCHES_PER_RULE]
                .iter()
                .all(|found| found.start < 50)
        );
    }

    #[test]
    fn matches_come_in_text_order() {
        let rules = [
            pattern(r"PRJ-\d+"),
            term(&["極秘"]),
            detector("AWS_ACCESS_KEY"),
        ];
        let text = "AKIAIOSFODNN7EXAMPLE 極秘 PRJ-7 極秘";
        let found = check(&rules, text);
        let starts: Vec<usize> = found.iter().map(|found| found.start).collect();
        assert!(starts.is_sorted());
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].rule, rules[2].id);
    }

    #[test]
    fn an_empty_engine_matches_nothing() {
        let engine = Engine::empty();
        assert!(engine.is_empty());
        assert_eq!(engine.len(), 0);
        assert!(
            engine
                .check("極秘 AKIAIOSFODNN7EXAMPLE", TextAudience::Alumni)
                .is_empty()
        );
        let engine = Engine::compile(&[term(&["a"]), detector("PRIVATE_KEY")]).expect("compiles");
        assert_eq!(engine.len(), 2);
    }

    #[test]
    fn folding_agrees_with_the_directory_search() {
        for text in [
            "Project Falcon",
            "ＦＡＬＣＯＮ　計画",
            "ﾌｧﾙｺﾝ・ﾃﾞｰﾀ",
            "O'Brien-Smith_Jr.",
            "㍿サンプル",
            "Ⅻ章 ①番",
            "e\u{301}cole",
            "İstanbul",
        ] {
            assert_eq!(
                Rewritten::new(text, true, false).folded.text,
                alumni_core::search::normalize(text),
                "{text}"
            );
        }
    }

    #[test]
    fn the_caseless_range_has_no_case() {
        for c in CASELESS {
            assert!(c.to_lowercase().eq([c]), "{c}");
        }
    }

    #[test]
    fn kana_and_kanji_are_stable() {
        for c in KANA_AND_KANJI.into_iter().flatten() {
            assert_eq!(canonical_combining_class(c), 0, "{c}");
            assert_eq!(is_nfkc_quick(iter::once(c)), IsNormalized::Yes, "{c}");
        }
    }

    #[test]
    fn word_boundaries_in_patterns_become_ascii() {
        assert_eq!(ascii_word_boundaries(r"\bx\B"), r"(?-u:\b)x(?-u:\B)");
        assert_eq!(ascii_word_boundaries(r"\b{start}x"), r"(?-u:\b{start})x");
        assert_eq!(ascii_word_boundaries(r"\\b\d"), r"\\b\d");
    }

    #[test]
    fn every_detector_is_known_by_its_name() {
        assert_eq!(DETECTORS.len(), Detector::ALL.len());
        for (index, &(name, _)) in DETECTORS.iter().enumerate() {
            assert_eq!(Detector::named(name), Some(Detector::ALL[index]));
            assert_eq!(Detector::ALL[index] as usize, index);
        }
    }

    #[test]
    fn an_engine_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Engine>();
    }
}
