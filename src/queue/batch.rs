//! What a batch of deliveries does to the queue — which are redeliveries,
//! which join a job of the same commit, which queue a new job — decided in
//! memory from what the store already holds.
//!
//! SQLite runs every statement on its connection's own thread: asking it
//! delivery by delivery costs a thread hand-off per question, and at a
//! steady 2,000 deliveries a second those hand-offs were half the intake's
//! time. Planned here, a batch costs one read and one write whatever its
//! size. PostgreSQL decides in SQL instead (one statement per delivery), and
//! both follow [`covers`].

use std::collections::HashSet;

use super::store::Enqueued;
use crate::intake::ReviewRequest;

/// The states of a job of the same commit that a new trigger joins instead
/// of queueing its own. Duplicate triggers of one commit collapse into one
/// job: a job still waiting reviews exactly what a new trigger asks for, and
/// automatic triggers (a push fires pull_request.synchronize and
/// check_suite.requested together) also join a running or finished review of
/// that commit. People's buttons and reopening get a fresh review; a sign-off
/// is a click on one check run and always gets its own job.
pub(super) fn covering_states(request: &ReviewRequest) -> &'static [&'static str] {
    if request.manual || request.trigger == "pull_request.reopened" {
        &["queued"]
    } else {
        &["queued", "running", "done"]
    }
}

/// Whether `job` takes `request` in, so that no job of its own is queued.
/// (The job's commit and its being no sign-off are checked by the caller.)
fn covers(request: &ReviewRequest, state: &str, pr_number: Option<u64>) -> bool {
    covering_states(request).contains(&state)
        && (request.pr_number.is_none() || pr_number == request.pr_number)
}

/// A job of one of the batch's commits, as the store holds it (sign-off
/// jobs excluded).
#[derive(Debug, Clone)]
pub(super) struct KnownJob {
    pub id: i64,
    pub owner: String,
    pub repo: String,
    pub head_sha: String,
    pub pr_number: Option<u64>,
    pub state: String,
}

/// A job the batch queues: for the delivery at this index of the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewJob {
    pub delivery: usize,
    pub manual: bool,
}

/// What to write for a batch, and each delivery's answer once it is
/// committed.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Plan {
    /// Per delivery, in batch order.
    pub outcomes: Vec<Enqueued>,
    /// Indexes of the deliveries to store (every one that is not a
    /// redelivery).
    pub store: Vec<usize>,
    pub new_jobs: Vec<NewJob>,
    /// Queued jobs a person's trigger joined: they now review drafts too.
    pub make_manual: Vec<i64>,
}

impl Plan {
    pub fn writes_nothing(&self) -> bool {
        self.store.is_empty()
    }
}

/// Plans `batch` (delivery id and request, in arrival order) as if each
/// delivery were stored in turn: a later delivery sees the jobs an earlier
/// one queued. `known_deliveries` are the ids among the batch's already
/// stored; `known_jobs` the stored jobs of its commits.
pub(super) fn plan(
    batch: &[(&str, &ReviewRequest)],
    known_deliveries: &HashSet<String>,
    known_jobs: &[KnownJob],
) -> Plan {
    let mut plan = Plan::default();
    let mut seen: HashSet<&str> = HashSet::new();
    for (index, (delivery_id, request)) in batch.iter().enumerate() {
        if known_deliveries.contains(*delivery_id) || !seen.insert(delivery_id) {
            plan.outcomes.push(Enqueued::Duplicate);
            continue;
        }
        plan.store.push(index);
        if request.signoff_by.is_some() {
            plan.new_jobs.push(NewJob {
                delivery: index,
                manual: request.manual,
            });
            plan.outcomes.push(Enqueued::Queued);
            continue;
        }
        let same_commit = |other: &ReviewRequest| {
            other.owner == request.owner
                && other.repo == request.repo
                && other.head_sha == request.head_sha
        };
        // The newest covering job wins, as `ORDER BY id DESC` does in SQL:
        // the batch's own jobs are newer than every stored one.
        let queued_here = plan.new_jobs.iter_mut().rev().find(|job| {
            let queued = batch[job.delivery].1;
            queued.signoff_by.is_none()
                && same_commit(queued)
                && covers(request, "queued", queued.pr_number)
        });
        if let Some(job) = queued_here {
            job.manual |= request.manual;
            plan.outcomes.push(Enqueued::Collapsed);
            continue;
        }
        let stored = known_jobs
            .iter()
            .filter(|job| {
                job.owner == request.owner
                    && job.repo == request.repo
                    && job.head_sha == request.head_sha
                    && covers(request, &job.state, job.pr_number)
            })
            .max_by_key(|job| job.id);
        if let Some(job) = stored {
            if request.manual && job.state == "queued" && !plan.make_manual.contains(&job.id) {
                plan.make_manual.push(job.id);
            }
            plan.outcomes.push(Enqueued::Collapsed);
            continue;
        }
        plan.new_jobs.push(NewJob {
            delivery: index,
            manual: request.manual,
        });
        plan.outcomes.push(Enqueued::Queued);
    }
    plan
}

