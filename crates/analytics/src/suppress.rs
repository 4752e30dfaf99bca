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

use alumni_core::suppression::{DEFAULT_MIN_GROUP, total_shown};

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
        let framed = framed(table);
        let mut hidden = primary(&framed);
        settle(&[&framed], &mut hidden);
        Self::unframed(&hidden)
    }

    /// The mask of `part`, counts of people who are some of the people
    /// `whole` counts (cell by cell), given the whole's mask: the part is
    /// withheld wherever the whole is, wherever the part or the rest
    /// (whole minus part) is a small group, and then wherever either table
    /// needs more withheld for its totals: a shown whole minus a shown part
    /// is the rest.
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
        let (part, rest) = (framed(part), framed(&rest));
        let mut hidden = whole_mask.framed();
        for (hidden, (part, rest)) in hidden
            .iter_mut()
            .zip(primary(&part).iter().zip(&primary(&rest)))
        {
            for (hidden, (part, rest)) in hidden.iter_mut().zip(part.iter().zip(rest)) {
                *hidden |= *part || *rest;
            }
        }
        settle(&[&part, &rest], &mut hidden);
        Self::unframed(&hidden)
    }

    /// This mask laid out as [`framed`] lays out its table.
    fn framed(&self) -> Vec<Vec<bool>> {
        self.cells
            .iter()
            .zip(&self.rows)
            .map(|(cells, row)| cells.iter().copied().chain([*row]).collect())
            .chain(std::iter::once(
                self.columns.iter().copied().chain([self.total]).collect(),
            ))
            .collect()
    }

    fn unframed(hidden: &[Vec<bool>]) -> Self {
        let (last, rows) = hidden
            .split_last()
            .expect("a framed table has its totals row");
        let width = last.len() - 1;
        Self {
            cells: rows.iter().map(|row| row[..width].to_vec()).collect(),
            rows: rows.iter().map(|row| row[width]).collect(),
            columns: last[..width].to_vec(),
            total: last[width],
        }
    }
}

/// `table` with each row's total appended, and a last row of the columns'
/// totals ending with the grand total: every row and every column of the
/// result (the totals' row and column included) is a line whose last
/// entry is the sum of the others.
fn framed(table: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let width = table.first().map_or(0, Vec::len);
    let mut framed: Vec<Vec<i64>> = table
        .iter()
        .map(|row| row.iter().copied().chain([row.iter().sum()]).collect())
        .collect();
    let totals: Vec<i64> = (0..=width)
        .map(|column| framed.iter().map(|row| row[column]).sum())
        .collect();
    framed.push(totals);
    framed
}

/// Groups of `0 < n < MIN_GROUP` people.
fn primary(framed: &[Vec<i64>]) -> Vec<Vec<bool>> {
    framed
        .iter()
        .map(|row| row.iter().map(|n| *n > 0 && *n < MIN_GROUP).collect())
        .collect()
}

/// Withholds more until every line of every table (all framed alike,
/// sharing one mask) is safe: in a line (cells and their total) that
/// withholds anything, at least two non-empty entries are withheld, and
/// when its total is shown the withheld cells count at least
/// [`MIN_GROUP`] people, so subtraction gives away no small group. Where
/// a line falls short, its smallest cell still shown is withheld (its
/// total when no cell is left), and the lines are checked again.
fn settle(tables: &[&Vec<Vec<i64>>], hidden: &mut [Vec<bool>]) {
    let Some(first) = tables.first() else { return };
    let (height, width) = (first.len(), first.first().map_or(0, Vec::len));
    let lines: Vec<Vec<(usize, usize)>> = (0..height)
        .map(|r| (0..width).map(|c| (r, c)).collect())
        .chain((0..width).map(|c| (0..height).map(|r| (r, c)).collect()))
        .collect();
    loop {
        let mut changed = false;
        for table in tables {
            for line in &lines {
                let (total, cells) = line.split_last().expect("a line has its total");
                let non_empty: Vec<&(usize, usize)> =
                    cells.iter().filter(|(r, c)| table[*r][*c] > 0).collect();
                // Counted withheld even when empty: an empty cell is never
                // withheld in a table shown as it is, but in the rest of a
                // whole (never shown itself) one that cannot be worked out
                // hides as well as any other.
                let withheld_cells: Vec<&(usize, usize)> =
                    cells.iter().filter(|(r, c)| hidden[*r][*c]).collect();
                let total_withheld = hidden[total.0][total.1];
                let entries = withheld_cells.len() + usize::from(total_withheld);
                let withheld_people: i64 = withheld_cells.iter().map(|(r, c)| table[*r][*c]).sum();
                let short = entries == 1
                    || (!total_withheld
                        && !withheld_cells.is_empty()
                        && withheld_people < MIN_GROUP);
                if !short {
                    continue;
                }
                let smallest_shown = non_empty
                    .iter()
                    .filter(|(r, c)| !hidden[*r][*c])
                    .min_by_key(|(r, c)| (table[*r][*c], *r, *c));
                match smallest_shown {
                    Some((r, c)) => hidden[*r][*c] = true,
                    None if !total_withheld && table[total.0][total.1] > 0 => {
                        hidden[total.0][total.1] = true;
                    }
                    None => continue,
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
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
    fn a_table_withholds_at_least_two_cells_per_row_and_column() {
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
        // Each row has one cell: the 1 is withheld with its row and column
        // totals, then as their complements the 6 (row and column) and its
        // totals, or 15 - 8 - 6 would give the 1 away.
        let table = vec![vec![0, 6, 0], vec![8, 0, 0], vec![0, 0, 1]];
        let mask = Mask::of(&table);
        assert_eq!(mask.rows, [true, false, true]);
        assert_eq!(mask.columns, [false, true, true]);
        assert!(mask.cells[0][1] && mask.cells[2][2]);
        assert!(!mask.cells[1][0]);
        assert!(!mask.total);
    }

    #[test]
    fn every_line_of_a_masked_table_is_safe() {
        let tables = [
            vec![vec![10, 2, 8], vec![7, 9, 6], vec![12, 11, 15]],
            vec![vec![0, 2, 0], vec![0, 6, 0], vec![10, 0, 0], vec![0, 0, 7]],
            vec![vec![5, 0, 0], vec![0, 2, 6], vec![0, 0, 7]],
        ];
        for table in tables {
            let mask = Mask::of(&table);
            let framed = framed(&table);
            let hidden = mask.framed();
            for r in 0..framed.len() {
                let line: Vec<(i64, bool)> = (0..framed[r].len())
                    .map(|c| (framed[r][c], hidden[r][c]))
                    .collect();
                assert_ne!(
                    line.iter().filter(|(n, h)| *n > 0 && *h).count(),
                    1,
                    "{table:?} row {r}: {mask:?}"
                );
            }
            for c in 0..framed[0].len() {
                let line: Vec<(i64, bool)> = (0..framed.len())
                    .map(|r| (framed[r][c], hidden[r][c]))
                    .collect();
                assert_ne!(
                    line.iter().filter(|(n, h)| *n > 0 && *h).count(),
                    1,
                    "{table:?} column {c}: {mask:?}"
                );
            }
            for (r, row) in framed.iter().enumerate() {
                for (c, n) in row.iter().enumerate() {
                    assert!(
                        !(*n > 0 && *n < MIN_GROUP) || hidden[r][c],
                        "{table:?} ({r}, {c}) shown"
                    );
                }
            }
        }
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
