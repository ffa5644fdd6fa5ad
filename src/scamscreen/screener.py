"""Screen adverts: the library entry point that the CLI, batch and the report all call."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from scamscreen.catalogue import Catalogue, default_catalogue
from scamscreen.contacts import find_contacts
from scamscreen.errors import InputError
from scamscreen.model import TextModel, default_model
from scamscreen.normalize import fold
from scamscreen.rules import find_hits
from scamscreen.scoring import Assessment, Calibration, combine

# One advert is a few KB; 100,000 characters is far beyond any real ad. Longer input is
# screened on this prefix, with a warning, so a pasted megabyte can neither hang nor blow up.
MAX_CHARS = 100_000


def check_text(text: object) -> str:
    """Reject what cannot be screened, with a message a user can act on."""
    if not isinstance(text, str):
        raise InputError(f"an advert must be text, not {type(text).__name__}")
    if not text.strip():
        raise InputError("the advert is empty")
    if "\x00" in text:
        raise InputError("the advert contains NUL bytes: this looks like a binary file, not text")
    return text


class Screener:
    """Holds a catalogue, a model and a calibration; screens any number of adverts."""

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        model: TextModel | None = None,
        *,
        use_model: bool = True,
        prior: float | None = None,
    ) -> None:
        self.catalogue = catalogue or default_catalogue()
        self.model = (model or default_model()) if use_model else None
        calibration = Calibration.from_mapping(
            self.model.metadata.get("calibration") if self.model else None
        )
        if prior is not None and not 0 < prior < 1:
            raise InputError("--prior must be a probability strictly between 0 and 1")
        self.calibration = calibration.with_prior(prior)

    def screen(self, text: str) -> Assessment:
        """Score one advert from 0 to 100, with every point explained.

        Raises ``InputError`` for text that is empty, blank or holds NUL characters. Text longer
        than ``MAX_CHARS`` characters is screened on its first ``MAX_CHARS`` characters and the
        result carries a warning saying so; evidence offsets always index ``text`` as given.
        """
        text = check_text(text)
        warnings: tuple[str, ...] = ()
        screened = text
        if len(text) > MAX_CHARS:
            screened = text[:MAX_CHARS]
            warnings = (f"the advert has {len(text):,} characters; only the first "
                        f"{MAX_CHARS:,} were screened",)
        folded = fold(screened)
        contacts = find_contacts(folded)
        hits = find_hits(self.catalogue, folded, contacts)
        prediction = self.model.predict_folded(folded.text) if self.model else None
        prevalence = self.model.train_prevalence if self.model else 0.5
        return combine(text, self.catalogue, hits, prediction, prevalence, self.calibration,
                       contacts, warnings, len(screened))

    def screen_many(self, texts: Iterable[str]) -> Iterator[Assessment | InputError]:
        """Screen each text in turn; a text that cannot be screened yields its error instead."""
        for text in texts:
            try:
                yield self.screen(text)
            except InputError as error:
                yield error


@cache
def default_screener(prior: float | None = None) -> Screener:
    return Screener(prior=prior)


def screen(text: str, *, prior: float | None = None) -> Assessment:
    """Screen one advert with the shipped catalogue and model."""
    return default_screener(prior).screen(text)


def screen_many(texts: Iterable[str], *, prior: float | None = None
                ) -> Iterator[Assessment | InputError]:
    """Screen many adverts with the shipped catalogue and model, in order."""
    return default_screener(prior).screen_many(texts)
