"""Meta Ads Manager and Google Ads exports in the Spanish, Portuguese, German, French and Italian
interfaces, and files that write numbers with a decimal comma.

Every file is written by the test with the column names those interfaces give (see
:mod:`micromix.ingest.ads_languages` for where each name was seen), numbers as a marketer in
Madrid, São Paulo, Munich, Paris or Milan downloads them ("1.234,56", "12,5", "1 234,56"), and
checked for the spend, currency, days, impressions, clicks and conversions of each row. Before
this, each of these files was refused (no layout matched the header) or read with its numbers
refused as decimal commas.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from _ingest_refusals import refused
from micromix.cli.ingest_cmd import register
from micromix.errors import ColumnNotFoundError
from micromix.ingest import ingest_file, prepare_file
from micromix.ingest.ads_languages import GOOGLE, META, header_language
from micromix.ingest.formats import detect_format
from micromix.store import Store

#: what each file's rows hold: (campaign, date, date_end, spend, impressions, clicks,
#: conversions, conversion_value, currency)
Row = tuple[str, str | None, str | None, float, int, int, float | None, float | None, str]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _rows(path: Path, **kw: object) -> tuple[list[Row], object]:
    store = Store.open(":memory:")
    rep = ingest_file(store, "ads", path, **kw)
    got = store.read("ad_performance").sort_values("source_row")

    def num(v: object) -> float | None:
        return None if pd.isna(v) else float(v)  # type: ignore[arg-type]

    rows = [
        (
            r.campaign_name,
            None if pd.isna(r.date) else f"{r.date:%Y-%m-%d}",
            None if pd.isna(r.date_end) else f"{r.date_end:%Y-%m-%d}",
            float(r.spend),
            int(r.impressions),
            int(r.clicks),
            num(r.conversions),
            num(r.conversion_value),
            r.currency,
        )
        for r in got.itertuples()
    ]
    return rows, rep


# ====================================================================== Meta, per language
META_FILES = {
    # Madrid: the report range on every row, a purchase result, thousands points
    "es": (
        "Inicio del informe;Fin del informe;Nombre de la campaña;Nombre del conjunto de anuncios;"
        "Entrega del conjunto de anuncios;Resultados;Indicador de resultado;Importe gastado (EUR);"
        "Impresiones;Alcance;Clics en el enlace;Compras;Valor de conversión de compras\n"
        "2026-10-01;2026-10-31;Verano;Conjunto A;active;12;"
        "actions:offsite_conversion.fb_pixel_purchase;1.234,56;12.345;9.876;321;12;2.345,60\n"
        "2026-10-01;2026-10-31;Otoño;Conjunto B;active;;;12,5;800;700;9;;\n"
    ),
    # São Paulo: the results are purchases (no "Compras" column)
    "pt": (
        "Início dos relatórios;Encerramento dos relatórios;Nome da campanha;"
        "Veiculação da campanha;Resultados;Indicador de resultados;Valor usado (BRL);Impressões;"
        "Alcance;Cliques no link\n"
        "2026-10-01;2026-10-31;Verão;active;7;actions:offsite_conversion.fb_pixel_purchase;"
        "2.500,00;40.000;31.000;1.250\n"
        "2026-10-01;2026-10-31;Outono;active;3;actions:offsite_conversion.fb_pixel_purchase;"
        "99,90;1.500;1.200;45\n"
    ),
    # Munich: daily rows
    "de": (
        "Tag;Kampagnenname;Anzeigenname;Ausgegebener Betrag (EUR);Impressionen;Link-Klicks;"
        "Ergebnisse\n"
        "2026-10-01;Sommer;Anzeige 1;12,5;1.000;20;2\n"
        "2026-10-02;Sommer;Anzeige 1;1.004,75;20.500;410;9\n"
    ),
    # Paris: spaces group the thousands
    "fr": (
        "Début des rapports;Fin des rapports;Nom de la campagne;"
        "Nom de l'ensemble de publicités;Résultats;Indicateur de résultats;"
        "Montant dépensé (EUR);Impressions;Couverture;Clics (tous);Achats;"
        "Valeur de conversion des achats\n"
        "2026-10-01;2026-10-31;Été;Ensemble A;4;actions:offsite_conversion.fb_pixel_purchase;"
        "1 234,56;15 000;11 000;240;4;480,00\n"
    ),
    # Milan: days written day-first
    "it": (
        "Inizio dei report;Fine dei report;Nome della campagna;Risultati;"
        "Indicatore di risultato;Importo speso (EUR);Impression;Copertura;Clic sul link\n"
        "01/10/2026;31/10/2026;Estate;5;actions:offsite_conversion.fb_pixel_purchase;"
        "345,67;9.100;7.000;130\n"
    ),
}
META_ROWS: dict[str, list[Row]] = {
    "es": [
        ("Verano", "2026-10-01", "2026-10-31", 1234.56, 12345, 321, 12.0, 2345.6, "EUR"),
        ("Otoño", "2026-10-01", "2026-10-31", 12.5, 800, 9, 0.0, 0.0, "EUR"),
    ],
    "pt": [
        ("Verão", "2026-10-01", "2026-10-31", 2500.0, 40000, 1250, 7.0, None, "BRL"),
        ("Outono", "2026-10-01", "2026-10-31", 99.9, 1500, 45, 3.0, None, "BRL"),
    ],
    "de": [
        ("Sommer", "2026-10-01", None, 12.5, 1000, 20, None, None, "EUR"),
        ("Sommer", "2026-10-02", None, 1004.75, 20500, 410, None, None, "EUR"),
    ],
    "fr": [("Été", "2026-10-01", "2026-10-31", 1234.56, 15000, 240, 4.0, 480.0, "EUR")],
    "it": [("Estate", "2026-10-01", "2026-10-31", 345.67, 9100, 130, 5.0, None, "EUR")],
}


@pytest.mark.parametrize("lang", sorted(META_FILES))
def test_meta_export_in_each_language(tmp_path, lang):
    p = _write(tmp_path / f"meta_{lang}.csv", META_FILES[lang])
    rows, rep = _rows(p)
    assert rep.layout == "meta_ads"
    assert rows == META_ROWS[lang]
    cols = pd.read_csv(p, sep=";", nrows=0).columns
    assert header_language(cols, META) == lang or lang in ("es", "pt")  # "Alcance" is both


# ====================================================================== Google Ads, per language
GOOGLE_FILES = {
    # Buenos Aires: title and period lines above the header, English-style numbers, totals
    "es": (
        "Informe de campaña\n"
        "1 de octubre de 2026 - 31 de octubre de 2026\n"
        "Campaña,Código de moneda,Costo,Impr.,Clics,Conversiones,Valor de conv.\n"
        'Búsqueda | Marca,ARS,"1,134.00","9,150",780,24.00,"15,230.75"\n'
        'Display | Remarketing,ARS,"2,850.53","128,400",310,--,--\n'
        'Total: Campañas,ARS,"3,984.53","137,550",1090,24.00,"15,230.75"\n'
    ),
    # São Paulo: decimal commas (quoted), currency passed with --currency
    "pt": (
        "Dia,Campanha,Custo,Impr.,Cliques,Conversões,Valor de conv.\n"
        '2026-10-01,Marca,"1.234,56","10.000",500,"12,50","2.500,00"\n'
        '2026-10-02,Marca,"99,90",800,40,"0,00","0,00"\n'
    ),
    # Munich: day-first days with points, a currency column, a "Gesamt" row
    "de": (
        "Tag;Kampagne;Währungscode;Kosten;Impressionen;Klicks;Conversions;Conv.-Wert\n"
        "13.10.2026;Marke;EUR;1.234,56;10.000;500;12,5;2.500,00\n"
        "14.10.2026;Marke;EUR;12,40;900;45;0,00;0,00\n"
        ";Gesamt;EUR;1.246,96;10.900;545;12,5;2.500,00\n"
    ),
    # Paris: the euro sign in the money cells
    "fr": (
        "Jour;Campagne;Coût;Impr.;Clics;Conversions;Valeur de conv.\n"
        "2026-10-01;Marque;1 234,56 €;12 000;480;6,5;0,00 €\n"
    ),
    # Milan
    "it": (
        "Giorno;Campagna;Costo;Impressioni;Clic;Conversioni;Valore conv.\n"
        "2026-10-01;Marchio;45,90;2.300;110;3,00;150,00\n"
    ),
}
GOOGLE_ROWS: dict[str, list[Row]] = {
    "es": [
        ("Búsqueda | Marca", "2026-10-01", "2026-10-31", 1134.0, 9150, 780, 24.0, 15230.75, "ARS"),
        (
            "Display | Remarketing",
            "2026-10-01",
            "2026-10-31",
            2850.53,
            128400,
            310,
            None,
            None,
            "ARS",
        ),
    ],
    "pt": [
        ("Marca", "2026-10-01", None, 1234.56, 10000, 500, 12.5, 2500.0, "BRL"),
        ("Marca", "2026-10-02", None, 99.9, 800, 40, 0.0, 0.0, "BRL"),
    ],
    "de": [
        ("Marke", "2026-10-13", None, 1234.56, 10000, 500, 12.5, 2500.0, "EUR"),
        ("Marke", "2026-10-14", None, 12.4, 900, 45, 0.0, 0.0, "EUR"),
    ],
    "fr": [("Marque", "2026-10-01", None, 1234.56, 12000, 480, 6.5, 0.0, "EUR")],
    "it": [("Marchio", "2026-10-01", None, 45.9, 2300, 110, 3.0, 150.0, "EUR")],
}
GOOGLE_CURRENCY = {"pt": "BRL", "it": "EUR"}


@pytest.mark.parametrize("lang", sorted(GOOGLE_FILES))
def test_google_ads_report_in_each_language(tmp_path, lang):
    p = _write(tmp_path / f"google_{lang}.csv", GOOGLE_FILES[lang])
    rows, rep = _rows(p, currency=GOOGLE_CURRENCY.get(lang))
    assert rep.layout == "google_ads"
    assert rows == GOOGLE_ROWS[lang]
    if lang in ("es", "de"):  # the total row is set aside and agrees with the rows
        assert rep.summary_rows == 1


def test_localized_headers_are_told_apart_and_english_detection_is_unchanged():
    meta_de = ["Tag", "Kampagnenname", "Ausgegebener Betrag (EUR)", "Impressionen"]
    google_de = ["Tag", "Kampagne", "Kosten", "Impressionen", "Klicks", "Conv.-Wert"]
    assert detect_format(meta_de, "ads").lookup_name == "meta_ads"
    assert detect_format(google_de, "ads").lookup_name == "google_ads"
    assert header_language(google_de, GOOGLE) == "de"
    english = ["Campaign", "Ad group", "Impr.", "Clicks", "Cost", "Currency code", "Conversions"]
    assert detect_format(english, "ads").lookup_name == "google_ads"
    assert header_language(english, GOOGLE) is None
    # a header only shared columns name is still refused, in any language
    with pytest.raises(ColumnNotFoundError, match="pass --format"):
        detect_format(["Amount spent (USD)", "Campaign name", "Impressions"], "ads")


def test_missing_columns_are_named_in_english(tmp_path):
    """A header that lacks a signature column is told in the layout's English names (the
    other languages' names are accepted, not listed)."""
    from micromix.ingest.formats import get_format

    miss = get_format("google_ads", "ads").missing(["Kampagne", "Klicks"])
    assert miss == [
        "Impr. or Impressions",
        "Cost",
        "Currency code or Avg. CPC or Conv. rate or Cost / conv. or Conv. or Interaction rate "
        "or Conv. value",
    ]


