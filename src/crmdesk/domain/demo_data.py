"""Deterministic, realistic demo clients for a first look at crmdesk and for benchmarks.

:func:`generate_clients` yields fully built :class:`~crmdesk.domain.entities.Client`
records: companies and private individuals across many industries, with contacts, personal
profiles, a seasonal purchase history priced from each industry's catalogue, pricing
agreements, preferences, specifications, interactions and tasks, all dated relative to
``today``. The same ``seed`` and ``today`` give the same clients, and the first ``k``
clients do not depend on ``count``.

Every generated value already has the form :func:`~crmdesk.domain.json_codec.validate_client`
produces (E.164 phones, lowercase email domains, money to the cent, sorted months...), so a
client passes validation unchanged. Phone numbers come only from ranges reserved for
fiction (NANP 555-01xx, Ofcom drama numbers, ACMA and ARCEP fictional ranges) and email
addresses only from reserved ``example`` domains.

Generation is tuned for speed (pools built once, one ``random.Random``, no validation per
client): about 100,000 clients in a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from .entities import (
    Address,
    Client,
    Contact,
    Interaction,
    LineItem,
    PersonalProfile,
    Preference,
    PricingAgreement,
    Purchase,
    SeasonalNeed,
    Specification,
    Task,
)
from .text import fold
from .validation import CENT

__all__ = ["generate_clients"]

T = TypeVar("T")


def _split(text: str) -> tuple[str, ...]:
    """A comma-separated list written as one string (keeps long pools compact)."""
    return tuple(text.split(", "))


_ZERO_PERCENT = Decimal("0")
# Prices in the catalogues are today's; each year further back is this much cheaper.
_YEARLY_PRICE_RISE = Decimal("0.04")
_PRICE_YEARS = 8

# ------------------------------------------------------------------------------ people

# (first names as (name, "f"/"m"), last names: one tuple, or (male, female) for cultures
# whose surnames change with gender), family name first?
_Culture = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, ...], tuple[str, ...]], bool]


def _firsts(female: str, male: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, "f") for n in female.split(", ")) + tuple((n, "m") for n in male.split(", "))


def _lasts(names: str, female: str | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    male_or_all = tuple(dict.fromkeys(names.split(", ")))
    return male_or_all, tuple(female.split(", ")) if female else male_or_all


_CULTURES: dict[str, _Culture] = {
    "english": (
        _firsts(
            "Emma, Olivia, Sarah, Emily, Hannah, Grace, Chloe, Rachel, Laura, Megan, Jessica, "
            "Amy, Kate, Lucy, Charlotte, Ruth, Diane, Karen, Linda, Susan, Heather, Abigail, "
            "Jennifer, Michelle, Nicole, Stephanie, Rebecca, Amanda, Melissa, Katie, Holly, Beth, "
            "Victoria, Natalie, Alice, Isabel, Fiona, Joanne, Tracy, Pamela, Wendy, Gemma, Paige, "
            "Brooke, Danielle, Erin, Shannon, Kelly, Naomi, Harriet",
            "James, John, Michael, David, Daniel, Matthew, Chris, Tom, Ben, Sam, Peter, Mark, "
            "Paul, Andrew, Ryan, Jack, George, Harry, Robert, William, Gareth, Nathan, Steven, "
            "Kevin, Brian, Gary, Jason, Eric, Scott, Adam, Luke, Simon, Neil, Graham, Ian, Keith, "
            "Alan, Craig, Dean, Trevor, Oliver, Henry, Edward, Patrick, Tyler, Kyle, Connor",
        ),
        _lasts(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Taylor, Anderson, "
            "Thomas, Moore, Martin, Thompson, White, Harris, Clark, Lewis, Walker, Hall, Young, "
            "King, Wright, Scott, Green, Baker, Adams, Nelson, Hill, Campbell, Mitchell, Roberts, "
            "Carter, Phillips, Evans, Turner, Parker, Collins, Edwards, Stewart, Morris, Cook, "
            "Rogers, Morgan, Cooper, Bailey, Reed, Bell, Ward, Fletcher, Hughes, Palmer, "
            "Jackson, Lee, Allen, Robinson, Hughes, Price, Bennett, Wood, Barnes, Ross, Henderson, "
            "Coleman, Jenkins, Perry, Powell, Long, Patterson, Butler, Simmons, Foster, Bryant, "
            "Alexander, Russell, Griffin, Hayes, Myers, Ford, Hamilton, Graham, Sullivan, Wallace, "
            "Woods, Cole, West, Jordan, Owens, Reynolds, Fisher, Ellis, Harrison, Gibson, "
            "McDonald, Marshall, Wells, Webb, Tucker, Porter, Hunter, Hicks, Crawford, Henry, "
            "Boyd, Mason, Kennedy, Warren, Dixon, Burns, Gordon, Shaw, Holmes, Rice, Hunt, Black, "
            "Daniels, Palmer, Mills, Grant, Knight, Ferguson, Stone, Hawkins, Dunn, Perkins, "
            "Hudson, Spencer, Gardner, Stephens, Payne, Pierce, Berry, Matthews, Arnold, Wagner, "
            "Watts, Lane, Riley, Carpenter, Armstrong, Sutton, Pearce, Holland, Lawson, Barker"
        ),
        False,
    ),
    "irish": (
        _firsts(
            "Siobhán, Aoife, Niamh, Róisín, Saoirse, Caoimhe",
            "Seán, Ciarán, Pádraig, Eoin, Oisín, Darragh",
        ),
        _lasts(
            "O'Brien, Kelly, O'Connor, Byrne, Walsh, Ó Ceallaigh, McCarthy, Doyle, Ó Briain",
            "O'Brien, Kelly, O'Connor, Byrne, Walsh, Ní Cheallaigh, McCarthy, Doyle, Ní Bhriain",
        ),
        False,
    ),
    "polish": (
        _firsts(
            "Zoë, Agnieszka, Małgorzata, Katarzyna, Zofia, Joanna",
            "Łukasz, Paweł, Krzysztof, Wojciech, Tomasz, Jędrzej",
        ),
        _lasts(
            "Kowalski, Nowak, Wiśniewski, Wójcik, Łukasiewicz, Zieliński, Dąbrowski, Lewandowski",
            "Kowalska, Nowak, Wiśniewska, Wójcik, Łukasiewicz, Zielińska, Dąbrowska, Lewandowska",
        ),
        False,
    ),
    "vietnamese": (
        _firsts("Minh, Lan, Hương, Thảo, Linh, Mai", "Minh, Hùng, Dũng, Quang, Tuấn, Bảo"),
        _lasts("Nguyễn, Trần, Lê, Phạm, Hoàng, Phan, Võ, Đặng"),
        True,
    ),
    "spanish": (
        _firsts(
            "María, Lucía, Carmen, Sofía, Inés, Begoña", "José, Javier, Andrés, Ángel, Raúl, Íñigo"
        ),
        _lasts("Álvarez, García, Fernández, López, Martínez, Sánchez, Gómez, Muñoz, Pérez, Núñez"),
        False,
    ),
    "nordic": (
        _firsts("Ingrid, Freja, Astrid, Mette, Sigrid, Åsa", "Søren, Jørgen, Mads, Anders, Bjørn"),
        _lasts("Kierkegaard, Jørgensen, Sørensen, Nielsen, Hansen, Østergaard, Lindqvist, Åberg"),
        False,
    ),
    "icelandic": (
        _firsts("Björk, Guðrún, Sigríður, Katrín", "Jón, Guðmundur, Ólafur, Einar"),
        _lasts(
            "Guðmundsson, Jónsson, Ólafsson, Einarsson",
            "Guðmundsdóttir, Jónsdóttir, Ólafsdóttir, Einarsdóttir",
        ),
        False,
    ),
    "turkish": (
        _firsts("Ayşe, Elif, Zeynep, Fatma, Şule, Gülşen", "Mehmet, Emre, Barış, Çağlar, Oğuz"),
        _lasts("Yılmaz, Kaya, Demir, Şahin, Çelik, Öztürk, Aydın, Doğan"),
        False,
    ),
    "french": (
        _firsts(
            "Amélie, Hélène, Chloé, Élise, Margaux, Céline",
            "François, Jérôme, Étienne, Benoît, Loïc, Théo",
        ),
        _lasts(
            "Dupont, Lefèvre, Moreau, Girard, Rousseau, Bonnet, Mercier, Fontaine, Chevalier, Faure"
        ),
        False,
    ),
    "german": (
        _firsts("Anneliese, Käthe, Jana, Sabine, Lena", "Jürgen, Lukas, Matthias, Jörg, Stefan"),
        _lasts("Müller, Schäfer, Weiß, Groß, Becker, Schröder, Hoffmann, Krüger, Köhler"),
        False,
    ),
    "indian": (
        _firsts("Priya, Ananya, Deepika, Kavya, Sunita", "Arjun, Rohan, Vikram, Sanjay, Rahul"),
        _lasts("Patel, Sharma, Singh, Gupta, Iyer, Reddy, Mehta, Nair"),
        False,
    ),
    "chinese": (
        _firsts("Mei, Xiaoling, Yan, Jing", "Wei, Jun, Hao, Zhiwei"),
        _lasts("Wang, Li, Zhang, Chen, Liu, Huang, Zhao, Wu"),
        False,
    ),
    "nigerian": (
        _firsts("Chiamaka, Ngozi, Adaeze, Folake", "Chukwuemeka, Tunde, Emeka, Babajide"),
        _lasts("Okafor, Adeyemi, Okonkwo, Balogun, Eze, Nwosu"),
        False,
    ),
    "greek": (
        _firsts("Eleni, Katerina, Dimitra", "Giorgos, Nikos, Dimitris, Kostas"),
        _lasts(
            "Papadopoulos, Georgiou, Nikolaidis, Oikonomou",
            "Papadopoulou, Georgiou, Nikolaidou, Oikonomou",
        ),
        False,
    ),
    "portuguese": (
        _firsts("Conceição, Inês, Beatriz", "João, Gonçalo, Tiago"),
        _lasts("Gonçalves, Simões, Magalhães, Araújo, Conceição"),
        False,
    ),
    "japanese": (
        _firsts("Yuki, Haruka, Aiko", "Hiroshi, Takumi, Kenji"),
        _lasts("Satō, Tanaka, Suzuki, Itō, Watanabe"),
        False,
    ),
}
_CULTURE_WEIGHTS: dict[str, int] = {
    "english": 40,
    "irish": 4,
    "polish": 6,
    "vietnamese": 5,
    "spanish": 8,
    "nordic": 4,
    "icelandic": 2,
    "turkish": 4,
    "french": 6,
    "german": 5,
    "indian": 6,
    "chinese": 5,
    "nigerian": 3,
    "greek": 2,
    "portuguese": 3,
    "japanese": 2,
}
_VIETNAMESE_MIDDLE = {"f": ("Thị", "Ngọc", "Thu"), "m": ("Văn", "Đức", "Quốc")}
_CHILD_NAMES = _split(
    "Ana, Sofia, Leo, Max, Mia, Noah, Zoë, Oskar, Ella, Finn, Maya, Luca, Inès, Jonas, Amara, "
    "Kai, Emil, Freya, Omar, Lily, Mateo, Nora, Ravi, Chloé"
)
_PARTNER_NAMES = _split("Anna, Tom, Marta, Raj, Claire, Diego, Sam, Helen, Ibrahim, Jo, Petra")
_NUMBER_WORDS = ("no", "one", "two", "three", "four")

_HOBBIES = _split(
    "sailing, marathon running, chess, birdwatching, woodworking, gardening, fly fishing, "
    "salsa dancing, rock climbing, photography, sourdough baking, jazz piano, cycling, golf, "
    "yoga, kayaking, board games, vintage cars, beekeeping, pottery, cross-country skiing, "
    "tennis, amateur astronomy, choir singing, cryptic crosswords, restoring motorbikes, "
    "trail running, knitting, Formula 1, padel, wild swimming, bridge, model railways, "
    "wine tasting, surfing, hiking the Pennine Way, collecting vinyl, bonsai"
)
_ACTIVITIES = (
    "coaches youth soccer on Saturdays",
    "volunteers at the animal shelter",
    "sings in the church choir",
    "runs the school PTA bake sale",
    "organises the annual street festival",
    "referees junior ice hockey",
    "plays bass in a covers band",
    "training for the city half marathon",
    "leads a Scout troop",
    "teaches evening pottery classes",
    "volunteer firefighter",
    "mentors young entrepreneurs",
    "serves on the town planning committee",
    "runs a Sunday parkrun group",
    "writes a local food blog",
    "hosts a monthly book club",
    "delivers meals on wheels on Wednesdays",
    "lifeboat crew volunteer",
)
_EDUCATION = (
    "MBA, University of Manchester",
    "BSc Food Science, University of Leeds",
    "Master baker certificate",
    "DDS, University of Michigan",
    "BA History, McGill University",
    "Diploma in Horticulture, RHS",
    "Apprenticeship in plumbing and heating",
    "Licence en droit, Université Lyon 3",
    "BCom, University of Melbourne",
    "Culinary arts diploma, Le Cordon Bleu",
    "BEng Mechanical Engineering, Imperial College",
    "MSc Marketing, Sorbonne",
    "Left school at 16 to join the family business",
    "Hotel management, École hôtelière de Lausanne",
    "BSc Nursing, University of Toronto",
    "MA English Literature, Trinity College Dublin",
    "Associate degree in Business, community college",
    "MSc Brewing and Distilling, Heriot-Watt University",
    "DVM, Cornell University",
    "City & Guilds Level 3 Hairdressing",
    "BA Economics, Universidad Complutense de Madrid",
    "Vocational diploma, Berufsschule München",
)
_MEMBERSHIPS = (
    "Rotary Club",
    "local food bank board",
    "Chamber of Commerce",
    "Lions Club",
    "Parent-Teacher Association",
    "Slow Food chapter",
    "Federation of Small Businesses",
    "golf club (handicap 14)",
    "Royal Horticultural Society",
    "Toastmasters",
    "local historical society",
    "yacht club",
    "alumni association board",
    "Women in Business network",
    "neighbourhood watch coordinator",
    "credit union board",
    "CAMRA",
    "BNI chapter (Tuesday breakfasts)",
)
_CONTACT_NOTES = (
    "Prefers calls after 10am",
    "Speaks French and English",
    "Best reached by text message",
    "Signs off orders over the usual volume",
    "Works Tuesday to Saturday",
    "Away every July",
    "Likes detailed quotes in writing",
    "Big football fan; ask about the weekend's match",
    "Allergic to nuts (matters at tastings)",
    "Joined last year from a competitor",
    "Retiring next year; introduce the successor",
    "Very punctual; never be late for a meeting",
    "Hard of hearing on the phone; email works better",
    "Part-time: Mondays, Wednesdays and Fridays",
)

# ------------------------------------------------------------------------------ places

# Phone plans: (prefix, first suffix, last suffix, suffix digits). Every range is reserved
# for fiction: NANP 555-0100..0199, Ofcom drama numbers, ACMA fictional numbers, ARCEP
# numbers for audiovisual works.
_PhonePlan = tuple[str, int, int, int]


def _nanp(area: str) -> _PhonePlan:
    return (f"+1{area}55501", 0, 99, 2)


def _uk(prefix: str, low: int = 0, high: int = 999) -> _PhonePlan:
    return (f"+44{prefix}", low, high, 4)


def _au(area: str) -> tuple[_PhonePlan, ...]:
    return ((f"+61{area}5550", 0, 9999, 4), (f"+61{area}7010", 0, 9999, 4))


def _fr(prefix: str) -> _PhonePlan:
    return (f"+33{prefix}", 0, 9999, 4)


_AU_MOBILES: tuple[_PhonePlan, ...] = (("+61491570", 6, 159, 3), ("+61491571", 0, 999, 3))

# Per country: name, currency sign, street names, street format and cities as
# (city, region, postal code prefix, phone plans).
_City = tuple[str, str, str, tuple[_PhonePlan, ...]]
_COUNTRIES: dict[str, tuple[str, str, tuple[str, ...], tuple[_City, ...]]] = {
    "US": (
        "United States",
        "$",
        _split(
            "Oak Street, Maple Avenue, Main Street, Harbor Lane, Elm Street, Cedar Road, "
            "Washington Avenue, Lake Drive, Mill Road, Park Place, Sunset Boulevard, "
            "Pine Street, Church Street, Market Street, Highland Avenue, River Road"
        ),
        (
            ("Washington", "DC", "200", (_nanp("202"),)),
            ("New York", "NY", "100", (_nanp("212"), _nanp("718"))),
            ("Chicago", "IL", "606", (_nanp("312"), _nanp("773"))),
            ("San Francisco", "CA", "941", (_nanp("415"),)),
            ("Los Angeles", "CA", "900", (_nanp("310"),)),
            ("San Diego", "CA", "921", (_nanp("619"),)),
            ("Portland", "OR", "972", (_nanp("503"), _nanp("971"))),
            ("Boston", "MA", "021", (_nanp("617"),)),
            ("Seattle", "WA", "981", (_nanp("206"),)),
            ("Denver", "CO", "802", (_nanp("303"), _nanp("720"))),
            ("Austin", "TX", "787", (_nanp("512"),)),
            ("Houston", "TX", "770", (_nanp("713"),)),
            ("Phoenix", "AZ", "850", (_nanp("602"), _nanp("480"))),
            ("Miami", "FL", "331", (_nanp("305"),)),
            ("Atlanta", "GA", "303", (_nanp("404"),)),
            ("Minneapolis", "MN", "554", (_nanp("612"),)),
            ("Saint Paul", "MN", "551", (_nanp("651"),)),
            ("Nashville", "TN", "372", (_nanp("615"),)),
            ("Salt Lake City", "UT", "841", (_nanp("801"),)),
            ("Raleigh", "NC", "276", (_nanp("919"),)),
            ("Milwaukee", "WI", "532", (_nanp("414"),)),
            ("Madison", "WI", "537", (_nanp("608"),)),
            ("Cleveland", "OH", "441", (_nanp("216"),)),
            ("Detroit", "MI", "482", (_nanp("313"),)),
            ("Pittsburgh", "PA", "152", (_nanp("412"),)),
            ("Philadelphia", "PA", "191", (_nanp("215"),)),
            ("New Orleans", "LA", "701", (_nanp("504"),)),
            ("Kansas City", "MO", "641", (_nanp("816"),)),
            ("Burlington", "VT", "054", (_nanp("802"),)),
            ("Portland", "ME", "041", (_nanp("207"),)),
            ("Charleston", "SC", "294", (_nanp("843"),)),
            ("Santa Fe", "NM", "875", (_nanp("505"),)),
            ("Missoula", "MT", "598", (_nanp("406"),)),
        ),
    ),
    "UK": (
        "United Kingdom",
        "£",
        _split(
            "High Street, Mill Lane, Station Road, Church Lane, Victoria Road, Green Lane, "
            "Manor Road, Park Road, Queen Street, King's Road, The Crescent, Bridge Street, "
            "Market Place, Castle Street, Albert Road"
        ),
        (
            ("London", "Greater London", "E1|N4|SE15|W5|NW1|EC2A", (_uk("207946"),)),
            ("Manchester", "Greater Manchester", "M1|M4|M20", (_uk("161496"),)),
            ("Leeds", "West Yorkshire", "LS1|LS6|LS11", (_uk("113496"),)),
            ("Bristol", "Bristol", "BS1|BS3|BS8", (_uk("117496"),)),
            ("Edinburgh", "Midlothian", "EH1|EH3|EH6", (_uk("131496"),)),
            ("Glasgow", "Lanarkshire", "G1|G12|G41", (_uk("141496"),)),
            ("Birmingham", "West Midlands", "B1|B5|B13", (_uk("121496"),)),
            ("Newcastle upon Tyne", "Tyne and Wear", "NE1|NE2|NE6", (_uk("191498"),)),
            ("Cardiff", "South Glamorgan", "CF10|CF11|CF24", (_uk("292018"),)),
            ("Belfast", "County Antrim", "BT1|BT7|BT9", (_uk("289649", 6000, 6999),)),
        ),
    ),
    "CA": (
        "Canada",
        "$",
        _split(
            "Queen Street West, Rue Saint-Denis, Granville Street, Bank Street, "
            "Spring Garden Road, 17th Avenue SW, Portage Avenue, Yonge Street, Rue Sainte-Catherine"
        ),
        (
            ("Toronto", "ON", "M5V|M4M|M6J", (_nanp("416"), _nanp("647"))),
            ("Vancouver", "BC", "V6B|V5K|V6K", (_nanp("604"),)),
            ("Montréal", "QC", "H2X|H2J|H3B", (_nanp("514"),)),
            ("Calgary", "AB", "T2P|T2R|T3A", (_nanp("403"),)),
            ("Ottawa", "ON", "K1P|K1S|K2P", (_nanp("613"),)),
            ("Halifax", "NS", "B3H|B3J|B3K", (_nanp("902"),)),
            ("Winnipeg", "MB", "R3C|R3M|R2W", (_nanp("204"),)),
            ("Québec", "QC", "G1R|G1K|G1S", (_nanp("418"),)),
        ),
    ),
    "AU": (
        "Australia",
        "$",
        _split(
            "George Street, Chapel Street, Brunswick Street, King William Street, Hay Street, "
            "Beach Road, Ann Street, Smith Street, Oxford Street, Lygon Street"
        ),
        (
            ("Sydney", "NSW", "2000|2010|2037", _au("2") + _AU_MOBILES),
            ("Newcastle", "NSW", "2300|2289", _au("2") + _AU_MOBILES),
            ("Melbourne", "VIC", "3000|3065|3121", _au("3") + _AU_MOBILES),
            ("Geelong", "VIC", "3220", _au("3") + _AU_MOBILES),
            ("Brisbane", "QLD", "4000|4101|4064", _au("7") + _AU_MOBILES),
            ("Perth", "WA", "6000|6008|6160", _au("8") + _AU_MOBILES),
            ("Adelaide", "SA", "5000|5067", _au("8") + _AU_MOBILES),
            ("Hobart", "TAS", "7000", _au("3") + _AU_MOBILES),
        ),
    ),
    "FR": (
        "France",
        "€",
        _split(
            "rue de la République, avenue Jean Jaurès, rue Victor Hugo, boulevard Pasteur, "
            "place du Marché, rue des Écoles, quai des Chartrons, rue de la Gare, "
            "chemin des Vignes, rue du Général Leclerc"
        ),
        (
            ("Paris", "Île-de-France", "75011|75004|75018|75015", (_fr("19900"),)),
            ("Versailles", "Île-de-France", "78000", (_fr("19900"),)),
            ("Nantes", "Pays de la Loire", "44000|44100", (_fr("26191"),)),
            ("Rennes", "Bretagne", "35000|35200", (_fr("26191"),)),
            ("Lille", "Hauts-de-France", "59000|59800", (_fr("35301"),)),
            ("Strasbourg", "Grand Est", "67000|67100", (_fr("35301"),)),
            ("Lyon", "Auvergne-Rhône-Alpes", "69002|69007", (_fr("46571"),)),
            ("Marseille", "Provence-Alpes-Côte d'Azur", "13001|13008", (_fr("46571"),)),
            ("Bordeaux", "Nouvelle-Aquitaine", "33000|33800", (_fr("53649"),)),
            ("Toulouse", "Occitanie", "31000|31400", (_fr("53649"),)),
        ),
    ),
}
_COUNTRY_WEIGHTS = {"US": 55, "UK": 18, "CA": 10, "AU": 10, "FR": 7}
_ADDRESS_EXTRAS = ("Suite 200", "Unit 4", "2nd floor", "Building B", "Rear entrance")
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# ------------------------------------------------------------------------------ industries

# Product: (name, today's unit price, usual quantities).
_Product = tuple[str, str, tuple[str, ...]]
_Season = tuple[tuple[int, ...], tuple[str, ...]]


class _Industry:
    """One line of business: its names, catalogue, seasons and habits."""

    __slots__ = (
        "label",
        "name_words",
        "name_patterns",
        "titles",
        "products",
        "prices",
        "quantities",
        "big_quantities",
        "seasons",
        "specs",
        "prefs",
        "summaries",
        "first_contacts",
        "pools",
    )

    def __init__(
        self,
        label: str,
        name_words: str,
        titles: str,
        products: Sequence[_Product],
        seasons: Sequence[_Season],
        specs: Sequence[tuple[str, str]],
        prefs: Sequence[tuple[str, str]] = (),
        name_patterns: Sequence[str] | None = None,
    ) -> None:
        self.label = label
        self.name_words = tuple(name_words.split(", "))
        self.name_patterns = tuple(name_patterns or _COMPANY_PATTERNS)
        self.titles = tuple(titles.split(", ")) + _GENERIC_TITLES
        self.products = tuple(p[0] for p in products)
        # prices[i][k]: product i's unit price k years ago.
        self.prices = tuple(
            tuple(
                (Decimal(p[1]) * (1 - _YEARLY_PRICE_RISE * k)).quantize(CENT, ROUND_HALF_UP)
                for k in range(_PRICE_YEARS)
            )
            for p in products
        )
        self.quantities = tuple(tuple(Decimal(q) for q in p[2]) for p in products)
        self.big_quantities = tuple(q[len(q) // 2 :] for q in self.quantities)
        # Months sorted, as validation returns them.
        self.seasons = tuple((tuple(sorted(months)), needs) for months, needs in seasons)
        self.specs = tuple(specs)
        self.prefs = tuple(prefs) + _GENERIC_PREFS
        self.summaries: dict[str, tuple[str, ...]] = {}
        self.first_contacts: tuple[tuple[str, str], ...] = ()
        self.pools: dict[str, tuple[tuple[str, ...], int, tuple[str, ...], int]] = {}


_GENERIC_TITLES = ("Owner", "Manager", "Purchasing Manager", "Office Manager", "Accounts Payable")
_COMPANY_PATTERNS = (
    "{place} {w}",
    "{place} {w}",
    "{adj} {noun} {w}",
    "{adj} {noun} {w}",
    "{surname} & Sons {w}",
    "{surname} & Daughters {w}",
    "{surname}'s {w}",
    "{surname} {w}",
    "{surname} & {surname2} {w}",
)
_PLACES = _split(
    "Harbor Lane, Oak Street, Riverside, Northgate, Maple Hill, Old Town, Westbrook, Kingsway, "
    "Mill Pond, Elm Court, Bayview, Cedar Ridge, Market Square, Highfield, Stonebridge, "
    "Willow Creek, Fox Hollow, Lakeside, Greenway, Parkside, Silver Birch, Hillcrest, Ashford, "
    "Brookside, Clearwater, Redwood, Copper Beech, Thornbury, Seaview, Eastgate, Ferndale, "
    "Hawthorn, Kingfisher, Lindenhof, Marble Arch, Orchard Row, Quarry Hill, Saint-Germain"
)
_ADJECTIVES = _split(
    "Nordic, Golden, Blue, Green, Little, Royal, Coastal, Alpine, Prairie, Northern, Sunny, "
    "Crescent, Urban, Rustic, Heritage, Evergreen, Silver, Red, Wild, Honest"
)
_NOUNS = _split(
    "Timber, Wheat, Anchor, Lantern, Oak, Harbor, Meadow, Pine, Falcon, Acorn, Compass, "
    "Thistle, Fern, Barrel, Beacon, Bridge, Sparrow, Hive, Orchard, Summit"
)
_SAINTS = ("Mary", "Joseph", "Patrick", "Anne", "Brigid", "Andrew", "Clare", "Columba")

_GENERIC_PREFS: tuple[tuple[str, str], ...] = (
    ("Contact time", "Calls after 10am, never on Mondays"),
    ("Invoices", "PDF by email to accounts; PO number on every invoice"),
    ("Payment", "Direct debit on the 1st of the month"),
    ("Packaging", "Minimal plastic; reuse crates where possible"),
    ("Communication", "WhatsApp for quick questions, email for quotes"),
    ("Meetings", "In person, Thursday afternoons"),
    ("Catalogue", "Printed catalogue every spring"),
    ("Samples", "Always send samples before switching to a new product"),
    ("Delivery", "Call 30 minutes ahead; no parking on the street"),
    ("Brand", "Branded stock only, no generics"),
    ("Language", "Prefers contracts in French"),
    ("Quotes", "Itemised, with delivery costs shown separately"),
)

_INDUSTRY_LIST: tuple[_Industry, ...] = (
    _Industry(
        "bakery",
        "Bakery, Bakehouse, Bread Co., Patisserie",
        "Head Baker, Pastry Chef, Shop Manager",
        (
            ("Bread flour T550, 25 kg sack", "18.40", ("2", "4", "5", "8", "10", "20")),
            ("Rye flour, 25 kg sack", "21.90", ("1", "2", "3", "5")),
            ("Unsalted butter, 10 kg block", "68.50", ("1", "2", "3", "5")),
            ("Free-range eggs, tray of 180", "42.00", ("1", "2", "4", "6")),
            ("Caster sugar, 25 kg", "24.75", ("1", "2", "3")),
            ("Fresh yeast, 1 kg", "3.20", ("5", "10", "20")),
            ("Dark chocolate callets 70%, 5 kg", "54.90", ("1", "2", "4")),
            ("Candied orange peel, 1 kg", "9.80", ("2", "5", "10")),
            ("Paper bread bags, box of 1000", "27.60", ("1", "2", "3", "5")),
            ("Marzipan, 5 kg", "38.40", ("1", "2", "4")),
            ("Cake boxes 10 inch, pack of 100", "19.90", ("1", "2", "5")),
        ),
        (
            (
                (11, 12),
                (
                    "Extra Christmas stollen flour and candied peel",
                    "Marzipan and butter for Christmas stollen",
                    "Double flour delivery for the Christmas rush",
                ),
            ),
            ((3, 4), ("Easter: hot cross bun spice and extra eggs", "Easter cake boxes")),
            ((2,), ("Valentine's: heart-shaped cake boxes and chocolate",)),
            ((9,), ("Back-to-school sandwich bread for the school contract",)),
            ((6,), ("Wedding cake season: marzipan and extra butter",)),
        ),
        (
            ("Flour", "Type 550, unbleached, 25 kg sacks"),
            ("Butter", "82% fat, unsalted, 10 kg blocks"),
            ("Eggs", "Free-range, size L"),
            ("Chocolate", "Min. 70% cocoa, Fairtrade"),
            ("Bags", "Brown kraft paper, printed logo"),
        ),
        (("Delivery", "Mornings before 9, back door"),),
    ),
    _Industry(
        "restaurant",
        "Bistro, Kitchen, Grill, Trattoria, Brasserie",
        "Head Chef, Sous Chef, Restaurant Manager, General Manager",
        (
            ("Extra virgin olive oil, 5 L tin", "32.50", ("2", "4", "6")),
            ("San Marzano tomatoes, case of 6 x 2.5 kg", "29.80", ("1", "2", "3", "5")),
            ("Arborio rice, 10 kg", "24.60", ("1", "2", "3")),
            ("Parmigiano Reggiano 24 months, per kg", "21.40", ("2.5", "4", "5.75", "8")),
            ("Penne rigate, 10 kg", "17.90", ("1", "2", "4")),
            ("Linen-look napkins, pack of 500", "23.40", ("1", "2", "4")),
            ("House red wine, case of 12", "84.00", ("1", "2", "4", "6")),
            ("Sea salt flakes, 1.5 kg", "12.30", ("1", "2")),
            ("Takeaway containers, box of 250", "36.80", ("1", "2", "4")),
            ("Chef jackets", "28.50", ("1", "2", "4")),
        ),
        (
            ((12,), ("Christmas party menus: extra wine and napkins",)),
            ((7, 8), ("Patio season: takeaway containers and olive oil",)),
            ((2,), ("Valentine's dinner: sparkling wine and candles",)),
            ((5,), ("Mother's Day brunch: linen napkins and eggs",)),
        ),
        (
            ("Olive oil", "Cold-pressed, Italian, 5 L tins"),
            ("Parmesan", "24 months, whole wedges, vacuum packed"),
            ("Tomatoes", "San Marzano DOP, no added salt"),
            ("Containers", "Compostable, microwave-safe"),
        ),
        (
            ("Delivery", "Between 2 and 4 pm, after lunch service"),
            ("Contact time", "Never during service (12-2 and 6-10)"),
        ),
    ),
    _Industry(
        "café",
        "Café, Coffee House, Espresso Bar, Tea Room",
        "Head Barista",
        (
            ("Espresso beans house blend, 1 kg", "19.50", ("5", "10", "15", "20")),
            ("Barista oat milk, case of 6", "15.60", ("2", "4", "6", "10")),
            ("Takeaway cups 12 oz, sleeve of 1000", "64.00", ("1", "2", "3")),
            ("Cup lids 12 oz, sleeve of 1000", "31.00", ("1", "2", "3")),
            ("Loose-leaf Earl Grey, 500 g", "14.20", ("1", "2", "4")),
            ("Pumpkin spice syrup, 1 L", "8.90", ("2", "4", "6")),
            ("Vanilla syrup, 1 L", "8.40", ("2", "4", "6")),
            ("Paper straws, box of 500", "9.75", ("1", "2", "4")),
            ("Chai concentrate, 1 L", "7.80", ("3", "6", "12")),
            ("Espresso machine descaler, 5 L", "29.00", ("1", "2")),
        ),
        (
            ((10, 11), ("Pumpkin spice syrup and autumn cups",)),
            ((12,), ("Christmas cups and gingerbread syrup",)),
            ((6, 7, 8), ("Iced drinks: extra cups, lids and straws",)),
            ((9,), ("Back-to-school rush: more takeaway cups",)),
        ),
        (
            ("Beans", "Medium roast, 60/40 Brazil/Ethiopia, whole bean"),
            ("Cups", "Double wall, compostable, printed logo"),
            ("Milk", "Barista oat, unsweetened"),
        ),
        (("Delivery", "Before 7 am opening, front door code 4411"),),
    ),
    _Industry(
        "hardware store",
        "Hardware, Tool Supply, Building Supplies, Home & Garden",
        "Store Manager, Buyer",
        (
            ("Wood screws 4 x 40 mm, box of 500", "11.20", ("5", "10", "20")),
            ("Exterior paint, white, 10 L", "58.90", ("2", "4", "6")),
            ("Garden hose, 25 m", "24.50", ("3", "5", "10")),
            ("Snow shovel", "17.80", ("5", "10", "20")),
            ("Rock salt, 25 kg", "9.60", ("10", "20", "40")),
            ("Cordless drill 18 V", "119.00", ("1", "2", "3")),
            ("LED bulbs E27, pack of 10", "22.40", ("2", "5", "10")),
            ("Padlocks, pack of 6", "31.20", ("1", "2", "4")),
            ("Sandpaper assorted, pack of 50", "13.75", ("2", "5", "10")),
            ("Duct tape, 50 m", "6.40", ("10", "20", "36")),
        ),
        (
            ((4, 5), ("Spring garden rush: hoses, seeds and paint",)),
            ((10,), ("Winterising: insulation tape and rock salt",)),
            ((11, 12), ("Snow shovels and rock salt before the first frost",)),
            ((6,), ("Summer DIY: paint and decking oil",)),
        ),
        (
            ("Screws", "A2 stainless, Torx drive"),
            ("Paint", "Low-VOC, tintable base"),
            ("Rock salt", "Coarse, 25 kg bags, pallet of 40"),
        ),
    ),
    _Industry(
        "dental practice",
        "Dental Practice, Dental Care, Family Dentistry, Smile Clinic",
        "Practice Manager, Lead Dentist, Dental Nurse, Receptionist",
        (
            ("Nitrile gloves, box of 100", "7.90", ("20", "40", "60", "100")),
            ("Face masks type IIR, box of 50", "6.40", ("10", "20", "40")),
            ("Composite resin A2, 4 g syringe", "38.50", ("2", "5", "10")),
            ("Prophy paste, 200 cups", "29.90", ("1", "2", "3")),
            ("Disposable bibs, pack of 500", "21.60", ("2", "4")),
            ("Kids' toothbrushes, pack of 72", "34.80", ("1", "2", "3")),
            ("Sterilisation pouches, box of 200", "12.70", ("5", "10")),
            ("Fluoride varnish, 50 doses", "64.00", ("1", "2")),
            ("Impression material, 2 x 380 ml", "46.20", ("1", "2", "4")),
        ),
        (
            ((1,), ("New year: insurance benefits reset, schedule fills up",)),
            ((8,), ("Back-to-school check-ups: kids' toothbrushes and stickers",)),
            ((12,), ("Year-end rush before dental benefits expire",)),
        ),
        (
            ("Gloves", "Nitrile, powder-free, sizes S-L; the clinic is latex-free"),
            ("Masks", "Type IIR, EN 14683"),
            ("Composite", "Shades A2 and A3, light-cure"),
        ),
        (("Delivery", "Lunchtime only (12:30-1:30), reception desk"),),
        ("{place} {w}", "{surname} {w}", "{adj} {noun} {w}"),
    ),
    _Industry(
        "landscaping",
        "Landscaping, Lawn & Garden, Grounds Care, Tree Service",
        "Crew Lead, Operations Manager",
        (
            ("Premium lawn seed, 20 kg", "89.00", ("1", "2", "4")),
            ("Slow-release fertiliser, 25 kg", "42.50", ("2", "4", "8")),
            ("Bark mulch, per cubic yard", "38.00", ("2", "5", "7.5", "10")),
            ("Trimmer line 2.4 mm, 500 m", "27.90", ("1", "2", "4")),
            ("Two-stroke oil, 1 L", "9.40", ("6", "12", "24")),
            ("Leaf bags, pack of 50", "18.60", ("2", "5", "10")),
            ("Topsoil, tonne bag", "64.00", ("1", "2", "4")),
            ("De-icing salt, 25 kg", "9.60", ("10", "20", "40")),
            ("Work gloves, pair", "6.80", ("6", "12")),
        ),
        (
            ((4, 5), ("Spring planting: mulch, seed and fertiliser",)),
            ((6, 7), ("Summer irrigation and mowing contracts",)),
            ((10, 11), ("Autumn leaf clean-up: leaf bags",)),
            ((1, 12), ("Snow-clearing contracts: de-icing salt",)),
        ),
        (
            ("Mulch", "Shredded hardwood, undyed"),
            ("Lawn seed", "Shade-tolerant mix, 30% fescue"),
            ("De-icing salt", "Pet-safe where possible"),
        ),
        (("Delivery", "To the yard before 7 am; crews leave at 7:30"),),
    ),
    _Industry(
        "hotel",
        "Hotel, Inn, Lodge, Guesthouse, Suites",
        "General Manager, Housekeeping Manager, Front Office Manager",
        (
            ("Bath towels 70 x 140, pack of 12", "58.80", ("2", "5", "10")),
            ("King bed sheets, white percale", "29.50", ("10", "20", "40")),
            ("Guest soap 30 g, box of 500", "72.00", ("1", "2", "3")),
            ("Shampoo 30 ml, box of 300", "54.00", ("1", "2", "3")),
            ("Toilet paper, case of 48", "21.90", ("5", "10", "20")),
            ("Coffee pods, box of 100", "26.50", ("2", "5", "10")),
            ("RFID key cards, pack of 200", "48.00", ("1", "2")),
            ("Welcome chocolates, box of 200", "39.00", ("1", "2", "4")),
            ("Laundry detergent, 20 kg", "44.80", ("1", "2", "4")),
        ),
        (
            ((7, 8), ("Summer full house: extra linen and amenities",)),
            ((12,), ("Christmas and New Year's Eve: welcome gifts",)),
            ((5, 6), ("Wedding season: extra towels and chocolates",)),
            ((9, 10), ("Conference season: extra coffee pods",)),
        ),
        (
            ("Linen", "100% cotton percale, 200 thread count, white"),
            ("Amenities", "Refillable dispensers, paraben-free"),
            ("Towels", "550 g/m², embroidered logo"),
        ),
        (("Delivery", "Goods entrance on the side street, 10 am-noon"),),
        ("{place} {w}", "{place} {w}", "The {adj} {noun} {w}", "{surname}'s {w}"),
    ),
    _Industry(
        "school",
        "Primary School, Academy, Elementary School, Montessori School, High School",
        "Bursar, Head Teacher, School Business Manager, Facilities Manager",
        (
            ("Copier paper, box of 5 reams", "24.90", ("10", "20", "40")),
            ("Whiteboard markers, pack of 12", "8.60", ("10", "20")),
            ("Exercise books, pack of 50", "17.50", ("10", "20", "40")),
            ("Glue sticks, pack of 30", "12.40", ("2", "5", "10")),
            ("Hand sanitiser, 5 L", "19.80", ("2", "4", "6")),
            ("Colouring pencils, class pack of 288", "42.00", ("1", "2", "4")),
            ("Paper towels, case of 24", "26.40", ("2", "5", "10")),
            ("Printer toner, black", "89.00", ("2", "4", "6")),
            ("Sports cones, set of 50", "22.00", ("1", "2")),
        ),
        (
            ((8, 9), ("Back to school: paper, exercise books and markers",)),
            ((1,), ("New term restock",)),
            ((5, 6), ("Exams and graduation: toner and certificates",)),
        ),
        (
            ("Paper", "80 g/m², FSC certified, white"),
            ("Markers", "Low-odour, dry-wipe, bullet tip"),
            ("Sanitiser", "Alcohol-free for the early-years classes"),
        ),
        (("Invoices", "Purchase order required; invoices to the school office"),),
        ("{place} {w}", "{place} {w}", "St {saint}'s {w}"),
    ),
    _Industry(
        "florist",
        "Florist, Flowers, Blooms, Flower Studio",
        "Head Florist, Event Florist",
        (
            ("Red roses 60 cm, bunch of 20", "18.50", ("10", "20", "50", "100")),
            ("Mixed tulips, bunch of 50", "21.00", ("5", "10", "20")),
            ("Eucalyptus, bunch", "6.80", ("5", "10", "20")),
            ("Floral foam bricks, box of 20", "16.40", ("2", "4")),
            ("Kraft wrapping paper, 50 m roll", "22.90", ("2", "4", "6")),
            ("Satin ribbon 25 mm x 50 m", "7.30", ("4", "10")),
            ("Glass vases, case of 12", "31.20", ("1", "2", "4")),
            ("Wreath rings 30 cm, pack of 10", "14.60", ("2", "5", "10")),
            ("Chrysanthemums, bunch of 10", "9.90", ("10", "20", "40")),
        ),
        (
            ((2,), ("Valentine's: red roses and wrapping paper",)),
            ((5,), ("Mother's Day bouquets",)),
            ((6,), ("Wedding season: vases and ribbon",)),
            ((12,), ("Christmas wreaths",)),
            ((11,), ("All Saints: chrysanthemums",)),
        ),
        (
            ("Roses", "Long stem 60 cm, grade A"),
            ("Foam", "Eco foam, no microplastics"),
            ("Wrapping", "Recycled kraft, 50 cm rolls"),
        ),
        (("Delivery", "Flower market run: before 6 am on Tuesdays and Fridays"),),
    ),
    _Industry(
        "brewery",
        "Brewing Co., Brewery, Ales, Taproom",
        "Head Brewer, Taproom Manager, Co-founder",
        (
            ("Pale ale malt, 25 kg", "36.40", ("10", "20", "40")),
            ("Cascade hop pellets, 5 kg", "92.00", ("1", "2", "4")),
            ("Brewer's yeast US-05, 500 g", "48.00", ("1", "2")),
            ("Crown caps, box of 10,000", "39.00", ("1", "2")),
            ("Keg rental 30 L", "12.00", ("10", "20", "50")),
            ("Glass bottles 330 ml, pallet", "410.00", ("1", "2")),
            ("Labels, roll of 2000", "68.00", ("1", "2", "4")),
            ("Branded pint glasses, case of 24", "46.80", ("2", "5")),
            ("CO2 cylinder refill, 6 kg", "22.00", ("2", "4", "6")),
        ),
        (
            ((6, 7, 8), ("Summer beer garden: extra kegs and pint glasses",)),
            ((10,), ("Oktoberfest Märzen: extra malt",)),
            ((12,), ("Winter ale and gift packs",)),
            ((3,), ("St Patrick's Day stout",)),
        ),
        (
            ("Malt", "Pilsner malt, EBC 3-4, crushed on request"),
            ("Hops", "T90 pellets, current harvest"),
            ("Bottles", "Amber, 330 ml, 26 mm crown finish"),
        ),
    ),
    _Industry(
        "garage",
        "Auto Repair, Garage, Motors, Car Care, Tyre & Service",
        "Workshop Manager, Service Advisor, Parts Manager",
        (
            ("Engine oil 5W-30, 20 L", "96.00", ("1", "2", "4")),
            ("Winter tyres 205/55 R16", "74.00", ("4", "8", "16", "20")),
            ("Summer tyres 205/55 R16", "69.00", ("4", "8", "16")),
            ("Front brake pads, set", "32.50", ("2", "4", "6")),
            ("Wiper blades 24 inch, pair", "14.90", ("5", "10")),
            ("Antifreeze, 5 L", "18.20", ("4", "8", "12")),
            ("Oil filters, box of 10", "42.00", ("1", "2", "3")),
            ("Car battery 70 Ah", "89.00", ("1", "2", "4")),
            ("Brake cleaner, case of 12", "38.40", ("1", "2")),
        ),
        (
            ((10, 11), ("Winter tyre changeover: tyres and antifreeze",)),
            ((3, 4), ("Summer tyre changeover",)),
            ((7,), ("Pre-holiday checks: oil and wipers",)),
            ((1,), ("Cold-start battery replacements",)),
        ),
        (
            ("Oil", "ACEA C3, 5W-30, 20 L drums"),
            ("Tyres", "EU label A/B wet grip; 3PMSF for winter"),
            ("Filters", "OEM-equivalent, boxed"),
        ),
    ),
    _Industry(
        "plumbing",
        "Plumbing, Plumbing & Heating, Heating Services",
        "Lead Plumber",
        (
            ("Copper pipe 15 mm x 3 m", "18.60", ("10", "20", "50")),
            ("Push-fit elbows 15 mm, bag of 10", "12.40", ("2", "5", "10")),
            ("PTFE tape, pack of 10", "4.90", ("2", "5")),
            ("Pressure relief valve", "23.80", ("2", "4")),
            ("Double radiator 600 x 1000", "94.00", ("1", "2", "4")),
            ("Pipe insulation 15 mm, per metre", "1.45", ("20", "50", "100")),
            ("Thermostatic radiator valve", "16.70", ("4", "8", "10")),
            ("Basin mixer tap, chrome", "68.00", ("1", "2")),
            ("Thermostatic shower valve", "139.00", ("1", "2")),
        ),
        (
            ((12, 1), ("Winter callouts: boiler parts and pipe insulation",)),
            ((4, 5), ("Bathroom refit season: taps and shower valves",)),
            ((9,), ("Pre-winter boiler servicing",)),
        ),
        (
            ("Copper pipe", "EN 1057 R250, half-hard"),
            ("Valves", "WRAS approved"),
            ("Radiators", "Type 22, white, 10-year warranty"),
        ),
        (("Delivery", "To the van at 7 am, or to site; call ahead"),),
    ),
    _Industry(
        "veterinary clinic",
        "Veterinary Clinic, Animal Hospital, Vets, Pet Clinic",
        "Practice Manager, Veterinarian, Head Nurse",
        (
            ("Flea and tick spot-on, 6 doses", "38.00", ("10", "20")),
            ("Surgical gloves, box of 50 pairs", "29.50", ("2", "4")),
            ("Syringes 5 ml, box of 100", "9.80", ("2", "5")),
            ("Cat litter, 20 L", "12.40", ("5", "10")),
            ("Bandage wrap 10 cm, pack of 12", "16.20", ("2", "4")),
            ("Prescription dog food, 12 kg", "64.90", ("2", "4", "6")),
            ("Disinfectant, 5 L", "23.00", ("2", "4")),
            ("Microchips, pack of 10", "42.00", ("1", "2")),
            ("Calming diffuser refills, pack of 6", "54.00", ("1", "2", "4")),
        ),
        (
            ((4, 5), ("Flea and tick season starts",)),
            ((7, 8), ("Summer boarding rush",)),
            ((10, 11), ("Firework season: calming products",)),
        ),
        (
            ("Flea treatment", "Spot-on, for 10-20 kg dogs"),
            ("Gloves", "Sterile, latex-free, size 7.5"),
        ),
    ),
    _Industry(
        "hair salon",
        "Hair Studio, Salon, Hair & Beauty, Barbers",
        "Salon Manager, Senior Stylist",
        (
            ("Professional shampoo, 1 L", "14.80", ("4", "6", "12")),
            ("Conditioner, 1 L", "15.60", ("4", "6", "12")),
            ("Hair colour tube, 60 ml", "6.90", ("12", "24", "48")),
            ("Developer 6%, 1 L", "8.20", ("2", "4", "6")),
            ("Foil, 100 m roll", "11.40", ("2", "4")),
            ("Black towels, pack of 12", "36.00", ("1", "2")),
            ("Disposable capes, pack of 100", "19.80", ("1", "2")),
            ("Hairspray, 500 ml", "6.20", ("6", "12")),
            ("Cutting scissors 6 inch", "89.00", ("1", "2")),
        ),
        (
            ((12,), ("Christmas party season: extra colour stock",)),
            ((5, 6), ("Wedding and prom updos",)),
            ((9,), ("Back-to-school cuts",)),
        ),
        (("Colour", "Ammonia-free range, shades 5-9"), ("Towels", "Bleach-resistant, black")),
    ),
    _Industry(
        "catering",
        "Catering, Events & Catering, Kitchen Co.",
        "Events Manager, Head Chef",
        (
            ("Chafing dish fuel, case of 72", "54.00", ("1", "2", "3")),
            ("Palm-leaf platters, pack of 50", "27.00", ("2", "4")),
            ("Canapé spoons, pack of 200", "18.40", ("1", "2", "5")),
            ("Cocktail napkins, pack of 1000", "16.90", ("1", "2", "4")),
            ("Sparkling wine, case of 6", "59.00", ("2", "5", "10")),
            ("Catering foil 45 cm x 100 m", "21.50", ("1", "2")),
            ("Smoked salmon, per kg", "32.80", ("1.5", "3", "5")),
            ("Cling film 45 cm x 300 m", "12.60", ("1", "2", "4")),
            ("Table linen hire, per cloth", "6.50", ("20", "40", "80")),
        ),
        (
            ((12,), ("Corporate Christmas parties",)),
            ((6, 7), ("Wedding season",)),
            ((9,), ("Conference lunches",)),
        ),
        (
            ("Salmon", "Scottish, pre-sliced, interleaved"),
            ("Platters", "Compostable palm leaf"),
        ),
    ),
    _Industry(
        "farm shop",
        "Farm Shop, Garden Centre, Nursery, Growers",
        "Buyer",
        (
            ("Seed potatoes, 25 kg", "27.50", ("2", "4", "8")),
            ("Vegetable seed display, 100 packets", "68.00", ("1", "2")),
            ("Peat-free compost, 50 L", "6.20", ("20", "40", "80")),
            ("Pumpkins, crate of 30", "45.00", ("2", "5", "10")),
            ("Nordmann fir Christmas tree, 6 ft", "28.00", ("20", "50", "100")),
            ("Plant pots 12 cm, pack of 100", "14.90", ("2", "5", "10")),
            ("Jam jars, case of 72", "31.40", ("1", "2", "4")),
            ("Garden twine, 500 m", "8.40", ("2", "5")),
            ("Bird seed, 20 kg", "24.80", ("2", "4", "6")),
        ),
        (
            ((3, 4), ("Planting season: compost and seed",)),
            ((10,), ("Pumpkins for Halloween",)),
            ((12,), ("Christmas trees",)),
            ((9,), ("Bulb planting",)),
        ),
        (("Trees", "Nordmann fir, non-drop, netted"), ("Compost", "Peat-free, 50 L bags")),
    ),
    _Industry(
        "fitness studio",
        "Fitness, Gym, Yoga Studio, Health Club",
        "Studio Manager, Head Coach",
        (
            ("Yoga mat 6 mm", "18.90", ("5", "10", "20")),
            ("Kettlebell 16 kg", "42.00", ("2", "4", "6")),
            ("Resistance band set", "14.50", ("5", "10")),
            ("Disinfectant wipes, tub of 200", "9.40", ("6", "12", "24")),
            ("Protein bars, box of 24", "31.00", ("2", "4")),
            ("Gym towels, pack of 24", "44.00", ("1", "2")),
            ("Rubber floor tiles, per m²", "29.00", ("10", "20", "40")),
            ("Branded water bottles, case of 50", "62.00", ("1", "2")),
            ("Foam roller", "16.80", ("4", "8")),
        ),
        (
            ((1,), ("New Year sign-ups: mats and towels",)),
            ((5, 6), ("Summer challenge",)),
            ((9,), ("Autumn relaunch",)),
        ),
        (
            ("Mats", "Non-slip, latex-free, 183 x 61 cm"),
            ("Wipes", "Alcohol-free, safe on vinyl"),
        ),
    ),
    _Industry(
        "bookshop",
        "Books, Bookshop, Booksellers",
        "Buyer",
        (
            ("Gift wrap rolls, pack of 10", "14.00", ("2", "5", "10")),
            ("Printed bookmarks, pack of 500", "26.00", ("1", "2")),
            ("Branded paper bags, pack of 250", "34.50", ("1", "2", "4")),
            ("Greeting cards assorted, pack of 50", "42.00", ("1", "2", "3")),
            ("A5 notebooks, pack of 20", "38.00", ("1", "2", "4")),
            ("Jigsaw puzzle 1000 pieces", "9.80", ("6", "12", "24")),
            ("Cotton tote bags", "3.40", ("50", "100", "200")),
            ("Till rolls, box of 20", "12.90", ("1", "2")),
        ),
        (
            ((11, 12), ("Christmas gifts: wrap, cards and puzzles",)),
            ((8, 9), ("Back to school: notebooks",)),
            ((3,), ("World Book Day events",)),
        ),
        (
            ("Bags", "Recycled paper, twisted handles, printed logo"),
            ("Tote bags", "Organic cotton, 140 g/m²"),
        ),
    ),
)
_INDUSTRIES = {industry.label: industry for industry in _INDUSTRY_LIST}
# Private individuals: what they are, and whose catalogue they buy from.
_PERSONAS = (
    ("home baker", "bakery"),
    ("private household", "hardware store"),
    ("freelance florist", "florist"),
    ("event planner", "catering"),
    ("personal chef", "restaurant"),
    ("hobby gardener", "farm shop"),
    ("home brewer", "brewery"),
    ("personal trainer", "fitness studio"),
    ("classic car enthusiast", "garage"),
)

# ------------------------------------------------------------------------------ records

_STATUSES = ("active",) * 55 + ("prospect",) * 30 + ("former",) * 15
_SOURCES = (
    ("referral",) * 4
    + ("trade show",) * 2
    + ("website",) * 3
    + ("cold call",) * 2
    + ("walk-in", "LinkedIn", "existing customer's recommendation")
)
# Tags by status ("key account" is kept for the heaviest buyers).
_TAGS = {
    "active": (
        "VIP",
        "wholesale",
        "needs visit",
        "late payer",
        "newsletter",
        "price-sensitive",
        "seasonal",
        "multi-site",
        "referral partner",
        "eco packaging",
        "standing order",
    ),
    "prospect": (
        "hot lead",
        "needs visit",
        "newsletter",
        "price-sensitive",
        "multi-site",
        "eco packaging",
        "wholesale",
    ),
    "former": ("win-back", "newsletter", "price-sensitive", "late payer", "multi-site"),
}
_CLIENT_NOTES = (
    "Pays late in December; send reminders early.",
    "Family business, second generation.\nThe daughter is taking over purchasing.",
    "Opened a second location last year.",
    "Very price-sensitive; always asks for a discount.",
    "Prefers to order by phone, not email.",
    "Closed for the whole of August.",
    "Renovating the premises this spring.",
    "Met at the regional trade show.",
    "Loyal since the first year and recommends us to others.",
    "Cash flow is tight in January.\nOffer 60-day terms if asked.",
    "Owner plans to retire in a few years.",
    "Very particular about delivery times.",
)
_PURCHASE_NOTES = (
    "Rush order, needed by Friday",
    "Delivered to the back entrance",
    "Paid by card on delivery",
    "Two cases arrived damaged; credit note issued",
    "Split delivery: rest followed the next week",
    "Ordered by phone",
    "Ordered through the website",
    "Invoice to head office",
    "Customer collected",
    "Repeat of last month's order",
    "Trial order",
    "Old list price honoured",
)
_TERMS = (
    "Net 30, free delivery over {c}500",
    "Net 14",
    "Net 30; 2% off if paid within 10 days",
    "Minimum order 10 units",
    "Price held for 12 months",
    "Extra 5% off over {c}2,000 a month",
    "Free delivery within 20 km",
    "Payment on delivery",
    "Prices reviewed every quarter",
    "Standing orders only",
    "Net 60 during the off season",
)
_DISCOUNTS = tuple(Decimal(d) for d in ("2.5", "5", "5", "7.5", "10", "10", "12.5", "15", "20"))
_PRICE_FACTORS = tuple(Decimal(f) for f in ("0.85", "0.88", "0.9", "0.92", "0.95", "0.97"))

# Interaction kinds and their weights out of 100.
_KINDS = ("call",) * 35 + ("email",) * 30 + ("meeting",) * 12 + ("visit",) * 13 + ("note",) * 10
_SUMMARY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "call": (
        "Called to confirm the {p} order for next week",
        "Asked about bulk pricing for {p}",
        "Complained that the last {p} delivery was late",
        "Checked their stock of {p}",
        "Wanted to know whether {p} prices will go up",
        "Quick call: reorder of {p}",
        "Discussed the coming season and expected volumes",
        "Returned their call about an invoice query",
    ),
    "email": (
        "Sent the updated price list, including {p}",
        "They asked for a quote on {p}",
        "Sent the tracking number for the {p} samples",
        "Emailed next season's catalogue",
        "Confirmed the delivery schedule",
        "Accounts asked for a copy of the last invoice",
    ),
    "meeting": (
        "Annual review: volumes, prices and service",
        "Met the owner to discuss a standing order for {p}",
        "Presented the new range next to {p}",
        "Negotiated next year's price for {p}",
        "Lunch meeting to plan the busy season",
    ),
    "visit": (
        "Visited the premises; storage is tight, suggested smaller deliveries",
        "Dropped off samples of {p}",
        "Checked how {p} works out in their day-to-day use",
        "Site visit to meet the new manager",
        "Delivered the urgent {p} order in person",
    ),
    "note": (
        "Heard they are opening a second site",
        "A competitor offered them {p} 8% cheaper",
        "Busy season starts soon; they will need more {p}",
        "Owner on holiday for two weeks",
        "Payment for the last invoice arrived late again",
        "They mentioned us to a neighbouring business",
    ),
}
# First contacts with a client, as (kind, summary).
_PROSPECT_TEMPLATES = (
    ("call", "Intro call: found out who does the purchasing"),
    ("call", "Cold call; left our details with reception"),
    ("meeting", "Met at the trade show stand"),
    ("email", "Sent catalogue and price list for {p}"),
    ("email", "Website enquiry about {p}"),
    ("visit", "Demo visit with samples of {p}"),
    ("email", "Quoted for {p}; they are comparing suppliers"),
    ("call", "Referred by a mutual client; first call"),
    ("meeting", "First meeting with the owner; showed the range"),
)
_OUTCOMES: dict[str, tuple[str, ...]] = {
    "call": (
        "Order placed",
        "Will call back on Friday",
        "Sent a quote",
        "Left a voicemail",
        "Agreed to a trial order",
        "No change for now",
        "Needs to check with the owner",
    ),
    "email": ("Quote accepted", "Awaiting reply", "Order confirmed", "Follow up next week", ""),
    "meeting": (
        "Agreed prices for 12 months",
        "Standing order set up",
        "Will decide after the season",
        "Positive; send a proposal",
        "Asked for references",
    ),
    "visit": (
        "Order for next month",
        "Samples left; follow up in two weeks",
        "Good relationship",
        "Suggested a bigger pack size",
    ),
    "note": (
        "",
        "",
        "Keep an eye on this",
        "Flagged to the sales manager",
        "Offer a loyalty discount",
    ),
}
_PROSPECT_OUTCOMES = (
    "Interested; call back in a month",
    "Send samples",
    "Not now, maybe next season",
    "Wants a quote",
    "Visit booked",
    "Comparing with their current supplier",
)
_N_PROSPECT_OUTCOMES = len(_PROSPECT_OUTCOMES)
_LOST = (
    ("call", "Told us they are switching to a cheaper supplier", "Try again next year"),
    ("meeting", "Business sold; the new owners have their own suppliers", "Account closed"),
    ("note", "Closed the shop at the end of the season", "Account closed"),
    ("call", "Unhappy with delivery times last winter", "Sent a win-back offer; no reply"),
    ("email", "Purchasing moved to their head office", "Keep them on the newsletter"),
    ("note", "Moved out of our delivery area", "Account closed"),
)
_PROSPECT_TASKS = (
    "Follow up on the quote for {p}",
    "Send samples of {p}",
    "Call {first} to book a visit",
    "Send the catalogue to {first}",
    "Invite {first} to the open day",
)
_TASK_TEMPLATES = (
    "Call {first} about the {p} order",
    "Send next season's price list",
    "Follow up on the quote for {p}",
    "Visit to check their {p} stock",
    "Send a birthday card to {first}",
    "Chase the overdue invoice",
    "Book the annual review with {first}",
    "Send samples of {p}",
    "Confirm delivery slots for the busy season",
)
_WIN_BACK_TASKS = ("Win-back offer: 10% off {p}", "Call {first} to ask how things are going")
_TASKS_BY_STATUS = {
    "prospect": _PROSPECT_TASKS,
    "active": _TASK_TEMPLATES,
    "former": _WIN_BACK_TASKS,
}

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def _slug(text: str, sep: str = "-") -> str:
    """ASCII lowercase for email and web addresses: "Müller's Bakery" -> "mullers-bakery"."""
    return _SLUG_DROP.sub(sep, fold(text).replace("'", "")).strip(sep)


def _cum(weights: Sequence[int]) -> list[int]:
    total = 0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _build_pools() -> None:
    """Fill each industry's interaction summaries (once, at import)."""
    for industry in _INDUSTRY_LIST:
        products = industry.products
        for kind, templates in _SUMMARY_TEMPLATES.items():
            industry.summaries[kind] = tuple(
                t.format(p=p) for t in templates for p in (products if "{p}" in t else ("",))
            )
        industry.pools = {
            kind: (summaries, len(summaries), _OUTCOMES[kind], len(_OUTCOMES[kind]))
            for kind, summaries in industry.summaries.items()
        }
        industry.first_contacts = tuple(
            (kind, t.format(p=p))
            for kind, t in _PROSPECT_TEMPLATES
            for p in (products if "{p}" in t else ("",))
        )


