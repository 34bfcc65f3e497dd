"""The real handler of a Lambda function, run by moto's Invoke (server.py, patch 11).

moto without Docker answers Invoke with the request's own payload (or queued canned
replies): no code runs. A test can register, for a deployed function, the handler's binary
built for this machine (`POST /rcdk-harness/lambda-code {"FunctionName": ..., "Executable":
...}`, an executable inside this repository's target directory, sent as application/json),
or, for a function CloudFormation has yet to create (a custom resource's provider), the
binary for the function whose code is a given object key (`{"CodeKey": "<hash>.zip", ...}`).
Invoke of that function (the Invoke API, and Step Functions' lambda:invoke, which moto's
interpreter sends through the same API) then runs it as Lambda runs a custom runtime
(https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): the process polls
`GET /2018-06-01/runtime/invocation/next` on a Runtime API served here, on 127.0.0.1, and gets
the event with the documented headers Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
-Invoked-Function-Arn and -Trace-Id; it answers with `POST .../invocation/<id>/response` or
`.../error` (202 Accepted), or reports a failed start with `POST /runtime/init/error`.
Its environment is what Lambda defines for it ("Defined runtime environment variables",
https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html) and the function's
own variables as moto holds them from the deployed template, nothing of the server's: the
one addition is AWS_ENDPOINT_URL, this moto server, standing for AWS's service endpoints.
The answer is the Invoke API's (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
the function's response as the payload, or its error object with X-Amz-Function-Error:
Unhandled; a process that exits answers Runtime.ExitError, one past the function's timeout is
stopped and answers Sandbox.Timedout ("Task timed out after N.00 seconds"). Each line the
function prints goes, as an event, to the function's log group (its LoggingConfig's, else
/aws/lambda/<name>) in a log stream of its execution environment, as Lambda sends it to
CloudWatch Logs.
Not as AWS: one execution environment per function, so concurrent invocations wait for each
other instead of scaling out; the credentials are moto's test ones, and no IAM policy is
evaluated (moto evaluates none). Functions nobody registered keep moto's echo, which the tests
never assert as a handler's answer.
"""

import base64
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from moto.awslambda import models as lambda_models
from moto.awslambda_simple import models as simple_models

# tests/moto/harness/<this file> -> the repository
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_TARGET = os.path.realpath(os.path.join(_REPO, "target"))
_API = "/2018-06-01/runtime"

# function name -> executable; code object key -> executable (a function whose Code.S3Key it
# is: one CloudFormation creates, registered before it exists); function name -> its running
# environment
_code = {}
_code_by_key = {}
_environments = {}
_lock = threading.Lock()


class Registration(Exception):
    """A registration the harness refuses, with the reason."""


