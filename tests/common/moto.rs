//! A moto server for the end-to-end tests (given by RCDK_MOTO_ENDPOINT, as scripts/test does,
//! or started here from .venv), and a runner of the binaries against it.

#![allow(dead_code)]

use std::io::Read;
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
        asl_check();
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

    /// Empties every backend (a fresh account), over the moto API; the harness also stops
    /// the handlers it runs and forgets their registrations.
    pub fn reset(&self) {
        let answer = super::harness::request(&self.endpoint, "POST", "/moto-api/reset", &[], b"");
        assert_eq!(answer.status, 200, "reset: {}", answer.text());
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
            cargo_build(&["-p", "rcdk-toolkit"]);
            let toolkit = target_dir().join(rcdk::toolkit::binary_name());
            assert!(
                toolkit.is_file(),
                "{} is not there after the build",
                toolkit.display()
            );
            toolkit
        })
        .clone()
}

/// The target directory of this build: target/debug/deps/<test> -> target/debug.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("no target directory above {}", exe.display()))
}

/// `cargo build -q ARGS` in the repository, as an app builds; a failure fails the test.
fn cargo_build(args: &[&str]) {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(super::root())
        .args(["build", "-q"])
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("cargo cannot be started: {e}"));
    assert!(status.success(), "cargo build {args:?} failed ({status})");
}

/// The ASL check tests/moto/server.py validates every definition with (the `asl-check`
/// example), brought up to date once per test process: a server started by scripts/test
/// finds it in the target directory.
pub fn asl_check() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            cargo_build(&["--example", "asl-check"]);
            target_dir()
                .join("examples")
                .join(format!("asl-check{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// The binary of a Lambda crate built for this machine (debug), built once per test process.
pub fn host_binary(package: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|p| p == package) {
        cargo_build(&["-p", package]);
        built.push(package.to_string());
    }
    let binary = target_dir().join(format!("{package}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "{} is not there after cargo build -p {package}",
        binary.display()
    );
    binary
}

/// Pattern 004's sample list (the seed's simplelist.json: three subjects) written into `dir`
/// for load-table; the tests carry their own input rather than read one outside the
/// repository.
pub fn sample_list(dir: &Path) -> PathBuf {
    let path = dir.join("simplelist.json");
    std::fs::write(&path, r#"["Computer Science", "Economics", "Mathematics"]"#)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
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
    finished(sfn, started.execution_arn()).await
}

/// Waits for an execution's end; returns its status and output.
pub async fn finished(sfn: &aws_sdk_sfn::Client, execution: &str) -> (String, serde_json::Value) {
    let begun = Instant::now();
    loop {
        let d = sfn
            .describe_execution()
            .execution_arn(execution)
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

/// A function's `CodeSha256`, read from moto's Lambda API.
pub fn lambda_code_sha(endpoint: &str, function: &str) -> String {
    let answer = super::harness::request(
        endpoint,
        "GET",
        &format!("/2015-03-31/functions/{function}/configuration"),
        &[("Authorization", &super::harness::authorization("lambda"))],
        b"",
    );
    answer.json()["CodeSha256"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Puts `messages` into a new stream of a log group, one second apart ending now, over moto's
/// CloudWatch Logs API.
pub fn put_log_events(endpoint: &str, group: &str, stream: &str, messages: &[&str]) {
    put_log_events_in(endpoint, REGION, group, stream, messages);
}

/// [`put_log_events`] to a log group of `region`.
pub fn put_log_events_in(
    endpoint: &str,
    region: &str,
    group: &str,
    stream: &str,
    messages: &[&str],
) {
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
        region,
        "CreateLogStream",
        &serde_json::json!({"logGroupName": group, "logStreamName": stream}),
    );
    logs_call(
        endpoint,
        region,
        "PutLogEvents",
        &serde_json::json!({"logGroupName": group, "logStreamName": stream, "logEvents": events}),
    );
}

fn logs_call(endpoint: &str, region: &str, action: &str, body: &serde_json::Value) {
    super::harness::json_call_in(
        endpoint,
        region,
        "logs",
        &format!("Logs_20140328.{action}"),
        "1.1",
        body,
    );
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

/// Writes a synthesized app's assembly (JSON templates) to `dir` and gives the `--app`
/// argument naming it; with `workspace`, records where the app's Lambda crates are, as
/// `cargo run -- synth` does, so that a deploy can build them.
pub fn write_assembly(
    synthesized: &constructs::CloudAssembly,
    dir: &Path,
    workspace: Option<&Path>,
) -> String {
    let mut rendered = synthesized
        .render(constructs::Format::Json, None)
        .unwrap_or_else(|e| panic!("render: {e}"));
    if let Some(root) = workspace {
        rendered.set_workspace(dir, root);
    }
    rendered
        .write(dir)
        .unwrap_or_else(|e| panic!("write {}: {e}", dir.display()));
    dir.to_string_lossy().to_string()
}

/// A current-thread runtime for a test's SDK calls.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The toolkit run in `cwd` against moto, each command allowed five minutes: `rcdk(&["deploy",
/// ..])`.
pub fn toolkit_in<'a>(
    toolkit: &'a Path,
    cwd: &'a Path,
    endpoint: &'a str,
) -> impl Fn(&[&str]) -> Run + 'a {
    move |args| run(toolkit, cwd, endpoint, args, Duration::from_secs(300))
}
