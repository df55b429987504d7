"""Templates that try to burn CPU or memory: refused before the work, with a message naming the
operation, or stopped by the renderer process's hard limits (0.5 s of CPU, 64 MB).

Issue 18, item 2: ``([[0]]*200000)|sum(start=[])`` held a worker for 30 s, ``"%01000000000d" % 1``
built a 1 GB string, ``(["a"*199999]*5000)|join`` built its result before the size check, and
the size check counted elements, not characters.
"""

from __future__ import annotations

import resource
import time

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle.library.templating import MAX_OUTPUT_CHARS, TemplateProblem, render
from tests.factories import make_workflow

VARS = {"x": "hello world", "n": 3}

# Ten references to one 100,000-character string, and ten to that list: 10 million characters
# of text in a few hundred bytes of memory, made without any operator the sandbox sees.
TOWER = (
    "{% set a = 'x' * 100000 %}{% set l = [a, a, a, a, a, a, a, a, a, a] %}"
    "{% set m = [l, l, l, l, l, l, l, l, l, l] %}"
)


def _tuple_tower(name: str, levels: int = 10) -> str:
    """``name1`` is a tuple of ten strings, ``name2`` ten references to it, and so on: hashing
    or comparing ``name10`` walks 10**10 strings inside one C call."""
    leaf = ", ".join(["'x'"] * 10)
    source = f"{{% set {name}1 = ({leaf}) %}}"
    for level in range(2, levels + 1):
        items = ", ".join([f"{name}{level - 1}"] * 10)
        source += f"{{% set {name}{level} = ({items}) %}}"
    return source


# (template, what the refusal says): each is refused by a size check before the work is done.
REFUSED = {
    # The issue's own three.
    "sum of many lists": (
        "{{ ([[0]]*200000)|sum(start=[])|length }}",
        "The result of '*' would be 800,000 characters long; the limit is 200,000.",
    ),
    "% with a width of a billion": (
        '{{ ("%01000000000d" % 1)|length }}',
        "The result of '%' would be 1,000,000,000 characters long",
    ),
    "repeating a list of long strings": (
        '{{ (["a"*199999]*5000)|join }}',
        "The result of '*' would be 1,000,000,000 characters long",
    ),
    # "The size check counts elements, not bytes": 1,000 items of 199,999 characters.
    "characters, not elements": (
        '{{ (["a"*199999]*1000)|length }}',
        "The result of '*' would be 200,000,000 characters long",
    ),
    "% with many long values": (
        "{% set a = 'a' * 100000 %}{{ ('%s%s%s' % (a, a, a))|length }}",
        "The result of '%' would be 300,000 characters long",
    ),
    "% with a precision of half a million": (
        "{{ ('%.500000f' % 1.5)|length }}",
        "The result of '%' would be 500,330 characters long",
    ),
    "% with a width taken from the values": (
        "{{ ('%*s' % (1000000000, 'a'))|length }}",
        "The result of '%' would be 1,000,000,000 characters long",
    ),
    "* squaring a number until it has millions of digits": (
        "{% set a = 10**18 %}" + "".join("{% set a = a * a %}" for _ in range(16)) + "{{ a > 0 }}",
        "The result of '*' would be a number of more than 4,300 digits.",
    ),
    "+ of two long lists": (
        "{% set a = ['x' * 100000] %}{{ (a + a + a)|length }}",
        "The result of '+' would be 200,002 characters long",
    ),
    "~ of a list that prints as 10 million characters": (
        TOWER + "{{ (m ~ '')|length }}",
        "The result of '~' would be 10,000,110 characters long",
    ),
    "join of generated long strings": (
        "{{ ('x' * 1000)|batch(1)|map('center', 190000)|join|length }}",
        "The result of |join would be more than 200,000 characters long",
    ),
    "join with a long separator": (
        "{{ ('x' * 100000)|join('y' * 100000)|length }}",
        "The result of |join would be 10,000,000,000 characters long",
    ),
    "list of generated long strings": (
        "{{ ('x' * 1000)|batch(1)|map('center', 190000)|list|length }}",
        "The result of |list would be more than 200,000 characters long",
    ),
    "slice of generated long strings": (
        "{{ ('x' * 1000)|batch(1)|map('center', 190000)|slice(2)|first|length }}",
        "The result of |slice would be more than 200,000 characters long",
    ),
    "batch of generated long strings": (
        "{{ ('x' * 1000)|batch(1)|map('center', 190000)|batch(1000)|first|length }}",
        "The result of |batch would be more than 200,000 characters long",
    ),
    "sum of lists past the limit": (
        "{% set a = ['x' * 150000] %}{{ [a]|sum(start=a)|length }}",
        "The result of |sum would be 300,002 characters long",
    ),
    "format with a width of a billion": (
        "{{ '{:>1000000000}'.format(1)|length }}",
        "The result of .format() would be 1,000,000,000 characters long",
    ),
    "% with a key Python reads differently": (
        "{{ ('%(a(b))01000000000s' % {'a(b)': 1})|length }}",
        "That '%' format can't be used in templates; use ~ instead.",
    ),
    "format of the repr of a list that prints as 10 million characters": (
        TOWER + "{{ '{0!r}'.format(m)|length }}",
        "The result of .format() would be 60,000,662 characters long",
    ),
    "format repeating a long value": (
        "{{ ('{0}' * 50000).format('x' * 100000)|length }}",
        "The result of .format() would be 300,000 characters long",
    ),
    "center of a list that prints as 10 million characters": (
        TOWER + "{{ m|center(10)|length }}",
        "The result of |center would be 10,000,110 characters long",
    ),
    "indent of many lines by many spaces": (
        "{{ ('\\n' * 100000)|indent(100000)|length }}",
        "The result of |indent would be 10,000,",
    ),
    "indent by a long string": (
        "{{ ('\\n' * 1000)|indent('x' * 100000)|length }}",
        "The result of |indent would be 100,",
    ),
    "wordwrap with a long wrapstring": (
        "{{ ('a ' * 50000)|wordwrap(1, wrapstring='x' * 100000)|length }}",
        "The result of |wordwrap would be ",
    ),
    "replace in a list that prints as 10 million characters": (
        TOWER + "{{ m|replace('x', 'y')|length }}",
        "The result of |replace would be 10,000,110 characters long",
    ),
    "a set block collecting 200 MB": (
        "{% set b %}{% for i in range(1000) %}{{ 'x' * 199990 ~ i }}{% endfor %}{% endset %}"
        "{{ b|length }}",
        "The result of a {% set %} or {% filter %} block would be 399,982 characters long",
    ),
    "a filter block collecting 200 MB": (
        "{% filter upper %}{% for i in range(1000) %}{{ 'x' * 199990 ~ i }}{% endfor %}"
        "{% endfilter %}",
        "The result of a {% set %} or {% filter %} block would be 399,982 characters long",
    ),
}


