//! Japanese-aware text search by character n-grams.
//!
//! Japanese has no spaces between words, so PostgreSQL's word-based full-text
//! search does not fit, and `pg_trgm` ignores non-ASCII characters under the
//! C locale. Searchable text is therefore stored twice: normalised (see
//! [`normalize`]), and as the set of its character unigrams and bigrams in a
//! `text[]` column with a GIN index. A query term matches when the row holds
//! all of the term's grams (`grams @> term_grams`, answered from the index)
//! and the normalised text contains the term (`LIKE`, checked only on the
//! rows the index found). Two-character words such as 設計 or 運用, single
//! kanji, kana, romaji and mixed text such as "Kubernetes 運用" all work.
//!
//! Several values (a name, its reading, its romaji) are joined with
//! [`FIELD_SEPARATOR`], and grams never span two values, so no match crosses
//! from one value into the next.

use unicode_normalization::UnicodeNormalization as _;
use wana_kana::ConvertJapanese as _;

/// Joins several normalised values in one searchable text.
pub const FIELD_SEPARATOR: char = '\u{1f}';

/// The form text is compared in: NFKC (full-width Latin and half-width kana
/// become ordinary), lower case, katakana as hiragana, and no whitespace or
/// name punctuation (・, ･, ., -, _ and the like).
pub fn normalize(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !is_name_punctuation(*c))
        .map(katakana_to_hiragana)
        .collect()
}

/// Punctuation ignored in names (and by the leak guard's terms).
pub fn is_name_punctuation(c: char) -> bool {
    matches!(
        c,
        '・' | '･' | '.' | '-' | '_' | '\'' | '‐' | '－' | FIELD_SEPARATOR
    )
}

/// Maps a katakana letter to its hiragana twin; other characters are kept.
pub fn katakana_to_hiragana(c: char) -> char {
    match c {
        'ァ'..='ヶ' => char::from_u32(u32::from(c) - 0x60).unwrap_or(c),
        _ => c,
    }
}

/// The Hepburn romanisation of a kana reading, normalised (e.g. "さとう
/// はなこ" → "satouhanako"). Long vowels are spelled out (`ou`, `uu`);
/// since matching is by substring, "sato" still finds "satou".
pub fn romaji(kana: &str) -> String {
    let hiragana: String = kana.chars().map(katakana_to_hiragana).collect();
    normalize(&hiragana.as_str().to_romaji())
}

/// Most distinct terms a search may have. People look for a name with one
/// to three words (surname, given name, a former surname, or the reading
/// of one of them); five leaves room for mixed scripts.
pub const MAX_QUERY_TERMS: usize = 5;

/// Longest term, in characters once normalised. The longest names people
/// type as one word are a full name without a space, in romaji
/// ("teshigawarajunichirou", 21); normalisation can lengthen text (NFKC
/// turns "㍿" into four characters), so the bound applies afterwards.
pub const MAX_TERM_CHARS: usize = 32;

/// Why a search query is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryRefusal {
    /// More distinct terms than [`MAX_QUERY_TERMS`].
    #[error("use at most {MAX_QUERY_TERMS} different words")]
    TooManyTerms,
    /// A term longer than [`MAX_TERM_CHARS`] once normalised.
    #[error("each word must be at most {MAX_TERM_CHARS} characters")]
    TermTooLong,
}

/// The query split into normalised terms; every term must match. Splits on
/// any whitespace, including the ideographic space. A term that another
/// term contains is dropped (repeats too), since any text containing the
/// longer one contains it: "さ さとう" asks no more than "さとう". Refuses
/// queries with more distinct terms or longer ones than a name search
/// needs, which would otherwise let one request pile up index scans.
pub fn query_terms(query: &str) -> Result<Vec<String>, QueryRefusal> {
    let mut terms: Vec<String> = query
        .split(char::is_whitespace)
        .map(normalize)
        .filter(|term| !term.is_empty())
        .collect();
    if terms
        .iter()
        .any(|term| term.chars().count() > MAX_TERM_CHARS)
    {
        return Err(QueryRefusal::TermTooLong);
    }
    // Longest first, so each term meets every longer one already kept
    // (and a repeat meets its first occurrence); the kept ones are then
    // put back in the order they were written. Stopping at the first term
    // too many bounds the work by the terms allowed, not the terms sent.
    let mut by_length: Vec<usize> = (0..terms.len()).collect();
    by_length.sort_by_key(|&index| std::cmp::Reverse(terms[index].chars().count()));
    let mut kept: Vec<usize> = Vec::with_capacity(MAX_QUERY_TERMS + 1);
    for index in by_length {
        if !kept
            .iter()
            .any(|&longer| terms[longer].contains(terms[index].as_str()))
        {
            if kept.len() == MAX_QUERY_TERMS {
                return Err(QueryRefusal::TooManyTerms);
            }
            kept.push(index);
        }
    }
    kept.sort_unstable();
    Ok(kept
        .into_iter()
        .map(|index| std::mem::take(&mut terms[index]))
        .collect())
}

