"""Configuration: the packaged default, merging a user file, search order, and error messages."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from warroom import paths
from warroom.config import (
    ConfigError,
    default_config_path,
    find_user_config,
    load_config,
    write_user_config,
)
from warroom.domain.models import Audience, Impact, Severity
from warroom.resources import locate, resource_dir

DATA = Path(__file__).parent / "data" / "config"
REPO = Path(__file__).resolve().parents[2]


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ") or message.startswith(f"{path}:{info.value.line}: ")
    return info.value


class TestDefault:
    def test_severity_targets_match_design(self) -> None:
        sev = load_config().policy.severities
        p0, p1, p2 = sev[Severity.P0], sev[Severity.P1], sev[Severity.P2]
        assert (p0.triage, p0.first_update, p0.update_every, p0.resolve, p0.pir_due) == (
            minutes(15), minutes(15), minutes(30), hours(4), hours(48))
        assert (p1.triage, p1.first_update, p1.update_every, p1.resolve, p1.pir_due) == (
            minutes(15), minutes(30), hours(1), hours(24), hours(48))
        assert (p2.triage, p2.first_update, p2.update_every, p2.resolve, p2.pir_due) == (
            minutes(15), hours(4), hours(8), hours(24), None)
        assert (p0.calendar, p1.calendar, p2.calendar) == ("always", "always", "business")

    def test_calendars_and_thresholds(self) -> None:
        policy = load_config().policy
        assert policy.at_risk_fraction == 0.25
        assert policy.calendars["always"].kind == "always"
        business = policy.calendar_for(Severity.P2)
        assert business.kind == "business" and business.timezone == "UTC"
        assert business.days == ["mon", "tue", "wed", "thu", "fri"]
        assert (business.start, business.end) == ("09:00", "17:00")
        assert policy.recurrence_window == timedelta(days=30)
        assert policy.flag_due == timedelta(days=30)

    def test_severity_matrix_rows_in_order(self) -> None:
        rules = load_config().policy.triage_rules
        rows = [(r.severity.value, r.impact, r.min_affected, r.strategic, r.data_loss)
                for r in rules]
        assert rows == [
            ("P0", None, None, None, True),
            ("P0", [Impact.OUTAGE], 10, None, None),
            ("P0", [Impact.OUTAGE], None, True, None),
            ("P1", [Impact.OUTAGE], None, None, None),
            ("P1", [Impact.DEGRADED], 10, None, None),
            ("P1", [Impact.DEGRADED], None, True, None),
            ("P2", None, None, None, None),
        ]

    def test_decision_rights_exactly(self) -> None:
        assert load_config().policy.rights == {
            "set_severity": ["incident_commander"],
            "assign_roles": ["incident_commander"],
            "resolve": ["incident_commander"],
            "close": ["incident_commander"],
            "post_customer_update": ["customer_spoc", "comms_lead", "incident_commander"],
            "post_executive_update": ["incident_commander", "comms_lead", "exec_sponsor"],
            "post_internal_update": ["anyone"],
            "make_commitment": ["customer_spoc", "incident_commander"],
            "pause_clock": ["incident_commander", "customer_spoc"],
            "approve_credit": ["exec_sponsor", "incident_commander"],
            "change_phase": ["incident_commander", "tech_lead"],
            "add_note": ["anyone"],
            "edit_milestone": ["incident_commander", "scribe"],
            "edit_pir": ["incident_commander", "tech_lead", "scribe"],
            "complete_pir": ["incident_commander"],
            "manage_actions": ["anyone"],
            "flag_pattern": ["incident_commander", "exec_sponsor"],
        }

    def test_roles_have_titles_and_duties(self) -> None:
        roles = load_config().policy.roles
        assert list(roles) == ["incident_commander", "customer_spoc", "comms_lead", "tech_lead",
                               "scribe", "exec_sponsor"]
        for info in roles.values():
            assert info.title and len(info.duties) >= 3
            assert all(len(duty) > 20 for duty in info.duties)

    def test_templates_cover_every_audience(self) -> None:
        templates = load_config().policy.templates
        names = [t.name for t in templates]
        assert len(names) == len(set(names))
        assert {t.audience for t in templates} == set(Audience)

    def test_tiers_customers_console_remote(self) -> None:
        config = load_config()
        tiers = config.policy.tiers
        assert set(tiers) == {"strategic", "enterprise", "standard"}
        assert all(t.monthly_fee > 0 and 0 < t.credit_cap_percent <= 100 for t in tiers.values())
        bank = config.policy.customers["Northwind Bank"]
        assert (bank.tier, bank.timezone, bank.strategic) == ("strategic", "America/New_York",
                                                              True)
        assert config.console.theme == "warroom-dark" and config.console.user is None
        assert config.remote.url is None and config.remote.token is None
        assert config.files == (default_config_path(),)

    def test_default_is_cached(self) -> None:
        assert load_config() is load_config()

    def test_packaged_file_is_the_repo_file_in_a_checkout(self) -> None:
        assert default_config_path() == REPO / "config" / "default.toml"


class TestMerge:
    def test_user_tables_override_keys(self) -> None:
        config = load_config(DATA / "override.toml")
        p1 = config.policy.severities[Severity.P1]
        assert p1.resolve == hours(12)
        assert p1.first_update == minutes(30) and p1.update_every == hours(1)
        assert config.policy.severities[Severity.P0].resolve == hours(4)
        assert config.policy.severities[Severity.P2].pir_due == hours(72)
        assert config.console.theme == "warroom-light" and config.console.user == "alice"
        assert config.remote.url == "https://warroom.example.com"
        assert config.remote.token == "secret-token"
        assert config.files == (default_config_path(), DATA / "override.toml")

    def test_lists_replace(self) -> None:
        rights = load_config(DATA / "override.toml").policy.rights
        assert rights["add_note"] == ["scribe", "incident_commander"]
        assert rights["set_severity"] == ["incident_commander"]

    def test_template_override_by_name_keeps_the_rest(self) -> None:
        templates = {t.name: t for t in load_config(DATA / "override.toml").policy.templates}
        assert templates["customer-resolved"].body == "Resolved: {title} ({id}). {summary}"
        assert templates["customer-resolved"].audience is Audience.CUSTOMER
        assert "customer-p0-investigating" in templates

    def test_user_customers_replace_the_example(self) -> None:
        customers = load_config(DATA / "override.toml").policy.customers
        assert list(customers) == ["Contoso Ltd"]
        assert customers["Contoso Ltd"].timezone == "Europe/London"

    def test_false_drops_a_builtin_entry(self) -> None:
        names = {t.name for t in load_config(DATA / "drop_entries.toml").policy.templates}
        assert "executive-brief" not in names and "executive-resolved" not in names
        assert "internal-update" in names

    def test_dropping_an_unknown_entry_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "[templates]\nno-such-template = false\n")
        err = error_for(path)
        assert (err.key, err.line) == ("templates.no-such-template", 2)

    def test_pir_can_be_made_optional(self, tmp_path: Path) -> None:
        path = write(tmp_path, '[severities.P1]\npir_due = "optional"\n')
        assert load_config(path).policy.severities[Severity.P1].pir_due is None

    def test_user_can_add_a_calendar_and_use_it(self, tmp_path: Path) -> None:
        path = write(tmp_path, """
