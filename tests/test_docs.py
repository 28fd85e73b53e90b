"""The docs show what the tool prints: every ```console transcript of README.md and
examples/README.md is run and compared (tests/transcripts.py says how), and `--help`
reads as people write commands. After a change of output, refresh them with
`pytest tests/test_docs.py --update-docs` (or `python tests/transcripts.py`)."""

from __future__ import annotations

import difflib

import pytest
import transcripts
from support import out, require_tool, run_cli

from govextract.cli import command


def _name(path) -> str:
    return str(path.relative_to(transcripts.ROOT))


@pytest.mark.slow
@pytest.mark.parametrize("document", transcripts.DOCUMENTS, ids=_name)
def test_transcripts_show_what_the_commands_print(document, request):
    require_tool("jq", install="apt-get install jq")  # the docs show jq recipes
    text, fresh = transcripts.run(document)
    if fresh != text and request.config.getoption("--update-docs"):
        document.write_text(fresh, encoding="utf-8")
        return
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True), fresh.splitlines(keepends=True), "as written", "as printed now"
        )
    )
    assert fresh == text, (
        f"{_name(document)} shows other output than the commands print now "
        f"(pytest tests/test_docs.py --update-docs rewrites it):\n{diff}"
    )


def test_every_document_has_transcripts_and_every_command_a_reference():
    readme = transcripts.blocks(transcripts.DOCUMENTS[0].read_text(encoding="utf-8"))
    commands = {step.command for _, _, steps in readme for step in steps}
    group = command()
    for name, sub in group.commands.items():
        for leaf in getattr(sub, "commands", {}) or {name: sub}:
            full = f"govextract {name} {leaf} --help" if leaf != name else f"govextract {name} --help"
            assert full in commands, f"README.md has no reference for `{full}`"
    for document in transcripts.DOCUMENTS[1:]:
        assert transcripts.blocks(document.read_text(encoding="utf-8")), document


def all_commands(group, path=()):
    for name, sub in group.commands.items():
        if getattr(sub, "commands", None):
            yield from all_commands(sub, (*path, name))
        else:
            yield (*path, name)


@pytest.mark.parametrize("words", list(all_commands(command())), ids=" ".join)
def test_help_reads_as_commands_are_written(words):
    proc = run_cli(*words, "--help", env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    output = out(proc)
    usage = output.splitlines()[0]
    assert usage.startswith(f"Usage: govextract {' '.join(words)} [OPTIONS]")
    for typer_noise in ("{", "<list", "<str>", "<path>", "<int", "<float>", "<bool>"):
        assert typer_noise not in usage, usage
        assert typer_noise not in output.replace("{NAME}", ""), output
