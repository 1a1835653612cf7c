"""Swedish translations, merged into app/translations/sv by `python scripts/sv_translations.py`.

Kept as a table so that a change of English wording shows up as a missing Swedish line in the
catalog test, and a translator can review everything in one place."""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

SV: dict[str | tuple[str, str], str | tuple[str, str]] = {
    # The queue: assignment and the map view
    "%(name)s does not work for the unit that owns this observation.": (
        "%(name)s arbetar inte på enheten som äger observationen."
    ),
    "Anyone": "Vem som helst",
    "Assign": "Tilldela",
    "Assign #%(id)s to": "Tilldela #%(id)s till",
    "Assigned to": "Tilldelad",
    "Assigned to %(name)s": "Tilldelad %(name)s",
    "Assignment": "Tilldelning",
    "Choose a person from the list.": "Välj en person i listan.",
    "Choose…": "Välj…",
    "Before": "Före",
    "Filter and sort": "Filtrera och sortera",
    "List": "Lista",
    "Map": "Karta",
    "Map of the observations that match": "Karta över observationerna som matchar",
    "Me": "Mig",
    "Nobody": "Ingen",
    "Not assigned": "Inte tilldelad",
    "Only open observations can be assigned.": "Bara öppna observationer kan tilldelas.",
    "Show as": "Visa som",
    "The map could not be loaded. The list still works.": (
        "Kartan kunde inte laddas. Listan fungerar fortfarande."
    ),
    "The map shows the {shown} most urgent of {total}. Narrow the filter to see the rest.": (
        "Kartan visar de {shown} mest brådskande av {total}. Smalna av filtret för att se resten."
    ),
    "You do not work on this observation.": "Du arbetar inte med den här observationen.",
    "me": "jag",
    ("%(num)d observation matches", "%(num)d observations match"): (
        "%(num)d observation matchar",
        "%(num)d observationer matchar",
    ),
    ("%(num)d supporter", "%(num)d supporters"): ("%(num)d instämmer", "%(num)d instämmer"),
    "%(m)s m away": "%(m)s m bort",
    "Merge #%(this)s into #%(other)s": "Slå ihop #%(this)s med #%(other)s",
    "Possible duplicates": "Möjliga dubbletter",
    "Your report \u201c%(category)s\u201d has a new status: %(status)s.": (
        "Din rapport \u201d%(category)s\u201d har fått ny status: %(status)s."
    ),
    "Follow it here:": "Följ den här:",
    "You get this e-mail because you left your address with the report.": (
        "Du får det här mejlet eftersom du lämnade din adress med rapporten."
    ),
    "Your report: %(status)s": "Din rapport: %(status)s",
    ("%(num)d person has backed this report.", "%(num)d people have backed this report."): (
        "%(num)d person har ställt sig bakom rapporten.",
        "%(num)d personer har ställt sig bakom rapporten.",
    ),
    "If it is the same thing, say \u201cme too\u201d: it counts, and nobody has to sort out two "
    "reports.": (
        "Är det samma sak, tryck \u201dJag också\u201d: det räknas, och ingen behöver reda ut två "
        "rapporter."
    ),
    "Me too": "Jag också",
    ("%(num)d observation changed.", "%(num)d observations changed."): (
        "%(num)d observation ändrad.",
        "%(num)d observationer ändrade.",
    ),
    "Apply to selected": "Gör det för de valda",
    "Select": "Välj",
    "Select #%(id)s": "Välj #%(id)s",
    "Selected rows to": "Valda rader till",
    "only staff see it": "bara personal ser den",
    "Is it really fixed?": "Är det verkligen åtgärdat?",
    "Is it really fixed? Tell us": "Är det verkligen åtgärdat? Berätta",
    "Is it really fixed? Tell us here, no login needed:": (
        "Är det verkligen åtgärdat? Berätta här, ingen inloggning behövs:"
    ),
    "Thank you! We have noted that it is fixed.": "Tack! Vi har noterat att det är åtgärdat.",
    "Thank you. The report is open again and back with the unit that handles it.": (
        "Tack. Rapporten är öppen igen och tillbaka hos enheten som hanterar den."
    ),
    "The municipality has marked your report as fixed. Does it look fixed to you?": (
        "Kommunen har markerat din rapport som åtgärdad. Ser det åtgärdat ut för dig?"
    ),
    "Anything to add?": "Något att tillägga?",
    "Yes, it is fixed": "Ja, det är åtgärdat",
    "No, it is not fixed": "Nej, det är inte åtgärdat",
    "This report is not marked as fixed right now.": (
        "Rapporten är inte markerad som åtgärdad just nu."
    ),
    "The reporter says it is not fixed.": "Rapportören säger att det inte är åtgärdat.",
    "After the fix": "Efter åtgärden",
    "Photo after the fix": "Foto efter åtgärden",
    "for 'fixed'; residents see it": "för 'åtgärdad'; invånare ser det",
    "The place after the fix, photo %(n)s": "Platsen efter åtgärden, foto %(n)s",
    "Reported already?": "Redan rapporterat?",
    "See the report": "Se rapporten",
    ("Someone reported this nearby", "%(num)d reports like this nearby"): (
        "Någon har rapporterat det här i närheten",
        "%(num)d liknande rapporter i närheten",
    ),
    "Something else? Just go on with your own report.": (
        "Något annat? Fortsätt bara med din egen rapport."
    ),
    "Thank you! You are counted in.": "Tack! Du är medräknad.",
    "That report does not exist.": "Den rapporten finns inte.",
    "That report is closed. Please make a new report instead.": (
        "Den rapporten är avslutad. Gör en ny rapport i stället."
    ),
    "You had already said so. Thank you!": "Det hade du redan sagt. Tack!",
    "A resident said: me too": "En invånare instämde",
    "All": "Alla",
    "Another report merged in": "En annan rapport sammanslagen hit",
    "Assigned": "Tilldelad",
    "Category": "Kategori",
    "Change": "Ändra",
    "Change status": "Ändra status",
    "Choose a unit from the list.": "Välj en enhet i listan.",
    "District": "Stadsdel",
    "Due %(date)s": "Ska vara klar %(date)s",
    "Duplicate of": "Dubblett av",
    "Duplicate of (number or tracking link)": "Dubblett av (nummer eller spårningslänk)",
    "Filter": "Filtrera",
    "Handed to": "Överlämnad till",
    "High": "Hög",
    "Internal note": "Intern anteckning",
    "Internal:": "Internt:",
    "Low": "Låg",
    "Most supporters": "Flest som instämmer",
    "New status": "Ny status",
    "New status for #%(id)s": "Ny status för #%(id)s",
    "Newest first": "Nyaste först",
    "Next": "Nästa",
    "Normal": "Normal",
    "Note": "Anteckning",
    "Nothing here: the queue is empty for this filter.": (
        "Inget här: kön är tom för det här filtret."
    ),
    "Observation": "Observation",
    "Older than (days)": "Äldre än (dagar)",
    "Oldest first": "Äldsta först",
    "Only overdue": "Bara försenade",
    "Open it": "Öppna den",
    "Overdue": "Försenade",
    "Overdue since %(date)s": "Försenad sedan %(date)s",
    "Page %(page)s of %(pages)s": "Sida %(page)s av %(pages)s",
    "Previous": "Föregående",
    "Priority": "Prioritet",
    "Priority changed": "Prioritet ändrad",
    "Public note": "Offentlig anteckning",
    "Public page": "Offentlig sida",
    "Queue": "Kö",
    "Re-route": "Skicka vidare",
    "Re-routed": "Skickad till annan enhet",
    "Reported": "Rapporterad",
    "Reporter": "Rapportör",
    "Route to another unit": "Skicka till en annan enhet",
    "Save status": "Spara status",
    "Set": "Sätt",
    "Set priority": "Sätt prioritet",
    "Sort": "Sortera",
    "Status": "Status",
    "Status page": "Statussida",
    "Supporters": "Instämmer",
    "Unit": "Enhet",
    "Urgent": "Brådskande",
    "Why": "Varför",
    "a good place: nothing to fix": "en bra plats: inget att åtgärda",
    "a rule for every category in this district": "en regel för alla kategorier i stadsdelen",
    "a rule for this category in this district": "en regel för kategorin i stadsdelen",
    "by %(reason)s": "enligt %(reason)s",
    "for 'handed to another owner'": "för 'överlämnad till en annan ansvarig'",
    "for 'merged'": "för 'sammanslagen'",
    "left no address": "lämnade ingen adress",
    "no district": "ingen stadsdel",
    "no rule matched": "ingen regel passade",
    "no unit": "ingen enhet",
    "re-routed by hand": "skickad vidare för hand",
    "resident": "invånare",
    "residents see it; required for 'will not be fixed'": (
        "invånare ser den; krävs för 'kommer inte att åtgärdas'"
    ),
    "staff only": "bara personal",
    "the catch-all rule": "den allmänna regeln",
    "the category's default unit": "kategorins standardenhet",
    "An observation cannot go from this status to that one.": (
        "En observation kan inte gå från den här statusen till den."
    ),
    "Choose the observation this one duplicates.": (
        "Välj observationen som den här är en dubblett av."
    ),
    "Only staff can make this change.": "Bara personal kan göra den ändringen.",
    "Say who it was handed to.": "Ange vem den lämnades över till.",
    "Say why it will not be fixed: residents see the reason.": (
        "Ange varför den inte åtgärdas: invånarna ser skälet."
    ),
    "This observation belongs to another unit.": "Observationen hör till en annan enhet.",
    "Your role may not make this change.": "Din roll får inte göra den ändringen.",
    "E-mail address": "E-postadress",
    "For the municipality's and the police's staff. Residents report without an account.": (
        "För kommunens och polisens personal. Invånare rapporterar utan konto."
    ),
    "Hello, %(name)s": "Hej, %(name)s",
    "Log in": "Logga in",
    "Log out": "Logga ut",
    "Password": "Lösenord",
    "Please log in first.": "Logga in först.",
    "Staff": "Personal",
    "Staff login": "Inloggning för personal",
    "This form has expired. Reload the page and try again.": (
        "Formuläret har gått ut. Ladda om sidan och försök igen."
    ),
    "Too many failed attempts. Wait %(n)s minutes and try again.": (
        "För många misslyckade försök. Vänta %(n)s minuter och försök igen."
    ),
    "Wrong e-mail address or password.": "Fel e-postadress eller lösenord.",
    "You are signed in as %(role)s.": "Du är inloggad som %(role)s.",
    "Your role does not give access to this page.": "Din roll ger inte tillgång till sidan.",
    "administrator": "administratör",
    "planner": "planerare",
    "triager (technical department)": "handläggare (tekniska förvaltningen)",
    "unit staff": "personal vid enhet",
    "walk leader": "vandringsledare",
    "A little": "Lite",
    "Area": "Område",
    "At most %(n)s photos per observation.": "Högst %(n)s foton per observation.",
    "Back to the start page": "Tillbaka till startsidan",
    "Being looked at": "Granskas",
    "Choose a photo": "Välj ett foto",
    "Choose dark or daylight.": "Välj mörkt eller dagsljus.",
    "Choose how unsafe it feels, from 1 to 5.": "Välj hur otryggt det känns, från 1 till 5.",
    "Choose what kind of place this is.": "Välj vad det gäller.",
    "Chosen photo {n}": "Valt foto {n}",
    "Could not reach the server. Your report is still here: check your connection and press "
    "Send again.": "Vi nådde inte servern. Din rapport finns kvar här: kontrollera "
    "anslutningen och tryck på Skicka igen.",
    "Dark": "Mörkt",
    "Dark or daylight?": "Mörkt eller dagsljus?",
    "Daylight": "Dagsljus",
    "Describe it": "Beskriv",
    "Error:": "Fel:",
    "Felt unsafe": "Kändes otryggt",
    "Finding your position…": "Söker din position…",
    "Fixed": "Åtgärdad",
    "Fixed and checked": "Åtgärdad och kontrollerad",
    "Follow your report": "Följ din rapport",
    "Handed to another owner": "Överlämnad till en annan ansvarig",
    "Handled by": "Hanteras av",
    "History": "Historik",
    "How unsafe does it feel?": "Hur otryggt känns det?",
    "In progress": "Pågår",
    "Keep this link to follow what happens to your report:": "Spara länken för att följa vad "
    "som händer med din rapport:",
    "Latitude": "Latitud",
    "Light": "Ljus",
    "Longitude": "Longitud",
    "Main": "Huvudmeny",
    "Map of the place": "Karta över platsen",
    "Map: tap to place the pin, or move the map with the arrow keys and use the button above": (
        "Karta: tryck för att placera nålen, eller flytta kartan med piltangenterna och använd "
        "knappen ovanför"
    ),
    "Pin at the map's centre": "Nål i kartans mitt",
    "Merged with another report": "Sammanslagen med en annan rapport",
    "Newer": "Nyare",
    "No position yet: we will use the photo's location if it has one.": "Ingen position än: vi "
    "använder fotots plats om det har någon.",
    "No reports yet.": "Inga rapporter än.",
    "Not at all": "Inte alls",
    "Older": "Äldre",
    "Only the municipality's staff see it. We write when the status changes.": "Bara kommunens "
    "personal ser den. Vi skriver när statusen ändras.",
    "Pages": "Sidor",
    "Photo": "Foto",
    "Photo %(n)s of the place": "Foto %(n)s av platsen",
    "Pin placed on the map.": "Nålen är placerad på kartan.",
    "Position": "Position",
    "Position found, accurate to about {m} m. Drag the pin if it is off.": "Position hittad, "
    "noggrann till ungefär {m} m. Dra nålen om den hamnat fel.",
    "Preset from the sun at this place and time; change it if it is wrong.": "Förvalt efter "
    "solens läge här och nu; ändra om det är fel.",
    "Quite": "Ganska",
    "Received": "Mottagen",
    "Recent reports": "Senaste rapporter",
    "Remove photo {n}": "Ta bort foto {n}",
    "Reopened": "Återöppnad",
    "Report": "Rapportera",
    "Report a place": "Rapportera en plats",
    "Reported %(when)s": "Rapporterad %(when)s",
    "Report another place": "Rapportera en till plats",
    "Report sent": "Rapporten är skickad",
    "Scheduled": "Planerad",
    "Send report": "Skicka rapport",
    "Sending…": "Skickar…",
    "Skip to content": "Hoppa till innehållet",
    "Some of what was sent is not valid.": "En del av det som skickades är inte giltigt.",
    "Something that feels unsafe, or a place worth keeping. No account needed.": "Något som "
    "känns otryggt, eller en plats värd att behålla. Inget konto behövs.",
    "Something went wrong on our side. Please try again in a moment.": "Något gick fel hos oss. "
    "Försök igen om en stund.",
    "Somewhat": "Måttligt",
    "Status:": "Status:",
    "Take a photo": "Ta ett foto",
    "Tap the map where the place is, or use your position.": "Tryck på kartan där platsen är, "
    "eller använd din position.",
    "Thank you! Your report is stored.": "Tack! Din rapport är sparad.",
    "That e-mail address does not look right.": "E-postadressen ser inte riktig ut.",
    "That file is not a photo we can read. Use JPEG, PNG, WebP or HEIC.": "Filen är inte ett "
    "foto vi kan läsa. Använd JPEG, PNG, WebP eller HEIC.",
    "That is not something this address can do.": "Det går inte att göra på den här adressen.",
    "That walk code is not valid.": "Vandringskoden är inte giltig.",
    "The form is missing its id. Reload the page and try again.": "Formuläret saknar sitt id. "
    "Ladda om sidan och försök igen.",
    "The photo has more than %(mp)s megapixels. Choose a smaller one.": "Fotot har mer än "
    "%(mp)s megapixel. Välj ett mindre.",
    "The photo is damaged or incomplete. Take it again or choose another one.": "Fotot är "
    "skadat eller ofullständigt. Ta om det eller välj ett annat.",
    "The photo is empty. Take it again or choose another one.": "Fotot är tomt. Ta om det "
    "eller välj ett annat.",
    "The photo is larger than %(mb)s MB. Choose a smaller one.": "Fotot är större än %(mb)s MB. "
    "Välj ett mindre.",
    "The place": "Platsen",
    "The place (drag to move)": "Platsen (dra för att flytta)",
    "The position is not valid. Tap the map where the place is.": "Positionen är inte giltig. "
    "Tryck på kartan där platsen är.",
    "The request could not be read. Reload the page and try again.": "Begäran gick inte att "
    "läsa. Ladda om sidan och försök igen.",
    "The text is too long: at most %(n)s characters.": "Texten är för lång: högst %(n)s tecken.",
    "The upload is too large. Send fewer or smaller photos.": "Uppladdningen är för stor. "
    "Skicka färre eller mindre foton.",
    "This report was already stored.": "Den här rapporten var redan sparad.",
    "Use my position": "Använd min position",
    "Very": "Mycket",
    "We could not find that page. The link may be mistyped or out of date.": "Vi hittade inte "
    "sidan. Länken kan vara felskriven eller gammal.",
    "We could not get your position. Tap the map where the place is.": "Vi kunde inte hämta "
    "din position. Tryck på kartan där platsen är.",
    "What is it?": "Vad gäller det?",
    "Where is it?": "Var är det?",
    "Where is it? Use your position or tap the map to place the pin.": "Var är det? Använd din "
    "position eller tryck på kartan för att placera nålen.",
    "Will not be fixed": "Kommer inte att åtgärdas",
    "Your e-mail for updates": "Din e-post för uppdateringar",
    "Your phone sent no position, so we used the location stored in your photo. Check the pin "
    "on the status page.": "Telefonen skickade ingen position, så vi använde platsen som finns "
    "i ditt foto. Kontrollera nålen på statussidan.",
    "Your position is uncertain (about {m} m). Drag the pin or tap the map where the place "
    "is.": "Din position är osäker (ungefär {m} m). Dra nålen eller tryck på kartan där "
    "platsen är.",
    "Your report is not sent yet. Please check:": "Din rapport är inte skickad än. Kontrollera:",
    "from the phone's location": "från telefonens position",
    "optional": "valfritt",
    "optional, up to %(n)s": "valfritt, högst %(n)s",
    "placed on the map": "placerad på kartan",
    "taken from the photo": "hämtad från fotot",
    # Administration: accounts, units, categories, routing rules, CSV
    "%(active)s active of %(total)s": "%(active)s aktiva av %(total)s",
    "%(created)s new, %(updated)s changed, %(unchanged)s unchanged.": (
        "%(created)s nya, %(updated)s ändrade, %(unchanged)s oförändrade."
    ),
    "%(name)s cannot be deleted while these use it: %(uses)s.": (
        "%(name)s kan inte tas bort så länge detta använder den: %(uses)s."
    ),
    "%(name)s cannot be deleted while these use it: %(uses)s. Make it inactive to take it off "
    "the report form.": (
        "%(name)s kan inte tas bort så länge detta använder den: %(uses)s. Gör den inaktiv för "
        "att ta bort den från rapportformuläret."
    ),
    ("%(num)d category", "%(num)d categories"): ("%(num)d kategori", "%(num)d kategorier"),
    ("%(num)d closed observation", "%(num)d closed observations"): (
        "%(num)d avslutad observation",
        "%(num)d avslutade observationer",
    ),
    ("%(num)d observation", "%(num)d observations"): (
        "%(num)d observation",
        "%(num)d observationer",
    ),
    ("%(num)d open observation", "%(num)d open observations"): (
        "%(num)d öppen observation",
        "%(num)d öppna observationer",
    ),
    ("%(num)d rule", "%(num)d rules"): ("%(num)d regel", "%(num)d regler"),
    ("%(num)d staff account", "%(num)d staff accounts"): (
        "%(num)d personalkonto",
        "%(num)d personalkonton",
    ),
    "A category with reports cannot be deleted; make it inactive instead.": (
        "En kategori med rapporter kan inte tas bort; gör den inaktiv i stället."
    ),
    "A deactivated account cannot log in, and its open sessions end at once. Its history "
    "stays.": (
        "Ett inaktiverat konto kan inte logga in, och dess öppna sessioner avslutas direkt. "
        "Historiken finns kvar."
    ),
    "A good place to keep": "En bra plats att behålla",
    "A mail server is set up (%(host)s).": "En e-postserver är inställd (%(host)s).",
    "A problem to fix": "Ett problem att åtgärda",
    "A short name uses only a-z, 0-9 and hyphens (e.g. street-lighting), at most 64 "
    "characters.": (
        "Ett kortnamn har bara a-z, 0-9 och bindestreck (t.ex. street-lighting), högst 64 tecken."
    ),
    "Access": "Åtkomst",
    "Active accounts per role.": "Aktiva konton per roll.",
    "Active: residents can choose it": "Aktiv: invånare kan välja den",
    "Admin": "Admin",
    "Administration": "Administration",
    "Another category has that short name.": "En annan kategori har det kortnamnet.",
    "Another unit has that short name.": "En annan enhet har det kortnamnet.",
    "Any category": "Alla kategorier",
    "Any district": "Alla stadsdelar",
    "At least %(n)s characters. Give it to the person in a safe way.": (
        "Minst %(n)s tecken. Ge det till personen på ett säkert sätt."
    ),
    "At least %(n)s characters. The account's other sessions end.": (
        "Minst %(n)s tecken. Kontots andra sessioner avslutas."
    ),
    "At most %(n)s rows in one file.": "Högst %(n)s rader i en fil.",
    "CSV": "CSV",
    "CSV file to import": "CSV-fil att importera",
    "Categories": "Kategorier",
    "Change rule %(n)s": "Ändra regel %(n)s",
    "Choose a CSV file to import.": "Välj en CSV-fil att importera.",
    "Choose a role from the list.": "Välj en roll i listan.",
    "Choose an icon from the list.": "Välj en ikon i listan.",
    "Choose the unit the rule routes to.": "Välj enheten som regeln skickar till.",
    "Columns: %(columns)s. Rows are matched by short name; an import creates and updates, never "
    "deletes, and applies every row or none.": (
        "Kolumner: %(columns)s. Rader matchas på kortnamn; en import skapar och uppdaterar, tar "
        "aldrig bort, och genomför alla rader eller ingen."
    ),
    "Create account": "Skapa konto",
    "Create category": "Skapa kategori",
    "Create rule": "Skapa regel",
    "Create unit": "Skapa enhet",
    "Deactivate account": "Inaktivera kontot",
    "Default unit": "Standardenhet",
    "Delete": "Ta bort",
    "Deleted.": "Borttagen.",
    "Department": "Förvaltning",
    "Department in English": "Förvaltning på engelska",
    "Department in Swedish": "Förvaltning på svenska",
    "Districts": "Stadsdelar",
    "Download CSV": "Ladda ner CSV",
    "E-mail": "E-post",
    "E-mail for digests": "E-post för sammanställningar",
    "Every problem category in every district, routed by the rules above.": (
        "Varje problemkategori i varje stadsdel, fördelad enligt reglerna ovan."
    ),
    "Failed at least once": "Misslyckats minst en gång",
    "Goes to unit": "Går till enhet",
    "Icon": "Ikon",
    "Import": "Importera",
    "Imported.": "Importerat.",
    "Kind": "Typ",
    "Last login": "Senaste inloggning",
    "Line %(n)s:": "Rad %(n)s:",
    "Name": "Namn",
    "Name in English": "Namn på engelska",
    "Name in Swedish": "Namn på svenska",
    "Name, role and unit": "Namn, roll och enhet",
    "New account": "Nytt konto",
    "New category": "Ny kategori",
    "New password": "Nytt lösenord",
    "New rule": "Ny regel",
    "New unit": "Ny enhet",
    "No accounts yet.": "Inga konton än.",
    "No mail server is set up (SAFETYWALK_SMTP_HOST), so no e-mail is sent: every mail stays "
    "in the outbox until one is.": (
        "Ingen e-postserver är inställd (SAFETYWALK_SMTP_HOST), så ingen e-post skickas: varje "
        "mejl ligger kvar i utkorgen tills en finns."
    ),
    "No rules yet: every report goes to its category's default unit.": (
        "Inga regler än: varje rapport går till kategorins standardenhet."
    ),
    "No unit": "Ingen enhet",
    "None: the rules decide": "Ingen: reglerna avgör",
    "Nothing was imported: fix these lines and try again.": (
        "Inget importerades: rätta de här raderna och försök igen."
    ),
    "Nothing was saved. Please check:": "Inget sparades. Kontrollera:",
    "Oldest waiting since": "Äldsta väntar sedan",
    "Only a unit that no rule, category, account or observation uses can be deleted.": (
        "Bara en enhet som ingen regel, kategori, konto eller observation använder kan tas bort."
    ),
    "Only for unit staff, who need one.": "Bara för enhetspersonal, som behöver en.",
    "Only unit staff belong to a unit: choose no unit, or the role unit staff.": (
        "Bara enhetspersonal hör till en enhet: välj ingen enhet, eller rollen enhetspersonal."
    ),
    "Overview": "Översikt",
    "Position in the list": "Plats i listan",
    "Preview only (change nothing)": "Bara förhandsvisning (ändra inget)",
    "Preview only: nothing was changed.": "Bara förhandsvisning: inget ändrades.",
    "Private: routed, never shown publicly": "Privat: fördelas, visas aldrig offentligt",
    "Reactivate account": "Aktivera kontot igen",
    "Reports already routed keep their unit; new ones follow the remaining rules.": (
        "Rapporter som redan fördelats behåller sin enhet; nya följer de återstående reglerna."
    ),
    "Role": "Roll",
    "Routing": "Fördelning",
    "Routing rule": "Fördelningsregel",
    "Routing rules": "Fördelningsregler",
    "Save": "Spara",
    "Saved.": "Sparat.",
    "Saved. It is in the list below.": "Sparat. Det finns i listan nedan.",
    "Set password": "Sätt lösenord",
    "Short name": "Kortnamn",
    "Shown in histories; the e-mail address when empty.": (
        "Visas i historiken; e-postadressen om tomt."
    ),
    "Someone changed the same rows meanwhile. Try again.": (
        "Någon ändrade samma rader under tiden. Försök igen."
    ),
    "Staff accounts": "Personalkonton",
    "That already exists.": "Det finns redan.",
    "That e-mail address already has an account.": "Den e-postadressen har redan ett konto.",
    "The account is active again.": "Kontot är aktivt igen.",
    "The account is deactivated; its sessions have ended.": (
        "Kontot är inaktiverat; dess sessioner har avslutats."
    ),
    "The file is empty.": "Filen är tom.",
    "The file is not UTF-8 text. Save it as CSV UTF-8.": (
        "Filen är inte UTF-8-text. Spara den som CSV UTF-8."
    ),
    "The file is not valid CSV: %(error)s": "Filen är inte giltig CSV: %(error)s",
    "The file is too large: at most %(n)s MB.": "Filen är för stor: högst %(n)s MB.",
    "The first line must name the columns: %(columns)s.": (
        "Första raden måste namnge kolumnerna: %(columns)s."
    ),
    "The kind is problem or good.": "Typen är problem eller good.",
    "The password is changed; the account's other sessions have ended.": (
        "Lösenordet är ändrat; kontots andra sessioner har avslutats."
    ),
    "The password is too long.": "Lösenordet är för långt.",
    "The password needs at least %(n)s characters.": "Lösenordet behöver minst %(n)s tecken.",
    "The position is a whole number between -10000 and 10000.": (
        "Platsen är ett heltal mellan -10000 och 10000."
    ),
    "There is already a rule for this category and district: change it.": (
        "Det finns redan en regel för den här kategorin och stadsdelen: ändra den."
    ),
    "There is no category %(slug)s.": "Det finns ingen kategori %(slug)s.",
    "There is no district %(slug)s.": "Det finns ingen stadsdel %(slug)s.",
    "There is no unit %(slug)s.": "Det finns ingen enhet %(slug)s.",
    "This account is deactivated.": "Kontot är inaktiverat.",
    "This field is required.": "Fältet måste fyllas i.",
    "This row has %(found)s cells; the header has %(wanted)s.": (
        "Raden har %(found)s celler; rubrikraden har %(wanted)s."
    ),
    "This row repeats line %(line)s.": "Raden upprepar rad %(line)s.",
    "Unit staff need a unit.": "Enhetspersonal behöver en enhet.",
    "Units": "Enheter",
    "Waiting in the outbox": "Väntar i utkorgen",
    "Where new reports go now": "Vart nya rapporter går nu",
    "Who owns a new report: a rule for its category in its district wins, then the category's "
    "default unit, then a rule for every category in the district, then the catch-all rule.": (
        "Vem som äger en ny rapport: en regel för kategorin i stadsdelen går först, sedan "
        "kategorins standardenhet, sedan en regel för alla kategorier i stadsdelen, sist "
        "reservregeln."
    ),
    "Write a valid e-mail address, or leave it empty.": (
        "Skriv en giltig e-postadress, eller lämna fältet tomt."
    ),
    "Write a valid e-mail address.": "Skriv en giltig e-postadress.",
    "Write true or false.": "Skriv true eller false.",
    "You cannot deactivate your own account. Ask another administrator.": (
        "Du kan inte inaktivera ditt eget konto. Be en annan administratör."
    ),
    "You cannot take away your own administrator role. Ask another administrator.": (
        "Du kan inte ta bort din egen administratörsroll. Be en annan administratör."
    ),
    "a-z, 0-9 and hyphens, e.g. dark-spot; used in CSV files and the API": (
        "a-z, 0-9 och bindestreck, t.ex. dark-spot; används i CSV-filer och API:t"
    ),
    "a-z, 0-9 and hyphens, e.g. street-lighting; used in CSV files": (
        "a-z, 0-9 och bindestreck, t.ex. street-lighting; används i CSV-filer"
    ),
    "active": "aktiv",
    "deactivated": "inaktiverad",
    "everywhere": "överallt",
    "good place": "bra plats",
    "inactive": "inaktiv",
    "never": "aldrig",
    "nobody (no rule matched)": "ingen (ingen regel passade)",
    "outside every district": "utanför alla stadsdelar",
    "private": "privat",
    "this is you": "det här är du",
}

TRANSLATIONS = Path(__file__).resolve().parent.parent / "app" / "translations"


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def main() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    for lang, table in (("sv", SV), ("en", {})):
        catalog = Catalog(locale=lang, project="SafetyWalk", fuzzy=False)
        for message in template:
            if message.id:
                default = ("", "") if isinstance(message.id, tuple) else ""
                catalog.add(message.id, table.get(message.id, default))
        path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, omit_header=False)
        missing = [m.id for m in catalog if m.id and not all(_strings(m.string))]
        print(f"{lang}: {len(catalog)} messages, {len(missing)} untranslated")
        if lang == "sv":
            for mid in missing:
                print("  missing:", mid)


if __name__ == "__main__":
    main()