_build_pools()


def _make_family_pool() -> tuple[str, ...]:
    """Pre-written family descriptions ("married, two daughters (Ana 12, Sofia 9)")."""
    rng = random.Random(20240229)
    out = []
    for _ in range(600):
        kids = rng.choices((0, 1, 2, 3), (3, 3, 4, 2))[0]
        names = rng.sample(_CHILD_NAMES, kids)
        ages = sorted((rng.randint(1, 19) for _ in range(kids)), reverse=True)
        listed = ", ".join(f"{n} {a}" for n, a in zip(names, ages, strict=True))
        if kids == 0:
            children = "no children"
        elif kids == 1:
            children = f"one {rng.choice(('son', 'daughter'))} ({listed})"
        else:
            word = rng.choice(("kids", "daughters", "sons", "children"))
            children = f"{_NUMBER_WORDS[kids]} {word} ({listed})"
        shape = rng.randrange(8)
        if shape < 3:
            text = f"married, {children}"
        elif shape == 3:
            text = f"partner {rng.choice(_PARTNER_NAMES)}, {children}"
        elif shape == 4:
            text = f"divorced, {children}; kids every other weekend" if kids else "single"
        elif shape == 5:
            text = f"married to {rng.choice(_PARTNER_NAMES)}; {children}"
        elif shape == 6:
            text = "widowed; grandchildren visit on Sundays"
        else:
            text = f"single, {children}" if kids else "single; very close to two nieces"
        out.append(text)
    return tuple(out)


