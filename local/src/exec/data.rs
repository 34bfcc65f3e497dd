//! How data moves through a state: JSONPath's InputPath, Parameters, ResultSelector,
//! ResultPath and OutputPath, JSONata's `$states` and `{% %}` fields, the context object, and
//! `Assign`.

use constructs::core::value::Value;
use constructs::stepfunctions::asl::render::to_plain_json;
use constructs::stepfunctions::asl::{PathValue, QueryLanguage, State};
use serde_json::{json, Map as JsonMap, Value as Json};

use super::{Exec, Frame};
use crate::clock::{self, Instant};
use crate::error::Failure;
use crate::jsonata;
use crate::paths::{self, Root};

/// The state being run: what its context object and expressions see.
#[derive(Debug, Clone)]
pub(crate) struct Env<'a> {
    pub name: &'a str,
    pub language: QueryLanguage,
    pub entered: Instant,
    pub retry_count: u32,
    pub token: Option<String>,
    /// `$$.Map.Item`: `{"Index", "Value"}`, while a Map's ItemSelector is evaluated.
    pub map_item: Option<Json>,
}

/// What a state's expressions may refer to: `$states.input`, `.result`, `.errorOutput`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen<'a> {
    pub input: &'a Json,
    pub result: Option<&'a Json>,
    pub error_output: Option<&'a Json>,
}

impl<'a> Seen<'a> {
    pub fn input(input: &'a Json) -> Self {
        Seen {
            input,
            result: None,
            error_output: None,
        }
    }
    pub fn result(input: &'a Json, result: &'a Json) -> Self {
        Seen {
            input,
            result: Some(result),
            error_output: None,
        }
    }
    pub fn error(input: &'a Json, error_output: &'a Json) -> Self {
        Seen {
            input,
            result: None,
            error_output: Some(error_output),
        }
    }
}

/// A parsed definition's value as JSON (parsed definitions hold no tokens).
pub(crate) fn plain(v: &Value) -> Json {
    to_plain_json(v).unwrap_or(Json::Null)
}