[calendars.emea]
kind = "business"
timezone = "Europe/Berlin"
start = "08:00"
end = "18:00"
holidays = ["2026-12-25"]

[severities.P2]
calendar = "emea"
""")
        policy = load_config(path).policy
        assert policy.calendar_for(Severity.P2).timezone == "Europe/Berlin"


class TestSearchOrder:
    def test_no_user_file_gives_default(self) -> None:
        assert find_user_config() is None
        assert load_config().files == (default_config_path(),)

    def test_xdg_file_is_used_when_present(self) -> None:
        target = paths.user_config_path()
        target.parent.mkdir(parents=True)
        target.write_text('[console]\ntheme = "from-xdg"\n')
        assert find_user_config() == target
        assert load_config().console.theme == "from-xdg"

    def test_env_beats_xdg(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        target = paths.user_config_path()
        target.parent.mkdir(parents=True)
        target.write_text('[console]\ntheme = "from-xdg"\n')
        env = write(tmp_path, '[console]\ntheme = "from-env"\n', "env.toml")
        monkeypatch.setenv("WARROOM_CONFIG", str(env))
        assert load_config().console.theme == "from-env"

    def test_explicit_path_beats_env(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        env = write(tmp_path, '[console]\ntheme = "from-env"\n', "env.toml")
        flag = write(tmp_path, '[console]\ntheme = "from-flag"\n', "flag.toml")
        monkeypatch.setenv("WARROOM_CONFIG", str(env))
        assert load_config(flag).console.theme == "from-flag"

    def test_missing_explicit_file_is_an_error(self, tmp_path: Path) -> None:
        missing = tmp_path / "nope.toml"
        assert str(error_for(missing)) == f"{missing}: file not found"

    def test_missing_env_file_is_an_error(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        missing = tmp_path / "nope.toml"
        monkeypatch.setenv("WARROOM_CONFIG", str(missing))
        with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
            load_config()


class TestErrors:
    def test_unknown_key_names_file_line_key_and_choices(self) -> None:
        path = DATA / "unknown_key.toml"
        err = error_for(path)
        assert (err.key, err.line) == ("severities.P1.resolv", 2)
        assert str(err).startswith(f"{path}:2: severities.P1.resolv: unknown key (known: ")
        assert "resolve" in err.problem

    def test_bad_duration(self) -> None:
        err = error_for(DATA / "bad_duration.toml")
        assert (err.key, err.line) == ("severities.P1.resolve", 2)
        assert "bad duration '12 hours'" in err.problem

    def test_bad_toml_reports_line(self) -> None:
        err = error_for(DATA / "bad_syntax.toml")
        assert err.key is None and err.line == 4
        assert "TOML syntax" in err.problem

    def test_unknown_placeholder_names_template(self) -> None:
        err = error_for(DATA / "unknown_placeholder.toml")
        assert (err.key, err.line) == ("templates.my-update.body", 3)
        assert "{ticket_number}" in err.problem

    def test_code_like_placeholder_is_rejected(self, tmp_path: Path) -> None:
        path = write(tmp_path, '[templates.x]\naudience = "internal"\nbody = "{id.__class__}"\n')
        err = error_for(path)
        assert err.key == "templates.x.body" and "bad placeholder" in err.problem

    def test_line_of_a_list_item_after_multiline_values(self, tmp_path: Path) -> None:
        path = write(tmp_path, """
