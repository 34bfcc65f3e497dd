//! The toolkit against hostile endpoints, items and destinations (issue 20, points 9 and 10):
//! an endpoint that accepts the connection and never answers (deploy and diff end with an
//! error naming it, its password masked), an endpoint whose error message carries terminal
//! escapes (shown escaped), an item nested 20,000 levels deep or too large (refused before
//! anything walks it), `logs` and the hotswap refused a stack's lookup (an error, not "not
//! deployed"), and `new app`/`new lambda` given reserved names, links and files (refused,
//! nothing written, nothing removed).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use constructs::sqs::{Queue, QueueProps};
use constructs::{App, Stack};

use crate::common;
use crate::common::moto::Run;

/// Every file under `dir` (links as their targets' text), to compare before and after.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap_or_else(|e| panic!("{e}"));
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap_or_default();
                out.insert(path, target.to_string_lossy().as_bytes().to_vec());
            } else if meta.is_dir() {
                out.insert(path.clone(), b"<dir>".to_vec());
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

/// A cloud assembly of one stack (a queue), written under `dir`; its path.
fn assembly(dir: &Path) -> PathBuf {
    let mut app = App::new(common::root());
    let mut stack = Stack::new("Hostile");
    Queue::new(&mut stack, "Jobs", QueueProps::new());
    app.add_stack(stack);
    let out = dir.join("cdk.out");
    app.synth()
        .unwrap_or_else(|e| panic!("synth: {e}"))
        .render(constructs::Format::Json, None)
        .unwrap_or_else(|e| panic!("render: {e}"))
        .write(&out)
        .unwrap_or_else(|e| panic!("write: {e}"));
    out
}

/// A local endpoint that accepts every connection and never answers (nor closes); its port.
fn silent_endpoint() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// A local endpoint that answers every request with `status` and `body`; its port.
fn answering_endpoint(status: &'static str, body: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            // the request: its head, then as many bytes as Content-Length says
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                request.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&request).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let mut rest = vec![0u8; length];
            let _ = stream.read_exact(&mut rest);
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    port
}

/// `rcdk-toolkit ARGS` in `cwd` against `endpoint`, killed (and failed) after five minutes.
fn toolkit(cwd: &Path, endpoint: &str, args: &[&str]) -> Run {
    common::moto::run(
        &common::moto::toolkit(),
        cwd,
        endpoint,
        args,
        Duration::from_secs(300),
    )
}