# ====================================================================== decimal marks
def test_a_file_mixing_decimal_commas_and_points_isrefused(tmp_path):
    """Both ways in one file, and a cell that reads both ways: which way it means cannot be
    told ("12.345" impressions: 12345, or 12.345 as the "1,234.50" row writes numbers)."""
    p = _write(
        tmp_path / "mixed.csv",
        "Inicio del informe;Fin del informe;Nombre de la campaña;Importe gastado (EUR);"
        "Impresiones\n"
        "2026-10-01;2026-10-31;A;1.234,56;100\n"
        "2026-10-01;2026-10-31;B;1,234.50;12.345\n",
    )
    msg = refused(p)
    assert msg.startswith(f"{p}: line 3, field 'Impresiones': '12.345' may be a number with")
    assert "line 2, field 'Importe gastado (EUR)': '1.234,56' with a decimal comma" in msg
    assert "line 3, field 'Importe gastado (EUR)': '1,234.50' with a decimal point" in msg
    assert "export the report again with one number format" in msg


def test_cells_that_each_read_one_way_are_read_so(tmp_path):
    """ "1.234,50" and "99.10" each read one way only, whatever the rest of the file: read so
    (as micromix always read them), and "12,5" beside them too."""
    p = _write(
        tmp_path / "each.csv",
        "Inicio del informe;Fin del informe;Nombre de la campaña;Importe gastado (EUR);"
        "Impresiones;Clics en el enlace\n"
        "2026-10-01;2026-10-31;A;1.234,50;100;1\n"
        "2026-10-01;2026-10-31;B;99.10;200;2\n"
        "2026-10-01;2026-10-31;C;12,5;300;3\n",
    )
    rows, _ = _rows(p)
    assert [r[3] for r in rows] == [1234.5, 99.1, 12.5]


