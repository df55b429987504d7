from __future__ import annotations

from django import forms

from huddle.runs.providers.models import ProviderConfig, ProviderKind
from huddle.runs.providers.services import ProviderFields


class ProviderForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What members see, e.g. 'OpenAI' or 'Ollama'.")
    kind = forms.ChoiceField(choices=ProviderKind.choices, label="Kind")
    base_url = forms.CharField(
        max_length=500,
        required=False,
        label="Base URL",
        help_text="Leave blank for the official API. Ollama: http://localhost:11434/v1; "
        "Azure: https://&lt;resource&gt;.openai.azure.com/openai/v1.",
    )
    model = forms.CharField(max_length=120, label="Model", help_text="e.g. gpt-4o-mini, llama3.1")
    api_key = forms.CharField(
        max_length=1000,
        required=False,
        label="API key",
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    clear_key = forms.BooleanField(required=False, label="Remove the stored key")
    allowed_private_host = forms.BooleanField(
        required=False,
        label="Allow a private address",
        help_text="Only for a model server on your own network (e.g. Ollama on localhost). "
        "Huddle otherwise refuses private, loopback and link-local addresses.",
    )
    is_default = forms.BooleanField(required=False, label="Default provider")
    enabled = forms.BooleanField(required=False, initial=True, label="Switched on")

    def __init__(self, *args: object, config: ProviderConfig | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)
        if config is None:
            del self.fields["clear_key"]
            self.fields["api_key"].help_text = "Stored encrypted; only its last 4 characters show."
        else:
            hint = config.key_hint or "none"
            self.fields["api_key"].help_text = (
                f"Stored key: {hint}. Leave blank to keep it. Changing the base URL removes it "
                "unless you enter it again."
            )
            if not config.has_key:
                del self.fields["clear_key"]

    def provider_fields(self) -> ProviderFields:
        data = self.cleaned_data
        return ProviderFields(**{name: data[name] for name in ProviderFields.__dataclass_fields__})

    @staticmethod
    def initial_for(config: ProviderConfig) -> dict[str, object]:
        return {name: getattr(config, name) for name in ProviderFields.__dataclass_fields__}