_FAMILIES = _make_family_pool()


def _make_hobby_pool() -> tuple[str, ...]:
    rng = random.Random(7)
    return tuple(", ".join(rng.sample(_HOBBIES, rng.randint(1, 3))) for _ in range(600))


_HOBBY_COMBOS = _make_hobby_pool()


_Name = tuple[str, str, str, str]


def _names_of(culture: str) -> tuple[_Name, ...]:
    """Every (full name, email local part, first name, gender) of one culture."""
    firsts, (male_lasts, female_lasts), family_first = _CULTURES[culture]
    out = []
    for first, gender in firsts:
        for last in female_lasts if gender == "f" else male_lasts:
            local = f"{_slug(first, '')}.{_slug(last, '')}"
            if family_first:
                for middle in _VIETNAMESE_MIDDLE[gender]:
                    out.append((f"{last} {middle} {first}", local, first, gender))
            else:
                out.append((f"{first} {last}", local, first, gender))
    return tuple(out)


_NAMES_BY_CULTURE = {culture: _names_of(culture) for culture in _CULTURES}
# One uniform choice from this table follows _CULTURE_WEIGHTS (which sum to 100).
_CULTURE_TABLE = tuple(
    _NAMES_BY_CULTURE[culture]
    for culture, weight in _CULTURE_WEIGHTS.items()
    for _ in range(weight)
)
# Names of the culture that dominates each country, drawn more often there.
_LOCAL_NAMES_BY_COUNTRY = {
    "US": _NAMES_BY_CULTURE["english"],
    "UK": _NAMES_BY_CULTURE["english"],
    "CA": _NAMES_BY_CULTURE["english"] + _NAMES_BY_CULTURE["french"],
    "AU": _NAMES_BY_CULTURE["english"],
    "FR": _NAMES_BY_CULTURE["french"],
}
_SURNAMES = tuple(
    dict.fromkeys(
        last
        for key in ("english", "english", "polish", "german", "spanish", "nordic", "turkish")
        for last in _CULTURES[key][1][0]
    )
)


