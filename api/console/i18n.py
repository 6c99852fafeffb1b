"""The console's words. Dutch is the source text (plain language, B1);
English where the session chose it. A text without a translation shows in
Dutch rather than not at all."""

from __future__ import annotations

from api.console.labels import LABELS_IN_ENGLISH

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
    "Alleen": "Alone",
    "Met een collega": "With a colleague",
    "Als team": "As a team",
    # refused
    "Niet gelukt": "That did not work",
    "Terug": "Back",
}


ENGLISH.update(LABELS_IN_ENGLISH)


def translate(text: str, locale: str) -> str:
    if locale == "en":
        return ENGLISH.get(text, text)
    return text


ENGLISH.update(
    {
        "Aandeel antwoorden dat past bij de code, hoofdstuk {c}": "Share of answers that fit the code, chapter {c}",
        "Aanmelden met een organisatie-account is niet ingesteld.": (
            "Signing in with an organisation account is not set up."
        ),
        "Aantal": "Count",
        "Actie": "Action",
        "Alle cijfers van dit dilemma": "All figures of this dilemma",
        "Alle cijfers zijn anoniem. Een cijfer over te weinig antwoorden tonen we niet: dan staat er 'onderdrukt' "
        "met de reden, nooit een 0.": "All figures are anonymous. A figure about too few answers is not shown: it "
        "says 'suppressed' with the reason, never 0.",
        "Alleen analisten en beheerders zien de antwoorden.": "Only analysts and administrators see the answers.",
        "Annuleren": "Cancel",
        "Antwoorden per optie": "Answers per option",
        "Antwoorden per week": "Answers per week",
        "Antwoorden per week (de laatste 16 weken met een dilemma)": (
            "Answers per week (the last 16 weeks with a dilemma)"
        ),
        "Antwoorden tot nu toe": "Answers so far",
        "Artikel": "Section",
        "Beantwoord": "Answered",
        "Campagnes": "Campaigns",
        "Cijfer": "Rating",
        "Cijfers": "Figures",
        "De cijfers achter de grafiek": "The figures behind the chart",
        "De code zoals": "The code as",
        "De dilemma's hieronder zijn gemarkeerd om opnieuw te bekijken.": "The dilemmas below are flagged for review.",
        "De week is voorbij.": "The week is over.",
        "De week loopt nog: kleine groepen tonen we pas als de week voorbij is.": (
            "The week is still open: small groups are shown only when it is over."
        ),
        "Details": "Details",
        "Deze pagina bestaat niet.": "This page does not exist.",
        "Deze week staat er geen dilemma klaar.": "There is no dilemma this week.",
        "Dilemma": "Dilemma",
        "Dilemma bewerken": "Edit dilemma",
        "Dilemma dat de app opent (nummer, niet verplicht)": "Dilemma the app opens (number, optional)",
        "Dilemma's die medewerkers makkelijk vonden": "Dilemmas employees found easy",
        "Dilemma's die naar dit artikel verwijzen": "Dilemmas that refer to this section",
        "Dit formulier is verlopen of komt niet van deze site. Er is niets veranderd. Laad de pagina opnieuw en "
        "probeer het nog eens.": "This form has expired or does not come from this site. Nothing was changed. "
        "Reload the page and try again.",
        "Door (begin van de naam)": "By (start of the name)",
        "Een nieuwe versie zet deze dilemma's op 'moet opnieuw bekeken worden'.": (
            "A new version flags these dilemmas for review."
        ),
        "Een of meer gegevens zijn niet in orde:": "One or more values are not right:",
        "Elke handeling van het integriteitsbureau, nieuwste eerst. Alleen te lezen.": (
            "Every action of the integrity office, newest first. Read-only."
        ),
        "Er zijn geen goedgekeurde dilemma's om in te plannen.": "There are no approved dilemmas to schedule.",
        "Gaten in de komende weken": "Gaps in the coming weeks",
        "Geen": "None",
        "Geen gaten: elke week heeft een dilemma.": "No gaps: every week has a dilemma.",
        "Geen suggesties.": "No suggestions.",
        "Geldig (dagen)": "Valid (days)",
        "Geldig tot": "Valid until",
        "Gemaakt door": "Made by",
        "Gemiddeld": "Mean",
        "Gemiddeld 2 of lager op een schaal van 1 tot 5: misschien was het geen echt dilemma.": (
            "A mean of 2 or less on a scale of 1 to 5: perhaps it was not a real dilemma."
        ),
        "Handeling": "Action",
        "Het aandeel antwoorden op opties die bij de gedragscode passen, per hoofdstuk en week, en de trend per "
        "kwartaal.": "The share of answers on options that fit the code of conduct, per chapter and week, and the "
        "trend per quarter.",
        "Hoe moeilijk (1 = makkelijk, 5 = heel moeilijk)": "How hard (1 = easy, 5 = very hard)",
        "Hoe moeilijk vonden medewerkers het?": "How hard did employees find it?",
        "Hoe verdeeld antwoorden medewerkers per hoofdstuk? 0 betekent: iedereen kiest hetzelfde. 1 betekent: de "
        "antwoorden zijn gelijk verdeeld over de vier opties.": "How divided are the answers per chapter? 0 means "
        "everyone chooses the same; 1 means the answers are spread evenly over the four options.",
        "Hoe werd er geantwoord?": "How did people answer?",
        "Hoogstens": "At most",
        "Intrekken": "Revoke",
        "Jaren": "Years",
        "Je bent aangemeld": "You are signed in",
        "Je bent niet (meer) aangemeld. Er is niets veranderd.": (
            "You are not signed in (any more). Nothing was changed."
        ),
        "Je kunt kiezen uit de goedgekeurde dilemma's van": "You can choose from the approved dilemmas of",
        "Je organisatie-account heeft geen rol in Kompas. Vraag de beheerder om je toe te voegen.": (
            "Your organisation account has no role in Kompas. Ask the administrator to add you."
        ),
        "Je organisatie-account kon je niet aanmelden. Probeer het opnieuw.": (
            "Your organisation account could not sign you in. Please try again."
        ),
        "Je rol geeft geen toegang tot deze pagina of actie.": "Your role does not give access to this page or action.",
        "Je sessie is verlopen. Er is niets veranderd.": "Your session has expired. Nothing was changed.",
        "Kies de artikelen waar dit dilemma over gaat (hoogstens 10).": (
            "Choose the sections this dilemma is about (at most 10)."
        ),
        "Kopieer het nu: het wordt maar één keer getoond.": "Copy it now: it is shown only once.",
        "Kort en concreet, hoogstens 80 tekens.": "Short and concrete, at most 80 characters.",
        "Laatst gewijzigd": "Last changed",
        "Los bericht versturen": "Send a one-off message",
        "Maak er een concept van": "Turn into a draft",
        "Medewerkers sturen anoniem ideeën voor dilemma's in.": "Employees send in ideas for dilemmas anonymously.",
        "Meest verdeeld": "Most divided",
        "Met jouw rol is er bij deze status niets te doen.": "With your role there is nothing to do in this state.",
        "Mislukt": "Failed",
        "Moeilijkheid": "Difficulty",
        "Naam": "Name",
        "Naar": "To",
        "Naar deze week": "To this week",
        "Naar het concept": "To the draft",
        "Naar het dilemma": "To the dilemma",
        "Nieuw token maken": "Make a new token",
        "Nieuw token voor": "New token for",
        "Nieuwe versie opslaan": "Save a new version",
        "Nog geen antwoorden.": "No answers yet.",
        "Nog geen campagnes.": "No campaigns yet.",
        "Nog geen hoofdstuk met genoeg antwoorden om te tonen.": "No chapter with enough answers to show yet.",
        "Nog geen weken met een dilemma in deze periode.": "No weeks with a dilemma in this period yet.",
        "Nog geen weken met een dilemma.": "No weeks with a dilemma yet.",
        "Nog niet te zien": "Not shown yet",
        "Nog niet verstuurd.": "Not sent yet.",
        "Nu versturen": "Send now",
        "Onderdelen van de statistiek": "Parts of the statistics",
        "Opgeslagen als versie": "Saved as version",
        "Opnieuw aanmelden": "Sign in again",
        "Opslaan maakt een nieuwe revisie. Een goedgekeurd dilemma gaat dan opnieuw naar een beoordelaar.": (
            "Saving makes a new revision. An approved dilemma then goes back to a reviewer."
        ),
        "Opties": "Options",
        "Past bij de code": "Fits the code",
        "Past bij de code?": "Fits the code?",
        "Per manier": "Per mode",
        "Periode": "Period",
        "Plan een dilemma": "Schedule a dilemma",
        "Plan week": "Schedule week",
        "Rol": "Role",
        "Soort": "Kind",
        "Status opslaan": "Save status",
        "Suggestie": "Suggestion",
        "Tabel (schuift opzij op een smal scherm)": "Table (scrolls sideways on a narrow screen)",
        "tabel": "table",
        "Tekst van deze versie": "Text of this version",
        "Token maken": "Make token",
        "Tokens in je organisaties": "Tokens in your organisations",
        "Tokens opgeruimd": "Tokens retired",
        "Tonen": "Show",
        "Totaal": "Total",
        "Trend per kwartaal": "Trend per quarter",
        "Verdeeldheid": "Division",
        "Verdeeldheid per hoofdstuk": "Division per chapter",
        "Verdeeldheid per hoofdstuk (0 = iedereen eens, 1 = helemaal verdeeld)": (
            "Division per chapter (0 = everyone agrees, 1 = evenly split)"
        ),
        "Verder naar de console": "Continue to the console",
        "Versie": "Version",
        "Versies": "Versions",
        "Verstuurd": "Sent",
        "Voorbeeld": "Preview",
        "Voorbeeld bekijken": "Show preview",
        "Voortgang": "Progress",
        "Voortgang van de push": "Progress of the push",
        "Wanneer": "When",
        "Wat": "What",
        "Wat gebeurt er? Schrijf in de jij-vorm, hoogstens 900 tekens.": (
            "What happens? Write in the second person, at most 900 characters."
        ),
        "Wat zegt de gedragscode? Dit ziet de medewerker na het antwoorden.": (
            "What does the code of conduct say? The employee sees this after answering."
        ),
        "Wekelijkse push": "Weekly push",
        "Weken van": "Weeks of",
        "Welk dilemma komt in week": "Which dilemma goes in week",
        "Wie": "Who",
        "Zo ziet het bericht eruit. Klopt het? Kies 'Nu versturen'.": (
            "This is how the message looks. Is it right? Choose 'Send now'."
        ),
        "beoordelingen": "ratings",
        "bewustzijn": "awareness",
        "bewustzijn per hoofdstuk": "awareness per chapter",
        "de week loopt nog en er zijn nog te weinig antwoorden om ze live te tonen.": (
            "the week is still open and there are too few answers to show them live."
        ),
        "deelname per week": "participation per week",
        "dilemma's": "dilemmas",
        "door": "by",
        "en onderdelen": "and its parts",
        "geen getoonde antwoorden": "no answers shown",
        "gemiddeld": "mean",
        "grijze gebieden": "grey zones",
        "hem leest: eerst de code van het Rijk, dan de aanvulling van de eigen organisatie.": (
            "reads it: first the central government's code, then the organisation's own supplement."
        ),
        "hoofdstuk": "chapter",
        "ingetrokken": "revoked",
        "ja": "yes",
        "nee": "no",
        "nieuw:": "added:",
        "nu": "now",
        "onderdrukt": "suppressed",
        "onderdrukt: de week loopt nog; cijfers verschijnen na afloop van de week": (
            "suppressed: the week is open; figures appear when it has ended"
        ),
        "onderdrukt: te weinig antwoorden (minder dan {n})": "suppressed: too few answers (fewer than {n})",
        "onderdrukt: te weinig getoonde weken": "suppressed: too few weeks shown",
        "procentpunt": "percentage points",
        "regels": "lines",
        "suggesties": "suggestions",
        "te weinig antwoorden om iets te tonen zonder iemand herkenbaar te maken.": (
            "too few answers to show anything without making someone recognisable."
        ),
        "tekens.": "characters.",
        "uit": "from",
        "van": "of",
        "verlopen": "expired",
        "verstuurd": "sent",
        "wat de medewerker na het kiezen leest; niet verplicht": "what the employee reads after choosing; optional",
        "weg:": "removed:",
    }
)

