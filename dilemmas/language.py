"""What employees read, in the languages an installation may choose: the
one place for translations that every layer may use (the API's problems
and their pages, push texts, names of scopes and categories). A leaf: it
imports nothing of ours.

A problem's *cause* (``dilemmas.errors.DomainError.cause``, or the web
layer's own for HTTP errors) names its type, ``/problems/<cause>``: a
client tells causes apart by it, never by the Dutch detail."""

from __future__ import annotations

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