def test_cells_that_read_both_ways_need_the_flag(tmp_path):
    """Only "1.234" and whole numbers: 1234 in a German export's thousands, 1.234 in a decimal
    point; micromix asks, and reads what the flag says."""
    text = (
        "Tag;Kampagne;Währungscode;Kosten;Impressionen;Klicks\n"
        "2026-10-01;Marke;EUR;1.234;12.000;500\n"
        "2026-10-02;Marke;EUR;800;900;45\n"
    )
    p = _write(tmp_path / "either.csv", text)
    msg = refused(p)
    assert (
        "line 2, field 'Impressionen': '12.000' may be a number with a thousands separator" in msg
    )
    assert "--decimal-comma (1.234,56) or --decimal-point (1,234.56)" in msg
    rows, _ = _rows(p, decimal_comma=True)
    assert [(r[3], r[4]) for r in rows] == [(1234.0, 12000), (800.0, 900)]
    rows, _ = _rows(p, decimal_comma=False)  # the user says points: as written
    assert [(r[3], r[4]) for r in rows] == [(1.234, 12), (800.0, 900)]


def test_a_cell_against_the_stated_decimal_mark_isrefused(tmp_path):
    p = _write(
        tmp_path / "points.csv",
        'Campaign,Impr.,Clicks,Cost,Currency code\nBrand,1000,20,"1,234.50",USD\n',
    )
    msg = refused(p, decimal_comma=True)
    assert "line 2, field 'Cost': '1,234.50' is written with a decimal point" in msg
    assert "against --decimal-comma" in msg
    rows, _ = _rows(p)  # the file's own cells tell: as before
    assert rows[0][3] == 1234.5


