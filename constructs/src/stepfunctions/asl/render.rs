//! Rendering a definition to ASL JSON, with a stable key order.

use indexmap::IndexMap;

use crate::core::value::Value;

use super::input::Input;
use super::model::*;

struct Obj(IndexMap<String, Value>);

impl Obj {
    fn new() -> Self {
        Obj(IndexMap::with_capacity(8))
    }
    fn put(&mut self, key: &str, value: impl Into<Value>) {
        self.0.insert(key.to_string(), value.into());
    }
    fn opt(&mut self, key: &str, value: Option<impl Into<Value>>) {
        if let Some(v) = value {
            self.put(key, v);
        }
    }
    fn path(&mut self, key: &str, value: &Option<PathValue>) {
        match value {
            Some(PathValue::Null) => {
                self.0.insert(key.to_string(), Value::Null);
            }
            Some(PathValue::Path(p)) => self.put(key, p.as_str()),
            None => {}
        }
    }
    fn amount(&mut self, key: &str, value: &Option<Amount>) {
        match value {
            Some(Amount::Value(n)) => self.put(key, Value::Number(n.clone())),
            Some(Amount::Path(p)) => self.put(&format!("{key}Path"), p.as_str()),
            Some(Amount::Expr(e)) => self.put(key, e.as_str()),
            None => {}
        }
    }
    fn transition(&mut self, t: &Option<Transition>) {
        match t {
            Some(Transition::Next(n)) => self.put("Next", n.as_str()),
            Some(Transition::End) => self.put("End", true),
            None => {}
        }
    }
    fn retry_catch(&mut self, retry: &[Retrier], catch: &[Catcher]) {
        if !retry.is_empty() {
            self.put(
                "Retry",
                Value::Array(retry.iter().map(render_retrier).collect()),
            );
        }
        if !catch.is_empty() {
            self.put(
                "Catch",
                Value::Array(catch.iter().map(render_catcher).collect()),
            );
        }
    }
    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn errors(names: &[ErrorName]) -> Value {
    Value::Array(names.iter().map(|e| Value::from(e.as_str())).collect())
}

fn render_retrier(r: &Retrier) -> Value {
    let mut o = Obj::new();
    o.put("ErrorEquals", errors(&r.error_equals));
    o.opt("IntervalSeconds", r.interval_seconds);
    o.opt("MaxAttempts", r.max_attempts);
    o.opt("BackoffRate", r.backoff_rate.clone().map(Value::Number));
    o.opt("MaxDelaySeconds", r.max_delay_seconds);
    o.opt(
        "JitterStrategy",
        r.jitter_strategy.map(|j| match j {
            Jitter::Full => "FULL",
            Jitter::None => "NONE",
        }),
    );
    o.opt("Comment", r.comment.as_deref());
    o.done()
}

fn render_catcher(c: &Catcher) -> Value {
    let mut o = Obj::new();
    o.put("ErrorEquals", errors(&c.error_equals));
    o.path("ResultPath", &c.result_path);
    o.opt("Output", c.output.clone());
    o.opt("Assign", c.assign.clone());
    o.opt("Comment", c.comment.as_deref());
    o.put("Next", c.next.as_str());
    o.done()
}

fn render_rule(r: &ChoiceRule) -> Value {
    let mut m: IndexMap<String, Value> = r
        .condition
        .to_json()
        .into_iter()
        .map(|(k, v)| (k, Value::from(v)))
        .collect();
    if let Some(c) = &r.comment {
        m.insert("Comment".into(), c.as_str().into());
    }
    if let Some(a) = &r.assign {
        m.insert("Assign".into(), a.clone());
    }
    if let Some(o) = &r.output {
        m.insert("Output".into(), o.clone());
    }
    m.insert("Next".into(), r.next.as_str().into());
    Value::Object(m)
}

fn render_reader_config(c: &ReaderConfig) -> Value {
    let mut o = Obj::new();
    o.opt("InputType", c.input_type.map(InputType::as_str));
    match &c.csv_headers {
        Some(CsvHeaders::FirstRow) => o.put("CSVHeaderLocation", "FIRST_ROW"),
        Some(CsvHeaders::Given(names)) => {
            o.put("CSVHeaderLocation", "GIVEN");
            o.put(
                "CSVHeaders",
                Value::Array(names.iter().map(|n| Value::from(n.as_str())).collect()),
            );
        }
        None => {}
    }
    o.opt("CSVDelimiter", c.csv_delimiter.map(CsvDelimiter::as_str));
    o.amount("MaxItems", &c.max_items);
    o.opt("ManifestType", c.manifest_type.map(ManifestType::as_str));
    o.done()
}

/// `Parameters` (JSONPath) or `Arguments` (JSONata) from a task's input.
fn put_input(o: &mut Obj, input: &Option<Input>, language: QueryLanguage) {
    if let Some(i) = input {
        let key = match language {
            QueryLanguage::JsonPath => "Parameters",
            QueryLanguage::Jsonata => "Arguments",
        };
        o.put(key, i.render(language));
    }
}

fn render_map_fields(o: &mut Obj, m: &Map, language: QueryLanguage) {
    if let Some(r) = &m.item_reader {
        let mut ro = Obj::new();
        ro.put("Resource", r.resource.clone());
        ro.opt(
            "ReaderConfig",
            r.reader_config.as_ref().map(render_reader_config),
        );
        ro.opt("Parameters", r.parameters.clone());
        ro.opt("Arguments", r.arguments.clone());
        put_input(&mut ro, &r.input, language);
        o.put("ItemReader", ro.done());
    }
    o.opt("ItemsPath", m.items_path.as_deref());
    o.opt("Items", m.items.clone());
    let selector_key = if m.legacy_parameters {
        "Parameters"
    } else {
        "ItemSelector"
    };
    o.opt(selector_key, m.item_selector.clone());
    if let Some(b) = &m.item_batcher {
        let mut bo = Obj::new();
        bo.amount("MaxItemsPerBatch", &b.max_items_per_batch);
        bo.amount("MaxInputBytesPerBatch", &b.max_input_bytes_per_batch);
        bo.opt("BatchInput", b.batch_input.clone());
        o.put("ItemBatcher", bo.done());
    }
    o.amount("MaxConcurrency", &m.max_concurrency);
    o.amount(
        "ToleratedFailurePercentage",
        &m.tolerated_failure_percentage,
    );
    o.amount("ToleratedFailureCount", &m.tolerated_failure_count);
    o.opt("Label", m.label.as_deref());
    let processor = render_definition(&m.processor, m.processor_config.as_ref(), language);
    o.put(
        if m.legacy_iterator {
            "Iterator"
        } else {
            "ItemProcessor"
        },
        processor,
    );
    if let Some(w) = &m.result_writer {
        let mut wo = Obj::new();
        wo.opt("Resource", w.resource.clone());
        if let Some(c) = &w.writer_config {
            let mut co = Obj::new();
            co.opt(
                "OutputType",
                c.output_type.map(|t| match t {
                    OutputType::Json => "JSON",
                    OutputType::Jsonl => "JSONL",
                }),
            );
            co.opt(
                "Transformation",
                c.transformation.map(|t| match t {
                    Transformation::None => "NONE",
                    Transformation::Compact => "COMPACT",
                    Transformation::Flatten => "FLATTEN",
                }),
            );
            wo.put("WriterConfig", co.done());
        }
        wo.opt("Parameters", w.parameters.clone());
        wo.opt("Arguments", w.arguments.clone());
        put_input(&mut wo, &w.input, language);
        o.put("ResultWriter", wo.done());
    }
}

/// Renders one state; `inherited` is the query language of its scope.
pub fn render_state(s: &State, inherited: QueryLanguage) -> Value {
    let language = s.query_language.unwrap_or(inherited);
    let mut o = Obj::new();
    o.put("Type", s.type_name());
    o.opt("Comment", s.comment.as_deref());
    o.opt("QueryLanguage", s.query_language.map(QueryLanguage::as_str));
    match &s.kind {
        StateKind::Task(t) => o.put("Resource", t.resource.clone()),
        StateKind::Wait(w) => match &w.wait {
            WaitFor::Seconds(n) => o.put("Seconds", *n),
            WaitFor::SecondsPath(p) => o.put("SecondsPath", p.as_str()),
            WaitFor::Timestamp(t) => o.put("Timestamp", t.as_str()),
            WaitFor::TimestampPath(p) => o.put("TimestampPath", p.as_str()),
            WaitFor::SecondsExpr(e) => o.put("Seconds", e.as_str()),
            WaitFor::TimestampExpr(e) => o.put("Timestamp", e.as_str()),
        },
        StateKind::Choice(c) => {
            o.put(
                "Choices",
                Value::Array(c.choices.iter().map(render_rule).collect()),
            );
            o.opt("Default", c.default.as_deref());
        }
        StateKind::Map(m) => render_map_fields(&mut o, m, language),
        StateKind::Parallel(p) => o.put(
            "Branches",
            Value::Array(
                p.branches
                    .iter()
                    .map(|b| render_definition(b, None, language))
                    .collect(),
            ),
        ),
        StateKind::Fail(f) => {
            o.opt("Error", f.error.as_deref());
            o.opt("ErrorPath", f.error_path.as_deref());
            o.opt("Cause", f.cause.as_deref());
            o.opt("CausePath", f.cause_path.as_deref());
        }
        StateKind::Pass(_) | StateKind::Succeed => {}
    }
    o.path("InputPath", &s.input_path);
    let (parameters, arguments, result_selector, result_path) = match &s.kind {
        StateKind::Pass(p) => (p.parameters.clone(), None, None, &p.result_path),
        StateKind::Task(t) => (
            t.parameters.clone(),
            t.arguments.clone(),
            t.result_selector.clone(),
            &t.result_path,
        ),
        StateKind::Parallel(p) => (
            p.parameters.clone(),
            p.arguments.clone(),
            p.result_selector.clone(),
            &p.result_path,
        ),
        StateKind::Map(m) => (None, None, m.result_selector.clone(), &m.result_path),
        _ => (None, None, None, &None),
    };
    o.opt("Parameters", parameters);
    o.opt("Arguments", arguments);
    if let StateKind::Task(t) = &s.kind {
        put_input(&mut o, &t.input, language);
    }
    if let StateKind::Pass(p) = &s.kind {
        o.opt("Result", p.result.clone());
    }
    o.opt("ResultSelector", result_selector);
    o.path("ResultPath", result_path);
    o.path("OutputPath", &s.output_path);
    o.opt("Output", s.output.clone());
    o.opt("Assign", s.assign.clone());
    if let StateKind::Task(t) = &s.kind {
        o.amount("TimeoutSeconds", &t.timeout);
        o.amount("HeartbeatSeconds", &t.heartbeat);
        o.opt("Credentials", t.credentials.clone());
    }
    match &s.kind {
        StateKind::Task(t) => o.retry_catch(&t.retry, &t.catch),
        StateKind::Parallel(p) => o.retry_catch(&p.retry, &p.catch),
        StateKind::Map(m) => o.retry_catch(&m.retry, &m.catch),
        _ => {}
    }
    if let Some(t) = s.transition() {
        o.transition(t);
    }
    o.done()
}

/// Renders a definition (or a branch or iteration; `processor_config` for a Map's
/// `ItemProcessor`); `inherited` is the query language of the enclosing scope.
pub fn render_definition(
    d: &Definition,
    processor_config: Option<&ProcessorConfig>,
    inherited: QueryLanguage,
) -> Value {
    let language = d.query_language.unwrap_or(inherited);
    let mut o = Obj::new();
    o.opt("Comment", d.comment.as_deref());
    o.opt("QueryLanguage", d.query_language.map(QueryLanguage::as_str));
    if let Some(c) = processor_config {
        let mut co = Obj::new();
        co.put(
            "Mode",
            match c.mode {
                ProcessorMode::Inline => "INLINE",
                ProcessorMode::Distributed => "DISTRIBUTED",
            },
        );
        co.opt(
            "ExecutionType",
            c.execution_type.map(|e| match e {
                ExecutionType::Standard => "STANDARD",
                ExecutionType::Express => "EXPRESS",
            }),
        );
        o.put("ProcessorConfig", co.done());
    }
    o.put("StartAt", d.start_at.as_str());
    o.put(
        "States",
        Value::Object(
            d.states
                .iter()
                .map(|(name, s)| (name.clone(), render_state(s, language)))
                .collect(),
        ),
    );
    o.opt("TimeoutSeconds", d.timeout_seconds);
    o.opt("Version", d.version.as_deref());
    o.done()
}

impl Definition {
    /// The definition as ASL, tokens still in place (the `StateMachine` construct turns them
    /// into `DefinitionSubstitutions`).
    pub fn to_value(&self) -> Value {
        render_definition(self, None, QueryLanguage::JsonPath)
    }

