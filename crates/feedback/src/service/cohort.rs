//! Cohort attributes attached to feedback and survey responses: the
//! member's own, and only when the cohort they describe has at least
//! [`MIN_COHORT_MEMBERS`] members, so an attribute never points at a
//! person.

use alumni_core::{AppResult, MemberId};
use diesel_async::AsyncPgConnection;

use super::{FeedbackService, refused};
use crate::model::{BAND_YEARS, Cohort, MIN_COHORT_MEMBERS, band_of};

/// Which of their own attributes a member attaches.
#[derive(Debug, Clone, Copy, Default)]
pub struct CohortChoice {
    /// The predecessor company they left.
    pub company: bool,
    /// Their leave-year band.
    pub left_year_band: bool,
}

impl FeedbackService {
    /// The member's own cohort (from their profile), whole.
    async fn own_cohort_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<Cohort> {
        let (company, left_year) = self.membership.cohort_in(conn, member).await?;
        Ok(Cohort {
            company,
            left_year_band: left_year.map(band_of),
        })
    }

    /// How many members `cohort` describes.
    async fn cohort_size_in(&self, conn: &mut AsyncPgConnection, cohort: Cohort) -> AppResult<i64> {
        self.membership
            .cohort_size_in(conn, cohort.company, cohort.left_year_band, BAND_YEARS)
            .await
    }

    /// What the member chose to attach: their own attributes, refused
    /// when they have none to attach (`NO_COHORT`) or when the cohort
    /// would describe fewer than five members (`COHORT_TOO_SMALL`).
    pub(crate) async fn chosen_cohort_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
        choice: CohortChoice,
    ) -> AppResult<Cohort> {
        if !choice.company && !choice.left_year_band {
            return Ok(Cohort::default());
        }
        let own = self.own_cohort_in(conn, member).await?;
        let chosen = Cohort {
            company: own.company.filter(|_| choice.company),
            left_year_band: own.left_year_band.filter(|_| choice.left_year_band),
        };
        if (choice.company && chosen.company.is_none())
            || (choice.left_year_band && chosen.left_year_band.is_none())
        {
            return Err(refused(
                "your profile has no such attribute to attach",
                "NO_COHORT",
            ));
        }
        if self.cohort_size_in(conn, chosen).await? < MIN_COHORT_MEMBERS {
            return Err(refused(
                "too few members share these attributes: attaching them could identify you",
                "COHORT_TOO_SMALL",
            ));
        }
        Ok(chosen)
    }

    /// The most detailed part of the member's own cohort that describes
    /// at least five members: both attributes, else the company alone,
    /// else the band alone, else nothing.
    pub(crate) async fn safe_cohort_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<Cohort> {
        let own = self.own_cohort_in(conn, member).await?;
        let candidates = [
            own,
            Cohort {
                left_year_band: None,
                ..own
            },
            Cohort {
                company: None,
                ..own
            },
        ];
        for candidate in candidates {
            if !candidate.is_empty()
                && self.cohort_size_in(conn, candidate).await? >= MIN_COHORT_MEMBERS
            {
                return Ok(candidate);
            }
        }
        Ok(Cohort::default())
    }
}
