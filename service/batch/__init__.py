"""Batch runs: ``mangshen batch IN_DIR -o OUT_DIR`` redacts a whole folder tree.

The batch layer is a thin wrapper over the one library call (``redact_document``) or, with
``--server``, over the service's HTTP API (DESIGN §1.6). It adds only what a folder needs:

* :mod:`.walk` finds the inputs (by extension or magic bytes), mirrors the tree and picks each
  file's applicant profile (the nearest ancestor folder with a profile file wins);
* :mod:`.state` records what is done, keyed by content hashes, so ``--resume`` skips it;
* :mod:`.local` runs files in worker processes (whole small files per worker, pages of large
  files spread over the same workers); :mod:`.remote` uploads them to a running service;
* :mod:`.runner` schedules, handles Ctrl-C and writes ``summary.csv`` (:mod:`.summary`), with
  :mod:`.progress` drawing the progress bar;
* :mod:`.cli` holds the ``batch`` sub-command (``add_batch_parser`` / ``run_batch``).
"""
