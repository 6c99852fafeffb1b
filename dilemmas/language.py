"""What employees read, in the languages an installation may choose: the
one place for translations that every layer may use (the API's problems
and their pages, push texts, names of scopes and categories). A leaf: it
imports nothing of ours.

A problem's *cause* (``dilemmas.errors.DomainError.cause``, or the web
layer's own for HTTP errors) names its type, ``/problems/<cause>``: a
client tells causes apart by it, never by the Dutch detail."""

from __future__ import annotations

import re
from dataclasses import dataclass

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"


@dataclass(frozen=True)
class Cause:
    """One problem type: its status, its title, and what to do about it
    (the page at its URI, and the detail in English)."""

    status: int
    title: dict[str, str]
    advice: dict[str, str]


def _cause(status: int, title_nl: str, title_en: str, advice_nl: str, advice_en: str) -> Cause:
    return Cause(status, {"nl": title_nl, "en": title_en}, {"nl": advice_nl, "en": advice_en})


CAUSES: dict[str, Cause] = {
    "bad-request": _cause(
        400,
        "Ongeldig verzoek",
        "Bad request",
        "De inhoud is geen geldige JSON zoals Kompas die leest. Herstel het verzoek; opnieuw sturen helpt niet.",
        "The body is not valid JSON as Kompas reads it. Fix the request; sending it again will not help.",
    ),
    "token-missing": _cause(
        401,
        "Niet aangemeld",
        "Not signed in",
        "Er is geen token meegestuurd. Stuur 'Authorization: Bearer TOKEN' mee.",
        "No token was sent. Send 'Authorization: Bearer TOKEN'.",
    ),
    "token-unknown": _cause(
        401,
        "Onbekend token",
        "Unknown token",
        "Dit token kent Kompas niet (meer): de installatie is gewist, of het token is nooit uitgegeven. "
        "Registreer de app opnieuw; eerdere antwoorden zijn niet terug te halen.",
        "Kompas does not know this token (any more): the installation was erased, or the token was never "
        "issued. Register the app again; earlier answers cannot be recovered.",
    ),
    "admin-token-invalid": _cause(
        401,
        "Beheertoken ongeldig",
        "Admin token not valid",
        "Het beheertoken is onbekend, verlopen of ingetrokken. Vraag een nieuw token.",
        "The admin token is unknown, expired or revoked. Ask for a new one.",
    ),
    "forbidden": _cause(
        403,
        "Geen toegang",
        "Forbidden",
        "Je mag dit niet doen met deze rol.",
        "Your role does not allow this.",
    ),
    "lead-only": _cause(
        403,
        "Alleen voor de teamleider",
        "Team lead only",
        "Alleen de teamleider kan dit doen. Laat de knop weg voor andere leden.",
        "Only the team's lead can do this. Hide the action from other members.",
    ),
    "four-eyes": _cause(
        403,
        "Vier ogen",
        "Four eyes",
        "Een revisie wordt beoordeeld door iemand anders dan de schrijver.",
        "A revision is reviewed by someone other than its author.",
    ),
    "not-found": _cause(
        404,
        "Niet gevonden",
        "Not found",
        "Dit bestaat niet, of hoort bij een andere organisatie of installatie.",
        "This does not exist, or belongs to another organisation or installation.",
    ),
    "method-not-allowed": _cause(
        405,
        "Methode niet toegestaan",
        "Method not allowed",
        "Deze methode kan hier niet; de header Allow noemt wat wel kan.",
        "This method is not allowed here; the Allow header names the ones that are.",
    ),
    "not-acceptable": _cause(
        406,
        "Formaat niet beschikbaar",
        "Not acceptable",
        "Dit antwoord is er niet in het gevraagde formaat.",
        "This response is not available in the format asked for.",
    ),
    "conflict": _cause(
        409,
        "Conflict",
        "Conflict",
        "Het verzoek botst met de huidige toestand. Lees de toestand opnieuw.",
        "The request clashes with the current state. Read the state again.",
    ),
    "answer-first": _cause(
        409,
        "Eerst antwoorden",
        "Answer first",
        "Zolang de week loopt, zie je de uitkomsten pas na je eigen antwoord.",
        "While the week is open, the results show after your own answer.",
    ),
    "week-closed": _cause(
        409,
        "Week voorbij",
        "Week closed",
        "De week van dit dilemma is voorbij; het antwoord in 'answer' blijft staan.",
        "This dilemma's week is over; the answer in 'answer' stands.",
    ),
    "prediction-fixed": _cause(
        409,
        "Inschatting staat vast",
        "Prediction fixed",
        "Je inschatting geef je met je eerste antwoord; daarna verandert ze niet meer. "
        "Stuur 'prediction' niet opnieuw mee, of stuur dezelfde.",
        "The prediction is given with the first answer and does not change after it. "
        "Leave 'prediction' out, or send the same one.",
    ),
    "step-refused": _cause(
        409,
        "Stap niet mogelijk",
        "Step refused",
        "Deze stap kan niet in de toestand 'state' van de sessie; 'allowed' noemt wat wel kan.",
        "This step is not possible in the session's 'state'; 'allowed' names what is.",
    ),
    "too-few-votes": _cause(
        409,
        "Te weinig stemmen",
        "Too few votes",
        "Onthullen kan vanaf 'needed' stemmen; er zijn er 'votes'.",
        "Revealing takes 'needed' votes; there are 'votes'.",
    ),
    "consensus-recorded": _cause(
        409,
        "Teamantwoord al vastgelegd",
        "Team answer recorded",
        "Het antwoord van het team op dit dilemma is al vastgelegd.",
        "The team's answer to this dilemma is already recorded.",
    ),
    "session-open": _cause(
        409,
        "Sessie al open",
        "Session already open",
        "Dit team heeft al een open sessie ('session_id'); sluit die eerst.",
        "The team already has an open session ('session_id'); close it first.",
    ),
    "no-method": _cause(
        409,
        "Geen methode",
        "No method",
        "Deze sessie volgt geen methode; kies eerst een methode.",
        "This session follows no method; choose one first.",
    ),
    "team-limit": _cause(
        409,
        "Te veel teams",
        "Too many teams",
        "Je bent lid van het maximum aantal teams ('limit'); verlaat er eerst een.",
        "You are in the maximum number of teams ('limit'); leave one first.",
    ),
    "unknown-reference": _cause(
        409,
        "Onbekende verwijzing",
        "Unknown reference",
        "Een veld noemt iets dat niet bestaat (een aanmeldcode, categorie, artikel); zie 'errors'.",
        "A field names something that does not exist (an enrolment code, category, section); see 'errors'.",
    ),
    "out-of-range": _cause(
        409,
        "Buiten bereik",
        "Out of range",
        "De waarde in 'field' kan nu niet; kies een andere.",
        "The value of 'field' is not possible now; choose another.",
    ),
    "transition-refused": _cause(
        409,
        "Overgang niet mogelijk",
        "Transition refused",
        "Deze actie kan niet bij de status 'state'; 'allowed' noemt wat wel kan.",
        "This action is not possible in status 'state'; 'allowed' names what is.",
    ),
    "week-taken": _cause(
        409,
        "Week bezet",
        "Week taken",
        "In deze week staat al een dilemma, of de week is al begonnen.",
        "This week already has a dilemma, or has already begun.",
    ),
    "text-frozen": _cause(
        409,
        "Tekst staat vast",
        "Text is frozen",
        "De week van dit dilemma is begonnen: de tekst verandert pas na de week, of in een nieuwe editie.",
        "This dilemma's week has begun: its text changes only after the week, or in a new edition.",
    ),
    "edition-refused": _cause(
        409,
        "Nieuwe editie niet mogelijk",
        "New edition refused",
        "Een dilemma loopt opnieuw als de week van de laatste editie voorbij is, niet eerder dan "
        "'earliest_week', en alleen vanaf de nieuwste editie; 'reason' zegt wat hier ontbreekt.",
        "A dilemma runs again once its last edition's week is over, not before 'earliest_week', and only "
        "from its newest edition; 'reason' says what is missing here.",
    ),
    "already-answered": _cause(
        409,
        "Al beantwoord",
        "Already answered",
        "Er zijn al antwoorden; dit kan daarom niet meer.",
        "There are answers already, so this is no longer possible.",
    ),
    "duplicate": _cause(
        409,
        "Dubbel",
        "Duplicate",
        "De waarde in 'field' bestaat al; kies een andere.",
        "The value of 'field' exists already; choose another.",
    ),
    "request-in-flight": _cause(
        409,
        "Verzoek nog bezig",
        "Request in flight",
        "Een verzoek met deze Idempotency-Key is nog bezig. Stuur het na Retry-After seconden opnieuw.",
        "A request with this Idempotency-Key is still in flight. Send it again after Retry-After seconds.",
    ),
    "payload-too-large": _cause(
        413,
        "Verzoek te groot",
        "Payload too large",
        "Het verzoek is groter dan toegestaan.",
        "The request is larger than allowed.",
    ),
    "unsupported-media-type": _cause(
        415,
        "Verkeerd formaat",
        "Unsupported media type",
        "Stuur de inhoud als JSON, met 'Content-Type: application/json'.",
        "Send the body as JSON, with 'Content-Type: application/json'.",
    ),
    "validation": _cause(
        422,
        "Ongeldige invoer",
        "Invalid input",
        "Een of meer velden zijn niet in orde; 'errors' zegt welke en waarom.",
        "One or more fields are not acceptable; 'errors' says which and why.",
    ),
    "key-reused": _cause(
        422,
        "Idempotency-Key al gebruikt",
        "Idempotency-Key reused",
        "Deze Idempotency-Key is al gebruikt voor een ander verzoek. Kies per handeling een nieuwe sleutel.",
        "This Idempotency-Key was used for another request. Choose a new key per action.",
    ),
    "precondition-required": _cause(
        428,
        "Voorwaarde vereist",
        "Precondition required",
        "Dit verzoek heeft een voorwaarde nodig (If-Match).",
        "This request needs a precondition (If-Match).",
    ),
    "too-many-requests": _cause(
        429,
        "Te veel verzoeken",
        "Too many requests",
        "Te veel verzoeken in korte tijd. Wacht Retry-After seconden en probeer het dan opnieuw.",
        "Too many requests in a short time. Wait Retry-After seconds, then try again.",
    ),
    "code-attempts": _cause(
        429,
        "Te veel verkeerde codes",
        "Too many wrong codes",
        "Te veel verkeerde codes. Wacht Retry-After seconden en controleer de code.",
        "Too many wrong codes. Wait Retry-After seconds and check the code.",
    ),
    "internal": _cause(
        500,
        "Er ging iets mis",
        "Something went wrong",
        "Probeer het later opnieuw; noem 'request_id' als je het meldt.",
        "Try again later; quote 'request_id' when you report it.",
    ),
    "unavailable": _cause(
        503,
        "Tijdelijk niet beschikbaar",
        "Temporarily unavailable",
        "De database is even niet bereikbaar. Probeer het na Retry-After seconden opnieuw.",
        "The database cannot be reached for a moment. Try again after Retry-After seconds.",
    ),
}

