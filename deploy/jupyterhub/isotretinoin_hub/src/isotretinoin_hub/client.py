"""A small client that uses the hub as a student's browser does: log in, start a server, use its REST
API, run notebooks and move widgets over the kernel websocket, and call nbgrader's Assignments panel.

Used by the end-to-end test and the capacity benchmark (needs ``requests`` and ``websocket-client``,
both in the course's environment). Every call has a time limit.
"""

from __future__ import annotations

import datetime as _dt
import json
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
import websocket


class HubError(RuntimeError):
    """A hub or server call that failed, with the URL and what came back."""


def _check(response: requests.Response, *ok: int) -> requests.Response:
    if response.status_code not in ok:
        raise HubError(f"{response.request.method} {response.url} -> {response.status_code}: {response.text[:500]}")
    return response


@dataclass
class CellResult:
    """What one code cell produced."""

    index: int
    seconds: float
    outputs: list[dict] = field(default_factory=list)

    @property
    def error(self) -> dict | None:
        return next((o for o in self.outputs if o.get("output_type") == "error"), None)

    @property
    def text(self) -> str:
        parts = []
        for o in self.outputs:
            if o.get("output_type") == "stream":
                parts.append(o.get("text", ""))
            elif "data" in o:
                parts.append(o["data"].get("text/plain", ""))
        return "".join(parts)