def register(body, content_type):
    """Registers a function's handler binary; returns what was registered."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise Registration("send the registration as Content-Type: application/json")
    try:
        request = json.loads(body or b"{}")
    except ValueError as error:
        raise Registration(f"the registration is not JSON: {error}") from error
    if not isinstance(request, dict):
        raise Registration("the registration must be a JSON object")
    name = request.get("FunctionName")
    key = request.get("CodeKey")
    executable = request.get("Executable")
    named = isinstance(name, str) and name
    keyed = isinstance(key, str) and key
    if named == keyed or not isinstance(executable, str):
        raise Registration('give "FunctionName" or "CodeKey", and "Executable" (strings)')
    real = os.path.realpath(executable)
    if os.path.commonpath([real, _TARGET]) != _TARGET:
        raise Registration(f"{executable} is not inside this repository's target directory {_TARGET}")
    if not os.path.isfile(real) or not os.access(real, os.X_OK):
        raise Registration(f"{executable} is not an executable file")
    if keyed:
        with _lock:
            _code_by_key[key] = real
        return {"CodeKey": key, "Executable": real}
    name = name.split(":function:")[-1].split(":")[0]
    with _lock:
        _code[name] = real
        old = _environments.pop(name, None)
    if old is not None:
        old.stop()
    return {"FunctionName": name, "Executable": real}


def reset():
    """Forgets every registration and stops every environment (moto's reset)."""
    with _lock:
        environments = list(_environments.values())
        _environments.clear()
        _code.clear()
        _code_by_key.clear()
    for environment in environments:
        environment.stop()


def _log_group(function):
    configured = getattr(function, "rcdk_log_group", None)
    return configured or f"/aws/lambda/{function.function_name}"


class _Invocation:
    def __init__(self, event, deadline_ms):
        self.id = str(uuid.uuid4())
        self.event = event
        self.deadline_ms = deadline_ms
        self.done = threading.Event()
        self.payload = b""
        self.error = False


class Environment:
    """One execution environment: the handler's process and the Runtime API it polls."""

    def __init__(self, function, executable):
        self.function = function
        self.executable = executable
        self.busy = threading.Lock()
        self.next = queue.Queue()
        self.current = None
        self.init_error = None
        self.stopped = False
        self.stream = time.strftime("%Y/%m/%d", time.gmtime()) + "/[$LATEST]" + uuid.uuid4().hex
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.workdir = tempfile.mkdtemp(prefix="rcdk-lambda-")
        self.process = subprocess.Popen(
            [executable],
            cwd=self.workdir,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        threading.Thread(target=self._log_lines, daemon=True).start()

    def _environment(self):
        f = self.function
        region = f.region
        port = os.environ.get("MOTO_PORT", "5000")
        env = {
            "_HANDLER": str(f.handler or ""),
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": f.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(f.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": _log_group(f),
            "AWS_LAMBDA_LOG_STREAM_NAME": self.stream,
            "AWS_ACCESS_KEY": "test",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test",
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{self.server.server_address[1]}",
            "LAMBDA_TASK_ROOT": "/var/task",
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "LANG": "en_US.UTF-8",
            "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            "TZ": ":UTC",
            # the one variable Lambda does not set: this server stands for AWS's endpoints
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        }
        env.update({str(k): str(v) for k, v in (f.environment_vars or {}).items()})
        return env

    def _log_lines(self):
        from moto.logs.models import logs_backends

        logs = logs_backends[self.function.account_id][self.function.region]
        group = _log_group(self.function)
        try:
            logs.ensure_log_group(group)
            logs.create_log_stream(group, self.stream)
        except Exception:  # the group or stream exists
            pass
        for raw in iter(self.process.stdout.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            try:
                logs.put_log_events(group, self.stream, [{"timestamp": int(time.time() * 1000), "message": line}])
            except Exception:  # moto's logs were reset under a running function
                pass

    def alive(self):
        return not self.stopped and self.process.poll() is None and self.init_error is None

    def invoke(self, event):
        """Runs one invocation: (payload bytes, whether it is an error)."""
        timeout = float(self.function.timeout or 3)
        with self.busy:
            deadline = time.time() + timeout
            invocation = _Invocation(event, int(deadline * 1000))
            self.current = invocation
            self.next.put(invocation)
            while not invocation.done.wait(0.05):
                if self.init_error is not None:
                    return self.init_error, True
                code = self.process.poll()
                if code is not None:
                    return _error(
                        "Runtime.ExitError",
                        f"RequestId: {invocation.id} Error: Runtime exited with error: exit status {code}",
                    ), True
                if time.time() > deadline:
                    self.stop()
                    return _error(
                        "Sandbox.Timedout",
                        f"RequestId: {invocation.id} Error: Task timed out after {timeout:.2f} seconds",
                    ), True
            self.current = None
            return invocation.payload, invocation.error

    def answer(self, request_id, payload, error):
        invocation = self.current
        if invocation is None or invocation.id != request_id:
            return False
        invocation.payload = payload
        invocation.error = error
        invocation.done.set()
        return True

    def stop(self):
        self.stopped = True
        try:
            self.process.kill()
            self.process.wait(timeout=10)
        except Exception:
            pass
        self.server.shutdown()
        self.server.server_close()
        try:
            for name in os.listdir(self.workdir):
                path = os.path.join(self.workdir, name)
                if os.path.isfile(path):
                    os.remove(path)
            os.rmdir(self.workdir)
        except OSError:
            pass


def _error(kind, message):
    return json.dumps({"errorType": kind, "errorMessage": message}).encode("utf-8")


def _handler(environment):
    class RuntimeApi(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            return

        def _reply(self, status, body, headers=()):
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the process was stopped while it waited

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def do_GET(self):
            if self.path != f"{_API}/invocation/next":
                return self._reply(404, b'{"errorType":"NotFound"}')
            while not environment.stopped:
                try:
                    invocation = environment.next.get(timeout=0.5)
                except queue.Empty:
                    continue
                return self._reply(
                    200,
                    invocation.event,
                    [
                        ("Lambda-Runtime-Aws-Request-Id", invocation.id),
                        ("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms)),
                        ("Lambda-Runtime-Invoked-Function-Arn", environment.function.function_arn),
                        ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
                    ],
                )
            return self._reply(410, b'{"errorType":"Gone"}')

        def do_POST(self):
            body = self._body()
            if self.path == f"{_API}/init/error":
                environment.init_error = body or _error("Runtime.InitError", "the runtime failed to start")
                return self._reply(202, b'{"status":"OK"}')
            prefix = f"{_API}/invocation/"
            rest = self.path[len(prefix):] if self.path.startswith(prefix) else ""
            request_id, _, what = rest.partition("/")
            if what not in ("response", "error"):
                return self._reply(404, b'{"errorType":"NotFound"}')
            if not environment.answer(request_id, body, what == "error"):
                return self._reply(400, b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}')
            return self._reply(202, b'{"status":"OK"}')

    return RuntimeApi


def _environment_of(function):
    name = function.function_name
    with _lock:
        executable = _code.get(name)
        code = getattr(function, "code", None)
        if executable is None and isinstance(code, dict):
            executable = _code_by_key.get(code.get("S3Key"))
        if executable is None:
            return None
        environment = _environments.get(name)
        if environment is not None and environment.alive():
            return environment
        if environment is not None:
            environment.stop()
        environment = Environment(function, executable)
        _environments[name] = environment
        return environment


_simple_invoke = simple_models.LambdaSimpleBackend.invoke


def has_handler(function):
    """Whether Invoke of `function` runs a registered handler (not moto's echo)."""
    return _environment_of(function) is not None


def _invoke(self, function_name, qualifier, body, headers, response_headers):
    function = self.get_function(function_name, qualifier)
    environment = _environment_of(function)
    if environment is None:
        return _simple_invoke(self, function_name, qualifier, body, headers, response_headers)
    kind = headers.get("X-Amz-Invocation-Type", "RequestResponse") if headers else "RequestResponse"
    if kind == "DryRun":
        return b""
    event = body.encode("utf-8") if isinstance(body, str) else (body or b"{}")
    if kind == "Event":
        threading.Thread(target=environment.invoke, args=(event,), daemon=True).start()
        return b""
    payload, error = environment.invoke(event)
    if error:
        response_headers["x-amz-function-error"] = "Unhandled"
    response_headers["x-amz-executed-version"] = "$LATEST"
    response_headers["x-amz-log-result"] = base64.b64encode(b"").decode("ascii")
    return payload


simple_models.LambdaSimpleBackend.invoke = _invoke

# the log group a function's LoggingConfig names, which moto's model does not keep
_create_function = lambda_models.LambdaFunction.create_from_cloudformation_json.__func__


@classmethod
def _create_function_keeping_log_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    function = _create_function(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    group = (cloudformation_json.get("Properties", {}).get("LoggingConfig") or {}).get("LogGroup")
    if isinstance(group, str) and group:
        function.rcdk_log_group = group
    return function


lambda_models.LambdaFunction.create_from_cloudformation_json = _create_function_keeping_log_group
