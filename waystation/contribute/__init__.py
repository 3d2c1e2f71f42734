"""Contribution tools: issue forms, a listing from an issue, review diffs, stale reports.

Owns the GitHub issue forms and reading filled ones (:mod:`.issue_forms`, their
Spanish text :mod:`.issue_forms_es`), turning answers into listing data
(:mod:`.issue_listing`), one-item changes to a listing file (:mod:`.item_edits`), the
repository's web address for the forms' links (:mod:`.repository`), what a pull request changes, for
reviewers (:mod:`.review_diff`), the listings due for re-verification
(:mod:`.stale`) and untrusted text in GitHub Markdown (:mod:`.github_markdown`).
Beside the site's features: it may import :mod:`waystation.directory`,
:mod:`waystation.publish` and everything below, never the site or its features.
"""
