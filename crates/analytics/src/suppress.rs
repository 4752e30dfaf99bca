//! How the dashboards withhold small groups, on top of
//! [`alumni_core::suppression`]: every count of people below
//! [`DEFAULT_MIN_GROUP`] is withheld, and so are as many others as it
//! takes that none can be worked out from the totals shown beside it.
//!
//! Two shapes occur. A *breakdown* is a list of groups shown with its total
//! (members per company, and all members). A *part* is a count of people
//! who are some of a shown whole (those who attended, of those confirmed):
//! it is shown only where the whole, the part and the rest of the whole
//! could each be, since whole minus part would otherwise give the rest
//! away. Both hold for tables of two dimensions with row, column and grand
//! totals.

use alumni_core::suppression::{DEFAULT_MIN_GROUP, total_shown, withheld, withheld_table};

/// The smallest group the dashboards show.
pub const MIN_GROUP: i64 = DEFAULT_MIN_GROUP;

/// A count of people as shown: withheld or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The count, also when withheld (never shown then).
    pub people: i64,
    /// Whether it is withheld.
    pub suppressed: bool,
}

impl Count {
    /// `people`, withheld when `suppressed`.
    pub fn new(people: i64, suppressed: bool) -> Self {
        Self { people, suppressed }
    }

    /// The count, unless withheld.
    pub fn shown(&self) -> Option<i64> {
        (!self.suppressed).then_some(self.people)
    }

    /// This count as a share of `whole` (0 to 1), unless either is
    /// withheld or the whole is empty.
    pub fn share_of(&self, whole: Count) -> Figure {
        if self.suppressed || whole.suppressed {
            return Figure::WITHHELD;
        }
        Figure::shown((whole.people > 0).then(|| self.people as f64 / whole.people as f64))
    }
}

/// A figure derived from counts of people (a rate, hours), withheld with
/// them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// The figure; `None` when withheld or undefined (a rate of nobody).
    pub value: Option<f64>,
    /// Whether it is withheld.
    pub suppressed: bool,
}

impl Figure {
    /// A withheld figure.
    pub const WITHHELD: Figure = Figure {
        value: None,
        suppressed: true,
    };

    /// A figure shown (`None`: undefined).
    pub fn shown(value: Option<f64>) -> Self {
        Self {
            value,
            suppressed: false,
        }
    }
}

/// Which counts of a breakdown, or of a two-dimensional table, to
/// withhold: the cells, the row totals, the column totals and the grand
/// total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask {
    /// Per cell, `[row][column]`.
    pub cells: Vec<Vec<bool>>,
    /// Per row total.
    pub rows: Vec<bool>,
    /// Per column total.
    pub columns: Vec<bool>,
    /// The grand total.
    pub total: bool,
}

impl Mask {
    /// The mask of `table` (rows of equal length) shown with its row,
    /// column and grand totals. A table of one column is a breakdown of
    /// its rows (whose totals are the cells themselves).
    pub fn of(table: &[Vec<i64>]) -> Self {
        let k = MIN_GROUP;
        let row_totals: Vec<i64> = table.iter().map(|row| row.iter().sum()).collect();
        let width = table.first().map_or(0, Vec::len);
        let column_totals: Vec<i64> = (0..width)
            .map(|column| table.iter().map(|row| row[column]).sum())
            .collect();
        let total: i64 = row_totals.iter().sum();
        let rows = withheld(&row_totals, k);
        let columns = withheld(&column_totals, k);
        let cells = if width <= 1 {
            rows.iter().map(|hidden| vec![*hidden; width]).collect()
        } else {
            withheld_table(table, k)
        };
        let mut mask = Self {
            cells,
            rows,
            columns,
            total: !total_shown(total, k),
        };
        mask.settle(table);
        mask
    }

