//! `logs`: the CloudWatch Logs of the app's functions, state machines and API stages, found
//! through the deployed stacks (their physical ids), read with FilterLogEvents and
//! interleaved by time, each line prefixed with its construct path.

use std::collections::HashSet;

use serde_json::{json, Value as Json};

use rcdk_local::template::AppTemplates;

use crate::signed::{CallError, Signed};

/// Why the events of one log source could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path} ({group}): {source}")]
pub struct ReadError {
    /// The construct path of what logs there.
    pub path: String,
    /// The log group.
    pub group: String,
    /// The call that failed.
    #[source]
    pub source: CallError,
}

/// Why `--since` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinceError {
    /// Neither a duration nor a time.
    #[error("--since {0:?}: a duration (30s, 10m, 2h, 1d) or an ISO 8601 time")]
    Form(String),
    /// A duration in another unit.
    #[error("--since {0:?}: the unit is s, m, h or d")]
    Unit(String),
    /// A duration reaching before the first millisecond a time can have.
    #[error("--since {0:?}: that is further back than any log goes")]
    TooFar(String),
}

/// One log group and the construct it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The construct path (`Stack/Handler`).
    pub path: String,
    /// The log group's name.
    pub group: String,
}

/// One log event.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The construct path of its source.
    pub path: String,
    /// The message, its trailing newline removed.
    pub message: String,
    /// The event's id (to see each event once when following).
    pub id: String,
}

/// The log group name in a log group's ARN (`arn:aws:logs:r:a:log-group:NAME:*`).
fn group_of_arn(arn: &str) -> Option<String> {
    let rest = arn.split(":log-group:").nth(1)?;
    Some(rest.strip_suffix(":*").unwrap_or(rest).to_string())
}

fn path_of(resource: &Json, stack: &str, id: &str) -> String {
    resource["Metadata"]["aws:cdk:path"]
        .as_str()
        .map(|p| p.strip_suffix("/Resource").unwrap_or(p).to_string())
        .unwrap_or_else(|| format!("{stack}/{id}"))
}