def _phone_pool(plans: Sequence[_PhonePlan]) -> tuple[str, ...]:
    return tuple(
        f"{prefix}{n:0{digits}d}"
        for prefix, low, high, digits in plans
        for n in range(low, high + 1)
    )


# Per country: (country name, currency, streets, cities as (city, region, postcodes, phones)).
_PLACES_BY_COUNTRY: dict[
    str, tuple[str, str, tuple[str, ...], tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]]]]
] = {}
_PHONE_POOLS: dict[tuple[_PhonePlan, ...], tuple[str, ...]] = {}
for _code, (_country, _currency, _streets, _cities) in _COUNTRIES.items():
    _built = []
    for _city, _region, _postcodes, _plans in _cities:
        if _plans not in _PHONE_POOLS:
            _PHONE_POOLS[_plans] = _phone_pool(_plans)
        _built.append((_city, _region, tuple(_postcodes.split("|")), _PHONE_POOLS[_plans]))
    _PLACES_BY_COUNTRY[_code] = (_country, _currency, tuple(_streets), tuple(_built))
_COUNTRY_CODES = tuple(c for c, w in _COUNTRY_WEIGHTS.items() for _ in range(w))

# All phone plans, for tests that check every number the generator can produce.
_PHONE_PLANS: tuple[_PhonePlan, ...] = tuple(
    dict.fromkeys(plan for plans in _PHONE_POOLS for plan in plans)
)


