"""Screen adverts: the library entry point that the CLI, batch and the report all call."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from itertools import islice

from scamscreen.catalogue import Catalogue, default_catalogue
from scamscreen.contacts import find_contacts
from scamscreen.errors import InputError
from scamscreen.language import detect
from scamscreen.model import TOP_TERMS, Prediction, TextModel, default_model
from scamscreen.normalize import fold
from scamscreen.rules import analyse_many, prepare_prefilter
from scamscreen.scoring import CLASSIFIER_LANGUAGES, Assessment, Calibration, combine

# One advert is a few KB; 100,000 characters is far beyond any real ad. Longer input is
# screened on this prefix, with a warning, so a pasted megabyte can neither hang nor blow up.
MAX_CHARS = 100_000
PRIOR_RANGE_MESSAGE = "--prior must be a probability strictly between 0 and 1"


def check_text(text: object) -> str:
    """Reject what cannot be screened, with a message a user can act on."""
    if not isinstance(text, str):
        raise InputError(f"an advert must be text, not {type(text).__name__}")
    if not text.strip():
        raise InputError("the advert is empty")
    if "\x00" in text:
        raise InputError("the advert contains NUL bytes: this looks like a binary file, not text")
    return text


def _length_warning(text: str) -> tuple[str, ...]:
    if len(text) <= MAX_CHARS:
        return ()
    return (f"the advert has {len(text):,} characters; only the first {MAX_CHARS:,} were "
            "screened",)


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
            raise InputError(PRIOR_RANGE_MESSAGE)
        self.calibration = calibration.with_prior(prior)
        learnt = self.model.metadata.get("languages") if self.model else None
        self.classifier_languages = frozenset(learnt) if learnt else CLASSIFIER_LANGUAGES

    def screen(self, text: str) -> Assessment:
        """Score one advert from 0 to 100, with every point explained.

        Raises ``InputError`` for text that is empty, blank or holds NUL characters. Text longer
        than ``MAX_CHARS`` characters is screened on its first ``MAX_CHARS`` characters and the
        result carries a warning saying so; evidence offsets always index ``text`` as given.
        """
        [result] = self.screen_chunk([text])
        if isinstance(result, InputError):
            raise result
        return result

    def screen_chunk(self, texts: Sequence[str], *, term_explanations: bool = True
                     ) -> list[Assessment | InputError]:
        """``screen`` for each text, or the ``InputError`` it raises, in order: the same
        assessments, computed a stage at a time over all texts (folding, contacts, rules, the
        classifier), which keeps each stage's tables in the CPU's caches and lets the
        classifier look up all texts' words at once. Several times faster per advert than
        ``screen`` for chunks of a hundred or more.

        ``term_explanations=False`` leaves out the classifier's top terms (its probability and
        every score are unchanged), for callers that do not show them. A chunk of one is
        ``screen`` itself."""
        results: list[Assessment | InputError | None] = [None] * len(texts)
        positions: list[int] = []
        screened: list[str] = []
        for position, text in enumerate(texts):
            try:
                text = check_text(text)
            except InputError as error:
                results[position] = error
                continue
            positions.append(position)
            screened.append(text[:MAX_CHARS])
        folded = [fold(text) for text in screened]
        contacts = [find_contacts(item) for item in folded]
        analysed = analyse_many(self.catalogue, folded, contacts)
        hits = [found for found, _ in analysed]
        # Scripts are counted on the input: folding turns Cyrillic look-alikes into Latin.
        languages = [detect(item.source, index) for item, (_, index) in zip(folded, analysed,
                                                                             strict=True)]
        predictions: list[Prediction | None] = [None] * len(folded)
        if self.model:
            predictions = list(self.model.predict_many(
                [item.text for item in folded], TOP_TERMS if term_explanations else 0))
        prevalence = self.model.train_prevalence if self.model else 0.5
        for index, position in enumerate(positions):
            text = texts[position]
            warnings = _length_warning(text)
            results[position] = combine(text, self.catalogue, hits[index], predictions[index],
                                        prevalence, self.calibration, contacts[index], warnings,
                                        len(screened[index]), languages[index],
                                        self.classifier_languages)
        return results  # type: ignore[return-value]  # every position is filled above

    def prepare_for_chunks(self) -> None:
        """Build now what ``screen_chunk`` otherwise builds on its first call (the rules'
        prefilter sets, the classifier's word-pair lookup): for a batch worker, which can do
        this while its first chunk is still being read."""
        prepare_prefilter(self.catalogue)
        if self.model:
            self.model.prepare_for_many()

    def screen_many(self, texts: Iterable[str], chunk_size: int = 128
                    ) -> Iterator[Assessment | InputError]:
        """Screen each text in turn; a text that cannot be screened yields its error instead.
        Texts are read ``chunk_size`` at a time and screened together (``screen_chunk``)."""
        iterator = iter(texts)
        while chunk := list(islice(iterator, chunk_size)):
            yield from self.screen_chunk(chunk)


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