# The scope of everyone's answers, as the results name it.
ALL_COLLEAGUES = {"nl": "Alle collega's", "en": "All colleagues"}


# The field message of a prediction whose percentages do not add up to 100.
PREDICTION_SUM = {
    "nl": "De percentages tellen op tot {total}; samen moeten ze precies 100 zijn.",
    "en": "The percentages add up to {total}; together they must make exactly 100.",
}


def named(locale: str, dutch: str, english: str | None) -> str:
    """A name in ``locale``: the English one where there is one, else the
    Dutch (the bank's names are Dutch first)."""
    return english if locale == "en" and english else dutch


# The cause of an error that names none, by status.
BY_STATUS = {
    400: "bad-request",
    401: "token-missing",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal",
    503: "unavailable",
}


def cause_for(status: int, cause: str | None = None) -> str:
    """The cause to name: ``cause`` when it is one of ours, else the status's."""
    if cause in CAUSES:
        return cause
    return BY_STATUS.get(status, "internal" if status >= 500 else "bad-request")


def choose(accept_language: str | None) -> str:
    """The best of LOCALES for an Accept-Language header (RFC 9110:
    weights, ``en-GB`` counting as ``en``), else the default."""
    best, best_weight = DEFAULT_LOCALE, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        # Earlier tags win ties: the order a phone lists its languages in.
        weight -= position * 1e-6
        if language in LOCALES and weight > best_weight:
            best, best_weight = language, weight
    return best


