//! Who may do what: the one place that answers "may this person do this to this thing".
//!
//! Every server function and route asks [`check`] (or [`permits`], to filter a list) before it
//! touches storage; `db/` receives values that were already checked and decides no permission.
//! The rules are pure (no I/O, no clock), so the table at the bottom tests every one of them,
//! and the integration suite's authorization table drives them through HTTP.
//!
//! Areas: a role is granted for one town or for every town ([`RoleGrant`]); "staff of a town"
//! are its volunteers and council reviewers. Admins administer (roles, imports, exports) and
//! see private files, but review, enter and confirm only if they also hold those roles.
//!
//! [`RoleGrant`]: crate::people::RoleGrant

use crate::domain::NeedStatus;
use crate::error::AppError;
use crate::people::{Role, UserId, Viewer};
use crate::private::ReviewStage;

/// The people a need's review involves, and where it stands: what a review decision is
/// checked against.
#[derive(Clone, Copy, Debug)]
pub struct NeedParties<'a> {
    pub town: &'a str,
    pub status: NeedStatus,
    pub author: Option<UserId>,
    pub council_reviewer: Option<UserId>,
}

/// Something a signed-in person asks to do.
#[derive(Clone, Copy, Debug)]
pub enum Action<'a> {
    /// Claim or pledge to a published need.
    Claim,
    /// Use the intake pages at all (register households, enter needs): any volunteer.
    Intake,
    /// Register a household of `town`, or enter a need for one.
    EnterFor { town: &'a str },
    /// Edit or submit a need: only the volunteer who entered it.
    ChangeOwnNeed { author: Option<UserId> },
    /// Read a household's private file (identity, notes, aid history) in `town`.
    ReadHousehold { town: &'a str },
    /// Approve or return `stage` of a need.
    Review {
        stage: ReviewStage,
        need: NeedParties<'a>,
    },
    /// Be warned of a claim on a household of `town` that had aid in the same window: the
    /// town's staff.
    SeeClaimAlert { town: &'a str },
    /// Release a claim or mark it delivered: only the donor who made it.
    HandleOwnClaim { donor: Option<UserId> },
    /// Confirm a delivery of a need in `town`, made by `donor`.
    ConfirmDelivery {
        town: &'a str,
        donor: Option<UserId>,
    },
    /// See a delivery's photo, of a need in `town`.
    SeeDeliveryPhoto { town: &'a str },
    /// Pause, resume or withdraw a reported need of `town`, or resolve a report of it: the
    /// town's council reviewers (admins only if they hold that role too).
    HandleReport { town: &'a str },
    /// Assign roles, list accounts, import aid records, export the credit ledger.
    Administer,
    /// Open the supervision desk for `town`, or (`None`) for the whole city: the city's
    /// officials and admins; a town's officials for their town only. Never a household's
    /// identity (that is [`Action::ReadHousehold`], which no official role grants).
    SeeDesk { town: Option<&'a str> },
    /// Record what a government programme decided about a need of `town` referred to it: the
    /// town's council reviewers and the officials covering the town.
    RecordReferral { town: &'a str },
    /// Offer a service in `town`: a provider of that town (or of the whole city).
    OfferService { town: &'a str },
    /// Approve or return a service offer serving `town`: the town's volunteers, never the
    /// offer's own provider.
    ReviewOffer { town: &'a str, provider: UserId },
    /// Book a household of `town` onto a service: the town's volunteers.
    BookService { town: &'a str },
    /// Cancel a booking of a household of `town`, or say whether the family attended: the
    /// town's volunteers, or the provider whose offer it is.
    HandleBooking { town: &'a str, provider: UserId },
    /// Read the bookings of an offer (who to serve, where): its provider alone (staff read
    /// their town's households through [`Action::ReadHousehold`]).
    SeeBookings { provider: UserId },
    /// Record one's own volunteer hours for `town`: its volunteers (city-wide ones too).
    RecordHours { town: &'a str },
    /// Confirm or refuse hours `volunteer` recorded in `town`: the town's council reviewers
    /// and its other volunteers, never the volunteer themselves (two people, as for reviews).
    ConfirmHours { town: &'a str, volunteer: UserId },
}

/// Whether `viewer` holds `role` for `town` (a grant for every town covers it).
fn acts_as(viewer: &Viewer, role: Role, town: &str) -> bool {
    viewer.roles.iter().any(|grant| grant.covers(role, town))
}

/// The town's staff: its volunteers and council reviewers.
fn staff_of(viewer: &Viewer, town: &str) -> bool {
    acts_as(viewer, Role::Volunteer, town) || acts_as(viewer, Role::Reviewer, town)
}

fn allow(allowed: bool) -> Result<(), AppError> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// May `viewer` do `action`? `Forbidden` when their roles or towns do not allow it; for a
/// review, `WrongStage` when the need is not at that stage (said before who may not decide
/// it, so a stale click hears the need has moved on) and `SameReviewer` when the rule of two
/// different people forbids it.
pub fn check(viewer: &Viewer, action: Action<'_>) -> Result<(), AppError> {
    let me = Some(viewer.id);
    match action {
        Action::Claim => allow(viewer.has(Role::Donor)),
        Action::Intake => allow(viewer.has(Role::Volunteer)),
        Action::EnterFor { town } => allow(acts_as(viewer, Role::Volunteer, town)),
        Action::ChangeOwnNeed { author } => {
            allow(viewer.has(Role::Volunteer) && author.is_some() && author == me)
        }
        Action::ReadHousehold { town } => allow(viewer.has(Role::Admin) || staff_of(viewer, town)),
        Action::Review { stage, need } => {
            allow(acts_as(viewer, stage.role(), need.town))?;
            if need.status != stage.awaits() {
                return Err(AppError::WrongStage);
            }
            let approved_first = stage == ReviewStage::Volunteer && need.council_reviewer == me;
            if need.author == me || approved_first {
                return Err(AppError::SameReviewer);
            }
            Ok(())
        }
        Action::SeeClaimAlert { town } => allow(staff_of(viewer, town)),
        Action::HandleOwnClaim { donor } => allow(donor.is_some() && donor == me),
        Action::ConfirmDelivery { town, donor } => {
            allow(acts_as(viewer, Role::Volunteer, town))?;
            if donor == me {
                return Err(AppError::SameReviewer);
            }
            Ok(())
        }
        Action::SeeDeliveryPhoto { town } => {
            allow(viewer.has(Role::Admin) || staff_of(viewer, town))
        }
        Action::HandleReport { town } => allow(acts_as(viewer, Role::Reviewer, town)),
        Action::Administer => allow(viewer.has(Role::Admin)),
        Action::SeeDesk { town } => allow(
            viewer.has(Role::Admin)
                || match town {
                    Some(town) => acts_as(viewer, Role::Official, town),
                    None => viewer
                        .roles
                        .iter()
                        .any(|grant| grant.role == Role::Official && grant.town.is_none()),
                },
        ),
        Action::RecordReferral { town } => {
            allow(acts_as(viewer, Role::Reviewer, town) || acts_as(viewer, Role::Official, town))
        }
        Action::OfferService { town } => allow(acts_as(viewer, Role::Provider, town)),
        Action::ReviewOffer { town, provider } => {
            allow(acts_as(viewer, Role::Volunteer, town))?;
            if provider == viewer.id {
                return Err(AppError::SameReviewer);
            }
            Ok(())
        }
        Action::BookService { town } => allow(acts_as(viewer, Role::Volunteer, town)),
        Action::HandleBooking { town, provider } => allow(
            acts_as(viewer, Role::Volunteer, town)
                || (viewer.has(Role::Provider) && provider == viewer.id),
        ),
        // A provider whose role was taken away reads and handles nothing more.
        Action::SeeBookings { provider } => {
            allow(viewer.has(Role::Provider) && provider == viewer.id)
        }
        Action::RecordHours { town } => allow(acts_as(viewer, Role::Volunteer, town)),
        Action::ConfirmHours { town, volunteer } => {
            allow(staff_of(viewer, town))?;
            if volunteer == viewer.id {
                return Err(AppError::SameReviewer);
            }
            Ok(())
        }
    }
}

/// Whether [`check`] allows it: for filtering what a list shows.
pub fn permits(viewer: &Viewer, action: Action<'_>) -> bool {
    check(viewer, action).is_ok()
}

/// The towns `viewer` holds `role` in: `None` for every town, else the list (maybe empty).
pub fn towns_for(viewer: &Viewer, role: Role) -> Option<Vec<&str>> {
    let mut towns = Vec::new();
    for grant in viewer.roles.iter().filter(|grant| grant.role == role) {
        match &grant.town {
            None => return None,
            Some(town) => towns.push(town.as_str()),
        }
    }
    Some(towns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::RoleGrant;

    const TOWN: &str = "延陵镇";
    const OTHER: &str = "司徒镇";

    fn person(id: i64, grants: &[(&str, &str)]) -> Viewer {
        Viewer {
            id: UserId(id),
            name: format!("#{id}"),
            roles: grants
                .iter()
                .map(|(role, town)| RoleGrant::parse(role, town).unwrap())
                .collect(),
        }
    }

    /// The cast every rule is tried against.
    fn cast() -> Vec<(&'static str, Viewer)> {
        vec![
            ("nobody's roles", person(1, &[])),
            ("donor", person(2, &[("donor", "")])),
            ("volunteer", person(3, &[("volunteer", TOWN)])),
            ("city volunteer", person(4, &[("volunteer", "")])),
            ("other volunteer", person(5, &[("volunteer", OTHER)])),
            ("reviewer", person(6, &[("reviewer", TOWN)])),
            ("other reviewer", person(7, &[("reviewer", OTHER)])),
            ("admin", person(8, &[("admin", "")])),
        ]
    }

    fn outcome(result: Result<(), AppError>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(error) => error.code(),
        }
    }

    /// One row per action: the expected answer for each member of the cast, in order.
    fn assert_row(name: &str, action: Action<'_>, expected: [&str; 8]) {
        let got: Vec<&str> = cast()
            .iter()
            .map(|(_, viewer)| outcome(check(viewer, action)))
            .collect();
        let who: Vec<&str> = cast().iter().map(|(who, _)| *who).collect();
        assert_eq!(got, expected, "{name}: for {who:?}");
    }

    const F: &str = "Forbidden";
    const OK: &str = "ok";

    #[test]
    fn every_action_for_every_kind_of_person() {
        let need = |status, author: Option<i64>, council: Option<i64>| NeedParties {
            town: TOWN,
            status,
            author: author.map(UserId),
            council_reviewer: council.map(UserId),
        };
        //                                   none  donor vol  city  ovol rev  orev admin
        assert_row("claim", Action::Claim, [F, OK, F, F, F, F, F, F]);
        assert_row("intake", Action::Intake, [F, F, OK, OK, OK, F, F, F]);
        assert_row(
            "enter for the town",
            Action::EnterFor { town: TOWN },
            [F, F, OK, OK, F, F, F, F],
        );
        assert_row(
            "read a household",
            Action::ReadHousehold { town: TOWN },
            [F, F, OK, OK, F, OK, F, OK],
        );
        assert_row(
            "see a claim alert",
            Action::SeeClaimAlert { town: TOWN },
            [F, F, OK, OK, F, OK, F, F],
        );
        assert_row(
            "council review",
            Action::Review {
                stage: ReviewStage::Council,
                need: need(NeedStatus::CouncilReview, Some(99), None),
            },
            [F, F, F, F, F, OK, F, F],
        );
        assert_row(
            "volunteer review",
            Action::Review {
                stage: ReviewStage::Volunteer,
                need: need(NeedStatus::VolunteerReview, Some(99), Some(6)),
            },
            [F, F, OK, OK, F, F, F, F],
        );
        assert_row(
            "confirm a delivery",
            Action::ConfirmDelivery {
                town: TOWN,
                donor: Some(UserId(2)),
            },
            [F, F, OK, OK, F, F, F, F],
        );
        assert_row(
            "see a delivery photo",
            Action::SeeDeliveryPhoto { town: TOWN },
            [F, F, OK, OK, F, OK, F, OK],
        );
        assert_row(
            "handle a report",
            Action::HandleReport { town: TOWN },
            [F, F, F, F, F, OK, F, F],
        );
        assert_row("administer", Action::Administer, [F, F, F, F, F, F, F, OK]);
    }

    #[test]
    fn only_the_author_changes_a_need_and_only_the_donor_handles_a_claim() {
        let volunteer = person(3, &[("volunteer", TOWN)]);
        let mine = Action::ChangeOwnNeed {
            author: Some(UserId(3)),
        };
        assert_eq!(outcome(check(&volunteer, mine)), OK);
        let theirs = Action::ChangeOwnNeed {
            author: Some(UserId(4)),
        };
        assert_eq!(outcome(check(&volunteer, theirs)), F);
        // A need imported without an author belongs to nobody.
        let orphan = Action::ChangeOwnNeed { author: None };
        assert_eq!(outcome(check(&volunteer, orphan)), F);
        // An author who is no longer a volunteer cannot change it either.
        let former = person(3, &[("donor", "")]);
        assert_eq!(outcome(check(&former, mine)), F);

        let donor = person(2, &[("donor", "")]);
        let own = Action::HandleOwnClaim {
            donor: Some(UserId(2)),
        };
        assert_eq!(outcome(check(&donor, own)), OK);
        let other = Action::HandleOwnClaim {
            donor: Some(UserId(9)),
        };
        assert_eq!(outcome(check(&donor, other)), F);
        assert_eq!(outcome(check(&person(8, &[("admin", "")]), own)), F);
    }

    #[test]
    fn a_review_says_forbidden_then_wrong_stage_then_same_reviewer() {
        let both = person(10, &[("reviewer", TOWN), ("volunteer", TOWN)]);
        let at = |status, author, council| Action::Review {
            stage: ReviewStage::Volunteer,
            need: NeedParties {
                town: TOWN,
                status,
                author,
                council_reviewer: council,
            },
        };
        let me = Some(UserId(10));
        // The council reviewer cannot also give the volunteer approval.
        assert_eq!(
            outcome(check(&both, at(NeedStatus::VolunteerReview, None, me))),
            "SameReviewer"
        );
        // ... but once the need has moved on, that is what they hear first.
        assert_eq!(
            outcome(check(&both, at(NeedStatus::Published, None, me))),
            "WrongStage"
        );
        // The author never reviews their own need.
        assert_eq!(
            outcome(check(&both, at(NeedStatus::VolunteerReview, me, None))),
            "SameReviewer"
        );
        // Another town's volunteer is refused whatever the stage.
        let other = person(11, &[("volunteer", OTHER)]);
        assert_eq!(
            outcome(check(&other, at(NeedStatus::Published, None, None))),
            F
        );
    }

    #[test]
    fn a_donor_cannot_confirm_their_own_delivery_even_as_a_volunteer() {
        let donor_volunteer = person(12, &[("donor", ""), ("volunteer", TOWN)]);
        let own = Action::ConfirmDelivery {
            town: TOWN,
            donor: Some(UserId(12)),
        };
        assert_eq!(outcome(check(&donor_volunteer, own)), "SameReviewer");
    }

    #[test]
    fn officials_see_the_desk_of_their_area_and_never_a_household() {
        let city = person(20, &[("official", "")]);
        let town = person(21, &[("official", TOWN)]);
        let desk = |town| Action::SeeDesk { town };
        assert_eq!(outcome(check(&city, desk(None))), OK);
        assert_eq!(outcome(check(&city, desk(Some(OTHER)))), OK);
        assert_eq!(outcome(check(&town, desk(Some(TOWN)))), OK);
        assert_eq!(outcome(check(&town, desk(Some(OTHER)))), F);
        assert_eq!(outcome(check(&town, desk(None))), F);
        assert_eq!(outcome(check(&person(8, &[("admin", "")]), desk(None))), OK);
        for (who, _) in cast().iter().filter(|(who, _)| *who != "admin") {
            let viewer = &cast().into_iter().find(|(w, _)| w == who).unwrap().1;
            assert_eq!(outcome(check(viewer, desk(Some(TOWN)))), F, "{who}");
        }
        let record = |town| Action::RecordReferral { town };
        assert_eq!(outcome(check(&city, record(TOWN))), OK);
        assert_eq!(outcome(check(&town, record(TOWN))), OK);
        assert_eq!(outcome(check(&town, record(OTHER))), F);
        //                                             none  donor vol  city  ovol rev  orev admin
        assert_row("record a referral", record(TOWN), [F, F, F, F, F, OK, F, F]);
        for official in [&city, &town] {
            let read = Action::ReadHousehold { town: TOWN };
            assert_eq!(outcome(check(official, read)), F);
            assert_eq!(outcome(check(official, Action::Claim)), F);
            assert_eq!(outcome(check(official, Action::Administer)), F);
            let report = Action::HandleReport { town: TOWN };
            assert_eq!(outcome(check(official, report)), F);
        }
    }

    #[test]
    fn providers_offer_volunteers_review_and_book_and_only_the_provider_reads_its_bookings() {
        let provider = person(40, &[("provider", TOWN)]);
        let city_provider = person(41, &[("provider", "")]);
        let offer = |town| Action::OfferService { town };
        assert_eq!(outcome(check(&provider, offer(TOWN))), OK);
        assert_eq!(outcome(check(&provider, offer(OTHER))), F);
        assert_eq!(outcome(check(&city_provider, offer(OTHER))), OK);
        //                                            none  donor vol  city  ovol rev  orev admin
        assert_row("offer a service", offer(TOWN), [F, F, F, F, F, F, F, F]);
        let review = Action::ReviewOffer {
            town: TOWN,
            provider: UserId(40),
        };
        assert_row("review an offer", review, [F, F, OK, OK, F, F, F, F]);
        // A provider who is also a volunteer never approves their own offer.
        let both = person(40, &[("provider", TOWN), ("volunteer", TOWN)]);
        assert_eq!(outcome(check(&both, review)), "SameReviewer");
        let book = Action::BookService { town: TOWN };
        assert_row("book a service", book, [F, F, OK, OK, F, F, F, F]);
        let handle = Action::HandleBooking {
            town: TOWN,
            provider: UserId(40),
        };
        assert_row("handle a booking", handle, [F, F, OK, OK, F, F, F, F]);
        assert_eq!(outcome(check(&provider, handle)), OK);
        assert_eq!(outcome(check(&city_provider, handle)), F);
        let see = Action::SeeBookings {
            provider: UserId(40),
        };
        assert_row("see an offer's bookings", see, [F, F, F, F, F, F, F, F]);
        assert_eq!(outcome(check(&provider, see)), OK);
        // Once the role is taken away, nothing.
        let former = person(40, &[("donor", "")]);
        assert_eq!(outcome(check(&former, handle)), F);
        assert_eq!(outcome(check(&former, see)), F);
        // A provider reads no household's file.
        let read = Action::ReadHousehold { town: TOWN };
        assert_eq!(outcome(check(&provider, read)), F);
    }

    #[test]
    fn hours_are_recorded_by_the_towns_volunteers_and_confirmed_by_someone_else_of_the_town() {
        //                                                    none  donor vol  city  ovol rev  orev admin
        let record = Action::RecordHours { town: TOWN };
        assert_row("record hours", record, [F, F, OK, OK, F, F, F, F]);
        let confirm = Action::ConfirmHours {
            town: TOWN,
            volunteer: UserId(99),
        };
        assert_row("confirm hours", confirm, [F, F, OK, OK, F, OK, F, F]);
        // The volunteer never confirms their own, whatever else they are.
        let own = Action::ConfirmHours {
            town: TOWN,
            volunteer: UserId(3),
        };
        assert_eq!(
            outcome(check(&person(3, &[("volunteer", TOWN)]), own)),
            "SameReviewer"
        );
        let both = person(3, &[("volunteer", TOWN), ("reviewer", TOWN)]);
        assert_eq!(outcome(check(&both, own)), "SameReviewer");
        // Another town's staff hear Forbidden first.
        let other = Action::ConfirmHours {
            town: OTHER,
            volunteer: UserId(3),
        };
        assert_eq!(outcome(check(&person(6, &[("reviewer", TOWN)]), other)), F);
    }

    #[test]
    fn an_admin_handles_reports_only_as_a_reviewer_of_the_town() {
        let both = person(30, &[("admin", ""), ("reviewer", TOWN)]);
        for (viewer, town, expected) in [(&both, TOWN, OK), (&both, OTHER, F)] {
            let action = Action::HandleReport { town };
            assert_eq!(outcome(check(viewer, action)), expected, "{town}");
        }
    }

    #[test]
    fn the_towns_a_role_covers() {
        assert_eq!(
            towns_for(&person(4, &[("volunteer", "")]), Role::Volunteer),
            None
        );
        assert_eq!(
            towns_for(
                &person(3, &[("volunteer", TOWN), ("volunteer", OTHER)]),
                Role::Volunteer
            ),
            Some(vec![TOWN, OTHER])
        );
        assert_eq!(
            towns_for(&person(2, &[("donor", "")]), Role::Volunteer),
            Some(vec![])
        );
    }
}
