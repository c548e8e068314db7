"""ESO's template engine as Go runs it (plain data, no servers): Go YAML in fromYaml, `index` of a missing key,
templates Go will not parse, YAML errors of the payload as a verdict. Each case here was wrong before
(PyYAML reading, KeyMissing from index, an unclosed action copied literally, a raw yaml.YAMLError)."""

from __future__ import annotations

import pytest
import yaml

from e2e import payload as payload_mod
from e2e.gitops import goyaml
from e2e.gitops.templates import (
    TemplateExecError,
    TemplateIndexOfMissing,
    TemplateKeyMissing,
    TemplateParseError,
    TemplatePayloadNotYaml,
    TemplateUnsupported,
    evaluate,
    parse,
    render,
    render_target_data,
)


def value_of(payload_text: str, path: str = "v") -> str:
    return render(f"{{{{ (fromYaml .config).{path} }}}}", {"config": payload_text})


@pytest.mark.parametrize(("plain", "go_prints"), [
    ("1e5", "100000"), ("y", "true"), ("n", "false"), ("on", "true"), ("Off", "false"), ("0o17", "15"),
    ("017", "15"), ("0x1F", "31"), ("1_000", "1000"), ("12345678", "1.2345678e+07"), ("1.50", "1.5"),
    ("~", "<no value>"), ("", "<no value>"), ("09", "9"), ("+5", "5"), ("2001-12-14", "2001-12-14"),
    ("1e400", "1e400"), (".5", "0.5"), ("True", "true"), ("yes", "true"), ("0b101", "5"),
    ("18446744073709551615", "1.8446744073709552e+19"), ("-0.0", "-0"), ("hello", "hello"),
])
def test_from_yaml_reads_plain_scalars_as_go_yaml_v2_does(plain, go_prints):
    assert value_of(f"v: {plain}\n") == go_prints


def test_keys_are_converted_to_strings_as_sigs_yaml_does():
    assert render('{{ index (fromYaml .config) "true" }}', {"config": "y: a\n"}) == "a"
    assert render('{{ index (fromYaml .config) "1" }}', {"config": "1: b\n"}) == "b"
    assert value_of("v:\n  b: 1\n  a: [x, ~, 2]\n") == "map[a:[x <nil> 2] b:1]"


def test_double_quoted_strings_stay_strings():
    assert value_of('"v": "y"\n') == "y"
    assert value_of('v: "12345678"\n') == "12345678"


def test_only_the_first_document_counts():
    assert value_of("v: first\n---\nv: second\n") == "first"


def test_index_of_a_missing_last_key_prints_no_value_and_says_where():
    rendering = evaluate('{{ index (fromYaml .config).extraSecrets "ssh" "data" "gitSshKey" }}',
                         {"config": "extraSecrets:\n  ssh:\n    data: {}\n"})
    assert rendering.text == "<no value>"
    assert rendering.no_value_paths == ["extraSecrets.ssh.data.gitSshKey"]


def test_index_past_a_missing_key_fails_naming_the_missing_path():
    with pytest.raises(TemplateIndexOfMissing) as caught:
        render('{{ index (fromYaml .config).extraSecrets "dp-git-ssh" "data" "gitSshKey" }}',
               {"config": "extraSecrets:\n  other:\n    data:\n      gitSshKey: secret-bytes\n"})
    assert caught.value.path == ("extraSecrets", "dp-git-ssh")
    assert "secret-bytes" not in str(caught.value)
    assert isinstance(caught.value, TemplateKeyMissing)


def test_index_of_the_data_map_gives_the_empty_string():
    assert render('{{ index . "absent" }}', {"config": "x"}) == ""


@pytest.mark.parametrize("template", [
    "{{ (fromYaml .config).fernetKey }'", "{{ (fromYaml .config).fernetKey", "{{ .fernet-key }}",
    "{{ nosuchfunction .config }}", '{{ "unterminated }}', "{{ (fromYaml .config }}", "{{ }}",
    "{{ .config | \"x\" }}", "{{/* never closed }}", "{{ .config ) }}",
])
def test_templates_go_does_not_parse_are_parse_errors(template):
    with pytest.raises(TemplateParseError):
        parse(template)
    with pytest.raises(TemplateParseError):
        render_target_data({"k": template}, {"config": "fernetKey: abc\n"})


def test_trim_markers_and_comments_are_go_s():
    assert render("a \n {{- .config -}} \n b{{/* note */}}", {"config": "X"}) == "aXb"
    assert render("{{- /* trimmed */ -}} x", {"config": ""}) == "x"


@pytest.mark.parametrize("text", ["v: [unclosed\n", "- a list\n", "v: .inf\n", "a: b: c\n"])
def test_a_payload_go_cannot_read_is_a_verdict_not_a_yaml_error(text):
    with pytest.raises(TemplatePayloadNotYaml) as caught:
        value_of(text)
    assert not isinstance(caught.value, yaml.YAMLError)
    assert "unclosed" not in str(caught.value) and "a list" not in str(caught.value)


def test_functions_take_go_typed_arguments():
    with pytest.raises(TemplateExecError, match="expected string; got float64"):
        render("{{ (fromYaml .config).v | upper }}", {"config": "v: 12\n"})
    assert render("{{ (fromYaml .config).v | toString }}", {"config": "v: 12345678\n"}) == "1.2345678e+07"
    assert render('{{ (fromYaml .config).v | quote }}', {"config": 'v: "a\\"b\\n"\n'}) == '"a\\"b\\n"'
    assert render('{{ (fromYaml .config).v | default "d" }}', {"config": "v: ''\n"}) == "d"


def test_constructs_not_modelled_say_so_instead_of_guessing():
    with pytest.raises(TemplateUnsupported):
        render("{{ if .config }}x{{ end }}", {"config": "a"})
    with pytest.raises(TemplateUnsupported):
        render("{{ .config | b64dec }}", {"config": "not base64!"})


@pytest.mark.parametrize("value", ["y", "0o17", "12345678", "~", "1e5", "on", "", " lead", "a: b", "#x", "é\u2028"])
def test_the_harness_payload_is_read_alike_by_go_and_python(value):
    text = payload_mod.dumps({"v": value, "y": {"n": value}})
    assert yaml.safe_load(text) == goyaml.load_map(text) == {"v": value, "y": {"n": value}}
    assert list(goyaml.retyped_scalars(text)) == []


def test_retyped_scalars_name_the_path_and_the_go_type_not_the_value():
    found = dict(goyaml.retyped_scalars("a: 12345678\nb: y\nc: plain\nd: '017'\nn: 0o17\n"))
    assert set(found) == {"a", "b", "n"}
    assert "12345678" not in found["a"] and "float64" in found["a"]


@pytest.mark.parametrize(("value", "text"), [
    (100000.0, "100000"), (1e6, "1e+06"), (1.5e-5, "1.5e-05"), (0.0001, "0.0001"), (123456.7, "123456.7"),
    (1e21, "1e+21"), (-0.0, "-0"), (3.0, "3"), (-2.5e-7, "-2.5e-07"), (1e100, "1e+100"),
])
def test_floats_print_as_go_fmt_v(value, text):
    assert goyaml.go_float_text(value) == text


def test_an_alias_bomb_or_deep_nesting_is_declined_quickly_never_a_hang_or_a_false_failure():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)) + "v: ok\n"
    with pytest.raises(TemplateUnsupported, match="aliases"):
        value_of(bomb)
    with pytest.raises(TemplateUnsupported, match="nests deeper"):
        value_of("v: " + "[" * 5000 + "]" * 5000 + "\n")
