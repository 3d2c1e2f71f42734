"""Listing files and the record format: reading, the model, rules and validation.

Owns everything about one listing file as a contributor writes it: reading the
front matter with line numbers (:mod:`.source`) and its YAML mistakes in plain words
(:mod:`.yaml_lint`), the pydantic model of
``record-format.md`` (:mod:`.model`) and its messages (:mod:`.model_errors`), the
cross-field rules (:mod:`.rules`), the controlled vocabularies (:mod:`.vocabulary`),
languages and phone numbers (:mod:`.languages`, :mod:`.phones`), suggestions for a
choice (:mod:`.suggest`), opening hours typed as text (:mod:`.hours_text`), problems with file,
line and column (:mod:`.problems`), validating a whole folder (:mod:`.validation`),
writing listing files safely (:mod:`.listing_writer`), hostile files refused before
parsing (:mod:`.file_safety`), web addresses read by the WHATWG rules
(:mod:`.web_address`), which fields differ between two versions
(:mod:`.field_changes`), files read from git in one batch (:mod:`.git_objects`,
:mod:`.listing_versions`) and each file's history of changed fields (:mod:`.history`).
It may import the foundations (:mod:`waystation.runtime`, :mod:`waystation.gazetteer`,
:mod:`waystation.text`) and nothing above them.
"""
