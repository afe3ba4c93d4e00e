"""How the command line behaves as a process: Ctrl-C, a reader that goes away, bugs, exit codes for input
it cannot read, and output shaped for a terminal (width, colour, each fix once)."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alimail_mcp.cli import main
from alimail_mcp.cli.terminal import Terminal, colour_wanted
from alimail_mcp.models import Finding, Severity
from tests.support.dns_server import DnsTestServer

CLI = [sys.executable, "-m", "alimail_mcp"]


def test_a_closed_pipe_ends_quietly() -> None:
    """`alimail-mcp route ... | head -1`: no traceback, no message, the command's own exit status (20 of
    20 by hand; once here, as each run costs a process start)."""
    run = subprocess.run(
        f"set -o pipefail; {' '.join(CLI)} route Outlook says my password is wrong | head -1",
        shell=True,
        capture_output=True,
        text=True,
        executable="/bin/bash",
    )
    assert run.stdout.startswith("intent:") and run.stderr == "" and run.returncode == 0


def test_ctrl_c_exits_130_with_one_line() -> None:
    with DnsTestServer(silent=True) as silent:
        argv = [*CLI, "check-dns", "example.test", "--resolvers", silent.address, "--dns-budget", "30"]
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while silent.count() == 0 and time.monotonic() < deadline:  # the audit is under way
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert err.splitlines() == ["alimail-mcp check-dns: interrupted"]


def test_a_bug_is_one_line_and_the_traceback_only_with_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(query: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("alimail_mcp.router.route.route", broken)
    assert main(["route", "hello"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (RuntimeError)" in err and "--debug" in err
    assert main(["route", "hello", "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_diagnose_refuses_a_binary_file_and_says_when_it_recognises_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "picture.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert main(["diagnose", "--no-live", "--file", str(binary)]) == 2
    assert "invalid --file: picture.png is a binary file" in capsys.readouterr().err
    assert main(["diagnose", "--no-live", "--json", "hello, how are you"]) == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out)["kind"] == "unrecognized"
    assert "not recognised" in captured.err


def test_every_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["check-dns", "--help"], ["recover", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert "Exit status: 0 nothing wrong found, 1 problems found, 2 bad usage" in " ".join(
            capsys.readouterr().out.split()
        )


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert colour_wanted(Tty()) and not colour_wanted(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted(Tty())


def finding(code: str, severity: Severity, fix: list[str]) -> Finding:
    return Finding(code=code, severity=severity, title=f"title of {code}", fix=fix)


def test_findings_are_grouped_and_each_fix_said_once() -> None:
    out = io.StringIO()
    term = Terminal(out, width=60)
    same = ["Run the check again in a few minutes.", "Check the nameservers."]
    term.findings(
        [
            finding("dns.timeout", Severity.WARNING, same),
            finding("mx.missing", Severity.ERROR, ["Add an MX record."]),
            finding("dns.timeout", Severity.WARNING, same),
            finding("new.code", Severity.INFO, ["Add an MX record."]),
        ]
    )
    term.steps("NEXT STEPS", ["Add an MX record.", "Something new."])
    text = out.getvalue()
    assert text.index("Errors (1)") < text.index("Warnings (2)") < text.index("For information (1)")
    assert text.count("Run the check again") == 1 and text.count("Add an MX record.") == 1
    assert "fix (all 2 above)" in text and "fix: as above" in text and "Something new." in text
    assert max(len(line) for line in text.splitlines()) <= 60


def test_output_wraps_to_the_terminal_width(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "64")
    assert main(["recover", "--description", "Too many password errors, locked since 9:10"]) == 0
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 64