impl Exec<'_> {
    /// The context object, but for `Execution` (and its input): for the paths that read
    /// anything else of it.
    fn context_without_input(&self, env: &Env<'_>) -> Json {
        let mut ctx = json!({
            "State": {
                "EnteredTime": clock::format(env.entered),
                "Name": env.name,
                "RetryCount": env.retry_count,
            },
            "StateMachine": self.state_machine,
        });
        if let Some(token) = &env.token {
            ctx["Task"] = json!({"Token": token});
        }
        if let Some(item) = &env.map_item {
            ctx["Map"] = json!({"Item": item});
        }
        ctx
    }

    /// The context object as the state sees it.
    pub fn context(&self, env: &Env<'_>) -> Json {
        let state = json!({
            "EnteredTime": clock::format(env.entered),
            "Name": env.name,
            "RetryCount": env.retry_count,
        });
        let mut ctx = json!({
            "Execution": self.execution,
            "State": state,
            "StateMachine": self.state_machine,
        });
        if let Some(token) = &env.token {
            ctx["Task"] = json!({"Token": token});
        }
        if let Some(item) = &env.map_item {
            ctx["Map"] = json!({"Item": item});
        }
        ctx
    }

    /// The value a path names: `$...` in `doc`, `$$...` in the context object, `$name...` in a
    /// variable; a path that matches nothing is `States.Runtime`.
    pub fn read_path(
        &self,
        env: &Env<'_>,
        path: &str,
        doc: &Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        self.find_path(env, path, doc, frame)?.ok_or_else(|| {
            Failure::runtime(format!(
                "An error occurred while executing the state '{}'. Invalid path '{path}': \
                 the path matches nothing in {}",
                env.name,
                paths::compact(doc)
            ))
        })
    }

    /// Like [`Exec::read_path`], `None` when the path matches nothing.
    pub fn find_path(
        &self,
        env: &Env<'_>,
        path: &str,
        doc: &Json,
        frame: &Frame,
    ) -> Result<Option<Json>, Failure> {
        let Some((root, rest)) = paths::split_root(path) else {
            return Err(Failure::runtime(format!(
                "'{path}' is not a path (a path starts with '$')"
            )));
        };
        match root {
            Root::Input => paths::read(doc, &rest),
            // the execution's input is read where it is, not copied into a context first
            Root::Context => match rest.strip_prefix("$.Execution.Input") {
                Some(tail) if tail.is_empty() || tail.starts_with(['.', '[']) => {
                    paths::read(&self.execution["Input"], &format!("${tail}"))
                }
                _ if rest.starts_with("$.Execution") || rest == "$" => {
                    paths::read(&self.context(env), &rest)
                }
                _ => paths::read(&self.context_without_input(env), &rest),
            },
            Root::Var(name) => match frame.var(name) {
                Some(v) => paths::read(v, &rest),
                None => Err(Failure::runtime(format!(
                    "An error occurred while executing the state '{}'. The variable ${name} \
                     is not defined here",
                    env.name
                ))),
            },
        }
    }

    /// A payload template (Parameters, ResultSelector, ItemSelector, JSONPath Assign): fields
    /// named `x.$` take the value of their path or intrinsic function, at any depth.
    pub fn payload(
        &mut self,
        env: &Env<'_>,
        template: &Json,
        doc: &Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        match template {
            Json::Object(map) => {
                let mut out = JsonMap::with_capacity(map.len());
                for (key, v) in map {
                    match key.strip_suffix(".$") {
                        Some(field) => {
                            let Some(expr) = v.as_str() else {
                                return Err(Failure::runtime(format!(
                                    "The field '{key}' of state '{}' must be a path or an \
                                     intrinsic function, not {}",
                                    env.name,
                                    paths::compact(v)
                                )));
                            };
                            let value = self.path_or_intrinsic(env, key, expr, doc, frame)?;
                            out.insert(field.to_string(), value);
                        }
                        None => {
                            out.insert(key.clone(), self.payload(env, v, doc, frame)?);
                        }
                    }
                }
                Ok(Json::Object(out))
            }
            Json::Array(items) => items
                .iter()
                .map(|v| self.payload(env, v, doc, frame))
                .collect::<Result<Vec<_>, _>>()
                .map(Json::Array),
            other => Ok(other.clone()),
        }
    }

    fn path_or_intrinsic(
        &mut self,
        env: &Env<'_>,
        key: &str,
        expr: &str,
        doc: &Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        if crate::intrinsics::is_intrinsic(expr) {
            let this = &*self;
            let mut rng = self.rng.clone();
            let mut resolve = |p: &str| -> Result<Json, Failure> {
                this.find_path(env, p, doc, frame)?.ok_or_else(|| {
                    Failure::runtime(format!(
                        "An error occurred while executing the state '{}'. The JSONPath '{p}' \
                         specified for the field '{key}' could not be found in the input '{}'",
                        env.name,
                        paths::compact(doc)
                    ))
                })
            };
            let out = crate::intrinsics::evaluate(expr, &mut resolve, &mut rng);
            self.rng = rng;
            return out;
        }
        self.find_path(env, expr, doc, frame)?.ok_or_else(|| {
            Failure::runtime(format!(
                "An error occurred while executing the state '{}'. The JSONPath '{expr}' \
                 specified for the field '{key}' could not be found in the input '{}'",
                env.name,
                paths::compact(doc)
            ))
        })
    }

    /// `InputPath`: the effective input (`null` gives `{}`).
    pub fn input_path(
        &self,
        env: &Env<'_>,
        state: &State,
        input: &Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        match &state.input_path {
            None => Ok(input.clone()),
            Some(PathValue::Null) => Ok(json!({})),
            Some(PathValue::Path(p)) => self.find_path(env, p, input, frame)?.ok_or_else(|| {
                Failure::runtime(format!(
                    "An error occurred while executing the state '{}'. Invalid path '{p}' : \
                     No results for path: {p}",
                    env.name
                ))
            }),
        }
    }

    /// `OutputPath` (`null` gives `{}`).
    pub fn output_path(
        &self,
        env: &Env<'_>,
        state: &State,
        output: Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        match &state.output_path {
            None => Ok(output),
            Some(PathValue::Null) => Ok(json!({})),
            Some(PathValue::Path(p)) => self.find_path(env, p, &output, frame)?.ok_or_else(|| {
                Failure::runtime(format!(
                    "An error occurred while executing the state '{}'. Invalid path '{p}' : \
                     No results for path: {p}",
                    env.name
                ))
            }),
        }
    }

    /// `ResultPath`: the result placed in the state's input (`null`: the input unchanged).
    pub fn result_path(
        &self,
        path: Option<&PathValue>,
        input: Json,
        result: Json,
    ) -> Result<Json, Failure> {
        match path {
            None => Ok(result),
            Some(PathValue::Null) => Ok(input),
            Some(PathValue::Path(p)) => paths::write(input, p, result),
        }
    }

    /// `ResultSelector` over a result.
    pub fn result_selector(
        &mut self,
        env: &Env<'_>,
        selector: Option<&Value>,
        result: Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        match selector {
            None => Ok(result),
            Some(s) => self.payload(env, &plain(s), &result, frame),
        }
    }

    /// `$states` and the variables, for a JSONata expression.
    fn states(&self, env: &Env<'_>, seen: Seen<'_>) -> Json {
        let mut states = json!({"input": seen.input, "context": self.context(env)});
        if let Some(r) = seen.result {
            states["result"] = r.clone();
        }
        if let Some(e) = seen.error_output {
            states["errorOutput"] = e.clone();
        }
        states
    }

    /// Evaluates a JSONata field's value (`{% %}` strings anywhere in it).
    pub fn jsonata_template(
        &mut self,
        env: &Env<'_>,
        template: &Json,
        seen: Seen<'_>,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        let states = self.states(env, seen);
        let mut bindings = jsonata::Bindings::new();
        for (k, v) in frame.visible() {
            bindings.insert(k.as_str(), v);
        }
        bindings.insert("states", &states);
        let now = self.now.timestamp_millis();
        jsonata::template(template, &bindings, &mut self.rng, now)
    }

    /// Evaluates a JSONata field of the state (`Output`, `Seconds`, a Fail's `Error`).
    pub fn jsonata_value(
        &mut self,
        env: &Env<'_>,
        text: &str,
        seen: Seen<'_>,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        self.jsonata_template(env, &Json::String(text.to_string()), seen, frame)
    }

    /// A JSONata state's `Output`, or `default` (a JSONPath state: always `default`).
    pub fn jsonata_output(
        &mut self,
        env: &Env<'_>,
        output: Option<&Value>,
        seen: Seen<'_>,
        default: Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        match output {
            Some(o) if env.language == QueryLanguage::Jsonata => {
                self.jsonata_template(env, &plain(o), seen, frame)
            }
            _ => Ok(default),
        }
    }

    /// `Assign`: the variables a state sets, evaluated with the values from before the state
    /// (JSONPath: `$` is the error output, the result, or the effective input).
    pub fn assign(
        &mut self,
        env: &Env<'_>,
        assign: Option<&Value>,
        seen: Seen<'_>,
        frame: &Frame,
    ) -> Result<Option<JsonMap<String, Json>>, Failure> {
        let Some(assign) = assign else {
            return Ok(None);
        };
        let template = plain(assign);
        let out = match env.language {
            QueryLanguage::Jsonata => self.jsonata_template(env, &template, seen, frame)?,
            QueryLanguage::JsonPath => {
                let root = seen.error_output.or(seen.result).unwrap_or(seen.input);
                self.payload(env, &template, root, frame)?
            }
        };
        match out {
            Json::Object(map) => {
                for (k, v) in &map {
                    super::check_value(v, &format!("{} (variable ${k})", env.name))?;
                }
                Ok(Some(map))
            }
            other => Err(Failure::runtime(format!(
                "The Assign of state '{}' must give an object, not {}",
                env.name,
                paths::compact(&other)
            ))),
        }
    }
}
