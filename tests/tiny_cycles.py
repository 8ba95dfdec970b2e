"""The tiny test inventory (tests/data/tiny_micro.toml: its last flow is the product, 'garment', 1 item of 0.49 kg
per functional unit) with the sections the stock and symbiosis tests add: a lifetime under the product, the annual
output, the fate after use. Each test states its own numbers; this writes them as TOML once."""

from __future__ import annotations

from .conftest import DATA

TINY = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
MASS_KG = 0.49  # of one garment, the product of TINY


def lifetime(body: str, source: str = "desnz-2025") -> str:
    """A ``[flows.lifetime]`` table under the last flow written (the product), with provenance."""
    return f'\n[flows.lifetime]\n{body}\nsource = "{source}"\n'


def production(annual: float, low: float, high: float, what: str = "garments knitted per year") -> str:
    why = f'{{ reasoning = "test value: {what}", low = {low}, high = {high} }}'
    return f"\n[production]\nannual_output = {annual}\nassumption = {why}\n"


def end_of_use(reuse: float = 0.0, recycling: float = 0.0, energy_recovery: float = 0.0, efficiency=None) -> str:
    """``[end_of_use]`` with the shares given (zero shares left out, as the model's defaults)."""
    lines = [
        f"{key} = {value}"
        for key, value in (
            ("collected_for_reuse", reuse),
            ("collected_for_recycling", recycling),
            ("collected_for_energy_recovery", energy_recovery),
            ("recycling_efficiency_collection", efficiency),
        )
        if value
    ]
    return "\n[end_of_use]\n" + "\n".join(lines) + '\nassumption = "test values for a garment\'s fate after use"\n'
