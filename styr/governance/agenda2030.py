"""Agenda 2030's 17 global goals: a built-in set of focus areas any styrmodell can use.

Names as the Swedish government writes them (Globala målen); colours are the UN's own.
"""

GROUP = "Agenda 2030"

GOALS = [
    ("sdg1", "Ingen fattigdom", "#E5243B"),
    ("sdg2", "Ingen hunger", "#DDA63A"),
    ("sdg3", "Hälsa och välbefinnande", "#4C9F38"),
    ("sdg4", "God utbildning för alla", "#C5192D"),
    ("sdg5", "Jämställdhet", "#FF3A21"),
    ("sdg6", "Rent vatten och sanitet för alla", "#26BDE2"),
    ("sdg7", "Hållbar energi för alla", "#FCC30B"),
    ("sdg8", "Anständiga arbetsvillkor och ekonomisk tillväxt", "#A21942"),
    ("sdg9", "Hållbar industri, innovationer och infrastruktur", "#FD6925"),
    ("sdg10", "Minskad ojämlikhet", "#DD1367"),
    ("sdg11", "Hållbara städer och samhällen", "#FD9D24"),
    ("sdg12", "Hållbar konsumtion och produktion", "#BF8B2E"),
    ("sdg13", "Bekämpa klimatförändringarna", "#3F7E44"),
    ("sdg14", "Hav och marina resurser", "#0A97D9"),
    ("sdg15", "Ekosystem och biologisk mångfald", "#56C02B"),
    ("sdg16", "Fredliga och inkluderande samhällen", "#00689D"),
    ("sdg17", "Genomförande och globalt partnerskap", "#19486A"),
]


def focus_area_keys() -> list[str]:
    return [key for key, _name, _colour in GOALS]
