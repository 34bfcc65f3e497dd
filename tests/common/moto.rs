//! A moto server for the end-to-end tests (given by RCDK_MOTO_ENDPOINT, as scripts/test does,
//! or started here from .venv), and a runner of the binaries against it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// A moto server: given by RCDK_MOTO_ENDPOINT, or started here (and stopped on drop).
pub struct Moto {
    pub endpoint: String,
    child: Option<Child>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Moto {
    /// The moto server of RCDK_MOTO_ENDPOINT, or one started here from .venv; without moto,
    /// the test fails with the command that installs it.
    pub fn start() -> Moto {
        if let Ok(endpoint) = std::env::var("RCDK_MOTO_ENDPOINT") {
            return Moto {
                endpoint,
                child: None,
            };
        }
        let python = super::root().join(".venv/bin/python");
        let has_moto = Command::new(&python)
            .args(["-c", "import moto.server"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            has_moto,
            "moto is not installed in .venv (and RCDK_MOTO_ENDPOINT names no server), so this \
             test cannot run; {}",
            super::install_hint("moto")
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(5077);
        let child = Command::new(&python)
            .arg(super::root().join("tests/moto/server.py"))
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto: {e}"));
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            child: Some(child),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Empties every backend (a fresh account), over the moto API.
    pub fn reset(&self) {
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream =
            TcpStream::connect(address).unwrap_or_else(|e| panic!("moto at {address}: {e}"));
        let request = format!(
            "POST /moto-api/reset HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .unwrap_or_else(|e| panic!("reset: {e}"));
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"),
            "reset: {answer}"
        );
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub seconds: f64,
}

/// `program` in `cwd`, set up against moto (its output piped), to spawn.
pub fn command(program: &Path, cwd: &Path, endpoint: &str) -> Command {
    // cargo-lambda as scripts/test installs it, for the deploys of apps outside this tree
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![super::root().join(".venv/bin")];
    dirs.extend(std::env::split_paths(&path));
    let path = std::env::join_paths(dirs).unwrap_or(path);
    let mut cmd = Command::new(program);
    cmd.current_dir(cwd)
        .env("PATH", path)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", REGION)
        .env("RCDK_POLL_MS", "50")
        .env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `program` in `cwd` against moto; a run over `limit` is killed and fails the test.
pub fn run(program: &Path, cwd: &Path, endpoint: &str, args: &[&str], limit: Duration) -> Run {
    let started = Instant::now();
    let name = program
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut child = command(program, cwd, endpoint)
        .args(args)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = reader.join().unwrap_or_default();
            let stderr = err_reader.join().unwrap_or_default();
            panic!("{name} {args:?} took over {limit:?}; stdout:\n{stdout}\nstderr:\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
    };
    eprintln!(
        "$ {name} {} -> {} in {:.2} s\n{}{}",
        args.join(" "),
        run.code,
        run.seconds,
        run.stdout,
        run.stderr
    );
    run
}

pub fn ok(run: &Run, what: &str) {
    assert_eq!(
        run.code, 0,
        "{what} failed:\n{}\n{}",
        run.stdout, run.stderr
    );
}

/// The toolkit binary of this build, brought up to date once per test process: `cargo test`
/// builds it only for the toolkit's own tests, so a cold target has none, and a warm one may
/// have one older than the sources (`cargo build -p rcdk-toolkit`, as an app builds it).
pub fn toolkit() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
            // target/debug/deps/<test> -> target/debug/rcdk-toolkit
            let dir = exe
                .parent()
                .and_then(Path::parent)
                .unwrap_or_else(|| panic!("no target directory above {}", exe.display()));
            let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .current_dir(super::root())
                .args(["build", "-q", "-p", "rcdk-toolkit"])
                .status()
                .unwrap_or_else(|e| panic!("cargo cannot be started: {e}"));
            assert!(
                status.success(),
                "cargo build -p rcdk-toolkit failed ({status})"
            );
            let toolkit = dir.join(rcdk::toolkit::binary_name());
            assert!(
                toolkit.is_file(),
                "{} is not there after the build",
                toolkit.display()
            );
            toolkit
        })
        .clone()
}

/// The SDK's configuration for the moto server (test credentials, the test region).
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(REGION))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "e2e",
        ))
        .load()
        .await
}

/// The physical id of the first resource of a type in a deployed stack.
pub async fn physical_id(cfn: &aws_sdk_cloudformation::Client, stack: &str, kind: &str) -> String {
    let out = cfn
        .describe_stack_resources()
        .stack_name(stack)
        .send()
        .await
        .unwrap_or_else(|e| panic!("resources of {stack}: {e:?}"));
    out.stack_resources()
        .iter()
        .find(|r| r.resource_type() == Some(kind))
        .and_then(|r| r.physical_resource_id())
        .unwrap_or_else(|| panic!("{stack} has no {kind}"))
        .to_string()
}

/// Starts an execution and waits for its end; returns its status and output.
pub async fn execute(
    sfn: &aws_sdk_sfn::Client,
    arn: &str,
    input: serde_json::Value,
) -> (String, serde_json::Value) {
    let started = sfn
        .start_execution()
        .state_machine_arn(arn)
        .input(input.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("start {arn}: {e:?}"));
    let execution = started.execution_arn().to_string();
    let begun = Instant::now();
    loop {
        let d = sfn
            .describe_execution()
            .execution_arn(&execution)
            .send()
            .await
            .unwrap_or_else(|e| panic!("describe {execution}: {e:?}"));
        if d.status().as_str() != "RUNNING" {
            let output = d
                .output()
                .and_then(|o| serde_json::from_str(o).ok())
                .unwrap_or(serde_json::Value::Null);
            return (d.status().as_str().to_string(), output);
        }
        assert!(
            begun.elapsed() < Duration::from_secs(120),
            "{execution} still running after 120 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A function's `CodeSha256`, read from moto's Lambda API (moto does not check signatures).
pub fn lambda_code_sha(endpoint: &str, function: &str) -> String {
    let address = endpoint.trim_start_matches("http://");
    let mut stream =
        TcpStream::connect(address).unwrap_or_else(|e| panic!("moto at {address}: {e}"));
    let request = format!(
        "GET /2015-03-31/functions/{function}/configuration HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Connection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{function}: {e}: {answer}"));
    v["CodeSha256"].as_str().unwrap_or_default().to_string()
}

/// Puts `messages` into a new stream of a log group, one second apart ending now, over moto's
/// CloudWatch Logs API.
pub fn put_log_events(endpoint: &str, group: &str, stream: &str, messages: &[&str]) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let events: Vec<serde_json::Value> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| serde_json::json!({"timestamp": now - (messages.len() - i) as i64 * 1000, "message": m}))
        .collect();
    logs_call(
        endpoint,
        "CreateLogStream",
        &serde_json::json!({"logGroupName": group, "logStreamName": stream}),
    );
    logs_call(
        endpoint,
        "PutLogEvents",
        &serde_json::json!({"logGroupName": group, "logStreamName": stream, "logEvents": events}),
    );
}

fn logs_call(endpoint: &str, action: &str, body: &serde_json::Value) {
    let address = endpoint.trim_start_matches("http://");
    let mut stream =
        TcpStream::connect(address).unwrap_or_else(|e| panic!("moto at {address}: {e}"));
    let body = body.to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: Logs_20140328.{action}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{action}: {answer}");
}

/// The lines a child prints, as they come (a thread reads them into the channel).
pub fn lines(child: &mut Child) -> std::sync::mpsc::Receiver<String> {
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("no stdout to read"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    rx
}
