"""A small LSP client for rust-analyzer: JSON-RPC over stdio with Content-Length framing.

Only what lsp/cases.py needs: start the server, answer its requests, wait until it has loaded the
workspace, send notifications and requests. Standard library only.
"""

import json
import os
import subprocess
import threading
import time

# Errors after which the same request is worth sending again: the server dropped it because the
# document or the workspace changed under it.
CONTENT_MODIFIED = -32801
SERVER_CANCELLED = -32802
RETRYABLE = {CONTENT_MODIFIED, SERVER_CANCELLED}


class LspError(Exception):
    def __init__(self, method, error):
        super().__init__(f"{method}: {error.get('code')} {error.get('message')}")
        self.code = error.get("code")


class Server:
    """One rust-analyzer process. A reader thread takes every message off its stdout; the
    caller's thread sends and waits on `self.changed`."""

    def __init__(self, command, root, settings, log_path=None):
        self.root = os.path.abspath(root)
        self.settings = settings
        self.log = open(log_path, "w") if log_path else None
        self.proc = subprocess.Popen(
            command,
            cwd=self.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log or subprocess.DEVNULL,
        )
        self.changed = threading.Condition()
        self.write_lock = threading.Lock()
        self.next_id = 0
        self.responses = {}
        self.progress = {}  # token -> title, while the work is under way
        self.progress_seen = []  # (title, seconds since start) of each progress that ended
        self.status = {}  # the last experimental/serverStatus
        self.started = time.monotonic()
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    # --- framing ---

    def _send(self, message):
        body = json.dumps(message).encode()
        with self.write_lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()
        self._trace("->", message)

    def _read_message(self):
        headers = {}
        while True:
            line = self.proc.stdout.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.proc.stdout.read(int(headers["content-length"]))
        return json.loads(body)

    def _trace(self, direction, message):
        if self.log:
            self.log.write(f"{time.monotonic() - self.started:8.2f} {direction} {json.dumps(message)[:2000]}\n")
            self.log.flush()

    # --- incoming ---

    def _read_loop(self):
        while True:
            message = self._read_message()
            if message is None:
                with self.changed:
                    self.responses[None] = "closed"
                    self.changed.notify_all()
                return
            self._trace("<-", message)
            if "method" in message and "id" in message:
                self._answer_server_request(message)
                continue
            with self.changed:
                if "method" in message:
                    self._on_notification(message["method"], message.get("params") or {})
                else:
                    self.responses[message["id"]] = message
                self.changed.notify_all()

    def _answer_server_request(self, message):
        method = message["method"]
        if method == "workspace/configuration":
            result = [self.settings if item.get("section") in (None, "rust-analyzer") else None
                      for item in message["params"]["items"]]
        else:
            # window/workDoneProgress/create, client/registerCapability, ...: acknowledged.
            result = None
        self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def _on_notification(self, method, params):
        if method == "$/progress":
            token, value = params["token"], params["value"]
            if value.get("kind") == "begin":
                self.progress[token] = value.get("title", str(token))
            elif value.get("kind") == "end":
                title = self.progress.pop(token, str(token))
                self.progress_seen.append((title, time.monotonic() - self.started))
        elif method == "experimental/serverStatus":
            self.status = params

    # --- outgoing ---

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params, timeout=120, retries=20):
        for _ in range(retries):
            self.next_id += 1
            request_id = self.next_id
            self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
            with self.changed:
                if not self.changed.wait_for(
                        lambda: request_id in self.responses or None in self.responses, timeout):
                    raise TimeoutError(f"{method}: no answer in {timeout} s")
                if None in self.responses:
                    raise RuntimeError("rust-analyzer exited")
                response = self.responses.pop(request_id)
            if "error" not in response:
                return response.get("result")
            if response["error"].get("code") not in RETRYABLE:
                raise LspError(method, response["error"])
            time.sleep(0.5)
        raise LspError(method, response["error"])

    def wait(self, predicate, timeout):
        """Waits until `predicate()` holds (checked under the lock, after each message)."""
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    # --- lifecycle ---

    def initialize(self):
        capabilities = {
            "window": {"workDoneProgress": True},
            "textDocument": {
                "completion": {"completionItem": {"snippetSupport": False}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "definition": {"linkSupport": True},
                # Pulled (textDocument/diagnostic): the answer is for the text as last sent,
                # where a push would have to be waited for, and is skipped when nothing changed.
                "diagnostic": {"dynamicRegistration": False},
            },
            "workspace": {"configuration": True},
            # rust-analyzer's own: it then says when it is quiescent (nothing left to load).
            "experimental": {"serverStatusNotification": True},
        }
        result = self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": uri_of(self.root),
            "workspaceFolders": [{"uri": uri_of(self.root), "name": os.path.basename(self.root)}],
            "capabilities": capabilities,
            "initializationOptions": self.settings,
        })
        self.notify("initialized", {})
        return result

    def wait_until_loaded(self, timeout, settle=2.0):
        """Quiescent (the workspace, its build scripts and proc macros loaded) with no progress
        under way, for `settle` seconds on end: indexing starts only after the load."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            with self.changed:
                idle = self.status.get("quiescent") and not self.progress
                if None in self.responses:
                    raise RuntimeError("rust-analyzer exited while loading")
            now = time.monotonic()
            if idle:
                quiet_since = quiet_since or now
                if now - quiet_since >= settle:
                    return
            else:
                quiet_since = None
            self.wait(lambda: False, 0.2)
        raise TimeoutError(f"rust-analyzer still loading after {timeout} s: "
                           f"status {self.status}, progress {list(self.progress.values())}")

    def shutdown(self):
        try:
            self.request("shutdown", None, timeout=20, retries=1)
            self.notify("exit", None)
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        if self.log:
            self.log.close()


def uri_of(path):
    return "file://" + os.path.abspath(path)


def path_of(uri):
    return uri[len("file://"):] if uri.startswith("file://") else uri