[templates.x]
audience = "internal"
body = \"\"\"
[[triage_rules]]
name = "not a rule, just text"
\"\"\"

[[triage_rules]]
name = "a"
severity = "P1"

[[triage_rules]]
name = "a"
severity = "P2"
""")
        err = error_for(path)
        assert (err.key, err.line) == ("triage_rules[1].name", 14)
        assert "duplicate rule name 'a'" in err.problem

    @pytest.mark.parametrize(
        ("text", "key", "line", "fragment"),
        [
            ('[rights]\nresolve = ["boss"]\n', "rights.resolve[0]", 2, "unknown role 'boss'"),
            ('[rights]\naprove_credit = ["exec_sponsor"]\n', "rights.aprove_credit", 2,
             "unknown decision right"),
            ('[severities.P0]\ncalendar = "weekends"\n', "severities.P0.calendar", 2,
             "unknown calendar 'weekends'"),
            ('[calendars.business]\ntimezone = "Mars/Olympus"\n', "calendars.business.timezone",
             2, "unknown timezone"),
            ('[customers.Acme]\ntimezone = "Nowhere"\n', "customers.Acme.timezone", 2,
             "unknown timezone"),
            ('[customers."Acme Corp"]\n\ntier = "gold"\n', "customers.Acme Corp.tier", 3,
             "unknown tier 'gold'"),
            ('[calendars.business]\nstart = "9am"\n', "calendars.business.start", 2, "bad time"),
            ('[calendars.business]\nholidays = ["25/12/2026"]\n',
             "calendars.business.holidays[0]", 2, "bad date"),
            ("[sla]\nat_risk = 1.5\n", "sla.at_risk", 2, "less than 1"),
            ('[severities.P1]\nresolve = "0m"\n', "severities.P1.resolve", 2, "positive"),
            ('[severities.P3]\nresolve = "1h"\n', "severities.P3", 1, "'P0', 'P1' or 'P2'"),
            ("[severities]\nP2 = false\n", "severities", 1, "missing [severities.P2]"),
            ('[[triage_rules]]\nname = "x"\nseverity = "P1"\nimpact = ["outage"]\n',
             "triage_rules[0]", 1, "must have no conditions"),
            ('[[triage_rules]]\nname = "x"\nseverity = "P4"\n', "triage_rules[0].severity", 3,
             "got 'P4'"),
            ("[console]\ntheme = 3\n", "console.theme", 2, "valid string"),
            ('[roles.anyone]\ntitle = "Everyone"\n', "roles.anyone", 1, "reserved"),
            ("[tiers.standard]\ncredit_cap_percent = 150.0\n",
             "tiers.standard.credit_cap_percent", 2, "must be at most 100"),
            ('[templates.new]\nbody = "hi"\n', "templates.new.audience", 1, "missing"),
            ("bogus = 1\n", "bogus", 1, "unknown key (known: sla, severities,"),
            ("[severities.P1]\nresolve = true\n", "severities.P1.resolve", 2, "duration"),
        ],
    )
    def test_problem_is_located(
        self, tmp_path: Path, text: str, key: str, line: int, fragment: str
    ) -> None:
        path = write(tmp_path, text)
        err = error_for(path)
        assert (err.key, err.line) == (key, line)
        assert fragment in err.problem
        assert str(err) == f"{path}:{line}: {key}: {err.problem}"

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "config.toml"
        path.write_bytes(b'[console]\ntheme = "\xff"\n')
        assert "not UTF-8" in error_for(path).problem


class TestInit:
    def test_writes_the_documented_default_that_loads_back_equal(self) -> None:
        target = write_user_config()
        assert target == paths.user_config_path() and target.is_file()
        text = target.read_text(encoding="utf-8")
        assert text == default_config_path().read_text(encoding="utf-8")
        assert "# warroom configuration" in text
        loaded = load_config()
        assert loaded.files[-1] == target
        assert loaded.policy == load_config(default_config_path()).policy

    def test_loaded_back_equals_packaged_default(self, tmp_path: Path) -> None:
        target = write_user_config(tmp_path / "deep" / "dir" / "config.toml")
        from_file = load_config(target)
        from_default = load_config()
        assert from_file.policy == from_default.policy
        assert from_file.console == from_default.console
        assert from_file.remote == from_default.remote
        assert tomllib.loads(target.read_text())["severities"]["P0"]["resolve"] == "4h"

    def test_refuses_to_overwrite_without_force(self, tmp_path: Path) -> None:
        target = write(tmp_path, "# mine\n")
        with pytest.raises(ConfigError, match="already exists"):
            write_user_config(target)
        assert target.read_text() == "# mine\n"
        write_user_config(target, force=True)
        assert target.read_text().startswith("# warroom configuration")


class TestPaths:
    def test_xdg_dirs_are_honoured(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        assert paths.config_dir() == tmp_path / "cfg" / "warroom"
        assert paths.user_config_path() == tmp_path / "cfg" / "warroom" / "config.toml"
        assert paths.data_dir() == tmp_path / "data" / "warroom"
        assert paths.default_store_path() == tmp_path / "data" / "warroom" / "warroom.db"
        assert paths.outbox_path() == tmp_path / "data" / "warroom" / "outbox.db"

    def test_store_env_override(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("WARROOM_STORE", str(tmp_path / "team.db"))
        assert paths.default_store_path() == tmp_path / "team.db"

    def test_nothing_is_created(self) -> None:
        assert not paths.config_dir().exists() and not paths.data_dir().exists()


class TestResources:
    def test_checkout_layout_uses_top_level_folder(self) -> None:
        assert resource_dir("config") == REPO / "config"
        assert (resource_dir("config") / "default.toml").is_file()

    def test_installed_layout_prefers_packaged_data(self, tmp_path: Path) -> None:
        package = tmp_path / "site-packages" / "warroom"
        (package / "_data" / "config").mkdir(parents=True)
        (tmp_path / "site-packages" / "config").mkdir()  # a stray folder must not win
        assert locate(package, "config") == package / "_data" / "config"

    def test_editable_layout_falls_back_to_repo_folder(self, tmp_path: Path) -> None:
        package = tmp_path / "repo" / "warroom"
        package.mkdir(parents=True)
        (tmp_path / "repo" / "themes").mkdir()
        assert locate(package, "themes") == tmp_path / "repo" / "themes"

    def test_missing_folder(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError, match="nothing"):
            locate(tmp_path / "warroom", "nothing")


def test_store_url_names_a_database_or_is_refused(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).store_url is None
    good = write(tmp_path, '[store]\nurl = "postgresql://warroom@db:5432/warroom"\n', "ok.toml")
    assert load_config(good).store_url == "postgresql://warroom@db:5432/warroom"
    bad = error_for(write(tmp_path, '[store]\nurl = "/var/lib/warroom.db"\n', "bad.toml"))
    assert bad.key == "store.url" and "PostgreSQL URL" in str(bad)
