//! Whether the viewer marked an article, a question or an answer helpful:
//! one loader for all three, keyed by the subject's id (ids are unique
//! across them).

use uuid::Uuid;

viewer_loader!(
    /// Whether the viewer marked each subject helpful.
    MarkedHelpfulLoader: Uuid => bool,
    |service, viewer, subjects| {
        let marked = service.marked_helpful(viewer, subjects).await?;
        Ok(subjects
            .iter()
            .map(|subject| (*subject, marked.contains(subject)))
            .collect())
    }
);
