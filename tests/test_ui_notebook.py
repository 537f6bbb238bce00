"""The page's components in a real Jupyter kernel (what a teaching notebook does): `from viz import ...`, a
component as a cell's last expression, and the cell displays a widget, not text or an error."""

from __future__ import annotations

import sys

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:.*kernel_cmd.*:DeprecationWarning"),
]

jupyter_client = pytest.importorskip("jupyter_client", reason="jupyter_client is not installed")


def _run(client, code: str, timeout: float = 120) -> list[dict]:
    """Execute `code` in the kernel; the iopub messages of that execution."""
    msg_id = client.execute(code)
    out = []
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out


@pytest.fixture(scope="module")
def kernel():
    manager = jupyter_client.KernelManager(
        kernel_cmd=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    )
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=120)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def _widgets(messages: list[dict]) -> list[dict]:
    return [
        m["content"]["data"]["application/vnd.jupyter.widget-view+json"]
        for m in messages
        if m["msg_type"] in ("display_data", "execute_result")
        and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]
    ]


def _errors(messages: list[dict]) -> list[str]:
    return [
        f"{m['content']['ename']}: {m['content']['evalue']}"
        for m in messages
        if m["msg_type"] == "error"
    ]


def test_the_run_view_and_the_whole_page_display_as_widgets_in_a_notebook(kernel):
    setup = _run(
        kernel,
        "from viz import Workspace, Desk, RunView, Page\nimport solara\nws = Workspace()\nws.step(); ws.step()",
    )
    assert _errors(setup) == []
    shown = _run(
        kernel,
        "@solara.component\n"
        "def Notebook():\n"
        "    desk = Desk(ws, solara.use_reactive(0), solara.use_reactive(''), solara.use_reactive({}))\n"
        "    RunView(desk)\n"
        "Notebook()",
    )
    assert _errors(shown) == [] and len(_widgets(shown)) == 1
    page = _run(kernel, "Page()")
    assert _errors(page) == [] and len(_widgets(page)) == 1
    day = _run(kernel, "print(ws.last_day)")
    assert any(m["msg_type"] == "stream" and m["content"]["text"].strip() == "2" for m in day)
