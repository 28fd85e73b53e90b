"""Time govextract: corpus throughput, start-up, scaling, adversarial inputs, --jobs, big files.

Usage (from the repo root; ``python benchmarks/bench.py`` takes the same options)::

    python -m benchmarks                      # default corpus, best of 3 runs
    python -m benchmarks path/to/dir a.txt    # explicit directories and/or files
    python -m benchmarks --repeat 5 --json    # machine-readable output
    python -m benchmarks --scale 1,4,16       # seconds per MB on texts repeated K times
    python -m benchmarks --profile            # cProfile one extraction pass, top 25 by cumulative
    python -m benchmarks --no-startup         # skip the subprocess start-up timings
    python -m benchmarks --adversarial        # ~1 MB hostile inputs against normal text
    python -m benchmarks --jobs 2,4           # parse -j K wall time, speed-up, identical output
    python -m benchmarks --big-file 5,25,50   # one file of N MB: CPU per MB and peak RSS
    python -m benchmarks --huge               # adds one file of 200 MB (run once: minutes)
    python -m benchmarks --many-files         # peak RSS over the corpus and four copies of it
    python -m benchmarks --bare               # parse -j 1 against a bare regex scan
    python -m benchmarks --report             # all of it as a Markdown block for the README
    python -m benchmarks --report --write-readme   # ... and into README.md's Performance section

The default corpus is ``../shared/corpora/gov_work_reports`` relative to the repo root when it
exists, else the repo's ``seeds/``. Sizes are in MB = 10^6 bytes of the UTF-8 encoded text.
One module per concern: ``corpus`` (end to end, extraction only, scale, profile, the bare
scan), ``startup``, ``adversarial``, ``jobs``, ``bigfile`` (big single files, many files),
``report`` (tables, the summary against issue 12, the README), ``cli``.

What is measured:

* first run: importing the package, building the ``Extractor`` and one full pass (read, decode,
  extract, write JSONL to /dev/null); reported apart, since it pays for lazy imports and compilation;
* end to end: the same pass, best of ``--repeat`` runs, with the extractor already built;
* extraction only: ``Extractor.run`` over texts already in memory, best of ``--repeat`` runs;
* start-up: median wall time of 5 runs each of ``govextract --version``, ``--help``, ``parse`` of a
  one-line file and ``parse seeds/`` as subprocesses;
* peak RSS of this process (``resource.getrusage``), taken before any ``--scale`` run;
* ``--bare``: the CPU time of ``parse -j 1`` over the corpus against a process that reads the
  same files and runs one ``regex`` scan for figures (both whole processes, best of ``--repeat``).

Subprocesses are measured with ``os.wait4``: wall time, and the child's own CPU time and peak
RSS, which other work on a loaded machine does not inflate. Ratios are taken within one run.

``--scale K1,K2,...`` repeats each file's text K times (joined by a newline) in memory, times
extraction (best of ``--repeat``) and prints seconds per MB for each K: a flat column means cost grows
linearly with document length. ``--scale-mode list`` instead repeats the list of documents K times.

``--adversarial`` times ``Extractor.run`` on about 1 MB each of hostile inputs (see
``benchmarks.adversarial``) against normal text: within 3x per MB, or within 3x per record
(cost linear in what the input holds), else flagged. A run is killed after
``--adversarial-limit`` seconds (default 120).

``--jobs K1,K2,...`` times ``govextract parse PATHS --format jsonl -q -j K > /dev/null`` (best of
``--repeat``) for K = 1 and each K given, with the speed-up against K = 1; one more run per K
hashes stdout with sha256: the output must be byte-identical whatever K.

``--big-file S1,S2,...`` writes one file per size (the corpus texts joined and repeated) and runs
``govextract parse FILE --format jsonl -q`` on it: wall and CPU seconds, CPU per MB net of a tiny
file's, peak RSS and (peak RSS - tiny) per MB. CPU per MB of the largest over the smallest above
1.25 is flagged (cost growing faster than the file), as is memory per MB growing with the size.

``--report`` runs the default passes, start-up, ``--bare``, ``--jobs 2``, ``--adversarial``,
``--big-file 5,50`` (``--huge`` adds 200) and ``--many-files``, and prints one Markdown block for
the README's "Performance" section, headed with the machine, Python, date, commit and the summary
against issue 12's table; ``--write-readme`` puts it between the section's markers.
"""