    /// The definition as ASL JSON; `None` when it holds tokens (render it through a
    /// `StateMachine` instead).
    pub fn to_json(&self) -> Option<serde_json::Value> {
        to_plain_json(&self.to_value())
    }
}

/// A token-free value as JSON.
pub fn to_plain_json(v: &Value) -> Option<serde_json::Value> {
    Some(match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::Value::Number(n.clone()),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Array(items) => serde_json::Value::Array(
            items
                .iter()
                .map(to_plain_json)
                .collect::<Option<Vec<_>>>()?,
        ),
        Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| Some((k.clone(), to_plain_json(v)?)))
                .collect::<Option<serde_json::Map<_, _>>>()?,
        ),
        Value::Token(_) => return None,
    })
}

/// A definition with its `${Name}` placeholders replaced by `values` (what CloudFormation does
/// with `DefinitionSubstitutions`): a string that is one placeholder takes the value as is,
/// a placeholder inside a longer string or a key takes its text.
pub fn substitute(
    definition: &serde_json::Value,
    values: &indexmap::IndexMap<String, serde_json::Value>,
) -> serde_json::Value {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let replace = |s: &str| {
        let mut out = s.to_string();
        for (k, v) in values {
            out = out.replace(&format!("${{{k}}}"), &text(v));
        }
        out
    };
    match definition {
        serde_json::Value::String(s) => {
            if let Some(v) = s
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .and_then(|k| values.get(k))
            {
                return v.clone();
            }
            serde_json::Value::String(replace(s))
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(|i| substitute(i, values)).collect())
        }
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| (replace(k), substitute(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}