/// The log groups of the selected stacks' functions, state machines and API stages, resolved
/// against the deployed stacks; `prefix` (`Stack/Handler`) keeps those under a construct path.
pub fn sources(templates: &AppTemplates, stacks: &[String], prefix: Option<&str>) -> Vec<Source> {
    let mut out = Vec::new();
    for s in templates.stacks.iter().filter(|s| stacks.contains(&s.name)) {
        let Some(resources) = s.template["Resources"].as_object() else {
            continue;
        };
        for (id, r) in resources {
            let path = path_of(r, &s.name, id);
            if prefix.is_some_and(|p| path != p && !path.starts_with(&format!("{p}/"))) {
                continue;
            }
            let Ok(props) = templates.resolved_properties(&s.name, id) else {
                continue;
            };
            let groups: Vec<String> = match r["Type"].as_str().unwrap_or_default() {
                "AWS::Lambda::Function" => {
                    let name = s.physical.get(id).cloned().unwrap_or_default();
                    match props["LoggingConfig"]["LogGroup"].as_str() {
                        Some(g) => vec![g.to_string()],
                        None if !name.is_empty() => vec![format!("/aws/lambda/{name}")],
                        None => Vec::new(),
                    }
                }
                "AWS::StepFunctions::StateMachine" => props["LoggingConfiguration"]["Destinations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d["CloudWatchLogsLogGroup"]["LogGroupArn"].as_str())
                    .filter_map(group_of_arn)
                    .collect(),
                "AWS::ApiGateway::Stage" => props["AccessLogSetting"]["DestinationArn"]
                    .as_str()
                    .and_then(group_of_arn)
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            for group in groups {
                out.push(Source {
                    path: path.clone(),
                    group,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.group.cmp(&b.group)));
    out.dedup();
    out
}

/// Every event of `source` since `start_ms` matching `filter`, oldest first (all pages).
pub async fn read(
    signed: &Signed,
    source: &Source,
    start_ms: i64,
    filter: Option<&str>,
) -> Result<Vec<Line>, ReadError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = crate::cfn::Pages::default();
    loop {
        let mut request =
            json!({"logGroupName": source.group, "startTime": start_ms, "interleaved": true});
        if let Some(f) = filter {
            request["filterPattern"] = json!(f);
        }
        if let Some(t) = &token {
            request["nextToken"] = json!(t);
        }
        let answer = signed
            .json(
                "logs",
                "application/x-amz-json-1.1",
                "Logs_20140328.FilterLogEvents",
                &request,
            )
            .await;
        let page = match answer {
            Ok(p) => p,
            // a log group is made when its function first logs: none yet is no line yet
            Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(out),
            Err(e) => {
                return Err(ReadError {
                    path: source.path.clone(),
                    group: source.group.clone(),
                    source: e,
                })
            }
        };
        for e in page["events"].as_array().into_iter().flatten() {
            out.push(Line {
                timestamp: e["timestamp"].as_i64().unwrap_or_default(),
                path: source.path.clone(),
                // a log event is shown as it was written, its control characters escaped
                message: crate::ui::clean(e["message"].as_str().unwrap_or_default().trim_end())
                    .into_owned(),
                id: e["eventId"].as_str().unwrap_or_default().to_string(),
            });
        }
        token = pages.next(page["nextToken"].as_str());
        if token.is_none() {
            return Ok(out);
        }
    }
}

/// The events of every source since `start_ms` not seen yet, interleaved by time.
pub async fn collect(
    signed: &Signed,
    sources: &[Source],
    start_ms: i64,
    filter: Option<&str>,
    seen: &mut HashSet<String>,
) -> Result<Vec<Line>, ReadError> {
    let mut lines = Vec::new();
    for s in sources {
        for line in read(signed, s, start_ms, filter).await? {
            if seen.insert(format!("{}/{}", s.group, line.id)) {
                lines.push(line);
            }
        }
    }
    lines.sort_by(|a, b| a.timestamp.cmp(&b.timestamp).then(a.path.cmp(&b.path)));
    Ok(lines)
}

/// `--since`: `30s`, `10m`, `2h`, `1d`, or an ISO 8601 time; milliseconds since the epoch.
pub fn since(text: &str, now_ms: i64) -> Result<i64, SinceError> {
    let t = text.trim();
    if let Some(at) = rcdk_local::clock::parse(t) {
        return Ok(at.timestamp_millis());
    }
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: i64 = number
        .parse()
        .map_err(|_| SinceError::Form(t.to_string()))?;
    let unit_ms: i64 = match unit {
        "s" => 1_000,
        "m" | "" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(SinceError::Unit(t.to_string())),
    };
    n.checked_mul(unit_ms)
        .and_then(|back| now_ms.checked_sub(back))
        .filter(|start| *start >= 0)
        .ok_or_else(|| SinceError::TooFar(t.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcdk_local::template::StackTemplate;
    use std::collections::HashMap;

    #[test]
    fn every_kind_of_source_is_found_with_its_construct_path() {
        let template = json!({"Resources": {
            "FnLogs": {"Type": "AWS::Logs::LogGroup", "Metadata": {"aws:cdk:path": "S/Fn/LogGroup/Resource"}, "Properties": {}},
            "Fn": {"Type": "AWS::Lambda::Function", "Metadata": {"aws:cdk:path": "S/Fn/Resource"},
                "Properties": {"LoggingConfig": {"LogGroup": {"Ref": "FnLogs"}}}},
            "Plain": {"Type": "AWS::Lambda::Function", "Metadata": {"aws:cdk:path": "S/Plain/Resource"}, "Properties": {}},
            "MLogs": {"Type": "AWS::Logs::LogGroup", "Metadata": {"aws:cdk:path": "S/M/Logs/Resource"}, "Properties": {}},
            "M": {"Type": "AWS::StepFunctions::StateMachine", "Metadata": {"aws:cdk:path": "S/M/Resource"},
                "Properties": {"LoggingConfiguration": {"Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["MLogs", "Arn"]}}}]}}},
            "Stage": {"Type": "AWS::ApiGateway::Stage", "Metadata": {"aws:cdk:path": "S/Api/Stage/Resource"},
                "Properties": {"AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["MLogs", "Arn"]}}}}
        }});
        let templates = AppTemplates {
            stacks: vec![StackTemplate {
                name: "S".into(),
                template,
                physical: HashMap::from([
                    ("FnLogs".to_string(), "/aws/lambda/fn-x".to_string()),
                    ("Plain".to_string(), "S-Plain-1".to_string()),
                    ("MLogs".to_string(), "S-MLogs-2".to_string()),
                ]),
            }],
            ..AppTemplates::default()
        };
        let all = sources(&templates, &["S".to_string()], None);
        let pairs: Vec<(&str, &str)> = all
            .iter()
            .map(|s| (s.path.as_str(), s.group.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("S/Api/Stage", "S-MLogs-2"),
                ("S/Fn", "/aws/lambda/fn-x"),
                ("S/M", "S-MLogs-2"),
                ("S/Plain", "/aws/lambda/S-Plain-1"),
            ]
        );
        let one = sources(&templates, &["S".to_string()], Some("S/Fn"));
        assert_eq!(one.len(), 1);
        assert!(sources(&templates, &["Other".to_string()], None).is_empty());
    }

    #[test]
    fn since_takes_durations_and_times() {
        let now = 1_000_000_000;
        assert_eq!(since("10m", now), Ok(now - 600_000));
        assert_eq!(since("30s", now), Ok(now - 30_000));
        assert_eq!(since("2h", now), Ok(now - 7_200_000));
        assert_eq!(since("2025-01-01T00:00:00Z", now), Ok(1_735_689_600_000));
        assert_eq!(since("soon", now), Err(SinceError::Form("soon".into())));
        assert_eq!(since("5y", now), Err(SinceError::Unit("5y".into())));
        assert_eq!(
            since("5y", now).unwrap_err().to_string(),
            "--since \"5y\": the unit is s, m, h or d"
        );
        // a number of days whose milliseconds overflow, or reach before 1970
        assert!(matches!(
            since("9999999999999999d", now),
            Err(SinceError::TooFar(_))
        ));
        assert!(matches!(since("12d", now), Err(SinceError::TooFar(_))));
        // a number past i64 milliseconds is an error, not an overflow (a panic in a debug
        // build, a time in the future in a release one)
        assert!(matches!(
            since("9223372036854775807d", now),
            Err(SinceError::TooFar(_))
        ));
        assert!(since("99999999999999999999m", now).is_err());
    }
}
