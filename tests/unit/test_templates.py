"""Chat templates of non-harmony GGUF models: conventions, exact output, fallback and limits.

The templates below are written in the style of the ones embedded in common GGUF files (ChatML
as used by Qwen, Llama 3, Gemma), with the same constructs: whitespace control, ``loop``,
``tojson``, ``raise_exception``, ``strftime_now``, ``enable_thinking`` and tool calls.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from engine import templates
from engine.conversation import ChatMessage, ToolCall, ToolSpec
from engine.templates import (
    PLAIN_STOP_STRINGS,
    RenderLimits,
    TemplateError,
    TemplateLimitError,
    TemplateModel,
    TemplateRaisedError,
    emits_think_tags,
    generation_opens_think,
    render_chat,
    render_plain,
    template_thinking_switch,
)

CHATML_TEMPLATE = r"""
{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0].role == 'system' %}
        {{- messages[0].content + '\n\n' }}
    {%- endif %}
    {{- '# Tools\n\nYou may call functions. Their signatures:\n<tools>' }}
    {%- for tool in tools %}
        {{- '\n' + tool | tojson }}
    {%- endfor %}
    {{- '\n</tools><|im_end|>\n' }}
{%- elif messages[0].role == 'system' %}
    {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
{%- endif %}
{%- for message in messages %}
    {%- if message.role == 'user' or (message.role == 'system' and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
    {%- elif message.role == 'assistant' %}
        {%- set content = message.content.split('</think>')[-1].lstrip('\n') %}
        {{- '<|im_start|>assistant\n' + content }}
        {%- for call in message.tool_calls | default([]) %}
            {%- if content or not loop.first %}
                {{- '\n' }}
            {%- endif %}
            {{- '<tool_call>\n{"name": "' + call.function.name + '", "arguments": ' }}
            {%- if call.function.arguments is string %}
                {{- call.function.arguments }}
            {%- else %}
                {{- call.function.arguments | tojson }}
            {%- endif %}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == 'tool' %}
        {{- '<|im_start|>user\n<tool_response>\n' + message.content }}
        {{- '\n</tool_response><|im_end|>\n' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}
"""

LLAMA3_TEMPLATE = r"""
{{- bos_token }}
{%- if messages[0].role == 'system' %}
    {%- set system_message = messages[0].content | trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = '' %}
{%- endif %}
{{- '<|start_header_id|>system<|end_header_id|>\n\n' }}
{{- 'Cutting Knowledge Date: December 2023\n' }}
{{- 'Today Date: ' + strftime_now('%d %b %Y') + '\n\n' }}
{{- system_message + '<|eot_id|>' }}
{%- for message in messages %}
    {{- '<|start_header_id|>' + message.role + '<|end_header_id|>\n\n' }}
    {{- message.content | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""

GEMMA_TEMPLATE = r"""{{ bos_token }}
{%- if messages[0]['role'] == 'system' %}
    {{- raise_exception('System role not supported') }}
{%- endif %}
{%- for message in messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('Conversation roles must alternate user/assistant/...') }}
    {%- endif %}
    {%- set role = 'model' if message['role'] == 'assistant' else message['role'] %}
    {{- '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<start_of_turn>model\n' }}
{%- endif %}
"""

# A reasoning model whose generation prompt opens the think block (QwQ / DeepSeek-R1 style).
OPENS_THINK_TEMPLATE = r"""
{%- for message in messages %}
    {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n<think>\n' }}
{%- endif %}
"""

WEATHER = ToolSpec(
    "get_weather",
    "Current weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)

WEATHER_JSON = (
    '{"type": "function", "function": {"name": "get_weather", "description": "Current weather'
    ' for a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}},'
    ' "required": ["city"]}}}'
)


def model(template: str | None, name: str = "test-model") -> TemplateModel:
    return TemplateModel(template, bos_token="<s>", eos_token="</s>", name=name)


def probe(expression: str, messages: list[ChatMessage], **kwargs: object) -> str:
    """Render a template that only prints ``expression``: shows exactly what templates receive."""
    return render_chat(model("{{ " + expression + " }}"), messages, **kwargs)  # type: ignore[arg-type]


# -- common templates, exact output ---------------------------------------------------------------


def test_chatml_plain_conversation() -> None:
    messages = [
        ChatMessage("system", "You are terse."),
        ChatMessage("user", "Capital of France?"),
        ChatMessage("assistant", "Paris.", reasoning="The user asks about France."),
        ChatMessage("user", "And Spain?"),
    ]
    assert render_chat(model(CHATML_TEMPLATE), messages) == (
        "<|im_start|>system\nYou are terse.<|im_end|>\n"
        "<|im_start|>user\nCapital of France?<|im_end|>\n"
        "<|im_start|>assistant\nParis.<|im_end|>\n"
        "<|im_start|>user\nAnd Spain?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_chatml_with_tools_and_thinking_off() -> None:
    messages = [
        ChatMessage("developer", "Use tools when useful."),
        ChatMessage("user", "Weather in Paris?"),
        ChatMessage(
            "assistant",
            "",
            tool_calls=(ToolCall("functions.get_weather", '{"city": "Paris"}'),),
        ),
        ChatMessage("tool", '{"temp_c": 21}', name="functions.get_weather"),
    ]
    rendered = render_chat(model(CHATML_TEMPLATE), messages, tools=[WEATHER], enable_thinking=False)
    assert rendered == (
        "<|im_start|>system\nUse tools when useful.\n\n"
        "# Tools\n\nYou may call functions. Their signatures:\n<tools>\n"
        + WEATHER_JSON
        + "\n</tools><|im_end|>\n"
        "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
        '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": '
        '{"city": "Paris"}}\n</tool_call><|im_end|>\n'
        '<|im_start|>user\n<tool_response>\n{"temp_c": 21}\n</tool_response><|im_end|>\n'
        "<|im_start|>assistant\n<think>\n\n</think>\n\n"
    )
    assert not generation_opens_think(rendered)


def test_chatml_without_generation_prompt() -> None:
    messages = [ChatMessage("user", "Hi"), ChatMessage("assistant", "Hello!")]
    rendered = render_chat(model(CHATML_TEMPLATE), messages, add_generation_prompt=False)
    assert rendered == ("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n")


def test_llama3_style(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates.sandbox, "_now", lambda: datetime(2025, 3, 7, 12, 0))
    messages = [
        ChatMessage("system", "  Be kind.\n"),
        ChatMessage("user", "Hi there"),
    ]
    assert render_chat(model(LLAMA3_TEMPLATE), messages) == (
        "<s><|start_header_id|>system<|end_header_id|>\n\n"
        "Cutting Knowledge Date: December 2023\nToday Date: 07 Mar 2025\n\n"
        "Be kind.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )


def test_gemma_style() -> None:
    messages = [
        ChatMessage("user", "Hi"),
        ChatMessage("assistant", "Hello! "),
        ChatMessage("user", "Bye"),
    ]
    assert render_chat(model(GEMMA_TEMPLATE), messages) == (
        "<s><start_of_turn>user\nHi<end_of_turn>\n"
        "<start_of_turn>model\nHello!<end_of_turn>\n"
        "<start_of_turn>user\nBye<end_of_turn>\n"
        "<start_of_turn>model\n"
    )


@pytest.mark.parametrize("role", ["system", "developer"])
def test_gemma_style_refuses_system_role(role: str) -> None:
    messages = [ChatMessage(role, "Be brief."), ChatMessage("user", "Hi")]  # type: ignore[arg-type]
    with pytest.raises(TemplateRaisedError) as caught:
        render_chat(model(GEMMA_TEMPLATE, name="gemma-2-2b-it"), messages)
    assert str(caught.value) == (
        "the chat template of gemma-2-2b-it refused this conversation: System role not supported"
    )
    assert isinstance(caught.value, TemplateError)
    assert isinstance(caught.value, ValueError)


def test_gemma_style_refuses_two_user_turns_in_a_row() -> None:
    messages = [ChatMessage("user", "Hi"), ChatMessage("user", "Hi again")]
    with pytest.raises(TemplateRaisedError, match="roles must alternate"):
        render_chat(model(GEMMA_TEMPLATE), messages)


def test_prompt_that_opens_the_think_block() -> None:
    rendered = render_chat(model(OPENS_THINK_TEMPLATE), [ChatMessage("user", "2+2?")])
    assert rendered == "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n"
    assert generation_opens_think(rendered)


# -- what templates receive -----------------------------------------------------------------------


def test_messages_in_openai_shape() -> None:
    messages = [
        ChatMessage("developer", "Rules."),
        ChatMessage("user", "Weather in Paris and Rome?", name="ana"),
        ChatMessage(
            "assistant",
            "Checking.",
            reasoning="secret chain of thought",
            tool_calls=(
                ToolCall("functions.get_weather", '{"city": "Paris"}'),
                ToolCall("get_weather", '{"city": "Rome"}'),
                ToolCall("functions.clock", "not json"),
            ),
        ),
        ChatMessage("tool", "clock result", name="functions.clock"),
        ChatMessage("tool", "Paris result", name="functions.get_weather"),
        ChatMessage("tool", "unnamed result"),
        ChatMessage("assistant", "Done."),
    ]
    seen = json.loads(probe("messages | tojson", messages))
    assert seen == [
        {"role": "system", "content": "Rules."},
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "call00001",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": {"city": "Paris"}},
                },
                {
                    "id": "call00002",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": {"city": "Rome"}},
                },
                {
                    "id": "call00003",
                    "type": "function",
                    "function": {"name": "clock", "arguments": "not json"},
                },
            ],
        },
        {"role": "tool", "content": "clock result", "name": "clock", "tool_call_id": "call00003"},
        {
            "role": "tool",
            "content": "Paris result",
            "name": "get_weather",
            "tool_call_id": "call00001",
        },
        {"role": "tool", "content": "unnamed result", "tool_call_id": "call00002"},
        {"role": "assistant", "content": "Done."},
    ]
    assert "secret" not in probe("messages | tojson", messages)


def test_tools_and_thinking_only_when_given() -> None:
    messages = [ChatMessage("user", "Hi")]
    expression = "(tools is defined) ~ ',' ~ (enable_thinking is defined)"
    assert probe(expression, messages) == "False,False"
    assert probe(expression, messages, tools=[WEATHER], enable_thinking=True) == "True,True"
    assert probe("enable_thinking", messages, enable_thinking=False) == "False"
    tools = json.loads(
        probe("tools | tojson", messages, tools=[WEATHER, ToolSpec("functions.now", "Time.")])
    )
    assert tools == [
        json.loads(WEATHER_JSON),
        {
            "type": "function",
            "function": {
                "name": "now",
                "description": "Time.",
                "parameters": {"type": "object", "properties": {}},
            },
        },
    ]


def test_special_tokens_and_generation_flag() -> None:
    assert probe("bos_token ~ eos_token ~ add_generation_prompt", []) == "<s></s>True"


def test_tojson_matches_transformers() -> None:
    value = "{'text': 'é <b> & \"q\"', 'n': [1, 2]}"
    assert probe(f"{value} | tojson", []) == '{"text": "é <b> & \\"q\\"", "n": [1, 2]}'
    assert probe(f"{value} | tojson(indent=2)", []) == (
        '{\n  "text": "é <b> & \\"q\\"",\n  "n": [\n    1,\n    2\n  ]\n}'
    )
    assert probe("{'b': 1, 'a': 2} | tojson(sort_keys=true, separators=(',', ':'))", []) == (
        '{"a":2,"b":1}'
    )
    assert probe("'é' | tojson(ensure_ascii=true)", []) == '"\\u00e9"'


def test_whitespace_control_matches_transformers() -> None:
    template = "{% if true %}\n  x\n{% endif %}\n  {% if true %}y{% endif %}\nz\n"
    # trim_blocks eats the newline after a block tag, lstrip_blocks the indentation before it,
    # and the template's final newline is dropped.
    assert render_chat(model(template), []) == "  x\nyz"


def test_loop_controls_and_generation_block() -> None:
    template = (
        "{% for m in messages %}{% if m.role == 'system' %}{% continue %}{% endif %}"
        "{% generation %}[{{ m.content }}]{% endgeneration %}"
        "{% if loop.index == 3 %}{% break %}{% endif %}{% endfor %}"
    )
    messages = [ChatMessage("system", "s")] + [ChatMessage("user", str(i)) for i in range(5)]
    assert render_chat(model(template), messages) == "[0][1]"


def test_strftime_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates.sandbox, "_now", lambda: datetime(2024, 7, 26, 9, 30))
    assert probe("strftime_now('%Y-%m-%d %H:%M')", []) == "2024-07-26 09:30"


# -- the plain fallback ---------------------------------------------------------------------------


def test_plain_transcript() -> None:
    messages = [
        ChatMessage("system", "You are a helpful assistant."),
        ChatMessage("developer", "Answer in one word."),
        ChatMessage("user", " Hi \n"),
        ChatMessage("assistant", "Hello!", reasoning="never shown"),
        ChatMessage("user", "Name a colour."),
    ]
    assert render_plain(messages, bos_token="<bos>") == (
        "<bos>You are a helpful assistant.\n\nAnswer in one word.\n\n"
        "User: Hi\n"
        "Assistant: Hello!\n"
        "User: Name a colour.\n"
        "Assistant:"
    )
    assert render_plain(messages[2:4], bos_token="", add_generation_prompt=False) == (
        "User: Hi\nAssistant: Hello!\n"
    )


def test_plain_transcript_with_tools_and_late_instructions() -> None:
    messages = [
        ChatMessage("user", "Weather?"),
        ChatMessage("assistant", "", tool_calls=(ToolCall("functions.get_weather", "{}"),)),
        ChatMessage("tool", "sunny", name="functions.get_weather"),
        ChatMessage("system", "Be brief."),
    ]
    assert render_plain(messages, bos_token="") == (
        "User: Weather?\n"
        "Tool call: get_weather({})\n"
        "Tool result (get_weather): sunny\n"
        "System: Be brief.\n"
        "Assistant:"
    )


@pytest.mark.parametrize("template", [None, "", "  \n"])
def test_models_without_template_use_the_plain_transcript(template: str | None) -> None:
    messages = [ChatMessage("system", "Be brief."), ChatMessage("user", "Hi")]
    gemma_base = TemplateModel(template, bos_token="<bos>", eos_token="<eos>", name="gemma-3-270m")
    assert render_chat(gemma_base, messages, tools=[WEATHER], enable_thinking=True) == (
        "<bos>Be brief.\n\nUser: Hi\nAssistant:"
    )


def test_plain_stop_strings_end_the_reply() -> None:
    assert "\nUser:" in PLAIN_STOP_STRINGS
    continuation = " Blue.\nUser: And another?"
    cut = min(continuation.find(s) for s in PLAIN_STOP_STRINGS if s in continuation)
    assert continuation[:cut].strip() == "Blue."


# -- what the template tells about the model ------------------------------------------------------


def test_thinking_switch() -> None:
    assert template_thinking_switch(CHATML_TEMPLATE)
    assert not template_thinking_switch(LLAMA3_TEMPLATE)
    assert not template_thinking_switch(GEMMA_TEMPLATE)
    assert not template_thinking_switch(None)
    assert not template_thinking_switch("")
    # Setting the variable itself is not reading a switch.
    assert not template_thinking_switch(
        "{% set enable_thinking = true %}{% if enable_thinking %}x{% endif %}"
    )
    # A template Jinja cannot parse is judged by whether it names the variable.
    assert template_thinking_switch("{% if enable_thinking %")


def test_think_tag_detection() -> None:
    assert emits_think_tags(CHATML_TEMPLATE)
    assert emits_think_tags(OPENS_THINK_TEMPLATE)
    assert emits_think_tags("{{ message.content.split('</think>')[-1] }}")
    assert not emits_think_tags(LLAMA3_TEMPLATE)
    assert not emits_think_tags(GEMMA_TEMPLATE)
    assert not emits_think_tags(None)


# -- errors and limits ----------------------------------------------------------------------------


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(
        TemplateError, match=r"^the chat template of bad is not valid Jinja \(line 2\)"
    ):
        render_chat(model("ok\n{% if %}", name="bad"), [])


def test_undefined_attribute_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="UndefinedError"):
        render_chat(model("{{ messages[0].content }}"), [])


def test_sandbox_blocks_python_internals() -> None:
    with pytest.raises(TemplateError, match="SecurityError"):
        render_chat(model("{{ ''.__class__.__mro__[1].__subclasses__() }}"), [])


def test_sandbox_blocks_mutation() -> None:
    messages = [ChatMessage("user", "Hi")]
    with pytest.raises(TemplateError, match="SecurityError"):
        render_chat(model("{{ messages.append({'role': 'user'}) }}"), messages)


HOSTILE = [
    pytest.param('{{ "x" * 10**10 }}', "repetition would have 10000000000", id="string-repetition"),
    pytest.param("{{ [1] * 10**9 }}", "repetition", id="list-repetition"),
    pytest.param(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "loops ran more than 1000000 iterations",
        id="nested-loops",
    ),
    pytest.param(
        '{% set ns = namespace(s="ab") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}'
        "{% endfor %}{{ ns.s }}",
        "built a value of more than 4194304 characters",
        id="doubling-concatenation",
    ),
    pytest.param(
        '{% set a = "x" * 1000000 %}{% set b = a ~ a ~ a ~ a %}{% set c = b ~ b %}{{ c }}',
        "built a value",
        id="concatenation-chain",
    ),
    pytest.param(
        '{% for i in range(100000) %}{{ "y" * 1000 }}{% endfor %}',
        "the prompt would exceed 4194304 characters",
        id="long-output",
    ),
    pytest.param(
        '{% macro m() %}{% for i in range(100000) %}{{ "z" * 4000 }}{% endfor %}{% endmacro %}'
        "{{ m() | length }}",
        "wrote more than 16777216 characters",
        id="output-hidden-in-macro",
    ),
    pytest.param('{{ "%0999999999d" | format(1) }}', "format width", id="format-filter-width"),
    pytest.param('{{ "%0999999999d" % 1 }}', "format width", id="percent-width"),
    pytest.param('{{ "{:>999999999}".format(1) }}', "format width", id="str-format-width"),
    pytest.param('{{ "x".ljust(10**10) }}', "ljust", id="ljust"),
    pytest.param('{{ "x" | center(10**10) }}', "center", id="center-filter"),
    pytest.param('{{ ("a" * 4000000).replace("a", "bb") }}', "replace", id="replace-growth"),
    pytest.param('{{ range(100000) | join("x" * 1000) }}', "join", id="join-separator"),
    pytest.param("{{ 2 ** 100000000 }}", "65536 bits", id="huge-power"),
    pytest.param('{{ ("<>" * 1000000) | striptags }}', "quadratic", id="quadratic-filter"),
    pytest.param("{{ [1] | batch(10**9, 0) | list }}", "batch size", id="batch-fill"),
    pytest.param("{{ [1, 2] | tojson(indent=10**9) }}", "indent", id="tojson-indent"),
]


@pytest.mark.parametrize(("template", "reason"), HOSTILE)
def test_hostile_templates_fail_cleanly(template: str, reason: str) -> None:
    with pytest.raises(TemplateLimitError, match=reason) as caught:
        render_chat(model(template, name="hostile"), [])
    assert str(caught.value).startswith("the chat template of hostile exceeded a render limit: ")


def test_recursive_loops_count_their_iterations() -> None:
    template = (
        "{% for x in [0] recursive %}{% if loop.depth < 5 %}{{ loop(range(100)) }}{% endif %}"
        "{% endfor %}"
    )
    with pytest.raises(TemplateLimitError, match="loops ran more than 10000 iterations"):
        render_chat(model(template), [], limits=RenderLimits(max_loop_iterations=10_000))


def test_runaway_recursion_fails_cleanly() -> None:
    with pytest.raises(TemplateError, match="recurses too deeply"):
        render_chat(model("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}"), [])


def test_lipsum_is_not_available() -> None:
    with pytest.raises(TemplateError, match="'lipsum' is undefined"):
        render_chat(model("{{ lipsum(100000000) }}"), [])


def test_time_limit() -> None:
    template = (
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}"
    )
    generous = RenderLimits(
        max_seconds=0.2,
        max_loop_iterations=10**12,
        max_output_chars=10**12,
        max_written_chars=10**12,
    )
    with pytest.raises(TemplateLimitError, match=r"took longer than 0\.2 s"):
        render_chat(model(template), [], limits=generous)


def test_template_size_limit() -> None:
    with pytest.raises(TemplateLimitError, match="has 101 characters"):
        render_chat(model("x" * 101), [], limits=RenderLimits(max_template_chars=100))


def test_limits_apply_per_render() -> None:
    limits = RenderLimits(max_loop_iterations=10)
    six = model("{% for i in range(6) %}{{ i }}{% endfor %}")
    assert render_chat(six, [], limits=limits) == "012345"
    assert render_chat(six, [], limits=limits) == "012345"
    with pytest.raises(TemplateLimitError, match="more than 10 iterations"):
        render_chat(model("{% for i in range(11) %}{% endfor %}"), [], limits=limits)


def test_limits_leave_large_prompts_alone() -> None:
    document = "lorem ipsum " * 200_000  # 2.4 MB, a long document pasted into the chat
    rendered = render_chat(model(CHATML_TEMPLATE), [ChatMessage("user", document)])
    assert len(rendered) == len(document) + len(
        "<|im_start|>user\n<|im_end|>\n<|im_start|>assistant\n"
    )


def test_absurdly_long_widths_are_refused_as_limits() -> None:
    with pytest.raises(TemplateLimitError, match="format width"):
        render_chat(model('{{ "%0' + "9" * 5000 + 'd" % 1 }}'), [])
