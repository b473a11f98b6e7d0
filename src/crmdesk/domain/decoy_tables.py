"""The small tables decoys are made from: person names, company names, lines of business
and cities with phone numbers (:mod:`.decoy_identities` draws from them).

Decoys have their own tables, apart from the demo generator's (``resources/demo/``), so
that a real export never loads demo data, and so that the domain stays free of file
reading. Every phone range is reserved for fiction (NANP 555-0100..0199, Ofcom drama
numbers, ACMA fictional numbers, ARCEP numbers for audiovisual works): a decoy's number
can never ring a real phone (a test checks each against the demo generator's ranges).

Person names must stay plentiful: no two decoys of a vault share a person name, so these
names bound how many decoys a vault can ever hand out (about 14,000 here).
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """A comma-separated list written as one string (keeps long pools compact)."""
    return tuple(text.split(", "))


# -------------------------------------------------------------------------------- people

# Person names by culture: (weight, female first names, male first names, surnames,
# female surnames where they change with gender, else None).
Culture = tuple[int, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...] | None]

CULTURES: tuple[Culture, ...] = (
    (
        60,
        _words(
            "Emma, Olivia, Sarah, Emily, Hannah, Grace, Chloe, Rachel, Laura, Megan, Jessica, "
            "Amy, Kate, Lucy, Charlotte, Ruth, Diane, Karen, Linda, Susan, Heather, Abigail, "
            "Jennifer, Michelle, Nicole, Stephanie, Rebecca, Amanda, Melissa, Katie, Holly, "
            "Beth, Victoria, Natalie, Alice, Isabel, Fiona, Joanne, Tracy, Pamela, Wendy, Gemma, "
            "Paige, Brooke, Danielle, Erin, Shannon, Kelly, Naomi, Harriet"
        ),
        _words(
            "James, John, Michael, David, Daniel, Matthew, Chris, Tom, Ben, Sam, Peter, Mark, "
            "Paul, Andrew, Ryan, Jack, George, Harry, Robert, William, Gareth, Nathan, Steven, "
            "Kevin, Brian, Gary, Jason, Eric, Scott, Adam, Luke, Simon, Neil, Graham, Ian, Keith, "
            "Alan, Craig, Dean, Trevor, Oliver, Henry, Edward, Patrick, Tyler, Kyle, Connor"
        ),
        _words(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Taylor, Anderson, "
            "Thomas, Moore, Martin, Thompson, White, Harris, Clark, Lewis, Walker, Hall, Young, "
            "King, Wright, Scott, Green, Baker, Adams, Nelson, Hill, Campbell, Mitchell, Roberts, "
            "Carter, Phillips, Evans, Turner, Parker, Collins, Edwards, Stewart, Morris, Cook, "
            "Rogers, Morgan, Cooper, Bailey, Reed, Bell, Ward, Fletcher, Hughes, Palmer, "
            "Jackson, Lee, Allen, Robinson, Price, Bennett, Wood, Barnes, Ross, Henderson, "
            "Coleman, Jenkins, Perry, Powell, Long, Patterson, Butler, Simmons, Foster, Bryant, "
            "Alexander, Russell, Griffin, Hayes, Myers, Ford, Hamilton, Graham, Sullivan, "
            "Wallace, Woods, Cole, West, Jordan, Owens, Reynolds, Fisher, Ellis, Harrison, "
            "Gibson, McDonald, Marshall, Wells, Webb, Tucker, Porter, Hunter, Hicks, Crawford, "
            "Boyd, Mason, Kennedy, Warren, Dixon, Burns, Gordon, Shaw, Holmes, Rice, Hunt, Black, "
            "Daniels, Mills, Grant, Knight, Ferguson, Stone, Hawkins, Dunn, Perkins, Hudson, "
            "Spencer, Gardner, Stephens, Payne, Pierce, Berry, Matthews, Arnold, Wagner, Watts, "
            "Lane, Riley, Carpenter, Armstrong, Sutton, Pearce, Holland, Lawson, Barker"
        ),
        None,
    ),
    (
        8,
        _words("María, Lucía, Carmen, Sofía, Inés, Begoña"),
        _words("José, Javier, Andrés, Ángel, Raúl, Íñigo"),
        _words("Álvarez, García, Fernández, López, Martínez, Sánchez, Gómez, Muñoz, Pérez, Núñez"),
        None,
    ),
    (
        7,
        _words("Amélie, Hélène, Chloé, Élise, Margaux, Céline"),
        _words("François, Jérôme, Étienne, Benoît, Loïc, Théo"),
        _words("Dupont, Lefèvre, Moreau, Girard, Rousseau, Bonnet, Mercier, Fontaine, Faure"),
        None,
    ),
    (
        5,
        _words("Anneliese, Käthe, Jana, Sabine, Lena"),
        _words("Jürgen, Lukas, Matthias, Jörg, Stefan"),
        _words("Müller, Schäfer, Weiß, Groß, Becker, Schröder, Hoffmann, Krüger, Köhler"),
        None,
    ),
    (
        5,
        _words("Agnieszka, Małgorzata, Katarzyna, Zofia, Joanna"),
        _words("Łukasz, Paweł, Krzysztof, Wojciech, Tomasz"),
        _words("Kowalski, Nowak, Wiśniewski, Wójcik, Zieliński, Dąbrowski, Lewandowski"),
        _words("Kowalska, Nowak, Wiśniewska, Wójcik, Zielińska, Dąbrowska, Lewandowska"),
    ),
    (
        4,
        _words("Siobhán, Aoife, Niamh, Róisín, Saoirse"),
        _words("Seán, Ciarán, Pádraig, Eoin, Darragh"),
        _words("O'Brien, Kelly, O'Connor, Byrne, Walsh, McCarthy, Doyle"),
        None,
    ),
    (
        5,
        _words("Priya, Ananya, Deepika, Kavya, Sunita"),
        _words("Arjun, Rohan, Vikram, Sanjay, Rahul"),
        _words("Patel, Sharma, Singh, Gupta, Iyer, Reddy, Mehta, Nair"),
        None,
    ),
    (
        3,
        _words("Mei, Xiaoling, Yan, Jing"),
        _words("Wei, Jun, Hao, Zhiwei"),
        _words("Wang, Zhang, Chen, Liu, Huang, Zhao"),
        None,
    ),
    (
        3,
        _words("Ayşe, Elif, Zeynep, Şule"),
        _words("Mehmet, Emre, Barış, Oğuz"),
        _words("Yılmaz, Kaya, Demir, Şahin, Çelik, Öztürk"),
        None,
    ),
)

# ----------------------------------------------------------------------------- companies

# Lines of business: (industry, words a company name ends with, job titles).
INDUSTRIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("bakery", _words("Bakery, Bakehouse, Bread Co."), _words("Head Baker, Shop Manager")),
    ("restaurant", _words("Bistro, Kitchen, Grill, Brasserie"), _words("Head Chef")),
    ("café", _words("Café, Coffee House, Tea Room"), _words("Head Barista")),
    ("hardware store", _words("Hardware, Tool Supply, Home & Garden"), _words("Buyer")),
    ("landscaping", _words("Landscaping, Lawn & Garden, Tree Service"), _words("Crew Lead")),
    ("florist", _words("Florist, Flowers, Flower Studio"), _words("Head Florist")),
    ("brewery", _words("Brewing Co., Brewery, Taproom"), _words("Head Brewer, Co-founder")),
    ("garage", _words("Auto Repair, Garage, Car Care"), _words("Workshop Manager")),
    ("plumbing", _words("Plumbing, Plumbing & Heating"), _words("Lead Plumber")),
    ("hair salon", _words("Hair Studio, Salon, Barbers"), _words("Salon Manager")),
    ("catering", _words("Catering, Events & Catering"), _words("Events Manager")),
    ("farm shop", _words("Farm Shop, Garden Centre, Growers"), _words("Buyer")),
    ("bookshop", _words("Books, Bookshop, Booksellers"), _words("Buyer")),
)
GENERIC_TITLES = _words("Owner, Manager, Purchasing Manager, Office Manager")
COMPANY_PATTERNS = (
    "{place} {w}",
    "{place} {w}",
    "{adj} {noun} {w}",
    "{adj} {noun} {w}",
    "{surname} & Sons {w}",
    "{surname}'s {w}",
    "{surname} {w}",
    "{surname} & {surname2} {w}",
)
PLACES = _words(
    "Harbor Lane, Riverside, Northgate, Maple Hill, Old Town, Westbrook, Kingsway, Mill Pond, "
    "Bayview, Cedar Ridge, Market Square, Highfield, Stonebridge, Willow Creek, Fox Hollow, "
    "Lakeside, Greenway, Parkside, Hillcrest, Ashford, Brookside, Clearwater, Thornbury, "
    "Eastgate, Ferndale, Hawthorn, Orchard Row, Quarry Hill"
)
ADJECTIVES = _words(
    "Golden, Blue, Green, Little, Royal, Coastal, Northern, Sunny, Urban, Rustic, Heritage, "
    "Evergreen, Silver, Red, Wild, Honest"
)
NOUNS = _words(
    "Timber, Wheat, Anchor, Lantern, Oak, Meadow, Pine, Falcon, Acorn, Compass, Thistle, Fern, "
    "Barrel, Beacon, Sparrow, Hive, Orchard, Summit"
)
TAGS = _words("newsletter, wholesale, needs visit, price-sensitive, seasonal, eco packaging")

# -------------------------------------------------------------------------------- places

# Phone plans: (prefix, first suffix, last suffix, suffix digits), all fictional.
PhonePlan = tuple[str, int, int, int]


def _nanp(area: str) -> PhonePlan:
    return (f"+1{area}55501", 0, 99, 2)


def _uk(prefix: str, low: int = 0, high: int = 999) -> PhonePlan:
    return (f"+44{prefix}", low, high, 4)


def _au(area: str) -> tuple[PhonePlan, ...]:
    return (
        (f"+61{area}5550", 0, 9999, 4),
        (f"+61{area}7010", 0, 9999, 4),
        ("+61491570", 6, 159, 3),  # mobiles
        ("+61491571", 0, 999, 3),
    )


def _fr(prefix: str) -> PhonePlan:
    return (f"+33{prefix}", 0, 9999, 4)


# Per country code: (country, weight, streets, cities as (city, region, postal code
# prefixes, phone plans)). Postal codes are completed in each country's own shape.
City = tuple[str, str, tuple[str, ...], tuple[PhonePlan, ...]]
COUNTRIES: dict[str, tuple[str, int, tuple[str, ...], tuple[City, ...]]] = {
    "US": (
        "United States",
        55,
        _words("Oak Street, Maple Avenue, Main Street, Elm Street, Cedar Road, Park Place"),
        (
            ("New York", "NY", ("100",), (_nanp("212"), _nanp("718"))),
            ("Chicago", "IL", ("606",), (_nanp("312"), _nanp("773"))),
            ("Boston", "MA", ("021",), (_nanp("617"),)),
            ("Portland", "OR", ("972",), (_nanp("503"), _nanp("971"))),
            ("Denver", "CO", ("802",), (_nanp("303"), _nanp("720"))),
            ("Austin", "TX", ("787",), (_nanp("512"),)),
            ("Atlanta", "GA", ("303",), (_nanp("404"),)),
            ("Seattle", "WA", ("981",), (_nanp("206"),)),
            ("Minneapolis", "MN", ("554",), (_nanp("612"),)),
            ("Philadelphia", "PA", ("191",), (_nanp("215"),)),
        ),
    ),
    "UK": (
        "United Kingdom",
        18,
        _words("High Street, Mill Lane, Station Road, Church Lane, Victoria Road, Market Place"),
        (
            ("London", "Greater London", ("E1", "N4", "SE15", "W5"), (_uk("207946"),)),
            ("Manchester", "Greater Manchester", ("M1", "M4", "M20"), (_uk("161496"),)),
            ("Leeds", "West Yorkshire", ("LS1", "LS6"), (_uk("113496"),)),
            ("Bristol", "Bristol", ("BS1", "BS3", "BS8"), (_uk("117496"),)),
            ("Edinburgh", "Midlothian", ("EH1", "EH3", "EH6"), (_uk("131496"),)),
            ("Birmingham", "West Midlands", ("B1", "B5", "B13"), (_uk("121496"),)),
        ),
    ),
    "CA": (
        "Canada",
        10,
        _words("Queen Street West, Granville Street, Bank Street, Yonge Street, Portage Avenue"),
        (
            ("Toronto", "ON", ("M5V", "M4M", "M6J"), (_nanp("416"), _nanp("647"))),
            ("Vancouver", "BC", ("V6B", "V5K"), (_nanp("604"),)),
            ("Calgary", "AB", ("T2P", "T2R"), (_nanp("403"),)),
            ("Ottawa", "ON", ("K1P", "K1S"), (_nanp("613"),)),
        ),
    ),
    "AU": (
        "Australia",
        10,
        _words("George Street, Chapel Street, Brunswick Street, Beach Road, Oxford Street"),
        (
            ("Sydney", "NSW", ("2000", "2010", "2037"), _au("2")),
            ("Melbourne", "VIC", ("3000", "3065", "3121"), _au("3")),
            ("Brisbane", "QLD", ("4000", "4101"), _au("7")),
            ("Perth", "WA", ("6000", "6008"), _au("8")),
        ),
    ),
    "FR": (
        "France",
        7,
        _words("rue de la République, avenue Jean Jaurès, rue Victor Hugo, boulevard Pasteur"),
        (
            ("Paris", "Île-de-France", ("75011", "75004", "75018"), (_fr("19900"),)),
            ("Nantes", "Pays de la Loire", ("44000", "44100"), (_fr("26191"),)),
            ("Lyon", "Auvergne-Rhône-Alpes", ("69002", "69007"), (_fr("46571"),)),
            ("Bordeaux", "Nouvelle-Aquitaine", ("33000", "33800"), (_fr("53649"),)),
        ),
    ),
}
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
