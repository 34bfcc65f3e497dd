//! The app's own functions, run locally: each function's binary (its Lambda crate built for
//! this machine) runs as a process of its own, with the environment its template gives it,
//! and rcdk serves it the Lambda runtime API (`/2018-06-01/runtime/invocation/next`, `.../response`,
//! `.../error`) on 127.0.0.1, one invocation at a time, as Lambda does.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value as Json};

use crate::error::Failure;
use crate::lambda;
use crate::run::{TaskAnswer, TaskCall, TaskRunner};
use crate::template::AppFunction;

/// One function to run locally.
#[derive(Debug, Clone)]
pub struct LocalFunction {
    /// Its name (what tasks call it by).
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The binary built for this machine.
    pub binary: PathBuf,
    /// Its environment variables, from the template.
    pub environment: Vec<(String, String)>,
    /// Its timeout in seconds.
    pub timeout_seconds: u64,
}

/// An invocation handed to a function's runtime API.
struct Pending {
    id: String,
    event: Json,
    deadline_ms: u128,
    reply: Sender<Result<Json, Failure>>,
}

/// A function's process and the runtime API it polls.
struct Running {
    child: Child,
    invocations: Sender<Pending>,
}

/// Runs the app's functions locally and answers the Tasks that invoke them.
pub struct LocalFunctions {
    functions: HashMap<String, LocalFunction>,
    running: HashMap<String, Running>,
    /// Variables every function gets (the AWS endpoint, region and credentials).
    shared_env: Vec<(String, String)>,
    count: u64,
    fallback: Option<Box<dyn TaskRunner>>,
}

impl LocalFunctions {
    /// Functions to run; `shared_env` goes to every one (AWS_ENDPOINT_URL, AWS_REGION, ...).
    pub fn new(functions: Vec<LocalFunction>, shared_env: Vec<(String, String)>) -> Self {
        LocalFunctions {
            functions: functions.into_iter().map(|f| (f.name.clone(), f)).collect(),
            running: HashMap::new(),
            shared_env,
            count: 0,
            fallback: None,
        }
    }

    /// Tasks that call none of these functions go to `runner`.
    pub fn with_fallback(mut self, runner: Box<dyn TaskRunner>) -> Self {
        self.fallback = Some(runner);
        self
    }

    /// The function a reference (name, ARN) names, if it is one of these.
    pub fn knows(&self, reference: &str) -> bool {
        self.functions
            .contains_key(lambda::function_name(reference))
    }

    /// Invokes the function with `event`: its output, or its error as Step Functions sees it.
    pub fn invoke(&mut self, reference: &str, event: Json) -> Result<Json, Failure> {
        let name = lambda::function_name(reference).to_string();
        let Some(function) = self.functions.get(&name).cloned() else {
            return Err(Failure::new(
                "Lambda.ResourceNotFoundException",
                format!("Function not found: {reference} (not one of the app's functions)"),
            ));
        };
        self.count += 1;
        let count = self.count;
        let started = self.started(&function)?;
        let id = format!("rcdk-local-{count:08}");
        let timeout = Duration::from_secs(function.timeout_seconds.max(1));
        let deadline_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| (d + timeout).as_millis())
            .unwrap_or(0);
        let (reply, answer) = mpsc::channel();
        let sent = started.invocations.send(Pending {
            id,
            event,
            deadline_ms,
            reply,
        });
        if sent.is_err() {
            self.stop(&name);
            return Err(exited(&name, "its runtime API stopped"));
        }
        let waited = Instant::now();
        loop {
            match answer.recv_timeout(Duration::from_millis(100)) {
                Ok(result) => return result,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(r) = self.running.get_mut(&name) {
                        if let Ok(Some(status)) = r.child.try_wait() {
                            self.running.remove(&name);
                            return Err(exited(&name, &format!("its process exited ({status})")));
                        }
                    }
                    if waited.elapsed() > timeout {
                        // Lambda stops a function that runs past its timeout
                        self.stop(&name);
                        return Err(Failure::new(
                            "Sandbox.Timedout",
                            json!({
                                "errorMessage": format!("Task timed out after {:.2} seconds", timeout.as_secs_f64()),
                                "errorType": "Sandbox.Timedout",
                            })
                            .to_string(),
                        ));
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    self.stop(&name);
                    return Err(exited(&name, "its runtime API stopped"));
                }
            }
        }
    }

    /// The function's process, started (with its runtime API) on first use.
    fn started(&mut self, f: &LocalFunction) -> Result<&Running, Failure> {
        let alive = match self.running.get_mut(&f.name) {
            Some(r) => matches!(r.child.try_wait(), Ok(None)),
            None => false,
        };
        if !alive {
            self.running.remove(&f.name);
            let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| {
                Failure::runtime(format!("cannot serve the runtime API of {}: {e}", f.name))
            })?;
            let port = listener
                .local_addr()
                .map(|a| a.port())
                .map_err(|e| Failure::runtime(e.to_string()))?;
            let (invocations, queue) = mpsc::channel::<Pending>();
            let arn = f.arn.clone();
            std::thread::spawn(move || serve(listener, queue, arn));
            let mut cmd = command(f, port, &self.shared_env);
            // what the function prints is its log: on stderr, never in a run's output
            cmd.stdout(std::io::stderr());
            let child = cmd.spawn().map_err(|e| {
                Failure::runtime(format!(
                    "cannot start the function {} ({}): {e}",
                    f.name,
                    f.binary.display()
                ))
            })?;
            self.running
                .insert(f.name.clone(), Running { child, invocations });
        }
        self.running
            .get(&f.name)
            .ok_or_else(|| Failure::runtime(format!("the function {} did not start", f.name)))
    }

    fn stop(&mut self, name: &str) {
        if let Some(mut r) = self.running.remove(name) {
            let _ = r.child.kill();
            let _ = r.child.wait();
        }
    }
}

