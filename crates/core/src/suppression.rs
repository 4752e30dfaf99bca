//! Small-group suppression for every statistic shown about people
//! (survey results, feedback counts, analytics): a group of fewer than
//! `k` people is withheld, and so are as many others as it takes that no
//! withheld group can be worked out by subtracting what is shown from a
//! total.
//!
//! The rule for one dimension: withhold every group with `0 < size < k`;
//! then, while the withheld groups together count fewer than `k` people,
//! withhold the smallest group still shown. What the total minus the shown
//! groups reveals is then a group of at least `k` people, as safe as any
//! group shown. A total below `k` withholds everything. Empty groups
//! (size 0) are never withheld: they describe nobody.
//!
//! A table is suppressed by applying the rule to each row and each column
//! until nothing changes, with one more condition: a row or column that
//! withholds anything withholds at least two cells. One withheld cell of
//! at least `k` people is safe in a list, but in a table it can be worked
//! out from its line's total and then give away a small cell of its other
//! line. Where a line has no other cell to withhold (a single non-empty
//! cell), the cell is the line's total, which whoever shows totals
//! suppresses with the rule for one dimension.

/// The smallest group shown by default.
pub const DEFAULT_MIN_GROUP: i64 = 5;

/// The smallest `k` any caller may ask for: below it, suppression
/// protects no one.
pub const LOWEST_MIN_GROUP: i64 = 3;

/// Which of `sizes` (groups of one breakdown that add up to a shown
/// total) to withhold with groups of fewer than `k` people.
pub fn withheld(sizes: &[i64], k: i64) -> Vec<bool> {
    let mut hidden: Vec<bool> = sizes.iter().map(|size| *size > 0 && *size < k).collect();
    complete(sizes, &mut hidden, k);
    hidden
}

