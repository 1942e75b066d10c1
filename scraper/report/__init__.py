"""Reports over an archive, read-only: ``audit`` (declared vs archived), ``gaps`` (unusual
silences, pure), ``stats``, ``history`` (revisions and diffs), ``exporting`` (records out)."""