class Kernel:
    """A kernel of a user's server, driven over the jupyter_server websocket (JSON protocol).

    jupyter_server pings every websocket every 30 s and closes one that has not answered for 90 s, as a
    browser tab that went away. websocket-client answers a ping only while it reads, so between requests
    a thread reads for it (every 10 s): a kernel left idle while the instructor grades stays connected.
    """

    KEEP_ALIVE_SECONDS = 10

    def __init__(self, ws_url: str, headers: dict[str, str], timeout: float) -> None:
        self.timeout = timeout
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(ws_url, header=[f"{k}: {v}" for k, v in headers.items()], timeout=timeout)
        self.widgets: dict[str, dict] = {}  # comm id -> last known state (from comm_open / comm_msg)
        self._lock = threading.Lock()  # one reader at a time: a request, or the keep-alive between requests
        self._closed = threading.Event()
        self._wait_ready(timeout)
        threading.Thread(target=self._keep_alive, name="kernel-keep-alive", daemon=True).start()

    def _keep_alive(self) -> None:
        """Between requests, read whatever is waiting (websocket-client answers pings while reading)."""
        while not self._closed.wait(self.KEEP_ALIVE_SECONDS):
            with self._lock:
                if self._closed.is_set():
                    return
                try:
                    while (incoming := self._receive(time.monotonic() + 0.2)) is not None:  # until a short wait is empty
                        self._track_widgets(incoming)
                    return  # closed by the server: the next request says so
                except websocket.WebSocketTimeoutException:
                    continue
                except (websocket.WebSocketException, OSError, ValueError):
                    return  # closed: the next request says so

    def _wait_ready(self, timeout: float) -> None:
        """Ask for kernel_info until both its reply (shell) and the kernel's idle status (iopub) arrive.

        jupyter_server connects iopub before passing messages on, but gives up waiting after its
        kernel_info_timeout (60 s) when kernels start slowly (a whole class starting at once): an
        output published before iopub is subscribed would then be lost, and a cell would seem to hang.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._request("kernel_info_request", {}, channel="shell", wait_reply="kernel_info_reply",
                              timeout=min(10.0, max(0.1, deadline - time.monotonic())))
                return
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"kernel not ready in {timeout:.0f} s") from None

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            self.ws.close()

    def _message(self, msg_type: str, content: dict, channel: str) -> dict:
        return {
            "header": {"msg_id": uuid.uuid4().hex, "username": "student", "session": self.session,
                       "msg_type": msg_type, "version": "5.3", "date": _dt.datetime.now(_dt.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": [],
        }

    def _receive(self, deadline: float) -> dict | None:
        """The next message, or None when the server closed the connection."""
        self.ws.settimeout(max(0.05, deadline - time.monotonic()))
        frame = self.ws.recv()
        if frame in ("", b""):  # websocket-client returns an empty frame for the server's close
            return None
        if isinstance(frame, bytes):  # a message with binary buffers (e.g. a PNG in an Image widget)
            count = struct.unpack("!I", frame[:4])[0]
            offsets = list(struct.unpack(f"!{count}I", frame[4:4 * (count + 1)])) + [len(frame)]
            parts = [frame[offsets[i]:offsets[i + 1]] for i in range(count)]
            msg = json.loads(parts[0])
            msg["buffers"] = parts[1:]
            return msg
        return json.loads(frame)

    def _track_widgets(self, msg: dict) -> None:
        kind, content = msg["header"]["msg_type"], msg.get("content", {})
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.widgets[content["comm_id"]] = dict(content.get("data", {}).get("state", {}))
        elif kind == "comm_msg" and content.get("comm_id") in self.widgets:
            data = content.get("data", {})
            if data.get("method") in ("update", "echo_update"):
                self.widgets[content["comm_id"]].update(data.get("state", {}))

    def _request(self, msg_type: str, content: dict, channel: str, wait_reply: str | None,
                 timeout: float | None = None) -> tuple[dict | None, list[dict], float]:
        """Send one message; collect its iopub outputs until the kernel is idle (and the reply, if any)."""
        with self._lock:
            return self._request_locked(msg_type, content, channel, wait_reply, timeout)

    def _request_locked(self, msg_type: str, content: dict, channel: str, wait_reply: str | None,
                        timeout: float | None) -> tuple[dict | None, list[dict], float]:
        msg = self._message(msg_type, content, channel)
        start = time.monotonic()
        deadline = start + (timeout or self.timeout)
        self.ws.send(json.dumps(msg))
        reply, outputs, idle = None, [], False
        while not (idle and (reply is not None or wait_reply is None)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{msg_type} got no answer in {timeout or self.timeout:.0f} s")
            try:
                incoming = self._receive(deadline)
            except websocket.WebSocketTimeoutException:
                continue
            if incoming is None:
                raise HubError(f"{msg_type}: the server closed the kernel's websocket")
            self._track_widgets(incoming)
            if incoming.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
                continue
            kind = incoming["header"]["msg_type"]
            if wait_reply and kind == wait_reply:
                reply = incoming["content"]
            elif kind == "status" and incoming["content"].get("execution_state") == "idle":
                idle = True
            elif kind in ("stream", "display_data", "execute_result", "error", "comm_msg"):
                output = dict(incoming["content"], output_type=kind)
                outputs.append(output)
        return reply, outputs, time.monotonic() - start

    def execute(self, code: str, timeout: float | None = None) -> CellResult:
        """Run code as a cell; raise nothing on a Python error (see ``CellResult.error``)."""
        _, outputs, seconds = self._request(
            "execute_request", {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                "allow_stdin": False, "stop_on_error": True},
            channel="shell", wait_reply="execute_reply", timeout=timeout)
        return CellResult(index=-1, seconds=seconds, outputs=outputs)

    def run_notebook(self, notebook: dict, timeout: float | None = None) -> list[CellResult]:
        """Run every code cell in order, as Run All does; stop at the first error."""
        results = []
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            result = self.execute(source, timeout)
            result.index = index
            results.append(result)
            if result.error:
                break
        return results

    def find_widget(self, model: str, **state: Any) -> str:
        """The comm id of a widget of this model whose state has these values (e.g. description=...)."""
        for comm_id, known in self.widgets.items():
            if known.get("_model_name") == model and all(known.get(k) == v for k, v in state.items()):
                return comm_id
        raise LookupError(f"no {model} widget with {state}")

    def update_widget(self, comm_id: str, timeout: float | None = None, **state: Any) -> tuple[float, set[str]]:
        """Change a widget's value as a browser does (a comm_msg update).

        Returns the seconds until the kernel is idle again and the comm ids of the widgets the kernel
        updated in response (e.g. the plot and the summary of a simulator).
        """
        content = {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}}
        _, outputs, seconds = self._request("comm_msg", content, channel="shell", wait_reply=None, timeout=timeout)
        errors = [o for o in outputs if o["output_type"] == "error"]
        if errors:
            raise HubError(f"widget update raised {errors[0].get('ename')}: {errors[0].get('evalue')}")
        changed = {o["comm_id"] for o in outputs if o["output_type"] == "comm_msg" and o["comm_id"] != comm_id}
        return seconds, changed


class HubUser:
    """One person using the hub: a browser session for logging in, then an API token."""

    def __init__(self, base_url: str, name: str, password: str, timeout: float = 60) -> None:
        self.base = base_url.rstrip("/")
        self.name = name
        self.password = password
        self.timeout = timeout
        self.session = requests.Session()
        self.token: str | None = None

    # --- the hub
    def login(self) -> None:
        """Log in through the hub's login form (PAM checks the password), then take an API token."""
        page = _check(self.session.get(f"{self.base}/hub/login", timeout=self.timeout), 200)
        xsrf = self.session.cookies.get("_xsrf", path="/hub/") or self.session.cookies.get("_xsrf")
        if not xsrf:
            raise HubError(f"no _xsrf cookie on the login page ({page.url})")
        answer = self.session.post(f"{self.base}/hub/login", data={"username": self.name, "password": self.password,
                                   "_xsrf": xsrf}, allow_redirects=False, timeout=self.timeout)
        if answer.status_code != 302:
            raise HubError(f"login of {self.name} refused ({answer.status_code})")
        made = _check(self.session.post(
            f"{self.base}/hub/api/users/{self.name}/tokens", json={"note": "e2e client", "expires_in": 3600},
            headers={"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or xsrf}, timeout=self.timeout),
            200, 201)
        self.token = made.json()["token"]

    @property
    def headers(self) -> dict[str, str]:
        if not self.token:
            raise HubError(f"{self.name} has not logged in")
        return {"Authorization": f"token {self.token}"}

    def hub_api(self, method: str, path: str, *ok: int, **kwargs: Any) -> requests.Response:
        return _check(requests.request(method, f"{self.base}/hub/api{path}", headers=self.headers,
                                       timeout=self.timeout, **kwargs), *ok)

    def start_server(self, timeout: float = 120) -> float:
        """Start this user's server through the hub; seconds until it answers."""
        start = time.monotonic()
        self.hub_api("POST", f"/users/{self.name}/server", 201, 202, 400)  # 400: already running
        while time.monotonic() - start < timeout:
            model = self.hub_api("GET", f"/users/{self.name}", 200).json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - start
            if not server and time.monotonic() - start > 5:
                raise HubError(f"server of {self.name} stopped while starting (see the hub log)")
            time.sleep(0.3)
        raise TimeoutError(f"server of {self.name} not ready in {timeout:.0f} s")

    def stop_server(self, timeout: float = 60) -> None:
        self.hub_api("DELETE", f"/users/{self.name}/server", 202, 204)
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if not self.hub_api("GET", f"/users/{self.name}", 200).json().get("servers"):
                return
            time.sleep(0.3)
        raise TimeoutError(f"server of {self.name} did not stop in {timeout:.0f} s")

    # --- the user's own server (through the proxy)
    def server_url(self, path: str, owner: str | None = None) -> str:
        return f"{self.base}/user/{owner or self.name}/{path.lstrip('/')}"

    def server(self, method: str, path: str, *ok: int, owner: str | None = None, **kwargs: Any) -> requests.Response:
        response = requests.request(method, self.server_url(path, owner), headers=self.headers, timeout=self.timeout,
                                    allow_redirects=False, **kwargs)
        return _check(response, *ok) if ok else response

    def contents(self, path: str) -> dict:
        return self.server("GET", f"api/contents/{quote(path)}?content=1", 200).json()

    def save_notebook(self, path: str, notebook: dict) -> None:
        self.server("PUT", f"api/contents/{quote(path)}", 200, 201,
                    json={"type": "notebook", "format": "json", "content": notebook})

    def open_kernel(self, notebook_path: str, timeout: float = 120) -> tuple[str, Kernel]:
        """Open a notebook session as JupyterLab does (kernel started in the notebook's folder)."""
        session = self.server("POST", "api/sessions", 201, json={
            "path": notebook_path, "name": notebook_path.rsplit("/", 1)[-1], "type": "notebook",
            "kernel": {"name": "python3"}}).json()
        kernel_id = session["kernel"]["id"]
        ws = self.server_url(f"api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}")
        return session["id"], Kernel(ws.replace("http://", "ws://", 1), self.headers, timeout)

    def close_session(self, session_id: str) -> None:
        self.server("DELETE", f"api/sessions/{session_id}", 204)

    # --- nbgrader's Assignments panel (the server extension the JupyterLab panel calls)
    def assignments(self, action: str, course_id: str, assignment_id: str | None = None) -> Any:
        if action == "list":
            return self.server("GET", f"assignments?course_id={quote(course_id)}", 200).json()
        return self.server("POST", f"assignments/{action}", 200,
                           data={"course_id": course_id, "assignment_id": assignment_id}).json()