/// An automatic trigger of commit `sha` in `o/r`, for tests of the queue.
#[cfg(test)]
pub(super) fn request(sha: &str, pr: Option<u64>) -> ReviewRequest {
    ReviewRequest {
        installation_id: 1,
        owner: "o".into(),
        repo: "r".into(),
        pr_number: pr,
        head_sha: sha.into(),
        trigger: "pull_request.opened".into(),
        manual: false,
        check_run_id: None,
        signoff_by: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rerun(sha: &str, pr: Option<u64>) -> ReviewRequest {
        ReviewRequest {
            manual: true,
            trigger: "check_run.rerequested".into(),
            ..request(sha, pr)
        }
    }

    fn job(id: i64, sha: &str, pr: Option<u64>, state: &str) -> KnownJob {
        KnownJob {
            id,
            owner: "o".into(),
            repo: "r".into(),
            head_sha: sha.into(),
            pr_number: pr,
            state: state.into(),
        }
    }

    fn run(batch: &[(&str, ReviewRequest)], known: &[&str], jobs: &[KnownJob]) -> Plan {
        let batch: Vec<(&str, &ReviewRequest)> = batch.iter().map(|(d, r)| (*d, r)).collect();
        let known = known.iter().map(|d| d.to_string()).collect();
        plan(&batch, &known, jobs)
    }

    #[test]
    fn redeliveries_are_answered_without_being_stored_again() {
        let plan = run(
            &[("a", request("s1", Some(1))), ("a", request("s1", Some(1)))],
            &[],
            &[],
        );
        assert_eq!(plan.outcomes, [Enqueued::Queued, Enqueued::Duplicate]);
        assert_eq!(plan.store, [0]);
        let plan = run(&[("a", request("s1", Some(1)))], &["a"], &[]);
        assert_eq!(plan.outcomes, [Enqueued::Duplicate]);
        assert!(plan.writes_nothing());
    }

    #[test]
    fn triggers_of_one_commit_in_a_batch_share_the_first_ones_job() {
        let plan = run(
            &[
                ("a", request("s1", Some(1))),
                ("b", request("s1", None)),
                ("c", request("s2", Some(1))),
                ("d", rerun("s1", Some(1))),
            ],
            &[],
            &[],
        );
        use Enqueued::*;
        assert_eq!(plan.outcomes, [Queued, Collapsed, Queued, Collapsed]);
        assert_eq!(plan.store, [0, 1, 2, 3]);
        assert_eq!(
            plan.new_jobs,
            [
                NewJob {
                    delivery: 0,
                    manual: true
                },
                NewJob {
                    delivery: 2,
                    manual: false
                }
            ]
        );
    }

    #[test]
    fn a_commit_seen_under_another_pull_request_gets_its_own_job() {
        let plan = run(
            &[("a", request("s1", Some(1))), ("b", request("s1", Some(2)))],
            &[],
            &[job(7, "s1", Some(3), "queued")],
        );
        assert_eq!(plan.outcomes, [Enqueued::Queued, Enqueued::Queued]);
    }

    #[test]
    fn automatic_triggers_join_finished_reviews_and_people_get_a_fresh_one() {
        let done = [job(7, "s1", Some(1), "done")];
        let plan = run(&[("a", request("s1", Some(1)))], &[], &done);
        assert_eq!(plan.outcomes, [Enqueued::Collapsed]);
        assert!(plan.new_jobs.is_empty());
        let plan = run(&[("a", rerun("s1", Some(1)))], &[], &done);
        assert_eq!(plan.outcomes, [Enqueued::Queued]);
        let reopened = ReviewRequest {
            trigger: "pull_request.reopened".into(),
            ..request("s1", Some(1))
        };
        let plan = run(&[("a", reopened)], &[], &done);
        assert_eq!(plan.outcomes, [Enqueued::Queued]);
    }

    #[test]
    fn a_rerun_joining_a_stored_queued_job_makes_it_manual_once() {
        let jobs = [
            job(7, "s1", Some(1), "done"),
            job(9, "s1", Some(1), "queued"),
        ];
        let plan = run(
            &[("a", rerun("s1", Some(1))), ("b", rerun("s1", Some(1)))],
            &[],
            &jobs,
        );
        assert_eq!(plan.outcomes, [Enqueued::Collapsed, Enqueued::Collapsed]);
        assert_eq!(plan.make_manual, [9]);
    }

    #[test]
    fn a_signoff_always_queues_its_own_job_and_nothing_joins_it() {
        let signoff = ReviewRequest {
            signoff_by: Some("octocat".into()),
            ..rerun("s1", Some(1))
        };
        let plan = run(
            &[("a", signoff), ("b", request("s1", Some(1)))],
            &[],
            &[job(7, "s1", Some(1), "queued")],
        );
        assert_eq!(plan.outcomes, [Enqueued::Queued, Enqueued::Collapsed]);
        assert_eq!(plan.new_jobs.len(), 1);
    }
}
