//! How seats move: a registration takes a free seat or joins the end of the
//! waitlist, a cancellation frees its seat or place, and free seats go to
//! the head of the waitlist. The service decides on the counters of the
//! locked event row, so no other transaction can change them meanwhile.

use crate::model::Seats;
use crate::refusal::Refusal;

/// Where a new registration goes: its waitlist position (`None`: it takes
/// a seat), and the counters after it.
pub fn place_registration(seats: Seats) -> (Option<i32>, Seats) {
    if seats.has_free_seat() {
        let after = Seats {
            confirmed: seats.confirmed + 1,
            ..seats
        };
        (None, after)
    } else {
        let after = Seats {
            waitlisted: seats.waitlisted + 1,
            ..seats
        };
        (Some(after.waitlisted), after)
    }
}

/// The counters once an active registration is cancelled: it gave up a
/// waitlist place (`waitlisted`) or a seat.
pub fn release(seats: Seats, waitlisted: bool) -> Seats {
    if waitlisted {
        Seats {
            waitlisted: seats.waitlisted - 1,
            ..seats
        }
    } else {
        Seats {
            confirmed: seats.confirmed - 1,
            ..seats
        }
    }
}

/// How many at the head of the waitlist get a seat now.
pub fn promotions(seats: Seats) -> i32 {
    let free = seats
        .capacity
        .map_or(seats.waitlisted, |capacity| capacity - seats.confirmed);
    free.min(seats.waitlisted).max(0)
}

/// The counters once `promoted` members moved from the waitlist to seats.
pub fn promote(seats: Seats, promoted: i32) -> Seats {
    Seats {
        confirmed: seats.confirmed + promoted,
        waitlisted: seats.waitlisted - promoted,
        ..seats
    }
}

/// The counters with a new capacity (`None`: no limit); never below the
/// seats already given, which would overbook the event.
pub fn change_capacity(seats: Seats, capacity: Option<i32>) -> Result<Seats, Refusal> {
    match capacity {
        Some(capacity) if capacity < seats.confirmed => Err(Refusal::CapacityBelowConfirmed {
            confirmed: seats.confirmed,
        }),
        _ => Ok(Seats { capacity, ..seats }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventId;

    fn seats(capacity: Option<i32>, confirmed: i32, waitlisted: i32) -> Seats {
        Seats {
            event_id: EventId::new(),
            capacity,
            confirmed,
            waitlisted,
            version: 7,
        }
    }

    #[test]
    fn registrations_take_free_seats_then_queue() {
        let (position, after) = place_registration(seats(Some(2), 1, 0));
        assert_eq!(position, None);
        assert_eq!((after.confirmed, after.waitlisted), (2, 0));

        let (position, after) = place_registration(after);
        assert_eq!(position, Some(1));
        let (position, after) = place_registration(after);
        assert_eq!(position, Some(2));
        assert_eq!((after.confirmed, after.waitlisted), (2, 2));

        let (position, _) = place_registration(seats(None, 10_000, 0));
        assert_eq!(position, None);
    }

    #[test]
    fn a_freed_seat_goes_to_the_head_of_the_waitlist() {
        let full = seats(Some(2), 2, 3);
        let freed = release(full, false);
        assert_eq!(promotions(freed), 1);
        let after = promote(freed, promotions(freed));
        assert_eq!((after.confirmed, after.waitlisted), (2, 2));

        let left_the_queue = release(full, true);
        assert_eq!(promotions(left_the_queue), 0);
        assert_eq!(left_the_queue.waitlisted, 2);
    }

    #[test]
    fn promotions_never_exceed_the_waitlist() {
        assert_eq!(promotions(seats(Some(10), 2, 3)), 3);
        assert_eq!(promotions(seats(None, 2, 3)), 3);
        assert_eq!(promotions(seats(Some(2), 2, 3)), 0);
        assert_eq!(promotions(seats(Some(5), 2, 0)), 0);
    }

    #[test]
    fn capacity_never_drops_below_the_confirmed_seats() {
        let current = seats(Some(5), 4, 0);
        assert_eq!(
            change_capacity(current, Some(3)),
            Err(Refusal::CapacityBelowConfirmed { confirmed: 4 })
        );
        assert_eq!(change_capacity(current, Some(4)).unwrap().capacity, Some(4));
        assert_eq!(change_capacity(current, None).unwrap().capacity, None);
    }
}
