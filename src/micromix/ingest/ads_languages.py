"""Column names of Meta Ads Manager and Google Ads exports in other interface languages.

Both platforms write their export headers in the language of the user's interface: a marketer
in Madrid downloads "Importe gastado (EUR)", "Nombre de la campaña", "Inicio del informe"; one in
Munich gets a Google Ads report with "Kampagne", "Tag", "Kosten", "Klicks". The layouts in
:mod:`micromix.ingest.ads_exports` are written with the English names; this module holds, per
language, the names those English headers take in the other interfaces, so that a layout reads
``("Amount spent (*)", "Importe gastado (*)", "Valor usado (*)", ...)`` wherever it read
``("Amount spent (*)",)``. English always comes first, so an English export reads exactly as
before.

Every name here was seen in a real export, or in public code or documentation that parses real
exports of that platform in that language (the comment above each table names where); none is a
translation made up for micromix. A name the sources did not give is left out: such a column is
then not read (and named as unread when it looks like a measure), never guessed.

Quickstart
----------
>>> localized_fields({"spend": ("Amount spent (*)",)}, META)["spend"][:3]
('Amount spent (*)', 'Importe gastado (*)', 'Valor usado (*)')
>>> header_language(["Kampagne", "Tag", "Impr.", "Klicks", "Kosten"], GOOGLE)
'de'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from micromix.ingest.formats import _find_in, localized, normalize_name

__all__ = [
    "GOOGLE",
    "LANGUAGES",
    "META",
    "MONTHS",
    "english_months",
    "header_language",
    "localized_fields",
]

#: a language's names for English headers: English name -> the names it takes in that language
Vocabulary = dict[str, tuple[str, ...]]

#: the interface languages read, as named in messages and docs
LANGUAGES = {
    "es": "Spanish",
    "pt": "Portuguese (Brazil)",
    "de": "German",
    "fr": "French",
    "it": "Italian",
}

# ====================================================================== Meta Ads Manager
# Spanish: column lists of Ads Manager exports ("Importe gastado (EUR)", "Divisa", "Día", "Entrega
# de la campaña", "Clics en el enlace", "Compras", "Valor de conversión de compras"; "Inicio / Fin
# del informe", "Indicador de resultado", "Configuración de atribución" in a script that writes
# "the same columns as the Excel exported from Ads Manager"), public code on GitHub.
_META_ES: Vocabulary = {
    "Reporting starts": ("Inicio del informe",),
    "Reporting ends": ("Fin del informe",),
    "Day": ("Día",),
    "Account name": ("Nombre de la cuenta",),
    "Campaign name": ("Nombre de la campaña",),
    "Ad set name": ("Nombre del conjunto de anuncios",),
    "Ad name": ("Nombre del anuncio",),
    "Age": ("Edad",),
    "Gender": ("Sexo",),
    "Amount spent (*)": ("Importe gastado (*)",),
    "Amount spent": ("Importe gastado",),
    "Currency": ("Divisa",),
    "Impressions": ("Impresiones",),
    "Reach": ("Alcance",),
    "Link clicks": ("Clics en el enlace",),
    "Clicks (all)": ("Clics (todos)",),
    "Results": ("Resultados",),
    "Result indicator": ("Indicador de resultado",),
    "Purchases": ("Compras",),
    "Purchases conversion value": ("Valor de conversión de compras",),
    "Campaign delivery": ("Entrega de la campaña",),
    "Ad set delivery": ("Entrega del conjunto de anuncios",),
    "Ad delivery": ("Entrega del anuncio",),
    "Attribution setting": ("Configuración de atribución",),
}
# Portuguese (Brazil): "Início dos relatórios", "Encerramento dos relatórios", "Nome da campanha",
# "Veiculação da campanha", "Valor usado (BRL)", "Impressões", "Cliques no link", "Indicador de
# resultados" (an importer's "exact mapping of the Meta Ads Manager columns"); "Dia", "Nome do
# anúncio", "Cliques (todos)" (a typed row of the Portuguese export); "Valor de conversão da
# compra" and "Nome do conjunto de anúncios" (importers of the same exports).
_META_PT: Vocabulary = {
    "Reporting starts": ("Início dos relatórios",),
    "Reporting ends": ("Encerramento dos relatórios",),
    "Day": ("Dia",),
    "Campaign name": ("Nome da campanha",),
    "Ad set name": ("Nome do conjunto de anúncios",),
    "Ad name": ("Nome do anúncio",),
    "Amount spent (*)": ("Valor usado (*)",),
    "Amount spent": ("Valor usado",),
    "Impressions": ("Impressões",),
    "Reach": ("Alcance",),
    "Link clicks": ("Cliques no link",),
    "Clicks (all)": ("Cliques (todos)",),
    "Results": ("Resultados",),
    "Result indicator": ("Indicador de resultados",),
    "Purchases conversion value": ("Valor de conversão da compra",),
    "Campaign delivery": ("Veiculação da campanha",),
}
# German: "Anzeigenname", "Tag", "Ausgegebener Betrag (EUR)", "Impressionen" (a test of German
# Meta headers), "Tag;Kampagnenname;Ausgegebener Betrag (EUR)" (a CSV parser's test of a German
# export), "Ergebnisse" and "Link-Klicks" (a course exercise on a German Ads Manager export).
# No source gave the German report-range or ad set columns: they are not read.
_META_DE: Vocabulary = {
    "Day": ("Tag",),
    "Campaign name": ("Kampagnenname",),
    "Ad name": ("Anzeigenname",),
    "Amount spent (*)": ("Ausgegebener Betrag (*)",),
    "Amount spent": ("Ausgegebener Betrag",),
    "Impressions": ("Impressionen",),
    "Link clicks": ("Link-Klicks",),
    "Results": ("Ergebnisse",),
}
# French: "Début des rapports", "Fin des rapports", "Nom de la campagne", "Âge", "Plateforme",
# "Résultats", "Indicateur de résultats", "Couverture", "Impressions", "Clics (tous)" (column
# constants "French headers from the source file" of a dashboard over an Ads Manager export);
# "Montant dépensé (EUR)", "Achats", "Valeur de conversion des achats" (an importer of French
# exports); "Nom de l'ensemble de publicités", "Nom de la publicité" (importers of the same).
_META_FR: Vocabulary = {
    "Reporting starts": ("Début des rapports",),
    "Reporting ends": ("Fin des rapports",),
    "Campaign name": ("Nom de la campagne",),
    "Ad set name": ("Nom de l'ensemble de publicités",),
    "Ad name": ("Nom de la publicité",),
    "Age": ("Âge",),
    "Platform": ("Plateforme",),
    "Amount spent (*)": ("Montant dépensé (*)",),
    "Amount spent": ("Montant dépensé",),
    "Reach": ("Couverture",),
    "Clicks (all)": ("Clics (tous)",),
    "Results": ("Résultats",),
    "Result indicator": ("Indicateur de résultats",),
    "Purchases": ("Achats",),
    "Purchases conversion value": ("Valeur de conversion des achats",),
}
# Italian: "Inizio dei report", "Fine dei report", "Nome della campagna", "Pubblicazione della
# campagna", "Impostazione di attribuzione", "Risultati", "Indicatore di risultato", "Importo speso
# (EUR)", "Impression", "Copertura" (an importer's column list of the Italian export); "Giorno",
# "Clic sul link" (a team's instructions for the Italian "day by day" export).
_META_IT: Vocabulary = {
    "Reporting starts": ("Inizio dei report",),
    "Reporting ends": ("Fine dei report",),
    "Day": ("Giorno",),
    "Campaign name": ("Nome della campagna",),
    "Amount spent (*)": ("Importo speso (*)",),
    "Amount spent": ("Importo speso",),
    "Impressions": ("Impression",),
    "Reach": ("Copertura",),
    "Link clicks": ("Clic sul link",),
    "Results": ("Risultati",),
    "Result indicator": ("Indicatore di risultato",),
    "Campaign delivery": ("Pubblicazione della campagna",),
    "Attribution setting": ("Impostazione di attribuzione",),
}

#: Meta Ads Manager's column names by language
META: dict[str, Vocabulary] = {
    "es": _META_ES,
    "pt": _META_PT,
    "de": _META_DE,
    "fr": _META_FR,
    "it": _META_IT,
}

# ====================================================================== Google Ads
# Spanish: "Día", "Campaña", "Código de moneda", "Coste", "Conversiones", "Valor de conv.",
# "Clics", "Impr." (the columns a validator of Spanish Google Ads .xlsx exports requires); the
# Latin American interface's "Costo", "Tipo de campaña", "Costo/conv." (a fixture of the 33 real
# headers of a Spanish campaign report, with its "Informe de campaña" title and "18 de septiembre
# de 2026 - 18 de septiembre de 2026" period lines and "Total: Campañas" rows).
_GOOGLE_ES: Vocabulary = {
    "Day": ("Día",),
    "Campaign": ("Campaña",),
    "Campaign type": ("Tipo de campaña",),
    "Impressions": ("Impresiones",),
    "Clicks": ("Clics",),
    "Cost": ("Coste", "Costo"),
    "Conversions": ("Conversiones",),
    "Conv. value": ("Valor de conv.",),
    "Currency code": ("Código de moneda",),
    "Cost / conv.": ("Costo/conv.", "Coste/conv."),
}
# Portuguese (Brazil): "Campanha", "Grupo de anúncios", "Impr.", "Cliques", "Custo", "Conversões",
# "Valor de conv.", "Termo de pesquisa", "Palavra-chave" (an importer of Portuguese search-term
# reports); "Valor de conv." also as "the exact names of the exported CSV" in another; "Dia"
# (Portuguese day column, as in the Meta exports).
_GOOGLE_PT: Vocabulary = {
    "Day": ("Dia",),
    "Campaign": ("Campanha",),
    "Ad group": ("Grupo de anúncios",),
    "Keyword": ("Palavra-chave",),
    "Search term": ("Termo de pesquisa",),
    "Clicks": ("Cliques",),
    "Cost": ("Custo",),
    "Conversions": ("Conversões",),
    "Conv. value": ("Valor de conv.",),
}
# German: "Kampagne", "Impressionen", "Klicks", "Kosten", "Conversions", "Conv.-Wert" and the
# segment columns "Tag", "Woche", "Monat", "Gerät", "Anzeigengruppe" (an analyser of German
# Google Ads exports); "Suchbegriff", "Währungscode" (a reader of German search-term reports,
# which skips their two title lines).
_GOOGLE_DE: Vocabulary = {
    "Day": ("Tag",),
    "Week": ("Woche",),
    "Month": ("Monat",),
    "Campaign": ("Kampagne",),
    "Ad group": ("Anzeigengruppe",),
    "Search term": ("Suchbegriff",),
    "Device": ("Gerät",),
    "Impressions": ("Impressionen",),
    "Clicks": ("Klicks",),
    "Cost": ("Kosten",),
    "Conv. value": ("Conv.-Wert",),
    "Currency code": ("Währungscode",),
}
# French: "Jour", "Campagne", "Clics", "Impr.", "Conversions", "Valeur de conv.", "Coût" (an
# importer of French Google Ads reports).
_GOOGLE_FR: Vocabulary = {
    "Day": ("Jour",),
    "Campaign": ("Campagne",),
    "Clicks": ("Clics",),
    "Cost": ("Coût",),
    "Conv. value": ("Valeur de conv.",),
}
# Italian: "Nome campagna", "Costo", "Impressioni", "Clic" (an importer of the Italian campaign
# overview export); "Valore conv." (readers of Italian Google Ads reports); "Giorno" (the
# Italian day column, as in the Meta exports); "Campagna", "Conversioni" (an Italian export
# format of the same tool).
_GOOGLE_IT: Vocabulary = {
    "Day": ("Giorno",),
    "Campaign": ("Campagna",),
    "Campaign name": ("Nome campagna",),
    "Impressions": ("Impressioni",),
    "Clicks": ("Clic",),
    "Cost": ("Costo",),
    "Conversions": ("Conversioni",),
    "Conv. value": ("Valore conv.",),
}

#: Google Ads' column names by language
GOOGLE: dict[str, Vocabulary] = {
    "es": _GOOGLE_ES,
    "pt": _GOOGLE_PT,
    "de": _GOOGLE_DE,
    "fr": _GOOGLE_FR,
    "it": _GOOGLE_IT,
}

#: month names of the report periods Google Ads writes above the header ("18 de septiembre de
#: 2026 - 18 de septiembre de 2026"), by language; the month's number
MONTHS: dict[str, dict[str, int]] = {
    "es": {
        **dict.fromkeys(("enero", "ene"), 1),
        **dict.fromkeys(("febrero", "feb"), 2),
        **dict.fromkeys(("marzo", "mar"), 3),
        **dict.fromkeys(("abril", "abr"), 4),
        **dict.fromkeys(("mayo", "may"), 5),
        **dict.fromkeys(("junio", "jun"), 6),
        **dict.fromkeys(("julio", "jul"), 7),
        **dict.fromkeys(("agosto", "ago"), 8),
        **dict.fromkeys(("septiembre", "setiembre", "sept", "sep"), 9),
        **dict.fromkeys(("octubre", "oct"), 10),
        **dict.fromkeys(("noviembre", "nov"), 11),
        **dict.fromkeys(("diciembre", "dic"), 12),
    },
    "pt": {
        **dict.fromkeys(("janeiro", "jan"), 1),
        **dict.fromkeys(("fevereiro", "fev"), 2),
        **dict.fromkeys(("março", "mar"), 3),
        **dict.fromkeys(("abril", "abr"), 4),
        **dict.fromkeys(("maio", "mai"), 5),
        **dict.fromkeys(("junho", "jun"), 6),
        **dict.fromkeys(("julho", "jul"), 7),
        **dict.fromkeys(("agosto", "ago"), 8),
        **dict.fromkeys(("setembro", "set"), 9),
        **dict.fromkeys(("outubro", "out"), 10),
        **dict.fromkeys(("novembro", "nov"), 11),
        **dict.fromkeys(("dezembro", "dez"), 12),
    },
    "de": {
        **dict.fromkeys(("januar", "jan"), 1),
        **dict.fromkeys(("februar", "feb"), 2),
        **dict.fromkeys(("märz", "mär", "mrz"), 3),
        **dict.fromkeys(("april", "apr"), 4),
        **dict.fromkeys(("mai",), 5),
        **dict.fromkeys(("juni", "jun"), 6),
        **dict.fromkeys(("juli", "jul"), 7),
        **dict.fromkeys(("august", "aug"), 8),
        **dict.fromkeys(("september", "sep", "sept"), 9),
        **dict.fromkeys(("oktober", "okt"), 10),
        **dict.fromkeys(("november", "nov"), 11),
        **dict.fromkeys(("dezember", "dez"), 12),
    },
    "fr": {
        **dict.fromkeys(("janvier", "janv"), 1),
        **dict.fromkeys(("février", "févr"), 2),
        **dict.fromkeys(("mars",), 3),
        **dict.fromkeys(("avril", "avr"), 4),
        **dict.fromkeys(("mai",), 5),
        **dict.fromkeys(("juin",), 6),
        **dict.fromkeys(("juillet", "juil"), 7),
        **dict.fromkeys(("août",), 8),
        **dict.fromkeys(("septembre", "sept"), 9),
        **dict.fromkeys(("octobre", "oct"), 10),
        **dict.fromkeys(("novembre", "nov"), 11),
        **dict.fromkeys(("décembre", "déc"), 12),
    },
    "it": {
        **dict.fromkeys(("gennaio", "gen"), 1),
        **dict.fromkeys(("febbraio", "feb"), 2),
        **dict.fromkeys(("marzo", "mar"), 3),
        **dict.fromkeys(("aprile", "apr"), 4),
        **dict.fromkeys(("maggio", "mag"), 5),
        **dict.fromkeys(("giugno", "giu"), 6),
        **dict.fromkeys(("luglio", "lug"), 7),
        **dict.fromkeys(("agosto", "ago"), 8),
        **dict.fromkeys(("settembre", "set"), 9),
        **dict.fromkeys(("ottobre", "ott"), 10),
        **dict.fromkeys(("novembre", "nov"), 11),
        **dict.fromkeys(("dicembre", "dic"), 12),
    },
}
_ENGLISH_MONTH = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
#: a day written with a month name: "18 de septiembre de 2026", "1. Oktober 2025", "1 janv. 2026"
_WORD_DAY = re.compile(
    r"\b(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_]{3,10})\.?\s+(?:de\s+)?(\d{4})\b", re.IGNORECASE
)


def localized_fields(
    fields: dict[str, tuple[str, ...]], table: dict[str, Vocabulary]
) -> dict[str, tuple[str, ...]]:
    """A layout's ``fields`` with each field's alternatives in every language."""
    return {field: localized(alts, table) for field, alts in fields.items()}


def header_language(columns: Iterable[object], table: dict[str, Vocabulary]) -> str | None:
    """The interface language whose names (not also English names) the header uses most, or
    None for an English header (or one no language's names are in)."""
    norm = {normalize_name(c) for c in columns}
    english = {normalize_name(k) for vocab in table.values() for k in vocab}
    best, hits = None, 0
    for lang, vocab in table.items():
        names = {n for alts in vocab.values() for n in alts if normalize_name(n) not in english}
        found = {_find_in(n, norm) for n in names} - {None}
        if len(found) > hits:
            best, hits = lang, len(found)
    return best


def english_months(line: str, language: str | None) -> str:
    """``line`` with the days it writes with ``language``'s month names written in English
    ("18 de septiembre de 2026" -> "18 September 2026"); unchanged without a language.

    >>> english_months("18 de septiembre de 2026 - 30 de septiembre de 2026", "es")
    '18 September 2026 - 30 September 2026'
    >>> english_months("1. Oktober 2025 - 31. Oktober 2025", "de")
    '1 October 2025 - 31 October 2025'
    """
    months = MONTHS.get(language or "")
    if not months:
        return line

    def day(m: re.Match[str]) -> str:
        number = months.get(m.group(2).lower().rstrip("."))
        if number is None:
            return m.group(0)
        return f"{int(m.group(1))} {_ENGLISH_MONTH[number - 1]} {m.group(3)}"

    return _WORD_DAY.sub(day, line)
