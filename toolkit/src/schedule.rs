//! One operation per stack in dependency order, several at once: what deploy and destroy
//! share. A job starts once the jobs it comes after have finished; a job after one that failed
//! does not start (it is said why, and it counts as failed for the jobs after it).

use std::collections::{HashMap, HashSet};
use std::future::Future;

use crate::error::DeployError;

/// One stack's operation: its name, the names of the jobs it comes after (names outside the
/// set are ignored), and what the operation takes.
pub struct Job<T> {
    pub name: String,
    pub after: Vec<String>,
    pub item: T,
}

/// Runs the jobs, up to `concurrency` at once, in their order where they are free to go.
/// `start` makes a job's operation, given the results so far (an error fails the job
/// without starting it); `blocked` is told of a job not started because the named job it
/// comes after failed. Returns the results and the failures; `verb` names the operation in
/// the error of a task that ended abnormally.
pub async fn in_order<T, R, F>(
    jobs: Vec<Job<T>>,
    concurrency: usize,
    verb: &str,
    mut start: impl FnMut(T, &[R]) -> Result<F, DeployError>,
    mut blocked: impl FnMut(&str, &str),
) -> (Vec<R>, Vec<(String, DeployError)>)
where
    F: Future<Output = Result<R, DeployError>> + Send + 'static,
    R: Send + 'static,
{
    let names: HashSet<String> = jobs.iter().map(|j| j.name.clone()).collect();
    let mut pending = jobs;
    let mut finished: HashMap<String, bool> = HashMap::new();
    let mut results = Vec::new();
    let mut failures = Vec::new();
    let mut running = tokio::task::JoinSet::new();
    loop {
        let mut i = 0;
        while i < pending.len() && running.len() < concurrency.max(1) {
            let waiting = pending[i]
                .after
                .iter()
                .any(|d| names.contains(d) && !finished.contains_key(d));
            if waiting {
                i += 1;
                continue;
            }
            let job = pending.remove(i);
            if let Some(failed) = job.after.iter().find(|d| finished.get(*d) == Some(&false)) {
                blocked(&job.name, failed);
                finished.insert(job.name, false);
                continue;
            }
            match start(job.item, &results) {
                Ok(work) => {
                    let name = job.name;
                    running.spawn(async move { (name, work.await) });
                }
                Err(e) => {
                    finished.insert(job.name.clone(), false);
                    failures.push((job.name, e));
                }
            }
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((name, Ok(result))) => {
                finished.insert(name, true);
                results.push(result);
            }
            Ok((name, Err(e))) => {
                finished.insert(name.clone(), false);
                failures.push((name, e));
            }
            Err(e) => failures.push((
                "?".to_string(),
                DeployError::Template {
                    stack: "?".to_string(),
                    message: format!("a {verb} task ended abnormally: {e}"),
                },
            )),
        }
    }
    (results, failures)
}