def test_english_exports_read_as_before(tmp_path):
    """An English export with thousands commas, or with nothing to tell (a whole "1,234"),
    reads as it always did; one with a decimal comma, which was refused cell by cell, now
    reads."""
    p = _write(
        tmp_path / "en.csv",
        'Campaign,Impr.,Clicks,Cost,Currency code\nBrand,"1,234",20,"1,234",USD\n',
    )
    rows, _ = _rows(p)
    assert (rows[0][3], rows[0][4]) == (1234.0, 1234)
    p = _write(
        tmp_path / "en_comma.csv",
        'Campaign,Impr.,Clicks,Cost,Currency code\nBrand,1000,20,"12,5",USD\n',
    )
    rows, _ = _rows(p)
    assert rows[0][3] == 12.5


def test_decimal_commas_in_a_non_ad_table(tmp_path):
    """The file's decimal mark reaches every layout, not only the ad exports."""
    p = _write(
        tmp_path / "events.csv",
        "event_id;user_id;event_type;ts;revenue;currency\n"
        "e1;u1;purchase;2026-10-01T10:00:00Z;1.234,50;EUR\n"
        "e2;u2;purchase;2026-10-01T11:00:00Z;12,5;EUR\n",
    )
    prepared = prepare_file("events", p)
    got = prepared.result.accepted.sort_values("user_id")
    assert got["revenue"].astype(float).tolist() == [1234.5, 12.5]


def test_cli_decimal_flags(tmp_path):
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)
    app.command("noop")(lambda: None)
    runner = CliRunner()
    p = _write(
        tmp_path / "either.csv",
        "Tag;Kampagne;Währungscode;Kosten;Impressionen;Klicks\n2026-10-01;Marke;EUR;1.234;900;5\n",
    )
    res = runner.invoke(app, ["ingest", "ads", str(p), "--dry-run"])
    assert res.exit_code != 0 and "--decimal-comma" in " ".join(res.output.split())
    res = runner.invoke(app, ["ingest", "ads", str(p), "--dry-run", "--json", "--decimal-comma"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["ingest", "ads", str(p), "--decimal-comma", "--decimal-point"])
    assert res.exit_code != 0 and "exclude each other" in " ".join(res.output.split())