    /// Withholds more cells until every line (row or column) is safe with
    /// its total: a line whose total is withheld withholds at least one of
    /// its cells (else the cells would add up to it), and a line that
    /// withholds any cell withholds at least two whose sum is at least
    /// [`MIN_GROUP`], as far as it has cells to withhold. Each pass
    /// withholds the smallest cell still shown where a line falls short.
    fn settle(&mut self, table: &[Vec<i64>]) {
        let width = table.first().map_or(0, Vec::len);
        let lines: Vec<(Vec<(usize, usize)>, bool)> = (0..table.len())
            .map(|r| ((0..width).map(|c| (r, c)).collect(), self.rows[r]))
            .chain((0..width).map(|c| ((0..table.len()).map(|r| (r, c)).collect(), self.columns[c])))
            .collect();
        loop {
            let mut changed = false;
            for (cells, total_withheld) in &lines {
                let non_empty = cells.iter().filter(|(r, c)| table[*r][*c] > 0);
                let (hidden, shown): (Vec<&(usize, usize)>, Vec<&(usize, usize)>) =
                    non_empty.partition(|(r, c)| self.cells[*r][*c]);
                let hidden_sum: i64 = hidden.iter().map(|(r, c)| table[*r][*c]).sum();
                let short = if hidden.is_empty() {
                    *total_withheld
                } else {
                    hidden.len() < 2 || hidden_sum < MIN_GROUP
                };
                if short
                    && let Some((r, c)) = shown.into_iter().min_by_key(|(r, c)| (table[*r][*c], *r, *c))
                {
                    self.cells[*r][*c] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// The mask of `part`, counts of people who are some of the people
    /// `whole` counts (cell by cell), given the whole's mask: the part is
    /// withheld wherever its own mask, the mask of the rest (whole minus
    /// part) or the whole's mask withholds, so no withheld part can be
    /// worked out from a shown whole.
    pub fn of_part(part: &[Vec<i64>], whole: &[Vec<i64>], whole_mask: &Mask) -> Self {
        let rest: Vec<Vec<i64>> = whole
            .iter()
            .zip(part)
            .map(|(whole, part)| {
                whole
                    .iter()
                    .zip(part)
                    .map(|(whole, part)| (whole - part).max(0))
                    .collect()
            })
            .collect();
        let own = Self::of(part);
        let of_rest = Self::of(&rest);
        let either = |a: &[bool], b: &[bool], c: &[bool]| -> Vec<bool> {
            a.iter()
                .zip(b)
                .zip(c)
                .map(|((a, b), c)| *a || *b || *c)
                .collect()
        };
        let mut mask = Self {
            cells: own
                .cells
                .iter()
                .zip(&of_rest.cells)
                .zip(&whole_mask.cells)
                .map(|((a, b), c)| either(a, b, c))
                .collect(),
            rows: either(&own.rows, &of_rest.rows, &whole_mask.rows),
            columns: either(&own.columns, &of_rest.columns, &whole_mask.columns),
            total: own.total || of_rest.total || whole_mask.total,
        };
        mask.settle(part);
        mask
    }
}

/// One count of people shown on its own (no total beside it): withheld
/// when fewer than [`MIN_GROUP`], unless none.
pub fn alone(people: i64) -> Count {
    Count::new(people, !total_shown(people, MIN_GROUP))
}

/// `part` of `whole` people, each shown on its own line (no total beside
/// them): the whole as [`alone`] does, the part only where the whole, the
/// part and the rest could each be shown.
pub fn part_alone(part: i64, whole: i64) -> (Count, Count) {
    let whole_count = alone(whole);
    let hidden =
        whole_count.suppressed || alone(part).suppressed || alone((whole - part).max(0)).suppressed;
    (Count::new(part, hidden), whole_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breakdown_withholds_small_groups_and_a_complement() {
        let mask = Mask::of(&[vec![20], vec![3], vec![9], vec![30]]);
        let hidden: Vec<bool> = mask.cells.iter().map(|row| row[0]).collect();
        // 3 alone could be worked out from the total; the next smallest
        // group (9) goes with it.
        assert_eq!(hidden, [false, true, true, false]);
        assert!(!mask.total);
    }

    #[test]
    fn a_part_is_withheld_where_the_rest_is_small() {
        let whole = [vec![12], vec![45], vec![25]];
        let part = [vec![10], vec![20], vec![5]];
        let whole_mask = Mask::of(&whole);
        assert!(whole_mask.cells.iter().all(|row| !row[0]));
        let mask = Mask::of_part(&part, &whole, &whole_mask);
        // 12 - 10 = 2 people did not: withheld, and with it the smallest
        // other rest (25 - 5 = 20), so that the total of the rest does not
        // give the 2 away.
        assert!(mask.cells[0][0]);
        assert!(mask.cells[2][0]);
        assert!(!mask.cells[1][0]);
        assert!(!mask.total);
    }

    #[test]
    fn a_table_withholds_at_least_two_cells_per_line() {
        let table = vec![vec![10, 2, 8], vec![7, 9, 6], vec![12, 11, 15]];
        let mask = Mask::of(&table);
        assert!(mask.cells[0][1]);
        for (r, row) in mask.cells.iter().enumerate() {
            let withheld = row.iter().filter(|hidden| **hidden).count();
            assert!(withheld != 1, "row {r} withholds one cell: {mask:?}");
        }
        for c in 0..3 {
            let withheld = mask.cells.iter().filter(|row| row[c]).count();
            assert!(withheld != 1, "column {c} withholds one cell: {mask:?}");
        }
        assert!(mask.rows.iter().all(|hidden| !hidden));
        assert!(!mask.total);
    }

    #[test]
    fn a_withheld_total_is_not_given_away_by_its_only_cell() {
        // Each row has one cell: the rows' totals withhold the 1 and, as its
        // complement, the 6; the 6's cell must go too, or 15 - 8 - 6 = 1.
        let table = vec![vec![0, 6, 0], vec![8, 0, 0], vec![0, 0, 1]];
        let mask = Mask::of(&table);
        assert_eq!(mask.rows, [true, false, true]);
        assert!(mask.cells[0][1] && mask.cells[2][2]);
        assert!(!mask.cells[1][0]);
        assert!(!mask.total);
    }

    #[test]
    fn a_lone_part_needs_the_whole_and_the_rest() {
        assert_eq!(part_alone(8, 10).0.shown(), None);
        assert_eq!(part_alone(8, 13).0.shown(), Some(8));
        assert_eq!(part_alone(0, 13).0.shown(), Some(0));
        assert_eq!(part_alone(3, 4).1.shown(), None);
        assert_eq!(alone(0).shown(), Some(0));
    }
}