# The second edition's words (review, to-do, planning, the Logboek, meetings).
ENGLISH.update(
    {
        "Bekijk": "View",
        "Concept gemaakt": "Draft made",
        (
            "Elk percentage is het eigen aandeel van die optie, afgerond op een heel getal: gelijke "
            "aantallen tonen hetzelfde percentage, en samen kan het 99 of 101 zijn."
        ): (
            "Each percentage is that option's own share, rounded to a whole number: equal counts show "
            "the same percentage, and together they may make 99 or 101."
        ),
        "Geen goedgekeurde dilemma's die hierbij passen.": "No approved dilemmas match.",
        "Gemiddelde verschuiving": "Mean shift",
        "Heel": "All of",
        "Iedereen en leidinggevenden": "Everyone and managers",
        "Je kiest uit de goedgekeurde dilemma's van": "You choose from the approved dilemmas of",
        "Jouw dilemma's met gevraagde wijzigingen": "Your dilemmas with changes requested",
        "Kies 'Bekijk' bij een dilemma om het hier te lezen.": "Choose 'View' at a dilemma to read it here.",
        "Kies een dilemma.": "Choose a dilemma.",
        (
            "Let op: een artikel van de gedragscode waar dit dilemma naar verwijst is veranderd. Bekijk"
            " de tekst opnieuw voordat je het inplant."
        ): (
            "Note: a section of the code of conduct this dilemma refers to has changed. Read the text "
            "again before you schedule it."
        ),
        "Let op: moet opnieuw bekeken worden": "Note: needs another look",
        "Moeten opnieuw bekeken worden (de gedragscode veranderde)": "Need another look (the code of conduct changed)",
        "Niets: alles is bij.": "Nothing: all caught up.",
        "Nog geen weken voorbij met een dilemma.": "No weeks with a dilemma have ended yet.",
        (
            "Nooit een team, een tekst of een persoon. Alleen weken die voorbij zijn tellen mee. Elk cijfer "
            "heeft bewust wat ruis, zodat niemand eruit kan afleiden wat één team deed; de marge (±) zegt hoe "
            "ver het cijfer er met 95 % zekerheid naast kan zitten. Is de ruis te groot voor het cijfer, dan "
            "staat er 'onderdrukt'."
        ): (
            "Never a team, a text or a person. Only weeks that have ended count. Every figure carries some "
            "noise on purpose, so that nobody can tell from it what one team did; the margin (±) says how far "
            "off the figure may be with 95 % certainty. Where the noise is too large for the figure, it says "
            "'suppressed'."
        ),
        "Per sessie telt een verschuiving tot en met": "Per session, a shift counts up to",
        "mensen en tellen ten hoogste": "people, and at most",
        "afspraken mee.": "agreements count.",
        "Afspraken per thema": "Agreements per theme",
        "onderdrukt: te weinig teamsessies voor een betrouwbaar cijfer": (
            "suppressed: too few team sessions for a reliable figure"
        ),
        (
            "Hoe vaak bespraken teams een dilemma in een sessie, per hoofdstuk van de gedragscode? Een sessie "
            "telt als er ten minste één ronde onthuld is, één per team en dilemma. De verschuiving is hoeveel "
            "mensen in de tweede ronde iets anders kozen, gemiddeld."
        ): (
            "How often did teams discuss a dilemma in a session, per chapter of the code of conduct? A session "
            "counts once at least one round was revealed, one per team and dilemma. The shift is how many people "
            "chose differently in the second round, on average."
        ),
        (
            "'Als team' telt de antwoorden die mensen in hun team gaven en de gezamenlijke antwoorden van "
            "teams; ook dat cijfer heeft ruis en is onderdrukt als het te onzeker is."
        ): (
            "'As a team' counts the answers people gave in their team and the teams' joint answers; that "
            "figure carries noise too and is suppressed when it is too uncertain."
        ),
        "Opmerking": "Remark",
        "Opmerking bij revisie": "Remark on revision",
        "Opmerking geplaatst": "Remark posted",
        "Opmerking plaatsen": "Post remark",
        "Revisies en opmerkingen": "Revisions and remarks",
        "Sessies": "Sessions",
        "Sessies per hoofdstuk": "Sessions per chapter",
        "Sessies per hoofdstuk van de gedragscode": "Sessions per chapter of the code of conduct",
        "Te doen": "To do",
        "Teamsessies": "Team sessions",
        "Thema's van afspraken": "Agreement themes",
        "Vanaf deze week": "From this week",
        "Voor de auteur en de beoordelaars; komt bij de revisie te staan.": (
            "For the author and the reviewers; shown with the revision."
        ),
        "Wacht op jouw beoordeling": "Waiting for your review",
        "Weken": "Weeks",
        "Weken zonder dilemma in de komende acht weken": "Weeks without a dilemma in the next eight weeks",
        "Welk dilemma komt in": "Which dilemma goes in",
        "Zoek of filter, bekijk een dilemma in het voorbeeld en plan het in.": (
            "Search or filter, read a dilemma in the preview and schedule it."
        ),
        "Zoeken": "Search",
        "archiveerde een dilemma": "archived a dilemma",
        "artikel": "section",
        "bewerkte een artikel van de gedragscode": "edited a section of the code of conduct",
        "bewerkte een dilemma": "edited a dilemma",
        "bood een dilemma ter beoordeling aan": "submitted a dilemma for review",
        "console-sessie": "console session",
        "de komende weken": "the coming weeks",
        "gedragscode": "code of conduct",
        "gewijzigd": "changed",
        "haalde een dilemma uit de planning": "took a dilemma off the schedule",
        "zette een dilemma opnieuw in als nieuwe editie": "ran a dilemma again as a new edition",
        "keurde een dilemma goed": "approved a dilemma",
        "laadde een nieuw dilemma uit de bank": "loaded a new dilemma from the bank",
        "laadde een nieuwe tekst uit de bank": "loaded a new text from the bank",
        "maakte een concept van een suggestie": "made a draft of a suggestion",
        "maakte een dilemma": "created a dilemma",
        "maakte een nieuwe aanmeldcode": "made a new enrolment code",
        "maakte een toegangstoken": "minted an access token",
        "meldde zich aan in de console": "signed in to the console",
        "meldde zich af": "signed out",
        "naam": "name",
        "naam in de bank": "name in the bank",
        "organisatie": "organisation",
        "plaatste een opmerking bij een dilemma": "posted a remark on a dilemma",
        "plande automatisch een dilemma uit de bank": "scheduled a dilemma from the bank automatically",
        "plande een dilemma in": "scheduled a dilemma",
        "pushcampagne": "push campaign",
        "revisie": "revision",
        "rol": "role",
        "suggestie": "suggestion",
        "teamsessies": "team sessions",
        "titel": "title",
        "toegangstoken": "access token",
        "toelichting": "comment",
        "trok een toegangstoken in": "revoked an access token",
        "verstuurde een los pushbericht": "sent an ad hoc push",
        "verwijderde een concept": "deleted a draft",
        "vroeg wijzigingen aan een dilemma": "requested changes to a dilemma",
        "werd": "became",
        "wijzigde de status van een suggestie": "changed the status of a suggestion",
        "De inhoudsbank (kompas init)": "The content bank (kompas init)",
        "De opdrachtregel": "The command line",
        "Kompas zelf": "Kompas itself",
        "tekst": "text",
        "past bij de code?": "fits the code?",
        "regel": "entry",
        "In de titel en de situatie": "In the title and the situation",
        "Categorie en doelgroep": "Category and audience",
        "gevonden": "found",
        "nieuwste eerst": "newest first",
        "Nieuwste eerst": "Newest first",
        "Alles tonen": "Show all",
        "Pagina": "Page",
        "pagina": "page",
        "Pagina's": "Pages",
        "Plan dit dilemma in": "Schedule this dilemma",
        "Terug naar de lijst": "Back to the list",
        "toegangstoken van": "access token of",
        "ook voor": "also for",
        "Elk percentage is apart afgerond: gelijke aantallen tonen hetzelfde percentage, samen soms 99 of 101.": (
            "Each percentage is rounded on its own: equal counts show the same percentage, "
            "together sometimes 99 or 101."
        ),
    }
)