/// Which cells of `table` (rows of equal length, with row and column
/// totals shown) to withhold with groups of fewer than `k` people.
pub fn withheld_table(table: &[Vec<i64>], k: i64) -> Vec<Vec<bool>> {
    let mut hidden: Vec<Vec<bool>> = table
        .iter()
        .map(|row| row.iter().map(|size| *size > 0 && *size < k).collect())
        .collect();
    let columns = table.first().map_or(0, Vec::len);
    loop {
        let mut changed = false;
        for (row, hidden_row) in table.iter().zip(hidden.iter_mut()) {
            changed |= complete(row, hidden_row, k);
        }
        for index in 0..columns {
            let sizes: Vec<i64> = table.iter().map(|row| row[index]).collect();
            let mut hidden_column: Vec<bool> = hidden.iter().map(|row| row[index]).collect();
            if complete(&sizes, &mut hidden_column, k) {
                changed = true;
                for (row, withheld) in hidden.iter_mut().zip(hidden_column) {
                    row[index] = withheld;
                }
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// Which of `cells` (groups keyed by two attributes, each pair at most
/// once; pairs not listed are empty) to withhold with groups of fewer
/// than `k` people, when the totals of each first and each second
/// attribute may be shown too: [`withheld_table`] over the table the
/// cells fill.
pub fn withheld_cells<R: Ord, C: Ord>(cells: &[(R, C, i64)], k: i64) -> Vec<bool> {
    let mut rows: Vec<&R> = cells.iter().map(|(row, _, _)| row).collect();
    rows.sort();
    rows.dedup();
    let mut columns: Vec<&C> = cells.iter().map(|(_, column, _)| column).collect();
    columns.sort();
    columns.dedup();
    let place = |(row, column, _): &(R, C, i64)| {
        (
            rows.binary_search(&row).unwrap_or_default(),
            columns.binary_search(&column).unwrap_or_default(),
        )
    };
    let mut table = vec![vec![0; columns.len()]; rows.len()];
    for cell in cells {
        let (row, column) = place(cell);
        table[row][column] += cell.2;
    }
    let hidden = withheld_table(&table, k);
    cells
        .iter()
        .map(|cell| {
            let (row, column) = place(cell);
            hidden[row][column]
        })
        .collect()
}

/// Whether a total of `total` people may be shown at all.
pub fn total_shown(total: i64, k: i64) -> bool {
    total == 0 || total >= k
}

/// Withholds more of `sizes` until what is withheld counts at least `k`
/// people in at least two groups (or everything is); whether anything
/// changed.
fn complete(sizes: &[i64], hidden: &mut [bool], k: i64) -> bool {
    let mut changed = false;
    let total: i64 = sizes.iter().sum();
    if !total_shown(total, k) {
        for (size, withheld) in sizes.iter().zip(hidden.iter_mut()) {
            if *size > 0 && !*withheld {
                *withheld = true;
                changed = true;
            }
        }
        return changed;
    }
    loop {
        let (withheld_groups, withheld_people) = sizes
            .iter()
            .zip(hidden.iter())
            .filter(|(size, withheld)| **withheld && **size > 0)
            .fold((0, 0), |(groups, people), (size, _)| {
                (groups + 1, people + size)
            });
        if withheld_groups == 0 || (withheld_groups >= 2 && withheld_people >= k) {
            return changed;
        }
        let smallest_shown = sizes
            .iter()
            .enumerate()
            .filter(|(index, size)| !hidden[*index] && **size > 0)
            .min_by_key(|(_, size)| **size)
            .map(|(index, _)| index);
        match smallest_shown {
            Some(index) => {
                hidden[index] = true;
                changed = true;
            }
            None => return changed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_groups_are_withheld_with_enough_others_to_hide_them() {
        // 3 alone could be computed from the total: the next smallest (4)
        // joins it, and together they count 7 ≥ 5.
        assert_eq!(withheld(&[12, 3, 4, 9], 5), [false, true, true, false]);
        // Two small groups of 2 together count 4 < 5: one more joins.
        assert_eq!(withheld(&[2, 2, 6, 10], 5), [true, true, true, false]);
        // Two small groups already hide each other when they count 5.
        assert_eq!(withheld(&[2, 3, 6, 10], 5), [true, true, false, false]);
    }

    #[test]
    fn large_groups_and_empty_ones_are_shown() {
        assert_eq!(withheld(&[5, 0, 9], 5), [false, false, false]);
        assert_eq!(withheld(&[], 5), Vec::<bool>::new());
    }

    #[test]
    fn a_total_below_k_withholds_everything() {
        assert_eq!(withheld(&[2, 1, 0], 5), [true, true, false]);
        assert!(!total_shown(4, 5));
        assert!(total_shown(0, 5));
    }

    #[test]
    fn a_complement_in_a_table_never_stands_alone_in_its_line() {
        // The 2 is withheld, and the 6 beside it. Alone in the first
        // column, the 6 would follow from that column's total (13) minus
        // the 7, and then the 2 from its row's total; so the 7 goes too,
        // and the 8 with the 2 in the second column.
        let table = vec![vec![6, 2, 9], vec![7, 8, 9]];
        let hidden = withheld_table(&table, 5);
        assert_eq!(hidden, [vec![true, true, false], vec![true, true, false]]);
        // A line with a single non-empty cell has nothing else to
        // withhold: the 7 stays withheld alone in its row (whose total is
        // for the one-dimension rule to protect).
        let table = vec![vec![6, 2], vec![7, 0]];
        let hidden = withheld_table(&table, 5);
        assert_eq!(hidden, [vec![true, true], vec![true, false]]);
    }

    #[test]
    fn cells_keyed_by_two_attributes_are_suppressed_as_their_table() {
        let cells = [
            ("a", 2015, 10),
            ("a", 2020, 2),
            ("b", 2015, 9),
            ("b", 2020, 7),
            ("c", 2020, 6),
        ];
        let hidden = withheld_cells(&cells, 5);
        let table = vec![vec![10, 2], vec![9, 7], vec![0, 6]];
        let expected = withheld_table(&table, 5);
        assert_eq!(
            hidden,
            [
                expected[0][0],
                expected[0][1],
                expected[1][0],
                expected[1][1],
                expected[2][1]
            ]
        );
        assert!(hidden[1], "the group of 2 is withheld");
        assert!(
            hidden.iter().filter(|withheld| **withheld).count() >= 2,
            "with another in its row"
        );
        assert!(withheld_cells::<&str, i32>(&[], 5).is_empty());
    }

    #[test]
    fn a_table_is_suppressed_along_rows_and_columns() {
        let table = vec![vec![10, 2, 8], vec![9, 7, 6], vec![8, 9, 12]];
        let hidden = withheld_table(&table, 5);
        // The 2 is withheld; its row then withholds the 8 beside it, and
        // its column the 7 below it; the 7's row and the 8's column each
        // then hold two withheld cells counting at least 5.
        assert!(hidden[0][1]);
        assert!(hidden.iter().flatten().filter(|cell| **cell).count() >= 3);
        for (row, hidden_row) in table.iter().zip(&hidden) {
            let withheld_people: i64 = row
                .iter()
                .zip(hidden_row)
                .filter(|(_, withheld)| **withheld)
                .map(|(size, _)| *size)
                .sum();
            assert!(withheld_people == 0 || withheld_people >= 5, "{row:?}");
        }
        for column in 0..3 {
            let withheld_people: i64 = (0..3)
                .filter(|row| hidden[*row][column])
                .map(|row| table[row][column])
                .sum();
            assert!(withheld_people == 0 || withheld_people >= 5);
        }
    }
}