# ------------------------------------------------------------------------------ generator


class _Generator:
    """Builds clients one by one from a single random stream."""

    def __init__(self, seed: int, today: dt.date, salespeople: Sequence[str]) -> None:
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.today = today
        self.today_ord = today.toordinal()
        self.salespeople = tuple(salespeople)
        self.new_tag = f"new {today.year}"
        self.items_cum = _cum((17, 30, 25, 16, 8, 4))

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.r() * len(seq))]

    # -- people

    def person(self, country: str) -> _Name:
        """(full name, email local part, first name, gender)."""
        if self.r() < 0.35:
            return self.pick(_LOCAL_NAMES_BY_COUNTRY[country])
        return self.pick(self.pick(_CULTURE_TABLE))

    def phone(self, pool: tuple[str, ...], taken: list[str]) -> str:
        r = self.r
        while True:
            number = pool[int(r() * len(pool))]
            if number not in taken:
                return number

    def birthday(self) -> dt.date | None:
        r = self.r()
        if r < 0.25:
            return None
        year = self.today.year - 22 - int(self.r() * 45)
        if r < 0.27:  # leap-day birthdays (a favourite edge case)
            return dt.date(year - year % 4, 2, 29)
        return dt.date.fromordinal(dt.date(year, 1, 1).toordinal() + int(self.r() * 365))

    def profile(self) -> PersonalProfile:
        r = self.r
        pick = self.pick
        return PersonalProfile(
            pick(_HOBBY_COMBOS) if r() < 0.6 else "",
            pick(_ACTIVITIES) if r() < 0.35 else "",
            pick(_EDUCATION) if r() < 0.45 else "",
            pick(_MEMBERSHIPS) if r() < 0.3 else "",
            pick(_FAMILIES) if r() < 0.55 else "",
        )

    def contacts(
        self,
        count: int,
        country: str,
        domain: str | None,
        titles: Sequence[str],
        phones: tuple[str, ...],
        firsts: list[str],
    ) -> list[Contact]:
        """``count`` contacts with distinct names; their first names go to ``firsts``."""
        r = self.r
        pick = self.pick
        out: list[Contact] = []
        used: list[str] = []
        for i in range(count):
            full, local, first, _gender = self.person(country)
            while full in used:
                full, local, first, _gender = self.person(country)
            used.append(full)
            firsts.append(first)
            emails = []
            if domain is not None and r() < 0.9:
                emails.append(f"{local}@{domain}")
            if domain is None or r() < 0.2:
                emails.append(f"{local}{int(r() * 90) + 10}@example.{pick(('com', 'org', 'net'))}")
            numbers: list[str] = [] if r() < 0.1 else [self.phone(phones, [])]
            if numbers and r() < 0.25:
                numbers.append(self.phone(phones, numbers))
            out.append(
                Contact(
                    full,
                    (titles[0] if i == 0 and r() < 0.5 else pick(titles)),
                    emails,
                    numbers,
                    self.birthday(),
                    self.profile(),
                    pick(_CONTACT_NOTES) if r() < 0.15 else "",
                )
            )
        return out

    # -- purchases

    def order_dates(
        self, count: int, start: int, end: int, peaks: tuple[int, ...]
    ) -> list[dt.date]:
        """``count`` dates in [start, end] (ordinals), weighted towards the peak months."""
        r = self.r
        weights = [1] * 12
        for m in peaks:
            weights[m - 1] = 6
        months = self.rng.choices(range(1, 13), cum_weights=_cum(weights), k=count)
        first_year = dt.date.fromordinal(start).year
        years = dt.date.fromordinal(end).year - first_year + 1
        dates = []
        for month in months:
            for _ in range(8):
                day = dt.date(first_year + int(r() * years), month, 1 + int(r() * 28))
                if start <= day.toordinal() <= end:
                    break
            else:
                day = dt.date.fromordinal(start + int(r() * (end - start + 1)))
            dates.append(day)
        dates.sort()
        return dates

    def purchases(
        self,
        industry: _Industry,
        count: int,
        start: int,
        end: int,
        peaks: tuple[int, ...],
        basket: list[int],
        agreed: dict[int, Decimal],
    ) -> list[Purchase]:
        r = self.r
        pick = self.pick
        year = self.today.year
        names = industry.products
        prices = industry.prices
        quantities = industry.quantities
        big = industry.big_quantities
        size = len(basket)
        out = []
        sizes = self.rng.choices(range(1, 7), cum_weights=self.items_cum, k=count)
        for day, n_items in zip(self.order_dates(count, start, end, peaks), sizes, strict=True):
            age = min(year - day.year, _PRICE_YEARS - 1)
            peak = day.month in peaks
            first = int(r() * size)
            items = []
            for j in range(n_items if n_items < size else size):
                p = basket[(first + j) % size]
                qty_pool = big[p] if peak else quantities[p]
                discount = agreed.get(p)
                if discount is None:
                    discount = _ZERO_PERCENT if r() < 0.75 else _DISCOUNTS[int(r() * 9)]
                quantity = qty_pool[int(r() * len(qty_pool))]
                items.append(LineItem(names[p], quantity, prices[p][age], discount))
            out.append(Purchase(day, items, pick(_PURCHASE_NOTES) if r() < 0.1 else ""))
        return out

    # -- interactions and tasks

    def interactions(
        self,
        industry: _Industry,
        count: int,
        start: int,
        end: int,
        status: str,
        names: list[str],
    ) -> list[Interaction]:
        r = self.r
        span = end - start + 1
        ordinals = sorted(start + int(r() * span) for _ in range(count))
        # (summaries, outcomes) per kind, with their lengths, looked up once per client.
        pools = industry.pools
        firsts = industry.first_contacts
        n_firsts = len(firsts)
        n_names = len(names)
        from_date = dt.date.fromordinal
        out = []
        opening = count if status == "prospect" else 2
        for i, ordinal in enumerate(ordinals):
            if i < opening:
                kind, summary = firsts[int(r() * n_firsts)]
                outcome = _PROSPECT_OUTCOMES[int(r() * _N_PROSPECT_OUTCOMES)]
            else:
                kind = _KINDS[int(r() * 100)]
                summaries, n_summaries, outcomes, n_outcomes = pools[kind]
                summary = summaries[int(r() * n_summaries)]
                outcome = outcomes[int(r() * n_outcomes)]
            contact = names[int(r() * n_names)]
            out.append(Interaction(from_date(ordinal), kind, contact, summary, outcome))
        if status == "former" and out:
            kind, summary, outcome = _LOST[int(r() * len(_LOST))]
            out[-1] = Interaction(out[-1].date, kind, out[-1].contact, summary, outcome)
        return out

    def tasks(
        self,
        industry: _Industry,
        status: str,
        names: list[str],
        firsts: list[str],
        basket: list[int],
    ) -> list[Task]:
        r = self.r
        count = int(r() * 5) if status != "former" else int(r() * 2)
        templates = _TASKS_BY_STATUS[status]
        out: list[Task] = []
        used: list[str] = []
        for _ in range(count):
            template = self.pick(templates)
            if template in used:
                continue
            used.append(template)
            who = int(r() * len(names))
            first = firsts[who]
            product = industry.products[basket[int(r() * len(basket))]]
            kind = r()
            if kind < 0.3:  # done
                due, done = self.today_ord - 3 - int(r() * 200), True
            elif kind < 0.5:  # overdue
                due, done = self.today_ord - 1 - int(r() * 21), False
            elif kind < 0.58:
                due, done = self.today_ord, False
            else:  # coming weeks
                due, done = self.today_ord + 1 + int(r() * 42), False
            out.append(
                Task(
                    dt.date.fromordinal(due),
                    template.format(first=first, p=product),
                    done,
                    names[who],
                )
            )
        out.sort(key=lambda t: t.due)
        return out

    # -- the client

    def company_name(self, industry: _Industry) -> str:
        pick = self.pick
        surname = pick(_SURNAMES)
        surname2 = pick(_SURNAMES)
        while surname2 == surname:
            surname2 = pick(_SURNAMES)
        return (
            pick(industry.name_patterns)
            .format(
                place=pick(_PLACES),
                adj=pick(_ADJECTIVES),
                noun=pick(_NOUNS),
                surname=surname,
                surname2=surname2,
                saint=pick(_SAINTS),
                w=pick(industry.name_words),
            )
            .replace("s's ", "s' ")
        )

    def client(self, index: int) -> Client:
        r = self.r
        pick = self.pick
        rng = self.rng
        today_ord = self.today_ord

        status = pick(_STATUSES)
        company = r() < 0.8
        code = pick(_COUNTRY_CODES)
        country_name, currency, streets, cities = _PLACES_BY_COUNTRY[code]
        city, region, postcodes, phones = cities[int(r() * len(cities))]

        firsts: list[str] = []
        if company:
            industry = pick(_INDUSTRY_LIST)
            industry_label = industry.label
            name = self.company_name(industry)
            slug = _slug(name)
            domain: str | None = f"{slug}.example"
            n_contacts = rng.choices(range(1, 7), cum_weights=(5, 25, 55, 80, 92, 100))[0]
            contacts = self.contacts(n_contacts, code, domain, industry.titles, phones, firsts)
            emails = [f"info@{domain}"]
            if r() < 0.4:
                emails.append(f"{pick(('orders', 'accounts', 'office', 'hello'))}@{domain}")
            website = f"https://www.{slug}.example" if r() < 0.75 else ""
            numbers = [self.phone(phones, [])]
            if r() < 0.3:
                numbers.append(self.phone(phones, numbers))
        else:
            industry_label, base = _PERSONAS[int(r() * len(_PERSONAS))]
            industry = _INDUSTRIES[base]
            n_contacts = 1 if r() < 0.8 else 2
            contacts = self.contacts(n_contacts, code, None, ("",), phones, firsts)
            if n_contacts == 2:
                contacts[1].title = "Partner"
            name = contacts[0].name
            emails = list(contacts[0].emails[:1])
            numbers = list(contacts[0].phones[:1]) or [self.phone(phones, [])]
            website = ""
        names = [c.name for c in contacts]

        addresses = [self.address(code, streets, city, region, postcodes, country_name)]
        if company and r() < 0.12:
            addresses.append(self.address(code, streets, city, region, postcodes, country_name))

        # The client's history, as ordinals: [start, end].
        if status == "prospect":
            start = today_ord - 7 - int(r() * 400)
            end = today_ord - int(r() * 7)
        elif status == "active":
            if r() < 0.1:  # won this year
                start = max(today_ord - 340, dt.date(self.today.year, 1, 1).toordinal())
                start = min(start, today_ord - 14)
            else:
                start = today_ord - 365 - int(r() * 365 * 5)
            end = max(start, today_ord - int(r() * 20))
        else:
            end = today_ord - 200 - int(r() * 700)
            start = end - 365 - int(r() * 365 * 3)

        # Buying rhythm: one or two of the industry's seasons, at most three peak months.
        seasons = industry.seasons
        first_season = seasons[int(r() * len(seasons))]
        chosen = [first_season]
        peaks = first_season[0]
        if r() < 0.5:
            second = seasons[int(r() * len(seasons))]
            union = tuple(sorted(set(peaks) | set(second[0])))
            if second is not first_season and len(union) <= 3:
                chosen.append(second)
                peaks = union

        n_products = len(industry.products)
        basket = rng.sample(range(n_products), min(n_products, 3 + int(r() * 5)))

        # Orders: none for most prospects; a few heavy buyers among active clients.
        heavy = False
        if status == "prospect":
            n_orders = 0 if r() < 0.85 else 1 + int(r() * 2)
        elif status == "active":
            heavy = r() < 0.08 and end - start > 500
            n_orders = 20 + int(r() * 41) if heavy else 1 + int(r() * 7)
        else:
            n_orders = 1 + int(r() * 8)
        if not company:
            n_orders = (n_orders + 1) // 2

        pricing, agreed = self.pricing(industry, status, basket, currency, n_orders)
        purchases = self.purchases(industry, n_orders, start, end, peaks, basket, agreed)

        if status == "prospect":
            n_interactions = 1 + int(r() * 6)
        elif status == "active":
            n_interactions = 4 + int(r() * 21) + (6 if heavy else 0)
        else:
            n_interactions = 2 + int(r() * 14)
        interactions = self.interactions(
            industry, min(n_interactions, 30), start, end, status, names
        )

        # Heavy buyers state every season they buy for; others some of them, or none.
        needs_from = chosen if heavy else chosen[: int(r() * (len(chosen) + 1)) if n_orders else 0]
        seasonal_needs = [SeasonalNeed(s[0], pick(s[1])) for s in needs_from]
        if r() < 0.15 and len(seasonal_needs) < 3:
            # A need stated in a conversation but not (yet) visible in the orders.
            extra = seasons[int(r() * len(seasons))]
            if extra not in chosen:
                seasonal_needs.append(SeasonalNeed(extra[0], pick(extra[1])))

        n_prefs = int(r() * 6)
        preferences: list[Preference] = []
        topics: list[str] = []
        prefs = industry.prefs
        for _ in range(n_prefs):
            topic, detail = prefs[int(r() * len(prefs))]
            if topic not in topics:
                topics.append(topic)
                preferences.append(Preference(topic, detail))

        specs = industry.specs
        n_specs = min(int(r() * 5), len(specs))
        specifications = [
            Specification(item, detail) for item, detail in rng.sample(specs, n_specs)
        ]

        tags: list[str] = []
        tag_pool = _TAGS[status]
        for _ in range(int(r() * 4)):
            tag = pick(tag_pool)
            if tag not in tags:
                tags.append(tag)
        if heavy and "key account" not in tags:
            tags.append("key account")
        if start >= dt.date(self.today.year, 1, 1).toordinal() and status != "former":
            tags.append(self.new_tag)

        if self.salespeople:
            n = len(self.salespeople)
            salesperson = self.salespeople[index % n if r() < 0.85 else int(r() * n)]
        else:
            salesperson = ""

        return Client(
            name=name,
            kind="company" if company else "individual",
            status=status,
            industry=industry_label,
            salesperson=salesperson,
            website=website,
            emails=emails,
            phones=numbers,
            addresses=addresses,
            tags=tags,
            source=pick(_SOURCES),
            notes=pick(_CLIENT_NOTES) if r() < 0.25 else "",
            contacts=contacts,
            purchases=purchases,
            pricing=pricing,
            preferences=preferences,
            seasonal_needs=seasonal_needs,
            specifications=specifications,
            interactions=interactions,
            tasks=self.tasks(industry, status, names, firsts, basket),
        )

    def address(
        self,
        code: str,
        streets: Sequence[str],
        city: str,
        region: str,
        postcodes: Sequence[str],
        country: str,
    ) -> Address:
        r = self.r
        pick = self.pick
        number = 1 + int(r() * (1800 if code in ("US", "CA") else 180))
        street = f"{number} {pick(streets)}"
        if code == "FR" and r() < 0.3:
            street = f"{number} bis {pick(streets)}"
        if r() < 0.12:
            street = f"{street}, {pick(_ADDRESS_EXTRAS)}"
        outward = pick(postcodes)
        letters = _POSTCODE_LETTERS
        if code == "US":
            postal = f"{outward}{int(r() * 100):02d}"
        elif code == "UK":
            postal = f"{outward} {int(r() * 10)}{pick(letters)}{pick(letters)}"
        elif code == "CA":
            postal = f"{outward} {int(r() * 10)}{pick(letters)}{int(r() * 10)}"
        else:
            postal = outward
        return Address(street, city, region, postal, country)

    def pricing(
        self, industry: _Industry, status: str, basket: list[int], currency: str, n_orders: int
    ) -> tuple[list[PricingAgreement], dict[int, Decimal]]:
        r = self.r
        if status == "prospect" and n_orders == 0:
            count = 1 if r() < 0.1 else 0
        else:
            count = min(int(r() * 5), len(basket))
        out = []
        agreed: dict[int, Decimal] = {}
        for p in basket[:count]:
            shape = r()
            price = discount = None
            if shape < 0.5 or shape >= 0.8:
                factor = _PRICE_FACTORS[int(r() * len(_PRICE_FACTORS))]
                price = (industry.prices[p][0] * factor).quantize(CENT, ROUND_HALF_UP)
            if shape >= 0.5:
                discount = _DISCOUNTS[int(r() * len(_DISCOUNTS))]
                agreed[p] = discount
            valid_from = self.today_ord - int(r() * 700)
            ends = r()
            if ends < 0.2:
                valid_to = None
            elif ends < 0.6:
                valid_to = dt.date(dt.date.fromordinal(valid_from).year, 12, 31)
            else:
                valid_to = dt.date.fromordinal(valid_from + 364 + int(r() * 366))
            out.append(
                PricingAgreement(
                    industry.products[p],
                    price,
                    discount,
                    dt.date.fromordinal(valid_from),
                    valid_to,
                    self.pick(_TERMS).format(c=currency) if r() < 0.8 else "",
                )
            )
        return out, agreed


def generate_clients(
    count: int,
    *,
    seed: int = 1,
    today: dt.date,
    salespeople: Sequence[str] = ("jane", "omar", "li"),
) -> Iterator[Client]:
    """Yield ``count`` realistic demo clients, the same ones for the same seed and ``today``.

    Clients are unsaved (no ids, version 0, no timestamps) and already in the normalised
    form :func:`~crmdesk.domain.json_codec.validate_client` returns. ``salespeople`` are
    assigned in turn (with some shuffling); an empty sequence leaves the field empty.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    generator = _Generator(seed, today, salespeople)
    for index in range(count):
        yield generator.client(index)