impl Drop for LocalFunctions {
    fn drop(&mut self) {
        let names: Vec<String> = self.running.keys().cloned().collect();
        for n in names {
            self.stop(&n);
        }
    }
}

impl TaskRunner for LocalFunctions {
    fn run(&mut self, call: &TaskCall<'_>) -> Result<TaskAnswer, Failure> {
        match lambda::invocation(call) {
            Some(inv) if self.knows(&inv.function) => {
                let started = Instant::now();
                let out = self.invoke(&inv.function, inv.payload.clone())?;
                Ok(TaskAnswer {
                    result: lambda::answer(&inv, out),
                    seconds: started.elapsed().as_secs_f64(),
                })
            }
            _ => match &mut self.fallback {
                Some(f) => f.run(call),
                None => Err(Failure::runtime(format!(
                    "The Task state '{}' ({}) calls none of the app's functions and nothing \
                     else answers it",
                    call.state, call.resource
                ))),
            },
        }
    }
}

/// The app's functions a machine's definition names (as a resource or a `FunctionName`).
pub fn referenced<'a>(
    machine: &crate::run::Machine,
    functions: impl IntoIterator<Item = &'a AppFunction>,
) -> Vec<&'a AppFunction> {
    let text = machine
        .definition
        .to_json()
        .map(|j| j.to_string())
        .unwrap_or_default();
    functions
        .into_iter()
        .filter(|f| {
            text.contains(&format!("\"{}\"", f.arn)) || text.contains(&format!("\"{}\"", f.name))
        })
        .collect()
}

/// Why the app's functions cannot be built to run locally.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A function whose code is not an asset of a Lambda crate of the app.
    #[error(
        "the function {path} is not built from a Lambda crate of the app, so it cannot run locally"
    )]
    NotACrate {
        /// The function's construct path.
        path: String,
    },
    /// cargo could not be started.
    #[error("cannot run cargo in {}: {source}", workspace.display())]
    Cargo {
        /// The workspace it was to run in.
        workspace: PathBuf,
        /// Why it did not start.
        #[source]
        source: std::io::Error,
    },
    /// cargo failed (its messages are on stderr).
    #[error("cargo could not build the functions' crates ({status}): its messages are above")]
    Failed {
        /// cargo's exit status.
        status: std::process::ExitStatus,
    },
    /// cargo succeeded but reported no executable for a function's binary.
    #[error("cargo built no binary {binary} for {path}")]
    NoBinary {
        /// The binary target.
        binary: String,
        /// The function's construct path.
        path: String,
    },
}