/// Defect: a deploy against an endpoint that accepts the connection and never answers hung
/// forever with no output (`--timeout 1` did not help), and the progress line echoed the
/// endpoint's password.
#[test]
fn a_deploy_to_an_endpoint_that_never_answers_ends_naming_it_without_its_password() {
    let port = silent_endpoint();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let app = assembly(dir.path());
    let before = snapshot(dir.path());
    let endpoint = format!("http://deployer:hunter2@127.0.0.1:{port}");
    let app_arg = app.to_string_lossy().to_string();
    let run = toolkit(
        dir.path(),
        &endpoint,
        &[
            "deploy",
            "--app",
            &app_arg,
            "--all",
            "--require-approval",
            "never",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let shown = format!("{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains(&format!("no answer from http://***@127.0.0.1:{port}")),
        "{shown}"
    );
    assert!(
        run.stdout
            .contains(&format!("at http://***@127.0.0.1:{port}")),
        "{shown}"
    );
    assert!(!shown.contains("hunter2"), "the password is shown: {shown}");
    assert_eq!(snapshot(dir.path()), before, "nothing written");
}

/// Defect: a diff against such an endpoint hung forever, printing nothing. Each call's read
/// timeout and bounded retries end it; `--timeout 1` ends it in a minute; it says first where
/// it is comparing, on stderr (stdout keeps only the differences).
#[test]
fn a_diff_against_an_endpoint_that_never_answers_ends_naming_it() {
    let port = silent_endpoint();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let app = assembly(dir.path());
    let before = snapshot(dir.path());
    let app_arg = app.to_string_lossy().to_string();
    let started = std::time::Instant::now();
    let run = toolkit(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        &["diff", "--app", &app_arg, "--timeout", "1"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    // the deadline, not the calls' own bounds (about 90 s), ended it
    assert!(
        started.elapsed() < std::time::Duration::from_secs(85),
        "{:?}",
        started.elapsed()
    );
    assert!(
        run.stderr
            .contains("comparing Hostile with the stacks deployed to ")
            && run
                .stderr
                .contains(&format!(" at http://127.0.0.1:{port}\n")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "DescribeStacks: no answer from http://127.0.0.1:{port}"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(dir.path()), before, "nothing written");
}

/// Defect: what an endpoint sent reached the terminal raw: an error message could clear the
/// screen, retitle the terminal, reorder or overwrite a line. CloudFormation answers in XML,
/// which cannot carry ESC or BEL: a carriage return (as a character reference, which XML keeps),
/// the 8-bit CSI and a right-to-left override can.
#[test]
fn an_endpoint_s_xml_error_message_reaches_the_terminal_escaped() {
    let port = answering_endpoint(
        "403 Forbidden",
        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>all is well&#13;\u{9b}2J\u{202e}UPDATE_COMPLETE</Message></Error><RequestId>1</RequestId></ErrorResponse>".as_bytes(),
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let app = assembly(dir.path());
    let app_arg = app.to_string_lossy().to_string();
    let run = toolkit(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        &["diff", "--app", &app_arg],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let shown = format!("{}{}", run.stdout, run.stderr);
    for raw in ['\r', '\u{9b}', '\u{202e}'] {
        assert!(
            !shown.contains(raw),
            "{raw:?} reached the output: {shown:?}"
        );
    }
    assert!(
        run.stderr
            .contains("AccessDenied: all is well\\r\\u{9b}2J\\u{202e}UPDATE_COMPLETE"),
        "{}",
        run.stderr
    );
}

/// Defect: `logs` and `deploy --hotswap` took any failure to read a stack's resources (no
/// answer, no permission) for a stack that is not deployed: against an endpoint that never
/// answered, `logs` waited the retries of every stack of the app in turn and then said "is not
/// deployed", and the hotswap said "not deployed yet" and offered a change set. The failure is
/// now the error, naming the call and the stack.
#[test]
fn logs_and_hotswap_report_a_refused_lookup_instead_of_a_stack_not_deployed() {
    let port = answering_endpoint(
        "403 Forbidden",
        b"<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not for you</Message></Error><RequestId>1</RequestId></ErrorResponse>",
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let app = assembly(dir.path());
    let before = snapshot(dir.path());
    let app_arg = app.to_string_lossy().to_string();
    let endpoint = format!("http://127.0.0.1:{port}");
    for args in [
        vec!["logs", "--app", &app_arg],
        vec![
            "deploy",
            "--app",
            &app_arg,
            "--all",
            "--hotswap",
            "--require-approval",
            "never",
        ],
    ] {
        let run = toolkit(dir.path(), &endpoint, &args);
        let shown = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 1, "{args:?}: {shown}");
        assert!(
            shown.contains("AccessDenied") && shown.contains("not for you"),
            "{args:?}: {shown}"
        );
        assert!(
            !shown.contains("not deployed"),
            "{args:?}: a refused call is not a stack that is not deployed: {shown}"
        );
    }
    assert_eq!(snapshot(dir.path()), before, "nothing written");
}

/// The same through DynamoDB's JSON answers, which can carry ESC and BEL: `put-item`'s error
/// reaches the terminal escaped.
#[test]
fn an_endpoint_s_json_error_message_reaches_the_terminal_escaped() {
    let port = answering_endpoint(
        "400 Bad Request",
        br#"{"__type": "com.amazonaws.dynamodb.v20120810#AccessDeniedException", "message": "\u001b]0;owned\u0007\u001b[2Jall is well"}"#,
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let item = dir.path().join("item.json");
    std::fs::write(&item, r#"{"id": "a"}"#).unwrap_or_else(|e| panic!("{e}"));
    let item_arg = item.to_string_lossy().to_string();
    let run = toolkit(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        &["put-item", "--table", "Lists", "--item", &item_arg],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let shown = format!("{}{}", run.stdout, run.stderr);
    for raw in ['\u{1b}', '\u{7}'] {
        assert!(
            !shown.contains(raw),
            "{raw:?} reached the output: {shown:?}"
        );
    }
    assert!(
        run.stderr
            .contains("\\u{1b}]0;owned\\u{7}\\u{1b}[2Jall is well"),
        "{}",
        run.stderr
    );
}

/// Defect: `put-item` of an item nested 20,000 levels deep aborted the process on a stack
/// overflow.
#[test]
fn an_item_nested_too_deep_is_refused_before_any_call() {
    let port = silent_endpoint();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let item = dir.path().join("deep.json");
    let levels = 20_000;
    std::fs::write(
        &item,
        format!(
            "{{\"id\": \"x\", \"deep\": {}1{}}}",
            "[".repeat(levels),
            "]".repeat(levels)
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(dir.path());
    let item_arg = item.to_string_lossy().to_string();
    let run = toolkit(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        &["put-item", "--table", "Lists", "--item", &item_arg],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("nests lists and objects more than 32 levels deep"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(dir.path()), before);
}

/// Defect: `put-item` read any input whole, however large (an endless stream filled the
/// memory).
#[test]
fn an_item_larger_than_dynamodb_takes_is_refused_unread() {
    let port = silent_endpoint();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let item = dir.path().join("large.json");
    std::fs::write(&item, format!("{{\"id\": \"{}\"}}", "x".repeat(5_000_000)))
        .unwrap_or_else(|e| panic!("{e}"));
    let item_arg = item.to_string_lossy().to_string();
    let run = toolkit(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        &["put-item", "--table", "Lists", "--item", &item_arg],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("is over 4000000 bytes of JSON"),
        "{}",
        run.stderr
    );
}

/// `rcdk-toolkit new app DIR` (its dependencies from a git URL, so no checkout is needed).
fn new_app(cwd: &Path, dir: &Path) -> Run {
    let dir = dir.to_string_lossy().to_string();
    toolkit(
        cwd,
        "http://127.0.0.1:9",
        &[
            "new",
            "app",
            &dir,
            "--git",
            "https://example.invalid/rcdk.git",
        ],
    )
}

/// Defect: `new app self` (or `crate`, `async`, any keyword, the names cargo refuses) wrote a
/// crate that does not compile.
#[test]
fn new_app_refuses_reserved_names_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, why) in [
        ("self", "it is a Rust keyword"),
        ("crate", "it is a Rust keyword"),
        ("async", "it is a Rust keyword"),
        ("test", "Rust's built-in test crate"),
        ("deps", "cargo's build directories"),
        ("std", "standard library"),
        ("nul", "Windows reserves"),
    ] {
        let run = new_app(dir.path(), &dir.path().join(name));
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("\"{name}\" is not a valid crate name"))
                && run.stderr.contains(why),
            "{name}: {}",
            run.stderr
        );
    }
    assert!(snapshot(dir.path()).is_empty(), "nothing written");
}

/// Defect: `new app` onto a dangling symlink failed and deleted the link.
#[cfg(unix)]
#[test]
fn new_app_refuses_links_and_files_and_removes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let link = |target: &Path, at: &str| {
        let path = dir.path().join(at);
        std::os::unix::fs::symlink(target, &path).unwrap_or_else(|e| panic!("{e}"));
        path
    };
    let dangling = link(&dir.path().join("nowhere"), "dangling-app");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap_or_else(|e| panic!("{e}"));
    let to_empty = link(&empty, "linked-app");
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(dir.path());
    for (target, message) in [
        (dangling, "is a symbolic link"),
        (to_empty, "is a symbolic link"),
        (file.join("my-app"), "which is not a directory"),
    ] {
        let run = new_app(dir.path(), &target);
        assert_eq!(run.code, 2, "{}: {}", target.display(), run.stderr);
        assert!(run.stderr.contains(message), "{}", run.stderr);
    }
    assert_eq!(snapshot(dir.path()), before, "nothing written or removed");
}

/// Defect: `new lambda` onto a dangling link under lambdas/ deleted the link the same way.
#[cfg(unix)]
#[test]
fn new_lambda_refuses_a_link_where_the_crate_would_go() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[workspace]\nmembers = [\"lambdas/*\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(dir.path().join("lambdas")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(
        dir.path().join("elsewhere"),
        dir.path().join("lambdas/orders"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(dir.path());
    let root = dir.path().to_string_lossy().to_string();
    let run = toolkit(
        dir.path(),
        "http://127.0.0.1:9",
        &["new", "lambda", "orders", "--root", &root],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(snapshot(dir.path()), before, "nothing written or removed");
}