# Predictions against reality (issue 24).
ENGLISH.update(
    {
        "Inschatting en werkelijkheid": "Prediction and reality",
        "inschatting en werkelijkheid": "prediction and reality",
        "Past bij de code": "Fits the code",
        "Botst met de code": "Conflicts with the code",
        "H.": "Ch.",
        "ingeschat": "predicted",
        "werkelijk": "real",
        "Ingeschat": "Predicted",
        "Werkelijk": "Real",
        "Verschil": "Difference",
        "Marge": "Margin",
        "Inschattingen": "Predictions",
        "Per dilemma": "Per dilemma",
        "per hoofdstuk": "per chapter",
        "Per dilemma, nieuwste week eerst": "Per dilemma, newest week first",
        "geen optie zo gemarkeerd": "no option marked so",
        "ingeschat en werkelijk aandeel per hoofdstuk": "predicted and real share per chapter",
        "{g}: ingeschat en werkelijk aandeel per hoofdstuk": "{g}: predicted and real share per chapter",
        "Nog geen afgesloten week met een dilemma in deze periode.": (
            "No closed week with a dilemma in this period yet."
        ),
        "Bij hun antwoord schatten medewerkers in hoeveel collega's elke optie kiezen. Hier staat per hoofdstuk "
        "van de gedragscode (het eerste artikel bij een dilemma) hoe groot zij het aandeel schatten van de opties "
        "die bij de code passen en van de opties die ermee botsen, naast het echte aandeel na afloop van de week.": (
            "With their answer, employees estimate how many colleagues choose each option. Per chapter of the code "
            "of conduct (a dilemma's first article), this shows the share they expect on the options that fit the "
            "code and on those that conflict with it, beside the real share after the week."
        ),
        "Verschil = ingeschat min werkelijk, in procentpunten. Positief: collega's dachten dat meer anderen die "
        "keuze zouden maken dan er werkelijk deden. De marge geeft aan hoe ver het verschil door de ruis kan "
        "afwijken (95%).": (
            "Difference = predicted minus real, in percentage points. Positive: colleagues thought more others "
            "would make that choice than actually did. The margin says how far the noise can move the difference "
            "(95%)."
        ),
    }
)