/// Builds the crates of `functions` for this machine (`cargo build -p <crate> --bin <binary>`
/// in the app's workspace, cargo's messages on stderr) and gives them ready to run.
pub fn build(
    workspace: &Path,
    functions: &[&AppFunction],
) -> Result<Vec<LocalFunction>, BuildError> {
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    for f in functions {
        match &f.crate_binary {
            Some((package, binary)) => wanted.push((package, binary)),
            None => {
                return Err(BuildError::NotACrate {
                    path: f.path.clone(),
                })
            }
        }
    }
    let mut binaries: HashMap<String, PathBuf> = HashMap::new();
    if !wanted.is_empty() {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(workspace)
            .args(["build", "--message-format=json-render-diagnostics"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (package, binary) in &wanted {
            cmd.args(["-p", package, "--bin", binary]);
        }
        let out = cmd.output().map_err(|source| BuildError::Cargo {
            workspace: workspace.to_path_buf(),
            source,
        })?;
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(msg) = serde_json::from_str::<Json>(line) else {
                continue;
            };
            if msg["reason"] != "compiler-artifact" {
                continue;
            }
            if let (Some(name), Some(exe)) =
                (msg["target"]["name"].as_str(), msg["executable"].as_str())
            {
                binaries.insert(name.to_string(), PathBuf::from(exe));
            }
        }
        if !out.status.success() {
            return Err(BuildError::Failed { status: out.status });
        }
    }
    functions
        .iter()
        .map(|f| {
            let (_, binary) = f.crate_binary.clone().unwrap_or_default();
            let path = binaries
                .get(&binary)
                .cloned()
                .ok_or_else(|| BuildError::NoBinary {
                    binary: binary.clone(),
                    path: f.path.clone(),
                })?;
            Ok(LocalFunction {
                name: f.name.clone(),
                arn: f.arn.clone(),
                binary: path,
                environment: f
                    .environment
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                timeout_seconds: f.timeout_seconds,
            })
        })
        .collect()
}

/// The command that starts a function's process: its binary, with Lambda's environment only.
fn command(f: &LocalFunction, port: u16, shared: &[(String, String)]) -> Command {
    let mut cmd = Command::new(&f.binary);
    cmd.env_clear()
        .envs(lambda_environment(f, port, shared))
        .stdin(Stdio::null());
    cmd
}

/// The environment of a function's process, as Lambda gives one and nothing else of this
/// process's: Lambda's defined runtime variables ("Defined runtime environment variables",
/// <https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime>:
/// the reserved `_HANDLER`, `AWS_LAMBDA_*`, `LAMBDA_TASK_ROOT`, ...; the unreserved `LANG`,
/// `PATH`, `TZ` with Lambda's values, which the function's own variables may replace), the
/// function's variables from its template, `HOME` (where the AWS SDK finds a profile), and
/// `shared` (the AWS credentials, region and endpoint, from [`shared_env`]). `_X_AMZN_TRACE_ID`
/// and `AWS_EXECUTION_ENV` are not defined for the `provided` runtimes a Rust function runs on.
pub fn lambda_environment(
    f: &LocalFunction,
    port: u16,
    shared: &[(String, String)],
) -> Vec<(String, String)> {
    let task_root = f
        .binary
        .parent()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let mut env: Vec<(String, String)> = vec![
        ("LANG".into(), "en_US.UTF-8".into()),
        (
            "PATH".into(),
            "/usr/local/bin:/usr/bin/:/bin:/opt/bin".into(),
        ),
        ("TZ".into(), ":UTC".into()),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        env.push(("HOME".into(), home.to_string_lossy().into_owned()));
    }
    env.extend(f.environment.iter().cloned());
    env.extend([
        ("_HANDLER".into(), "bootstrap".into()),
        ("AWS_LAMBDA_RUNTIME_API".into(), format!("127.0.0.1:{port}")),
        ("AWS_LAMBDA_FUNCTION_NAME".into(), f.name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION".into(), "$LATEST".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(), "128".into()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE".into(), "on-demand".into()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME".into(),
            format!("/aws/lambda/{}", f.name),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME".into(), "rcdk-local".into()),
        ("LAMBDA_TASK_ROOT".into(), task_root.clone()),
        ("LAMBDA_RUNTIME_DIR".into(), task_root),
    ]);
    env.extend(shared.iter().cloned());
    env
}

/// The variables every local function gets from this process: where AWS is, and who calls.
pub fn shared_env(region: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| {
            k.starts_with("AWS_")
                && !k.starts_with("AWS_LAMBDA_")
                && k != "AWS_REGION"
                && k != "AWS_DEFAULT_REGION"
        })
        .collect();
    out.push(("AWS_REGION".into(), region.into()));
    out.push(("AWS_DEFAULT_REGION".into(), region.into()));
    out
}

fn exited(name: &str, how: &str) -> Failure {
    Failure::new(
        "Runtime.ExitError",
        json!({"errorMessage": format!("The function {name} stopped: {how}"), "errorType": "Runtime.ExitError"})
            .to_string(),
    )
}

/// The runtime API of one function: `next` hands out the queued invocation, `response` and
/// `error` answer it.
fn serve(listener: TcpListener, queue: Receiver<Pending>, arn: String) {
    let queue = Arc::new(Mutex::new(queue));
    let waiting: Arc<Waiting> = Arc::default();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (queue, waiting, arn) = (Arc::clone(&queue), Arc::clone(&waiting), arn.clone());
        std::thread::spawn(move || {
            let _ = connection(stream, &queue, &waiting, &arn);
        });
    }
}

