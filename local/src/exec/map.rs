//! Parallel and Map states (a Distributed Map's own work is in `distributed.rs`). Branches and
//! iterations run one after another; each starts on the virtual clock when AWS would start it
//! (a branch when its state starts, an iteration when one of `MaxConcurrency` lanes is free),
//! and the state ends when the last one does.

use constructs::stepfunctions::asl::{Map, Parallel, QueryLanguage, State};
use serde_json::{json, Value as Json};

use super::data::{plain, Seen};
use super::task::Stepped;
use super::{Env, Exec, Flow, Frame, Stop};
use crate::error::Failure;

impl Exec<'_> {
    pub(crate) fn parallel(
        &mut self,
        env: &Env<'_>,
        state: &State,
        p: &Parallel,
        input: Json,
        frame: &Frame,
    ) -> Flow<Stepped> {
        let mut env = env.clone();
        let outcome = self.with_retry(&mut env, &p.retry, |ex, env| {
            let branch_input = match env.language {
                QueryLanguage::JsonPath => {
                    let effective = ex.input_path(env, state, &input, frame)?;
                    match &p.parameters {
                        Some(t) => ex.payload(env, &plain(t), &effective, frame)?,
                        None => effective,
                    }
                }
                QueryLanguage::Jsonata => match &p.arguments {
                    Some(a) => ex.jsonata_template(env, &plain(a), Seen::input(&input), frame)?,
                    None => input.clone(),
                },
            };
            let started = ex.event("ParallelStateStarted", None)?;
            let start = ex.now;
            let mut end = start;
            let mut results = Results::new(env.name);
            let mut last = started;
            for branch in &p.branches {
                ex.now = start;
                // each branch's first event follows the state's start, as in AWS's history
                ex.history.last = started;
                match ex.nested(branch, branch_input.clone(), frame) {
                    Ok(out) => results.push(out),
                    Err(Stop::Fail(f)) => {
                        ex.event(
                            "ParallelStateFailed",
                            Some((
                                "parallelStateFailedEventDetails",
                                json!({"error": f.error, "cause": f.cause}),
                            )),
                        )?;
                        return Err(Stop::Fail(f));
                    }
                    Err(stop) => return Err(stop),
                }
                end = end.max(ex.now);
                last = last.max(ex.history.last);
            }
            ex.now = end;
            ex.history.last = last;
            ex.event("ParallelStateSucceeded", None)?;
            Ok(results.into_result()?)
        });
        match outcome {
            Ok(result) => self.finish(
                &env,
                state,
                p.result_selector.as_ref(),
                p.result_path.as_ref(),
                &p.next,
                input,
                result,
                frame,
            ),
            Err(Stop::Fail(f)) => self.catch(&env, &p.catch, f, input, frame),
            Err(stop) => Err(stop),
        }
    }

    pub(crate) fn map(
        &mut self,
        env: &Env<'_>,
        state: &State,
        m: &Map,
        input: Json,
        frame: &Frame,
    ) -> Flow<Stepped> {
        let mut env = env.clone();
        let outcome = self.with_retry(&mut env, &m.retry, |ex, env| {
            ex.map_once(env, state, m, &input, frame)
        });
        match outcome {
            Ok(result) => self.finish(
                &env,
                state,
                m.result_selector.as_ref(),
                m.result_path.as_ref(),
                &m.next,
                input,
                result,
                frame,
            ),
            Err(Stop::Fail(f)) => self.catch(&env, &m.catch, f, input, frame),
            Err(stop) => Err(stop),
        }
    }

    fn map_once(
        &mut self,
        env: &Env<'_>,
        state: &State,
        m: &Map,
        input: &Json,
        frame: &Frame,
    ) -> Flow<Json> {
        let jsonata = env.language == QueryLanguage::Jsonata;
        let effective = if jsonata {
            input.clone()
        } else {
            self.input_path(env, state, input, frame)?
        };
        let items = match &m.item_reader {
            Some(reader) => self.read_items(env, reader, &effective, frame)?,
            None => self.items(env, m, &effective, frame)?,
        };
        let max = self
            .amount(env, m.max_concurrency.as_ref(), &effective, frame)?
            .unwrap_or(0.0) as usize;
        if m.is_distributed() {
            // each item as its child execution receives it
            let mut inputs = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                inputs.push(self.select(env, m, i, item, input, &effective, frame)?);
            }
            return self.distributed(env, m, inputs, &effective, max, frame);
        }
        let started = self.event(
            "MapStateStarted",
            Some((
                "mapStateStartedEventDetails",
                json!({"length": items.len()}),
            )),
        )?;
        let name = env.name;
        let mut last = started;
        let mut results = Results::new(name);
        let mut items = items.into_iter();
        // each item is selected as its iteration starts: only the iterations running hold
        // their input
        let outcome = self.lanes(items.len(), max, |ex, i| {
            let item = items.next().unwrap_or_default();
            let selected = ex.select(env, m, i, item, input, &effective, frame)?;
            // each iteration's first event follows the state's start
            last = last.max(ex.history.last);
            ex.history.last = started;
            ex.event(
                "MapIterationStarted",
                Some((
                    "mapIterationStartedEventDetails",
                    json!({"name": name, "index": i}),
                )),
            )?;
            match ex.nested(&m.processor, selected, frame) {
                Ok(out) => {
                    ex.event(
                        "MapIterationSucceeded",
                        Some((
                            "mapIterationSucceededEventDetails",
                            json!({"name": name, "index": i}),
                        )),
                    )?;
                    results.push(out);
                    Ok(())
                }
                Err(Stop::Fail(f)) => {
                    ex.event(
                        "MapIterationFailed",
                        Some((
                            "mapIterationFailedEventDetails",
                            json!({"name": name, "index": i}),
                        )),
                    )?;
                    Err(Stop::Fail(f))
                }
                Err(stop) => Err(stop),
            }
        });
        self.history.last = last.max(self.history.last);
        match outcome {
            Ok(()) => {
                self.event("MapStateSucceeded", None)?;
                Ok(results.into_result()?)
            }
            Err(Stop::Fail(f)) => {
                self.event("MapStateFailed", None)?;
                Err(Stop::Fail(f))
            }
            Err(stop) => Err(stop),
        }
    }

    /// An item as its iteration receives it: the ItemSelector applied, with `$$.Map.Item`.
    #[allow(clippy::too_many_arguments)]
    fn select(
        &mut self,
        env: &Env<'_>,
        m: &Map,
        index: usize,
        item: Json,
        input: &Json,
        effective: &Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        let Some(selector) = &m.item_selector else {
            return Ok(item);
        };
        let mut item_env = env.clone();
        let mut map_item = json!({"Index": index, "Value": item});
        if m.item_reader.is_none() {
            map_item["Source"] = json!("STATE_DATA");
        }
        item_env.map_item = Some(map_item);
        if env.language == QueryLanguage::Jsonata {
            self.jsonata_template(&item_env, &plain(selector), Seen::input(input), frame)
        } else {
            self.payload(&item_env, &plain(selector), effective, frame)
        }
    }

    /// The items of a Map without a reader: `ItemsPath` (JSONPath) or `Items` (JSONata).
    fn items(
        &mut self,
        env: &Env<'_>,
        m: &Map,
        effective: &Json,
        frame: &Frame,
    ) -> Result<Vec<Json>, Failure> {
        let v = match (env.language, &m.items_path, &m.items) {
            (QueryLanguage::JsonPath, Some(p), _) => self.read_path(env, p, effective, frame)?,
            (QueryLanguage::Jsonata, _, Some(items)) => {
                self.jsonata_template(env, &plain(items), Seen::input(effective), frame)?
            }
            _ => effective.clone(),
        };
        match v {
            Json::Array(items) => Ok(items),
            other => Err(Failure::runtime(format!(
                "An error occurred while executing the state '{}'. The Map state's items must \
                 be an array, not {}",
                env.name,
                crate::paths::compact(&other)
            ))),
        }
    }

    /// Runs `n` iterations in at most `max` lanes (0: as many as there are iterations), each
    /// starting when a lane is free (the earliest free, the first of those free together);
    /// the clock ends when the last lane does.
    pub(super) fn lanes(
        &mut self,
        n: usize,
        max: usize,
        mut one: impl FnMut(&mut Self, usize) -> Flow<()>,
    ) -> Flow<()> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let start = self.now;
        let width = if max == 0 {
            n.max(1)
        } else {
            max.min(n.max(1))
        };
        // lanes by when they are free: a heap, so a Map of many items over many lanes is not
        // quadratic; lanes not used yet are all free at the start
        let mut busy: BinaryHeap<Reverse<(crate::clock::Instant, usize)>> = BinaryHeap::new();
        let mut unused = 0..width;
        let mut end = start;
        for i in 0..n {
            let (lane, at) = match (unused.next(), busy.peek()) {
                (Some(lane), _) => (lane, start),
                (None, Some(_)) => match busy.pop() {
                    Some(Reverse((at, lane))) => (lane, at),
                    None => (0, start),
                },
                (None, None) => (0, start),
            };
            self.now = at;
            one(self, i)?;
            end = end.max(self.now);
            busy.push(Reverse((self.now, lane)));
        }
        self.now = end;
        Ok(())
    }
}

/// The results of a Parallel's branches or a Map's iterations, in order. A state's result
/// is held to the payload limit as a task's is ("Maximum input or output size for a task,
/// state, or execution: 262,144 bytes", the quota page): once the results pass it, they are
/// no longer kept, and the state fails with `States.DataLimitExceeded` when they are all in.
pub(super) struct Results<'a> {
    name: &'a str,
    items: Vec<Json>,
    /// The bytes of the array so far (`[`, the items and their commas).
    bytes: usize,
}

impl<'a> Results<'a> {
    pub fn new(name: &'a str) -> Self {
        Results {
            name,
            items: Vec::new(),
            bytes: 2,
        }
    }

    pub fn push(&mut self, item: Json) {
        if self.bytes > super::MAX_PAYLOAD_BYTES {
            return;
        }
        self.bytes += super::bounds::size_of(&item) + usize::from(!self.items.is_empty());
        if self.bytes > super::MAX_PAYLOAD_BYTES {
            self.items = Vec::new();
        } else {
            self.items.push(item);
        }
    }

    pub fn into_result(self) -> Result<Json, Failure> {
        super::check_text_size(self.bytes, self.name)?;
        Ok(Json::Array(self.items))
    }
}