# Editions, the live figure and the shift between editions (issue 24).
ENGLISH.update(
    {
        "Edities": "Editions",
        "Vorige editie": "Previous edition",
        "Nieuwe editie": "New edition",
        "Opnieuw inzetten in week": "Run again in week",
        "Een nieuwe editie is een eigen dilemma met deze tekst: eigen antwoorden, eigen cijfers en een eigen week. "
        "Na afloop zie je de verschuiving tussen de edities.": "A new edition is a dilemma of its own with this "
        "text: its own answers, its own figures and its own week. Afterwards you see the shift between the editions.",
        "Live: alle collega's tot nu toe": "Live: all colleagues so far",
        "Live: alle collega's tot nu toe, marge ± {m} procentpunt": "Live: all colleagues so far, margin ± {m} "
        "percentage points",
        "Alle collega's, tot": "All colleagues, up to",
        "antwoorden": "answers",
        "marge": "margin",
        "procentpunt": "percentage points",
        "Live cijfer per optie": "Live figure per option",
        "de eerste dag van de week is nog niet voorbij; het live cijfer komt elke nacht bij.": "the week's first "
        "day is not over yet; the live figure is added to every night.",
        "nog te weinig antwoorden om ze live te tonen zonder iemand herkenbaar te maken.": "too few answers yet "
        "to show them live without making anyone recognisable.",
        "Verschuiving sinds de vorige editie": "Shift since the previous edition",
        "Hoeveel procentpunten elk antwoord nu vaker (+) of minder vaak (−) gekozen werd dan in de vorige editie. "
        "De marge zegt binnen hoeveel punten de echte verschuiving ligt, met 95% zekerheid.": "How many "
        "percentage points more (+) or less (−) often each answer was chosen than in the previous edition. The "
        "margin says within how many points the true shift lies, with 95% certainty.",
        "Cijfers van de vorige editie": "Figures of the previous edition",
        "De opties zijn tussen de edities veranderd: alleen het aandeel dat past bij de code is te vergelijken.": (
            "The options changed between the editions: only the share that fits the code can be compared."
        ),
        "onderdrukt: in een van beide edities te weinig antwoorden om te vergelijken": "suppressed: too few "
        "answers in one of the editions to compare",
        "Verschuiving in procentpunten, {name}": "Shift in percentage points, {name}",
        "Verschuiving (procentpunt)": "Shift (percentage points)",
        "Marge (±)": "Margin (±)",
    }
)
