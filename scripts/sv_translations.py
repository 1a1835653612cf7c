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
    # Safety walks
    "%(done)s of %(total)s checked": "%(done)s av %(total)s kontrollerade",
    "%(fixed)s of %(total)s items fixed, %(open)s still open; %(checked)s checked on site.": (
        "%(fixed)s av %(total)s punkter åtgärdade, %(open)s fortfarande öppna; "
        "%(checked)s kontrollerade på plats."
    ),
    "%(n)s of %(total)s felt unsafe here": "%(n)s av %(total)s kände sig otrygga här",
    "%(n)s of 5": "%(n)s av 5",
    "%(n)s of the places to fix were seen in the dark.": (
        "%(n)s av platserna att åtgärda sågs i mörker."
    ),
    ("%(num)d new place to fix on this walk.", "%(num)d new places to fix on this walk."): (
        "%(num)d ny plats att åtgärda på den här vandringen.",
        "%(num)d nya platser att åtgärda på den här vandringen.",
    ),
    ("%(num)d participant has joined", "%(num)d participants have joined"): (
        "%(num)d deltagare har anslutit",
        "%(num)d deltagare har anslutit",
    ),
    ("%(num)d to fix", "%(num)d to fix"): ("%(num)d att åtgärda", "%(num)d att åtgärda"),
    ("%(num)d to keep", "%(num)d to keep"): ("%(num)d att bevara", "%(num)d att bevara"),
    ("observation", "observations"): ("observation", "observationer"),
    ("participant", "participants"): ("deltagare", "deltagare"),
    "A follow-up is of an earlier, closed walk.": (
        "En uppföljning gäller en tidigare, avslutad vandring."
    ),
    "A walk cannot be its own follow-up.": "En vandring kan inte följa upp sig själv.",
    "About the walk": "Om vandringen",
    "Back to the walk": "Tillbaka till vandringen",
    "Can't see far / hidden corners": "Dålig sikt / skymda hörn",
    "Can't tell": "Går inte att säga",
    "Check the earlier walk's items": "Kontrollera den förra vandringens punkter",
    "Checked:": "Kontrollerad:",
    "Choose a date within three years.": "Välj ett datum inom tre år.",
    "Choose a district from the list.": "Välj ett område i listan.",
    "Choose fixed, not fixed or can't tell.": "Välj åtgärdad, inte åtgärdad eller går inte att säga.",
    "Choose the district, or draw the area on the map.": (
        "Välj området, eller rita det på kartan."
    ),
    "Choose the district, or draw the walk's area on the map below, or both.": (
        "Välj området, eller rita vandringens område på kartan nedan, eller både och."
    ),
    "Clear this": "Rensa",
    "Close the walk and make the protocol": "Avsluta vandringen och gör protokollet",
    "Close the walk? Participants can then no longer add to it, and the protocol is made.": (
        "Avsluta vandringen? Deltagarna kan då inte längre lägga till något, och protokollet görs."
    ),
    "Closed": "Avslutad",
    "Code": "Kod",
    "Coming walks": "Kommande vandringar",
    "Compared with the earlier walk": "Jämfört med den förra vandringen",
    "Counted": "Räknad",
    "Date": "Datum",
    "Due": "Klart senast",
    "Earlier item": "Tidigare punkt",
    "Earlier walk:": "Förra vandringen:",
    "Edit": "Ändra",
    "Edit the walk": "Ändra vandringen",
    "Feel it too? Say so instead of logging it again.": (
        "Känner du likadant? Säg det i stället för att registrera det igen."
    ),
    "Felt unsafety at the re-rated places: %(before)s then, %(now)s now (of 5).": (
        "Upplevd otrygghet på de platser som bedömdes igen: %(before)s då, %(now)s nu (av 5)."
    ),
    "Fixed?": "Åtgärdad?",
    "Follow-up": "Uppföljning",
    "Follow-up of an earlier walk": "Uppföljning av en tidigare vandring",
    "Follow-up walk": "Uppföljningsvandring",
    "Follow-up: %(title)s": "Uppföljning: %(title)s",
    "From the walk “%(title)s” on %(date)s. At each place: is it fixed, and how unsafe does "
    "it feel now?": (
        "Från vandringen ”%(title)s” den %(date)s. På varje plats: är det åtgärdat, och hur "
        "otryggt känns det nu?"
    ),
    "Give the date and time the walk starts.": "Ange datum och tid då vandringen börjar.",
    "Give the walk a title.": "Ge vandringen en rubrik.",
    "How unsafe does it feel now?": "Hur otryggt känns det nu?",
    "How unsafe the area felt": "Hur otryggt området kändes",
    "Me too: %(what)s": "Jag också: %(what)s",
    "Open the walk's page on this phone first, then say so again.": (
        "Öppna vandringens sida i den här telefonen först, och säg det sedan igen."
    ),
    "A good place is kept, not co-signed.": "En bra plats bevaras, den instäms inte i.",
    "The earlier walk's items are already being checked; it can no longer change.": (
        "Den förra vandringens punkter kontrolleras redan; den kan inte längre ändras."
    ),
    "Item %(n)s after the fix": "Punkt %(n)s efter åtgärden",
    "Item statuses as of %(date)s: they are read afresh each time the protocol is opened.": (
        "Punkternas status per %(date)s: de läses på nytt varje gång protokollet öppnas."
    ),
    "Join the walk": "Gå med i vandringen",
    "Leader": "Ledare",
    "Less safe.": "Otryggare.",
    "Let people join": "Låt deltagare ansluta",
    "Log a place on the walk": "Registrera en plats på vandringen",
    "Log another place on the walk": "Registrera en plats till på vandringen",
    "Logged on this walk": "Registrerat på den här vandringen",
    "Logged on this walk so far": "Registrerat på vandringen hittills",
    "Map for the meeting point, route and area": "Karta för mötesplats, rutt och område",
    "Map of the earlier walk's items": "Karta över den förra vandringens punkter",
    "Map of the walk's observations": "Karta över vandringens observationer",
    "Meeting point": "Mötesplats",
    "Mark the meeting point": "Markera mötesplatsen",
    "Draw the route": "Rita rutten",
    "Draw the area": "Rita området",
    "Meeting point:": "Mötesplats:",
    "No": "Nej",
    "No change.": "Ingen förändring.",
    "No good places were noted.": "Inga bra platser noterades.",
    "No people around": "Inga människor i närheten",
    "No walk has the code %(code)s. Check it with the walk's leader.": (
        "Ingen vandring har koden %(code)s. Kontrollera den med vandringens ledare."
    ),
    "No walk has this code.": "Ingen vandring har den här koden.",
    "No walks are planned right now.": "Inga vandringar är planerade just nu.",
    "No walks yet.": "Inga vandringar ännu.",
    "No way out": "Ingen väg ut",
    "No, a new walk": "Nej, en ny vandring",
    "None: I draw the area on the map": "Inget: jag ritar området på kartan",
    "Nothing logged on this walk yet.": "Inget registrerat på vandringen ännu.",
    "Nothing logged yet. Observations appear here as participants send them.": (
        "Inget registrerat ännu. Observationerna visas här när deltagarna skickar dem."
    ),
    "Nothing to fix was noted.": "Inget att åtgärda noterades.",
    "Observations as they come in": "Observationer allteftersom de kommer in",
    "On a walk now? Type its code": "På en vandring nu? Skriv in koden",
    "On average %(mean)s of 5 (5 is very unsafe), from %(n)s ratings.": (
        "I genomsnitt %(mean)s av 5 (5 är mycket otryggt), av %(n)s bedömningar."
    ),
    "On the map": "På kartan",
    "Only a planned walk can be started.": "Bara en planerad vandring kan startas.",
    "Only a walk under way can be closed. Start it first.": (
        "Bara en pågående vandring kan avslutas. Starta den först."
    ),
    "Only the walk's leader may change this walk.": "Bara vandringens ledare får ändra den.",
    "Open the protocol": "Öppna protokollet",
    "Organisations": "Organisationer",
    "Organisations taking part": "Deltagande organisationer",
    "Participants": "Deltagare",
    "Participants open %(site)s/walks and type the code, or scan the QR code.": (
        "Deltagarna öppnar %(site)s/walks och skriver in koden, eller skannar QR-koden."
    ),
    "Photo of item %(n)s": "Foto av punkt %(n)s",
    "Plan a follow-up walk": "Planera en uppföljningsvandring",
    "Plan a walk": "Planera en vandring",
    "Planned": "Planerad",
    "Poor lighting": "Dålig belysning",
    "Print": "Skriv ut",
    "Protocol": "Protokoll",
    "QR code that opens the walk: %(url)s": "QR-kod som öppnar vandringen: %(url)s",
    "Ratings from 1 (a little unsafe) to 5 (very unsafe)": (
        "Bedömningar från 1 (lite otryggt) till 5 (mycket otryggt)"
    ),
    "Responsible": "Ansvarig",
    "Route": "Rutt",
    "Safer.": "Tryggare.",
    "Safety walk": "Trygghetsvandring",
    "Safety walk protocol": "Protokoll från trygghetsvandring",
    "Safety walks": "Trygghetsvandringar",
    "Save the check": "Spara kontrollen",
    "Save the walk": "Spara vandringen",
    "See what others logged": "Se vad andra har registrerat",
    "Signs of neglect": "Tecken på förfall",
    "Start the walk": "Starta vandringen",
    "Starts at": "Börjar kl.",
    "Status now": "Status nu",
    "Status now:": "Status nu:",
    "Tap the map to place the meeting point, or to add the route's or the area's corners one "
    "by one.": (
        "Tryck på kartan för att sätta mötesplatsen, eller för att lägga till ruttens eller "
        "områdets hörn ett i taget."
    ),
    "That item is not from the earlier walk.": "Punkten kommer inte från den förra vandringen.",
    "That item is not on this walk.": "Punkten hör inte till den här vandringen.",
    "The drawn area is not a valid polygon. Draw it again.": (
        "Det ritade området är inte en giltig polygon. Rita det igen."
    ),
    "The drawn route is not a valid line. Draw it again.": (
        "Den ritade rutten är inte en giltig linje. Rita den igen."
    ),
    "The earlier walk had nothing to fix.": "Den förra vandringen hade inget att åtgärda.",
    "The meeting point's position is not valid.": "Mötesplatsens position är inte giltig.",
    "The protocol as a file": "Protokollet som fil",
    "The walk has been closed, so your report was stored as an ordinary report. Nothing is "
    "lost: the municipality gets it all the same.": (
        "Vandringen har avslutats, så din rapport sparades som en vanlig rapport. Inget går "
        "förlorat: kommunen får den ändå."
    ),
    "The walk is closed.": "Vandringen är avslutad.",
    "The walk is closed; its protocol no longer changes.": (
        "Vandringen är avslutad; protokollet ändras inte längre."
    ),
    "The walk is not saved yet. Please check:": "Vandringen är inte sparad ännu. Kontrollera:",
    "The walk “%(title)s” has ended and its protocol is made. You can still report a place: "
    "it reaches the municipality as an ordinary report.": (
        "Vandringen ”%(title)s” är avslutad och protokollet gjort. Du kan fortfarande "
        "rapportera en plats: den når kommunen som en vanlig rapport."
    ),
    "The walking path": "Gångvägen",
    "Then: unsafe %(n)s of 5": "Då: otryggt %(n)s av 5",
    "This walk is closed": "Vandringen är avslutad",
    "This walk is not a follow-up of an earlier walk.": (
        "Den här vandringen är ingen uppföljning av en tidigare vandring."
    ),
    "Title": "Rubrik",
    "To fix": "Att åtgärda",
    "To keep": "Att bevara",
    "Too long: at most %(n)s characters.": "För långt: högst %(n)s tecken.",
    "Traffic": "Trafik",
    "Type the code the walk's leader gave you.": "Skriv koden som vandringens ledare gav dig.",
    "Under way": "Pågår",
    "Undo last point": "Ångra sista punkten",
    "Unsafe now": "Otryggt nu",
    "Unsafe then": "Otryggt då",
    "Walk": "Vandring",
    "Walk your neighbourhood with the municipality and the police, and show what feels unsafe "
    "and what is worth keeping. Everyone is welcome; no sign-up.": (
        "Gå runt i ditt område med kommunen och polisen och visa vad som känns otryggt och vad "
        "som är värt att bevara. Alla är välkomna; ingen anmälan."
    ),
    "When": "När",
    "Why does it feel unsafe here?": "Varför känns det otryggt här?",
    "Why places felt unsafe": "Varför platser kändes otrygga",
    "Yes": "Ja",
    "can't tell": "går inte att säga",
    "code %(code)s": "kod %(code)s",
    "drawn on the map": "ritat på kartan",
    "drawn on the map (in the GeoJSON file)": "ritad på kartan (i GeoJSON-filen)",
    "e.g. the bus stop at the library": "t.ex. busshållplatsen vid biblioteket",
    "felt by %(n)s": "upplevt av %(n)s",
    "fixed": "åtgärdad",
    "in the dark": "i mörker",
    "no": "nej",
    "not checked": "inte kontrollerad",
    "not drawn": "inte ritad",
    "not fixed": "inte åtgärdad",
    "not routed yet": "inte styrd ännu",
    "one per line": "en per rad",
    "tick all that fit": "kryssa i allt som stämmer",
    "unsafe %(n)s of 5": "otryggt %(n)s av 5",
    "unsafe now %(n)s of 5": "otryggt nu %(n)s av 5",
    "yes": "ja",
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
    # Offline: the outbox on the phone
    "Report a place that feels unsafe, or one worth keeping.": (
        "Rapportera en plats som känns otrygg, eller en som är värd att bevara."
    ),
    "Waiting to send ({n})": "Väntar på att skickas ({n})",
    "Sent now: {n}. Thank you!": "Skickade nu: {n}. Tack!",
    "Not accepted: {reason}": "Inte godtagen: {reason}",
    "Delete the waiting report: {what}": "Radera den väntande rapporten: {what}",
    "Delete this report from the phone? It has not been sent.": (
        "Radera rapporten från telefonen? Den har inte skickats."
    ),
    "Kept on this phone. They are sent by themselves when the network is back.": (
        "Sparade i den här telefonen. De skickas av sig själva när nätet är tillbaka."
    ),
    "Send now": "Skicka nu",
    "Follow your report: {what}": "Följ din rapport: {what}",
    "Saved on this phone": "Sparad i telefonen",
    "There is no connection just now. Your report waits on this phone and is sent by itself "
    "when the network is back. You can close the page; it is sent the next time you open it.": (
        "Det finns ingen anslutning just nu. Din rapport väntar i telefonen och skickas av sig "
        "själv när nätet är tillbaka. Du kan stänga sidan; den skickas nästa gång du öppnar den."
    ),
    "Log another place": "Registrera en plats till",
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