/// The grams to index for several values: every character and every pair of
/// adjacent characters within each value, without duplicates.
pub fn index_grams<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut grams = std::collections::BTreeSet::new();
    for value in values {
        let chars: Vec<char> = normalize(value).chars().collect();
        grams.extend(chars.iter().map(char::to_string));
        grams.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
    }
    grams.into_iter().collect()
}

/// The grams a row must hold to contain `term` (already normalised): its
/// bigrams, or the character itself for a one-character term.
pub fn term_grams(term: &str) -> Vec<String> {
    let chars: Vec<char> = term.chars().collect();
    if chars.len() == 1 {
        return vec![term.to_owned()];
    }
    let mut grams: Vec<String> = chars.windows(2).map(|pair| pair.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    grams
}

/// Several values normalised and joined into one searchable text.
pub fn index_text<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values
        .into_iter()
        .map(normalize)
        .filter(|value| !value.is_empty())
        .collect::<Vec<_>>()
        .join(&FIELD_SEPARATOR.to_string())
}

/// A `LIKE` pattern matching texts that contain `term` literally.
pub fn contains_pattern(term: &str) -> String {
    format!("%{}%", escape_like(term))
}

/// A `LIKE` pattern matching texts that start with `term` literally.
pub fn prefix_pattern(term: &str) -> String {
    format!("{}%", escape_like(term))
}

fn escape_like(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_width_case_kana_and_spaces() {
        assert_eq!(normalize("ＴＡＮＡＫＡ　Hanako"), "tanakahanako");
        assert_eq!(normalize("サトウ ハナコ"), "さとうはなこ");
        assert_eq!(normalize("ｻﾄｳ"), "さとう");
        assert_eq!(normalize("ジョン・スミス"), "じょんすみす");
        assert_eq!(normalize("髙橋 一郎"), "髙橋一郎");
    }

    #[test]
    fn romanises_readings() {
        assert_eq!(romaji("さとう はなこ"), "satouhanako");
        assert_eq!(romaji("タナカ"), "tanaka");
        assert_eq!(romaji("しんじ"), "shinji");
    }

    #[test]
    fn grams_cover_every_substring_of_a_term() {
        let grams = index_grams(["Kubernetes 運用", "設計"]);
        for term in ["運用", "設計", "kube", "s運", "設"] {
            let needed = term_grams(&normalize(term));
            assert!(needed.iter().all(|gram| grams.contains(gram)), "{term}");
        }
        // No gram spans two values.
        assert!(!grams.contains(&"用設".to_owned()));
    }

    #[test]
    fn queries_split_on_any_whitespace() {
        assert_eq!(
            query_terms(" 佐藤　花子  sato ").unwrap(),
            ["佐藤", "花子", "sato"]
        );
        assert!(query_terms(" 　 ").unwrap().is_empty());
    }

    #[test]
    fn repeated_and_contained_terms_collapse() {
        assert_eq!(query_terms(&"a ".repeat(50)).unwrap(), ["a"]);
        assert_eq!(query_terms("さ さとう サトウ").unwrap(), ["さとう"]);
        assert_eq!(
            query_terms("a b ab sato satou tou").unwrap(),
            ["ab", "satou"]
        );
        // Six different words, of which two are inside others.
        assert_eq!(
            query_terms("佐藤 花子 山田 佐 花 Sato").unwrap(),
            ["佐藤", "花子", "山田", "sato"]
        );
    }

    #[test]
    fn too_many_or_too_long_terms_are_refused() {
        assert_eq!(query_terms("a b c d e").unwrap().len(), MAX_QUERY_TERMS);
        assert_eq!(query_terms("a b c d e f"), Err(QueryRefusal::TooManyTerms));
        let longest = "あ".repeat(MAX_TERM_CHARS);
        assert_eq!(
            query_terms(&longest).unwrap(),
            std::slice::from_ref(&longest)
        );
        assert_eq!(
            query_terms(&format!("{longest}あ")),
            Err(QueryRefusal::TermTooLong)
        );
        // Normalisation that lengthens text counts: ㍿ is 株式会社.
        assert_eq!(
            query_terms(&"㍿".repeat(MAX_TERM_CHARS / 4 + 1)),
            Err(QueryRefusal::TermTooLong)
        );
    }

    #[test]
    fn patterns_escape_like_metacharacters() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(prefix_pattern("c_"), "c\\_%");
    }

    #[test]
    fn joined_values_keep_their_boundaries() {
        let text = index_text(["田中", "たなか"]);
        assert_eq!(text, format!("田中{FIELD_SEPARATOR}たなか"));
        assert!(!text.contains("中た"));
    }
}
