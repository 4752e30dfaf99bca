//! Searching everything written here, and similar questions while asking.

use alumni_core::pagination::PageRequest;
use alumni_core::search::{self, MAX_QUERY_TERMS, QueryRefusal};
use alumni_core::{AppError, AppResult, Viewer};
use uuid::Uuid;

use super::{KnowledgeService, participant};
use crate::model::{DocumentKind, KnowledgeAudience, QuestionId, QuestionRecord};
use crate::store::search::{Hit, SearchFilter, SearchWord};
use crate::store::{questions, search as store, tags};

/// Questions shown as similar while asking.
pub const MAX_SIMILAR: i64 = 10;

/// Pairs of characters of a title compared for similarity, at most.
const MAX_SIMILARITY_GRAMS: usize = 24;

/// The words of a query: split on spaces, then where Latin letters or
/// digits meet other scripts ("Kubernetes運用" is two words, as the text
/// may read "Kubernetes の運用"). Refused when empty, with more than
/// [`MAX_QUERY_TERMS`] words or with a word too long.
pub fn query_words(query: &str) -> AppResult<Vec<String>> {
    let terms = search::query_terms(query).map_err(|refusal| match refusal {
        QueryRefusal::TooManyTerms => {
            AppError::bad_input("query", format!("use at most {MAX_QUERY_TERMS} words"))
        }
        QueryRefusal::TermTooLong => AppError::bad_input("query", refusal.to_string()),
    })?;
    let mut words: Vec<String> = Vec::new();
    for term in terms {
        let mut current = String::new();
        let mut latin: Option<bool> = None;
        for c in term.chars() {
            let is_latin = c.is_ascii_alphanumeric();
            if latin.is_some_and(|previous| previous != is_latin) {
                words.push(std::mem::take(&mut current));
            }
            latin = Some(is_latin);
            current.push(c);
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words.dedup();
    if words.is_empty() {
        return Err(AppError::bad_input("query", "must not be empty"));
    }
    if words.len() > MAX_QUERY_TERMS {
        return Err(AppError::bad_input(
            "query",
            format!("use at most {MAX_QUERY_TERMS} words"),
        ));
    }
    Ok(words)
}

impl KnowledgeService {
    /// One page of a search over articles, questions, answers and board
    /// posts the viewer may read, best first. A word that names a tag or
    /// one of its aliases also finds what carries the tag or spells it
    /// another way (k8s finds "Kubernetes").
    pub async fn search(
        &self,
        viewer: &Viewer,
        query: &str,
        kinds: Vec<DocumentKind>,
        page: &PageRequest<(i32, Uuid)>,
    ) -> AppResult<Vec<Hit>> {
        let filter = self.search_filter(viewer, query, kinds).await?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, &filter, page).await?)
    }

    /// How many hits [`search`](Self::search) has (capped).
    pub async fn count_search(
        &self,
        viewer: &Viewer,
        query: &str,
        kinds: Vec<DocumentKind>,
    ) -> AppResult<i64> {
        let filter = self.search_filter(viewer, query, kinds).await?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::count(&mut conn, &filter).await?)
    }

    async fn search_filter(
        &self,
        viewer: &Viewer,
        query: &str,
        kinds: Vec<DocumentKind>,
    ) -> AppResult<SearchFilter> {
        let identity = participant(viewer)?;
        let words = query_words(query)?;
        let mut conn = self.ctx.conn().await?;
        let spellings = tags::spellings(&mut conn, &words).await?;
        let words = words
            .into_iter()
            .map(|word| {
                let tag = spellings
                    .iter()
                    .find(|(named, _, _)| *named == word)
                    .map(|(_, tag, slugs)| (*tag, slugs.clone()));
                SearchWord { word, tag }
            })
            .collect();
        let filter = SearchFilter {
            words,
            kinds,
            audiences: KnowledgeAudience::admitted(identity.roles),
            now: self.ctx.now(),
        };
        Ok(filter)
    }

    /// Questions like a title being written, most alike first (at most
    /// [`MAX_SIMILAR`]), so an asker finds an answer before asking again.
    pub async fn similar_questions(
        &self,
        viewer: &Viewer,
        title: &str,
        limit: i64,
    ) -> AppResult<Vec<QuestionRecord>> {
        participant(viewer)?;
        if title.chars().count() > 200 {
            return Err(AppError::bad_input(
                "title",
                "must be at most 200 characters",
            ));
        }
        let grams = similarity_grams(title);
        if grams.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.ctx.conn().await?;
        let ids = store::similar_questions(&mut conn, &grams, limit.clamp(1, MAX_SIMILAR)).await?;
        let ids: Vec<QuestionId> = ids.into_iter().map(QuestionId).collect();
        let mut found = questions::by_ids(&mut conn, &ids).await?;
        found.sort_by_key(|question| ids.iter().position(|id| *id == question.id));
        Ok(found)
    }
}

/// The pairs of characters of a title that say something: pairs made only
/// of hiragana (particles, endings: "のが", "する") are left out.
fn similarity_grams(title: &str) -> Vec<String> {
    let chars: Vec<char> = search::normalize(title).chars().collect();
    let mut grams: Vec<String> = chars
        .windows(2)
        .filter(|pair| !pair.iter().all(|c| ('\u{3041}'..='\u{309f}').contains(c)))
        .map(|pair| pair.iter().collect())
        .collect();
    grams.sort();
    grams.dedup();
    grams.truncate(MAX_SIMILARITY_GRAMS);
    grams
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_where_latin_meets_other_scripts() {
        assert_eq!(
            query_words("Kubernetes運用").unwrap(),
            ["kubernetes", "運用"]
        );
        assert_eq!(query_words("ＡＷＳ 移行").unwrap(), ["aws", "移行"]);
        assert_eq!(query_words("要件").unwrap(), ["要件"]);
        assert_eq!(query_words("  ").unwrap_err().code(), "BAD_USER_INPUT");
    }

    #[test]
    fn similarity_ignores_pairs_of_hiragana() {
        let grams = similarity_grams("Podが再起動する");
        assert!(grams.contains(&"再起".to_owned()));
        assert!(!grams.iter().any(|gram| gram == "する"));
    }
}