# The messages per field of a problem (``errors``), in both languages: the
# schemas' own (marshmallow's, in English) and the domain's (in Dutch).
# ``{name}`` stands for a value that is kept as it is (a number, a list of
# choices). Earlier entries win: a more specific message comes first.
_MIN_OPS = {"greater than or equal to": "minstens", "greater than": "groter dan"}
_MAX_OPS = {"less than or equal to": "hoogstens", "less than": "kleiner dan"}
FIELD_MESSAGES: tuple[dict[str, str], ...] = (
    # marshmallow's fields
    {"en": "Missing data for required field.", "nl": "Dit veld is verplicht."},
    {"en": "Field may not be null.", "nl": "Dit veld mag niet null zijn."},
    {"en": "Invalid value.", "nl": "Ongeldige waarde."},
    {"en": "Not a valid string.", "nl": "Geen geldige tekst."},
    {"en": "Not a valid utf-8 string.", "nl": "Geen geldige UTF-8-tekst."},
    {"en": "Not a valid number.", "nl": "Geen geldig getal."},
    {"en": "Not a valid integer.", "nl": "Geen geldig geheel getal."},
    {"en": "Number too large.", "nl": "Het getal is te groot."},
    {
        "en": "Special numeric values (nan or infinity) are not permitted.",
        "nl": "Bijzondere getallen (nan of oneindig) kunnen niet.",
    },
    {"en": "Not a valid boolean.", "nl": "Geen geldige waarheidswaarde (true of false)."},
    {"en": "Not a valid datetime.", "nl": "Geen geldig tijdstip."},
    {"en": "Not a valid date.", "nl": "Geen geldige datum (JJJJ-MM-DD)."},
    {"en": "Not a valid time.", "nl": "Geen geldige tijd."},
    {"en": "Not a valid period of time.", "nl": "Geen geldige tijdsduur."},
    {"en": "Not a valid list.", "nl": "Geen geldige lijst."},
    {"en": "Not a valid tuple.", "nl": "Geen geldige reeks."},
    {"en": "Not a valid mapping type.", "nl": "Geen geldig object."},
    {"en": "Invalid type.", "nl": "Ongeldig type."},
    {"en": "Not a valid email address.", "nl": "Geen geldig e-mailadres."},
    {"en": "Not a valid URL.", "nl": "Geen geldige URL."},
    {"en": "Not a valid UUID.", "nl": "Geen geldige UUID."},
    {"en": "Not a valid IP address.", "nl": "Geen geldig IP-adres."},
    {"en": "Not a valid IPv4 address.", "nl": "Geen geldig IPv4-adres."},
    {"en": "Not a valid IPv6 address.", "nl": "Geen geldig IPv6-adres."},
    {"en": "Not a valid IP interface.", "nl": "Geen geldige IP-interface."},
    {"en": "Not a valid IPv4 interface.", "nl": "Geen geldige IPv4-interface."},
    {"en": "Not a valid IPv6 interface.", "nl": "Geen geldige IPv6-interface."},
    {"en": "Not a valid {awareness} {obj_type}.", "nl": "Geen geldige {obj_type} ({awareness})."},
    {"en": "Not a valid {obj_type}.", "nl": "Geen geldige {obj_type}."},
    {"en": '"{input}" cannot be formatted as a {obj_type}.', "nl": '"{input}" is niet te schrijven als {obj_type}.'},
    {"en": "{input} cannot be formatted as a timedelta.", "nl": "{input} is niet te schrijven als tijdsduur."},
    # marshmallow's schemas and validators
    {"en": "Unknown field.", "nl": "Onbekend veld."},
    {"en": "Invalid input type.", "nl": "De invoer heeft een ongeldig type."},
    {"en": "Must be one of: {choices}.", "nl": "Kies een van: {choices}."},
    {"en": "Must be equal to {other}.", "nl": "Moet gelijk zijn aan {other}."},
    {"en": "Length must be between {min} and {max}.", "nl": "De lengte moet tussen {min} en {max} liggen."},
    {"en": "Length must be {equal}.", "nl": "De lengte moet {equal} zijn."},
    {"en": "Longer than maximum length {max}.", "nl": "Langer dan de grootste lengte, {max}."},
    {"en": "Shorter than minimum length {min}.", "nl": "Korter dan de kleinste lengte, {min}."},
    *(
        {"en": f"Must be {low} {{min}} and {high} {{max}}.", "nl": f"Moet {low_nl} {{min}} en {high_nl} {{max}} zijn."}
        for low, low_nl in _MIN_OPS.items()
        for high, high_nl in _MAX_OPS.items()
    ),
    *({"en": f"Must be {op} {{min}}.", "nl": f"Moet {op_nl} {{min}} zijn."} for op, op_nl in _MIN_OPS.items()),
    *({"en": f"Must be {op} {{max}}.", "nl": f"Moet {op_nl} {{max}} zijn."} for op, op_nl in _MAX_OPS.items()),
    {"en": "String does not match expected pattern.", "nl": "De tekst heeft niet de verwachte vorm."},
    {
        "en": "One or more of the choices you made was not in: {choices}.",
        "nl": "Een of meer keuzes zitten niet in: {choices}.",
    },
    {"en": "One or more of the choices you made was in: {values}.", "nl": "Een of meer keuzes zitten in: {values}."},
    {"en": "Invalid input.", "nl": "Ongeldige invoer."},
    # the schemas' own and the domain's
    {"nl": "Geen stuurtekens.", "en": "No control characters."},
    {"nl": "Zes cijfers.", "en": "Six digits."},
    {"nl": "Een week schrijf je als 2026-W49.", "en": "Write a week as 2026-W49."},
    {"nl": "Precies vier opties.", "en": "Exactly four options."},
    {"nl": "Dat jaar heeft die week niet.", "en": "That year has no such week."},
    {"nl": "Hoogstens {maximum} tekens.", "en": "At most {maximum} characters."},
    {"nl": "Hoogstens {count}.", "en": "At most {count}."},
    {"nl": "Mag niet leeg zijn.", "en": "May not be empty."},
    {"nl": "Onbekend lid.", "en": "Unknown member."},
    {"nl": "Onbekende of verlopen aanmeldcode.", "en": "Unknown or expired enrolment code."},
    {"nl": "Categorie '{slug}' bestaat niet.", "en": "Category '{slug}' does not exist."},
    {"nl": "Kies een van {choices}.", "en": "Choose one of {choices}."},
    {"nl": "Kies opties uit {choices}.", "en": "Choose options from {choices}."},
    {"nl": "Kies een methode uit de lijst.", "en": "Choose a method from the list."},
    {"nl": "Kies uit {choices}.", "en": "Choose from {choices}."},
    {
        "nl": "Artikel '{ref}' bestaat niet in de code van deze organisatie.",
        "en": "Section '{ref}' does not exist in this organisation's code.",
    },
    {"nl": "Een toelichting is verplicht.", "en": "An explanation is required."},
    {"nl": "Schrijf 1 tot {maximum} tekens.", "en": "Write 1 to {maximum} characters."},
    {"nl": "Geef een titel van 1 tot {maximum} tekens.", "en": "Give a title of 1 to {maximum} characters."},
    {"nl": "Geef een tekst van 1 tot {maximum} tekens.", "en": "Give a text of 1 to {maximum} characters."},
    {"nl": "Dit dilemma bestaat niet.", "en": "This dilemma does not exist."},
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    # Even parts are text, odd ones the names of the values kept as they are.
    return re.compile(
        "^" + "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)) + "$",
        re.S,
    )


_PATTERNS = tuple((entry, {lang: _pattern(entry[lang]) for lang in LOCALES}) for entry in FIELD_MESSAGES)


def field_message(message: str, locale: str) -> str:
    """``message`` (a field's message from a schema or the domain, in either
    language) in ``locale``; a message this table does not know stays as it is."""
    for entry, patterns in _PATTERNS:
        for pattern in patterns.values():
            match = pattern.match(message)
            if match is not None:
                return entry[locale].format_map(match.groupdict())
    return message


def field_messages(errors: dict, locale: str) -> dict:
    """A problem's ``errors`` (messages per field, lists or nested) in ``locale``."""

    def translated(value):
        if isinstance(value, str):
            return field_message(value, locale)
        if isinstance(value, list):
            return [translated(item) for item in value]
        if isinstance(value, dict):
            return {key: translated(item) for key, item in value.items()}
        return value

    return translated(errors)
