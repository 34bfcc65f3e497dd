//! A rendered definition's tokens as `DefinitionSubstitutions`: each token becomes a readable
//! `${Name}` placeholder (the same value, the same name), and the stand-in for the machine's
//! own name is bound once the machine knows it.

use indexmap::IndexMap;

use crate::core::stack::Stack;
use crate::core::token::{sub_placeholders, Pseudo, ResourceRef, Token};
use crate::core::value::Value;

use super::asl::THIS_MACHINE_NAME;

/// Turns the tokens of a rendered definition into `${Name}` placeholders.
pub(crate) struct Substituter<'a> {
    pub(crate) stack: &'a Stack,
    pub(crate) subs: IndexMap<String, Value>,
}

impl Substituter<'_> {
    fn hint(&self, token: &Token) -> String {
        let from_path = |r: &ResourceRef| -> String {
            let below = r.path.split_once('/').map_or(r.path.as_str(), |(_, b)| b);
            below
                .split('/')
                .filter(|c| *c != "Resource" && *c != "Default")
                .flat_map(|c| c.chars().filter(char::is_ascii_alphanumeric))
                .collect()
        };
        match token {
            Token::Ref(r) => {
                let kind = self
                    .stack
                    .resource(r)
                    .map(|res| res.type_name.as_str())
                    .unwrap_or("");
                // named after what `Ref` returns for the type (CloudFormation's return
                // values of each resource type)
                let suffix = match kind {
                    "AWS::StepFunctions::StateMachine"
                    | "AWS::StepFunctions::Activity"
                    | "AWS::IAM::ManagedPolicy"
                    | "AWS::SNS::Topic" => "Arn",
                    "AWS::SQS::Queue" => "Url",
                    "AWS::ApiGateway::RestApi" => "Id",
                    _ => "Name",
                };
                format!("{}{suffix}", from_path(r))
            }
            Token::GetAtt(r, attr) => format!(
                "{}{}",
                from_path(r),
                attr.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
            Token::Pseudo(p) => p.name().trim_start_matches("AWS::").to_string(),
            Token::Parameter { name, .. } => name.clone(),
            // an integration ARN: `arn:${AWS::Partition}:states:::dynamodb:putItem` is
            // named DynamodbPutItem
            Token::Sub { .. } | Token::Join { .. } => {
                let text = token.shape();
                match text.split_once(":::") {
                    Some((_, integration)) => integration
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(|w| {
                            let mut cs = w.chars();
                            cs.next()
                                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                                .unwrap_or_default()
                        })
                        .collect(),
                    None => "Value".to_string(),
                }
            }
            _ => "Value".to_string(),
        }
    }

    /// The placeholder name for a token value (the same value always gets the same name).
    fn name_for(&mut self, value: &Value) -> String {
        if let Some((name, _)) = self.subs.iter().find(|(_, v)| *v == value) {
            return name.clone();
        }
        let base = match value {
            Value::Token(t) => self.hint(t),
            _ => "Value".into(),
        };
        let base = if base.is_empty() {
            "Value".to_string()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while self.subs.contains_key(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.subs.insert(name.clone(), value.clone());
        name
    }

    /// A string with tokens inlined as placeholders, when the token is a string template.
    fn inline(&mut self, token: &Token) -> Option<String> {
        match token {
            Token::Join { delimiter, items } => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(match item {
                        Value::String(s) => s.clone(),
                        Value::Token(t) => match self.inline(t) {
                            Some(s) => s,
                            None => format!("${{{}}}", self.name_for(item)),
                        },
                        other => format!("${{{}}}", self.name_for(other)),
                    });
                }
                Some(parts.join(delimiter))
            }
            Token::Sub {
                template,
                variables,
            } => {
                let mut out = template.clone();
                for name in sub_placeholders(template) {
                    let replacement = if let Some(v) = variables.get(name) {
                        match v {
                            Value::String(s) => s.clone(),
                            Value::Token(t) => match self.inline(t) {
                                Some(s) => s,
                                None => format!("${{{}}}", self.name_for(v)),
                            },
                            other => format!("${{{}}}", self.name_for(other)),
                        }
                    } else if let Some(p) = Pseudo::from_name(name) {
                        format!("${{{}}}", self.name_for(&Token::Pseudo(p).into()))
                    } else {
                        // a parameter of the stack
                        let parameter: Value = Token::Parameter {
                            stack: self.stack.name().to_string(),
                            name: name.to_string(),
                        }
                        .into();
                        format!("${{{}}}", self.name_for(&parameter))
                    };
                    out = out.replace(&format!("${{{name}}}"), &replacement);
                }
                Some(out)
            }
            _ => None,
        }
    }

    pub(crate) fn walk(&mut self, v: &Value) -> Value {
        match v {
            Value::Array(items) => Value::Array(items.iter().map(|i| self.walk(i)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        // a Resource is one substitution as a whole: validators check its ARN
                        // shape and accept a placeholder only when it is the entire value
                        let walked = match v {
                            Value::Token(_) if k == "Resource" => {
                                Value::String(format!("${{{}}}", self.name_for(v)))
                            }
                            _ => self.walk(v),
                        };
                        (k.clone(), walked)
                    })
                    .collect(),
            ),
            Value::Token(t) => match self.inline(t) {
                Some(s) => Value::String(s),
                None => Value::String(format!("${{{}}}", self.name_for(v))),
            },
            other => other.clone(),
        }
    }
}

/// Every `${Name}` in the strings and keys of a value.
pub(crate) fn placeholders_in(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => {
            out.extend(sub_placeholders(s).into_iter().map(str::to_string))
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| placeholders_in(i, out)),
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                out.extend(sub_placeholders(k).into_iter().map(str::to_string));
                placeholders_in(v, out);
            }
        }
        _ => {}
    }
}

/// True when the value holds the stand-in for the machine's own name.
pub(crate) fn mentions_self(v: &Value) -> bool {
    let mut found = false;
    v.visit_tokens(&mut |t| {
        if let Token::Sub { template, .. } = t {
            found |= template.contains(&format!("${{{THIS_MACHINE_NAME}}}"));
        }
    });
    found
}

/// The value with the stand-in for the machine's own name replaced by `name`.
pub(crate) fn bind_self(v: &Value, name: &str) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(|i| bind_self(i, name)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), bind_self(v, name)))
                .collect(),
        ),
        Value::Token(t) => match t.as_ref() {
            Token::Sub {
                template,
                variables,
            } => Value::from(Token::Sub {
                template: template.replace(&format!("${{{THIS_MACHINE_NAME}}}"), name),
                variables: variables
                    .iter()
                    .map(|(k, v)| (k.clone(), bind_self(v, name)))
                    .collect(),
            }),
            Token::Join { delimiter, items } => Value::from(Token::Join {
                delimiter: delimiter.clone(),
                items: items.iter().map(|i| bind_self(i, name)).collect(),
            }),
            _ => v.clone(),
        },
        other => other.clone(),
    }
}
