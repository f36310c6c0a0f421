"""The team's process from the config: presets, `[metadata]` and `[lifecycle]` tables, validation."""

from __future__ import annotations

import pytest

from designdoc.config.load import from_table
from designdoc.config.process import lifecycle_of, preset, preset_names, spec_of
from designdoc.model import lifecycle as lifecycle_module
from designdoc.model import metadata as metadata_module
from designdoc.model.errors import ConfigError


def test_the_design_doc_preset_is_the_built_in_process_exactly():
    shipped = preset("design-doc")
    assert lifecycle_of(shipped.lifecycle, "design-doc") == lifecycle_module.DESIGN_DOC
    spec = spec_of(shipped.metadata, "design-doc")
    assert dict(spec.roles) == dict(metadata_module.DESIGN_DOC.roles)
    assert (spec.sources, spec.extra) == (metadata_module.DESIGN_DOC.sources, metadata_module.DESIGN_DOC.extra)


def test_no_preset_is_the_built_in_process():
    config = from_table({})
    assert config.lifecycle is lifecycle_module.DESIGN_DOC
    assert config.metadata is metadata_module.DESIGN_DOC


@pytest.mark.parametrize("name", preset_names())
def test_every_shipped_preset_loads_and_its_tables_are_consistent(name):
    config = from_table({"preset": name})
    lifecycle = config.lifecycle
    assert lifecycle.initial in lifecycle.names
    assert set(lifecycle.starts) <= set(lifecycle.names)
    for source, targets in lifecycle.moves.items():
        assert source in lifecycle.names and targets <= set(lifecycle.names)
    assert config.strict_statuses == lifecycle.strict
    assert preset(name).description


def test_a_misspelt_preset_names_the_presets():
    with pytest.raises(ConfigError) as raised:
        from_table({"preset": "keps"})
    message = str(raised.value)
    assert "unknown preset 'keps'" in message and "nygard-adr" in message and "did you mean 'kep'?" in message


def test_config_tables_override_the_preset_key_by_key():
    config = from_table({"preset": "kep", "metadata": {"sources": ["frontmatter"]}})
    assert config.metadata.sources == ("frontmatter",)
    assert config.metadata.fields_of("owners") == ("authors",)  # the preset's roles are kept
    assert config.lifecycle.initial == "provisional"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"metadata": {"sources": ["frontmater"]}}, "unknown source 'frontmater'"),
        ({"metadata": {"sources": ["sidecar"]}}, "give both or neither"),
        ({"metadata": {"sources": ["sidecar"], "sidecar": "../kep.yaml"}}, "inside the doc's folder"),
        ({"metadata": {"roles": {"owner": ["authors"]}}}, "did you mean 'owners'?"),
        ({"metadata": {"required": ["people"]}}, "unknown role 'people'"),
        ({"lifecycle": {"statuses": []}}, "expected a list of statuses"),
        ({"lifecycle": {"statuses": ["a", "a"]}}, "listed twice"),
        ({"lifecycle": {"statuses": ["open", "done"], "moves": {"open": ["dnoe"]}}}, "did you mean 'done'?"),
        ({"lifecycle": {"statuses": ["open"], "gates": {"open": {"fields": ["approver"]}}}}, "unknown role"),
        ({"lifecycle": {"statuses": ["open"], "gates": {"open": {"no_errors": "yes"}}}}, "expected true or false"),
        ({"lifecycle": {"statuses": ["open"], "colour": "red"}}, "unknown key 'colour'"),
        ({"lifecycle": {"statuses": [{"name": "open", "colour": 3}]}}, "label and colour are strings"),
        ({"preset": "rust-rfc", "lifecycle": {"statuses": ["open"]}}, "default_status"),
    ],
)
def test_a_bad_process_table_is_one_clear_error(table, expected):
    with pytest.raises(ConfigError) as raised:
        from_table(table)
    assert expected in str(raised.value)


def test_the_statuses_key_restricts_the_built_in_lifecycle():
    config = from_table({"statuses": ["draft", "review", "approved", "archived"]})
    lifecycle = config.lifecycle
    assert lifecycle.names == ("draft", "review", "approved", "archived")
    assert lifecycle.allowed("draft", "review") and not lifecycle.allowed("draft", "withdrawn")
    assert lifecycle.final == ("approved", "archived")


def test_a_folder_implies_the_status_of_a_doc_that_states_none() -> None:
    config = from_table(
        {"preset": "rust-rfc", "metadata": {"folder_statuses": {"postponed/*": "postponed", "text/0000-*": "proposed"}}}
    )
    spec = config.metadata
    assert spec.implied_status("rfcs/postponed/1234-x.md") == "postponed"
    assert spec.implied_status("text/0000-draft.md") == "proposed"
    assert spec.implied_status("text/3101-let-chains.md") == "accepted"  # the default
    with pytest.raises(ConfigError, match="folder_statuses.old/\\*: 'archived' is not a lifecycle status"):
        from_table({"preset": "rust-rfc", "metadata": {"folder_statuses": {"old/*": "archived"}}})


@pytest.mark.parametrize("name", preset_names())
def test_a_config_with_any_process_pickles_back_equal(name) -> None:
    import pickle

    config = from_table({"preset": name})
    again = pickle.loads(pickle.dumps(config))
    assert again == config and repr(again) == repr(config)  # a spawned worker, a cache key: the same config