type Waiting = Mutex<HashMap<String, Sender<Result<Json, Failure>>>>;

/// One keep-alive connection of the function's runtime client.
fn connection(
    stream: TcpStream,
    queue: &Mutex<Receiver<Pending>>,
    waiting: &Waiting,
    arn: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let Some((method, path, body)) = request(&mut reader)? else {
            return Ok(());
        };
        if method == "GET" && path.ends_with("/runtime/invocation/next") {
            let next = match queue.lock() {
                Ok(q) => q.recv(),
                Err(_) => return Ok(()),
            };
            let Ok(p) = next else { return Ok(()) };
            let body = serde_json::to_vec(&p.event).unwrap_or_default();
            if let Ok(mut w) = waiting.lock() {
                w.insert(p.id.clone(), p.reply);
            }
            write!(
                writer,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {}\r\n\
                 Lambda-Runtime-Deadline-Ms: {}\r\nLambda-Runtime-Invoked-Function-Arn: {arn}\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000\r\nContent-Length: {}\r\n\r\n",
                p.id,
                p.deadline_ms,
                body.len()
            )?;
            writer.write_all(&body)?;
        } else if let Some(rest) = path.strip_prefix("/2018-06-01/runtime/invocation/") {
            let (id, what) = rest.split_once('/').unwrap_or((rest, ""));
            let result = if what == "response" {
                // read as the user's JSON is: no number changes silently
                let text = String::from_utf8_lossy(&body);
                crate::json::parse(&text).map_err(|e| {
                    Failure::runtime(format!(
                        "The function's response is not JSON as Step Functions takes it: {e}"
                    ))
                })
            } else {
                let e: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
                let kind = e["errorType"].as_str().unwrap_or("Unhandled").to_string();
                let message = e["errorMessage"].as_str().unwrap_or_default().to_string();
                Err(lambda::function_error(&kind, &message))
            };
            if let Some(reply) = waiting.lock().ok().and_then(|mut w| w.remove(id)) {
                let _ = reply.send(result);
            }
            writer.write_all(
                b"HTTP/1.1 202 Accepted\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n",
            )?;
        } else {
            // /runtime/init/error and anything else: acknowledged
            writer.write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}")?;
        }
        writer.flush()?;
    }
}

/// Reads one HTTP/1.1 request: method, path, body (by Content-Length, or chunked).
fn request(reader: &mut impl BufRead) -> std::io::Result<Option<(String, String, Vec<u8>)>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Some((method, path, body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_gets_lambda_s_environment_and_nothing_else_of_this_process() {
        let f = LocalFunction {
            name: "worker".into(),
            arn: "arn:aws:lambda:us-east-1:123456789012:function:worker".into(),
            binary: PathBuf::from("/usr/bin/env"),
            environment: vec![("TABLE".into(), "Jobs".into()), ("LANG".into(), "C".into())],
            timeout_seconds: 3,
        };
        let shared = vec![
            ("AWS_REGION".to_string(), "eu-west-1".to_string()),
            (
                "AWS_ENDPOINT_URL".to_string(),
                "http://127.0.0.1:5000".to_string(),
            ),
        ];
        // `env` prints the environment it was given
        let out = command(&f, 9001, &shared)
            .stdout(Stdio::piped())
            .output()
            .expect("env runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut keys: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, _)| k)
            .collect();
        keys.sort_unstable();
        let mut expected = vec![
            "AWS_ENDPOINT_URL",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE",
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_LAMBDA_RUNTIME_API",
            "AWS_REGION",
            "LAMBDA_RUNTIME_DIR",
            "LAMBDA_TASK_ROOT",
            "LANG",
            "PATH",
            "TABLE",
            "TZ",
            "_HANDLER",
        ];
        if std::env::var_os("HOME").is_some() {
            expected.push("HOME");
        }
        expected.sort_unstable();
        assert_eq!(keys, expected, "{text}");
        assert!(
            text.contains("\nLANG=C\n"),
            "the function's own LANG wins: {text}"
        );
        assert!(
            text.contains("AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"),
            "{text}"
        );
        assert!(text.contains("TABLE=Jobs"), "{text}");
    }

    #[test]
    fn requests_are_read_by_length_and_by_chunks() {
        let raw = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n1\r\nz\r\n0\r\n\r\n";
        let mut r = BufReader::new(&raw[..]);
        assert_eq!(
            request(&mut r).unwrap(),
            Some(("POST".into(), "/a".into(), b"abc".to_vec()))
        );
        assert_eq!(
            request(&mut r).unwrap(),
            Some(("GET".into(), "/b".into(), b"xyz".to_vec()))
        );
        assert_eq!(request(&mut r).unwrap(), None);
    }
}
