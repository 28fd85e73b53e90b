"""A warm `govextract` for the tests: one process that has imported the package, loaded
the built-in rules and run an extraction once (jieba, OpenCC and cn2an loaded), then
forks a child for every command line the tests run. The child is a real process with
its own standard input, output and error (files), working directory, environment and
exit code, running ``govextract.cli.main()`` as ``python -m govextract`` would; it
starts in milliseconds instead of the second and a half a cold interpreter takes.

Protocol (one JSON object a line): the test sends {"args", "cwd", "env", "stdin",
"stdout", "stderr", "prelude"} (file paths, and code to run before the command: a
test's patches), the server answers {"pid": N}
when the child runs and {"code": N} when it is done (-N: killed by signal N).
`support.run_cli` uses it unless GOVEXTRACT_TEST_SUBPROCESS=1 asks for a cold
interpreter per command (as .ci/run does).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys
import traceback


def _warm() -> None:
    from pathlib import Path

    from govextract import cli  # noqa: F401  the command line and what it imports at once
    from govextract.engine import Extractor

    # The seeds, once: whatever extraction loads lazily (segmentation dictionary, script
    # conversion, numeral parser) is loaded before the first fork.
    for extra in ("pdfminer.high_level", "pdfminer.pdfdocument", "docx"):  # the readers of the extras
        with contextlib.suppress(ImportError):
            __import__(extra)
    extractor = Extractor()
    for seed in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")):
        extractor.run(seed.read_text(encoding="utf-8"), seed.name)


def _stream(fd: int, mode: str, errors: str) -> io.TextIOWrapper:
    raw = io.FileIO(fd, mode, closefd=False)
    buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    return io.TextIOWrapper(buffered, encoding="utf-8", errors=errors, line_buffering=fd == 2)


def _child(request: dict, protocol_fd: int) -> None:
    code = 1
    try:
        os.close(protocol_fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path, flags in (
            (0, request["stdin"] or os.devnull, os.O_RDONLY),
            (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ):
            # O_NOCTTY: a terminal named by its path (/dev/pts/N) is written to, never adopted
            opened = os.open(path, flags | os.O_NOCTTY, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        sys.stdin = sys.__stdin__ = _stream(0, "r", "strict")
        sys.stdout = sys.__stdout__ = _stream(1, "w", "strict")
        sys.stderr = sys.__stderr__ = _stream(2, "w", "backslashreplace")
        sys.argv = ["govextract", *request["args"]]
        if request.get("prelude"):  # a test's patches or import blockers, before the command
            exec(request["prelude"], {"sys": sys, "__name__": "__prelude__"})
        from govextract.cli import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                code = code or 120  # as the interpreter does when flushing fails at exit
    finally:
        os._exit(code)


def serve() -> None:
    _warm()
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nothing the server prints reaches the protocol
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C of pytest ends the tests, not the server
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _child(request, answers.fileno())
        answers.write(json.dumps({"pid": pid}) + "\n")
        answers.flush()
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
