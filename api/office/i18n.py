"""The console's words. Dutch is the source text (plain language, B1);
English where the session chose it. A text without a translation shows in
Dutch rather than not at all."""

from __future__ import annotations

LABELS = {
    "status": {
        "draft": "Concept",
        "in_review": "Ter beoordeling",
        "changes_requested": "Wijzigingen gevraagd",
        "approved": "Goedgekeurd",
        "scheduled": "Ingepland",
        "published": "Gepubliceerd",
        "archived": "Gearchiveerd",
    },
    "action": {
        "submit": "Ter beoordeling aanbieden",
        "approve": "Goedkeuren",
        "request-changes": "Wijzigingen vragen",
        "schedule": "Inplannen",
        "unschedule": "Uit de planning halen",
        "archive": "Archiveren",
        "delete": "Verwijderen",
        "sent": "Verstuurd",
        "status": "Status aangepast",
        "revoked": "Ingetrokken",
    },
    "alignment": {
        "": "Niet aangegeven",
        "aligned": "Past bij de code",
        "grey": "Grijs gebied",
        "conflicts": "Botst met de code",
    },
    "source": {
        "own": "Eigen dilemma",
        "automatic": "Automatisch uit de bank",
        "inherited": "Overgenomen",
        "gap": "Nog leeg",
    },
    "role": {
        "author": "Auteur",
        "reviewer": "Beoordelaar",
        "publisher": "Publicist",
        "analyst": "Analist",
        "admin": "Beheerder",
    },
    "suggestion": {
        "new": "Nieuw",
        "in_progress": "In behandeling",
        "used": "Gebruikt",
        "declined": "Afgewezen",
    },
    "campaign": {
        "scheduled": "Gepland",
        "due": "Klaar om te versturen",
        "sending": "Bezig met versturen",
        "done": "Klaar",
        "expired": "Verlopen",
        "weekly": "Wekelijks",
        "reminder": "Herinnering",
        "adhoc": "Los bericht",
    },
    "audience": {"iedereen": "Iedereen", "leidinggevenden": "Leidinggevenden"},
    "field": {
        "title": "Titel",
        "situation": "Situatie",
        "explanation": "Uitleg",
        "category": "Categorie",
        "audience": "Voor wie",
        "code_refs": "Artikelen van de gedragscode",
        "options": "Opties",
    },
}

ENGLISH = {
    # layout and navigation
    "Integriteitsbureau": "Integrity office",
    "Naar de inhoud": "Skip to content",
    "Hoofdmenu": "Main menu",
    "Deze week": "This week",
    "Dilemma's": "Dilemmas",
    "Kalender": "Calendar",
    "Gedragscode": "Code of conduct",
    "Suggesties": "Suggestions",
    "Statistiek": "Statistics",
    "Push": "Push",
    "Tokens": "Tokens",
    "Logboek": "Audit log",
    "Afmelden": "Sign out",
    "Aangemeld als": "Signed in as",
    "Taal": "Language",
    "Kies": "Choose",
    # sign-in
    "Aanmelden": "Sign in",
    "Aanmelden bij het integriteitsbureau": "Sign in to the integrity office",
    "Persoonlijk toegangstoken": "Personal access token",
    "Het token begint met kpa_. Je krijgt het van de beheerder van Kompas.": (
        "The token starts with kpa_. The Kompas administrator gives it to you."
    ),
    "Aanmelden met je organisatie-account": "Sign in with your organisation account",
    "of": "or",
    "Je sessie is verlopen. Meld je opnieuw aan.": "Your session has expired. Please sign in again.",
    "Je bent afgemeld.": "You are signed out.",
    "Vul je persoonlijke toegangstoken in.": "Enter your personal access token.",
    "Dit token kennen we niet, of het is verlopen of ingetrokken.": (
        "We do not know this token, or it has expired or been revoked."
    ),
    "Er is een probleem": "There is a problem",
    "Fout": "Error",
    # dilemmas
    "Nieuw dilemma": "New dilemma",
    "Filteren": "Filter",
    "Status": "Status",
    "Categorie": "Category",
    "Organisatie": "Organisation",
    "Alle": "All",
    "Van week": "From week",
    "Tot en met week": "To week",
    "Moet opnieuw bekeken worden": "Needs review",
    "Titel": "Title",
    "Week": "Week",
    "Revisie": "Revision",
    "Geen dilemma's gevonden.": "No dilemmas found.",
    "Vorige": "Previous",
    "Volgende": "Next",
    "Opslaan": "Save",
    "Situatie": "Situation",
    "Uitleg": "Explanation",
    "Voor wie": "Audience",
    "Optie": "Option",
    "Tekst": "Text",
    "Hoe past deze optie bij de code?": "How does this option fit the code?",
    "Terugkoppeling": "Feedback",
    "Artikelen van de gedragscode": "Sections of the code of conduct",
    "Voorbeeld op een telefoon": "Preview on a phone",
    "Revisies": "Revisions",
    "Wat er veranderde": "What changed",
    "Eerste versie.": "First version.",
    "Niets aan de tekst veranderd.": "No change to the text.",
    "Wat kun je nu doen?": "What can you do now?",
    "Bewerken": "Edit",
    "Verwijderen": "Delete",
    "Toelichting voor de auteur": "Comment for the author",
    "Je schreef deze revisie zelf; iemand anders moet goedkeuren.": (
        "You wrote this revision yourself; someone else must approve it."
    ),
    "Plan in week": "Schedule in week",
    "Opgeslagen.": "Saved.",
    "Gedaan": "Done",
    # statistics
    "Deelname per week": "Participation per week",
    "Bewustzijn per hoofdstuk": "Awareness per chapter",
    "Grijze gebieden": "Grey zones",
    "Download CSV": "Download CSV",
    "Antwoorden": "Answers",
    "Deelname": "Participation",
    "Hoofdstuk": "Chapter",
    "Manier": "Mode",
    "alone": "alone",
    "colleague": "with a colleague",
    "team": "as a team",
    # refused
    "Niet gelukt": "That did not work",
    "Terug": "Back",
}


def translate(text: str, locale: str) -> str:
    if locale == "en":
        return ENGLISH.get(text, text)
    return text