@pytest.mark.parametrize(("source", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_an_operation_past_the_limit_is_refused_by_name_before_it_runs(source, message):
    with pytest.raises(TemplateProblem) as problem:
        render(source, VARS)
    assert message in problem.value.message


ACCEPTED = {
    "a text of exactly the limit": ("{{ 'a' * 200000 }}", 200_000),
    "% at the limit": ("{{ '%s' % ('a' * 200000) }}", 200_000),
    "format at the limit": ("{{ '{}'.format('a' * 200000) }}", 200_000),
    "replace up to the limit": ("{{ ('a' * 100000).replace('a', 'bb') }}", 200_000),
    "join up to the limit": ("{{ ['a' * 100000, 'b' * 99999]|join(',') }}", 200_000),
    "center up to the limit": ("{{ 'a'|center(200000) }}", 200_000),
    "sum of 20,000 lists, in linear time": (
        "{{ ('x' * 20000)|batch(1)|sum(start=[])|join }}",
        20_000,
    ),
    "wordwrap of a long text": ("{{ ('word ' * 30000)|wordwrap(60) }}", 149_999),
}


@pytest.mark.parametrize(("source", "length"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_legal_templates_up_to_the_limit_still_render(source, length):
    assert len(render(source, VARS)) == length


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.mark.parametrize(
    "source",
    [
        _tuple_tower("t") + "{{ {t10: 1}|length }}",  # hashing it for a dict literal
        _tuple_tower("t") + _tuple_tower("u") + "{{ t10 == u10 }}",  # comparing it
    ],
    ids=["hash", "compare"],
)
def test_a_single_c_call_that_burns_cpu_is_stopped_by_the_renderers_cpu_limit(source):
    render("{{ x|title }}", VARS)  # a renderer is up, so its start-up isn't counted below
    cpu_before = _children_cpu()
    started = time.monotonic()
    with pytest.raises(TemplateProblem, match=r"took too long to render \(the limit is 0.5 s\)"):
        render(source, VARS)
    # The renderer was killed and reaped: its whole life's CPU is in RUSAGE_CHILDREN now.
    assert _children_cpu() - cpu_before < 2.0
    assert time.monotonic() - started < 15  # generous: every core may be busy
    assert render("{{ x|title }}", VARS) == "Hello World"  # the next render gets a fresh renderer


def test_memory_past_64_mb_is_refused_by_the_renderers_memory_limit():
    # 100 different strings of 200,000 four-byte characters (80 MB), each made within the size
    # limits and held by a list literal, which no operator sees.
    items = ", ".join(f"a ~ {i}" for i in range(100))
    source = f"{{% set a = '\U0001f600' * 199990 %}}{{% set l = [{items}] %}}{{{{ l|length }}}}"
    # On a machine whose every core is busy, the renderer's CPU or wall limit may come first
    # (also a refusal); the memory limit must still be the one that answers on a later try.
    for _attempt in range(3):
        with pytest.raises(TemplateProblem) as refused:
            render(source, VARS)
        if "needs more than 64 MB of memory to render" in refused.value.message:
            break
        assert "took too long to render" in refused.value.message
    else:
        pytest.fail(f"the memory limit never answered: {refused.value.message}")
    assert render("{{ x|title }}", VARS) == "Hello World"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{{ ("%01000000000d" % 1)|length }}', "The result of '%' would be 1,000,000,000"),
        (_tuple_tower("t") + "{{ {t10: 1}|length }}", "took too long to render"),
    ],
    ids=["size", "cpu"],
)
def test_the_render_api_answers_a_hostile_template_with_422_quickly(
    member, api_client, template, message
):
    workflow = make_workflow(member, slug="hostile", steps=[template], inputs=[])
    client: Client = api_client(member)
    assert client.get(f"/api/v1/workflows/{workflow.public_id}").status_code == 200  # warm up
    started = time.monotonic()
    response = client.post(
        f"/api/v1/workflows/{workflow.public_id}/render", {}, content_type="application/json"
    )
    assert time.monotonic() - started < 15
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert message in error["message"]
    assert message in error["fields"]["steps.0.template"][0]


# Sizes near the limits, and expressions made of the bounded operators and filters.
SIZES = st.sampled_from([0, 1, 7, 1000, 49_999, 66_667, 99_999, 100_001, 199_999, 200_000, 200_001])
ATOMS = st.one_of(
    SIZES.map(lambda n: f"('x' * {n})"),
    SIZES.map(lambda n: f"([1] * {n})"),
    SIZES.map(str),
    st.sampled_from(["x", "['ab', 'c']", "'\\n'"]),
)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(inner, inner)
    sized = st.tuples(inner, SIZES)
    return st.one_of(
        sized.map(lambda t: f"({t[0]} * {t[1]})"),
        pair.map(lambda t: f"({t[0]} + {t[1]})"),
        pair.map(lambda t: f"({t[0]} ~ {t[1]})"),
        st.tuples(SIZES, inner).map(lambda t: f"('%{t[0]}s' % ({t[1]},))"),
        st.tuples(SIZES, inner).map(lambda t: f"('{{:>{t[0]}}}'.format({t[1]}))"),
        inner.map(lambda e: f"({e}|list)"),
        pair.map(lambda t: f"({t[0]}|join({t[1]}))"),
        inner.map(lambda e: f"({e}|batch(1)|sum(start=[]))"),
        sized.map(lambda t: f"({t[0]}|center({t[1]}))"),
        sized.map(lambda t: f"({t[0]}|indent({t[1]}, true, true))"),
        st.tuples(inner, SIZES, inner).map(
            lambda t: f"({t[0]}|wordwrap({max(t[1], 1)}, wrapstring={t[2]}))"
        ),
        pair.map(lambda t: f"({t[0]}|replace('x', {t[1]}))"),
        pair.map(lambda t: f"[{t[0]}, {t[1]}]"),
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(ATOMS, _combine, max_leaves=6))
def test_any_mix_of_operations_near_the_limits_renders_within_it_or_is_refused(expression):
    problem = None
    try:
        text = render(f"{{{{ {expression} }}}}", VARS)
    except TemplateProblem as error:
        problem = error
    if problem is None:
        assert len(text) <= MAX_OUTPUT_CHARS
    else:
        assert problem.message.strip()
