"""Screenshots of the import path for docs/import.md, taken from the real product in a real browser.

Regenerate every image with one command (from the project root)::

    .venv/bin/python scripts/screenshots.py

It needs the project's virtualenv (Playwright, openpyxl, gunicorn are in requirements/lock.txt) and
Debian's Chromium (``/usr/bin/chromium``, another with ``PLNENI_CHROMIUM=/path``). Nothing outside a
temporary folder is touched except the images: the product runs on a throwaway SQLite database in a
temp dir, set up with the product's own commands (``flask db upgrade``, ``flask seed-demo`` — the real
action plan, the body registry and the demo accounts, as ``scripts/run.sh`` does) and served by
``gunicorn wsgi:app``. The demo secretary then signs in through the login form and walks the import
of a workbook shaped like seed 001's activity cards (generated here with openpyxl) as a secretary
would: upload with the target „nový plán“, preview, „Upravit mapování sloupců“ (sheets and columns),
preview again, commit, the plan's „Rozpoznání subjektů“ with one decision's „Ukázat dopad“, and the
plan's attribute visibility. Images (1280 px wide viewport, cropped to the part the text talks
about)::

    docs/img/import-upload.png       the upload form with the explicit target
    docs/img/import-mapping.png      sheets with their roles and the column mapping
    docs/img/import-preview.png      the preview: counts, sheets and columns, routing of the cards
    docs/img/import-resolution.png   the resolution page: unrecognised names once, with counts
    docs/img/import-decision.png     the effect of one decision before it is applied
    docs/img/import-attributes.png   where each further attribute is shown

Options: ``--out DIR`` writes the images elsewhere, ``--keep`` keeps the temp folder (database,
logs) and prints its path. Elements are found by their labels, roles, headings and table captions,
so the script survives changes of layout; a step that can no longer find its element fails with the
page's URL, the server log's end and the whole page as ``FAILED.png`` in the temp folder (then
kept). The images come out byte-identical on re-runs while the pages do not change.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
CHROMIUM = Path(os.environ.get("PLNENI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--font-render-hinting=none"]
VIEWPORT = {"width": 1280, "height": 900}
#: Largest image the docs should carry (bytes); a bigger one is reported.
MAX_BYTES = 250_000
#: The demo accounts' password in the throwaway database (``seed-demo --password``).
PASSWORD = "snímky-importu-2026!"  # noqa: S105 - throwaway demo database of this script
SECRETARY_ROLE = "tajemník"

# --------------------------------------------------------------------------- the workbook

#: The card header of seed 001 in the order a secretary types it into a sheet
#: (as tests/workflow/importing/test_plan_shapes.py builds it).
CARD_HEADERS = [
    "Číslo aktivity", "Název aktivity", "Popis aktivity a její výstupy", "Cílové skupiny uživatelů",
    "Doba realizace", "Odpovědnost za realizaci", "Předpokládané náklady", "Zdroje financování",
]
#: Eight cards of seed 001 (SPRSS LK 2024–2026), shortened descriptions, the plan's own wording of
#: „Odpovědnost za realizaci“ and „Doba realizace“.
CARDS = [
    ["1.1.1", "Podpora rodiny v přirozeném prostředí",
     "Podpora, rozvoj a stabilizace dostupnosti ambulantních a terénních sociálních služeb zaměřených "
     "na sanaci rodiny.", "Rodiny s dětmi, mládež do 26 let", "2024+",
     "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, obce",
     "Dle rozvojových záměrů definovaných zadavateli sociálních služeb, provoz služeb v ZS LK",
     "EU, MPSV, LK, obce"],
    ["1.1.2", "Posílení krizové pomoci rodinám s dětmi",
     "Posílení a stabilizace služeb pro rodiny s dětmi vyžadující okamžité řešení nepříznivé sociální "
     "situace.", "Rodiny s dětmi", "2024 +",
     "LK ve spolupráci s obcemi LK, poskytovatelé sociálních služeb", "ZS LK", "EU, MPSV, LK, obce"],
    ["2.1.1", "Zvýšení dostupnosti terénní péče",
     "Podpora zaměřená na zajištění kvalitní a dostupné péče v přirozeném domácím prostředí.",
     "Senioři 65+", "2024+", "LK, obce, poskytovatelé sociálních služeb",
     "viz ZS LK, rozvojové záměry zadavatelů služeb", "EU, MPSV, LK, obce, uživatelé sociálních služeb"],
    ["6.3.4", "Aktivní zapojení obcí v rámci realizace financování politiky v oblasti závislostí",
     "Spolupráce LK a obcí při financování služeb v oblasti závislostí.",
     "Osoby ohrožené sociálním vyloučením, uživatelé návykových látek", "průběžně",
     "LK a obce ve spolupráci s poskytovateli služby", "agenda koordinátorky protidrogové politiky",
     "LK, obce"],
    ["6.5.2", "Realizace opatření vyplývajících ze Strategie sociálního začleňování LK na období 2021+",
     "Včetně nastavení koordinace systémových aktivit.", "Osoby sociálně vyloučené", "2024+",
     "LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce, poskytovatelé sociálních "
     "služeb", "200.000 Kč", "EU, LK"],
    ["6.5.5", "Optimalizace a zkvalitňování dostupnosti a propojenosti sociálních služeb v sociálně "
     "vyloučených lokalitách v rámci KPSV",
     "Propojení sociálních služeb v sociálně vyloučených lokalitách.",
     "Osoby ohrožené sociálním vyloučením, včetně národnostních menšin a cizinců", "2024+",
     "Obce ve spolupráci s LK a ASZ", "ZS LK, rozvojové záměry v rámci projektů ESF", "EU, MPSV, LK, obce"],
    ["6.5.6", "Podpora koordinace sociálního začleňování", "Metodická podpora obcí.",
     "Osoby ohrožené sociálním vyloučením", "2024+", "LK ve spolupráci s obcemi", "V rámci agend KU", "LK"],
    ["6.5.9", "Vzdělávání pracovníků v oblasti sociálního začleňování",
     "Vzdělávací aktivity pro pracovníky obcí a poskytovatelů.", "Irelevantní", "2024+", "LK",
     "Nelze předem určit", "EU, LK"],
]
#: The second sheet: titles and descriptions of the areas and sub-areas (seed 001's „N OBLAST …“).
LEVELS = [
    ["Kód", "Název", "Popis"],
    ["1", "Oblast péče o rodiny s dětmi a prevence sociálního vyloučení dětí a mládeže", ""],
    ["1.1", "Zvýšení podpory funkční rodiny", "Podpora rodin s dětmi v jejich přirozeném prostředí."],
    ["2", "Oblast péče o seniory", ""],
    ["2.1", "Příprava na stárnutí populace", "Dostupná péče v domácím prostředí i v komunitě."],
    ["6", "Systémové karty aktivit", ""],
    ["6.3", "Systém financování", ""],
    ["6.5", "Metodická podpora", "Koordinace a metodická podpora obcí a poskytovatelů."],
]
ABBREVIATIONS = [
    ["Zkratka", "Význam"],
    ["ASZ", "Agentura pro sociální začleňování"],
    ["KPSV", "Komunitní plánování sociálních věcí"],
    ["ZS LK", "Základní síť sociálních služeb Libereckého kraje"],
]
NOTES = [["Poznámka"], ["Karty převzaty ze SPRSS LK 2024–2026, kapitola Karty rozvojových aktivit."]]
#: The group of bodies the resolution step creates for „obce“ / „obcemi“ (abbreviation, name).
GROUP = ("obce", "Obce Libereckého kraje")
PLAN_TITLE = "Střednědobý plán rozvoje sociálních služeb Libereckého kraje 2024–2026"
PLAN_PERIOD = "2024–2026"
PLAN_LEVELS = "Oblast, Cíl, Karta"
WORKBOOK_NAME = "sprss-karty-aktivit.xlsx"


def build_workbook(path: Path) -> None:
    """Write the activity cards workbook: „Karty aktivit“, „Oblasti a cíle“, „Zkratky“, „Poznámky“."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheets = [("Karty aktivit", [CARD_HEADERS, *CARDS]), ("Oblasti a cíle", LEVELS),
              ("Zkratky", ABBREVIATIONS), ("Poznámky", NOTES)]
    for index, (title, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)


# --------------------------------------------------------------------------- the product


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def product_env(instance: Path, base_url: str) -> dict[str, str]:
    """The environment of the throwaway product: embedded defaults in ``instance``, SQLite there,
    e-mails to its outbox; services of the caller's environment (DATABASE_URL, REDIS_URL …) dropped."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PLNENI_ENV", "FLASK_APP"}}
    env.update(
        PLNENI_ENV="development",
        INSTANCE_PATH=str(instance),
        DATABASE_URL=f"sqlite:///{instance / 'plneni.sqlite3'}",
        SECRET_KEY=secrets.token_hex(32),
        BASE_URL=base_url,
        MAIL_BACKEND="outbox",
        DEFAULT_LOCALE="cs",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        PYTHONUNBUFFERED="1",
    )
    return env


def flask(env: dict[str, str], *args: str) -> str:
    """Run ``flask --app wsgi ARGS`` of this checkout; its standard output (exits with its log on failure)."""
    done = subprocess.run(  # noqa: S603 - this venv's flask with our own arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def secretary_login(seed_output: str) -> str:
    """The demo secretary's e-mail from ``seed-demo``'s table of logins."""
    for line in seed_output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and "@" in parts[0] and parts[1] == SECRETARY_ROLE:
            return parts[0]
    raise SystemExit(f"seed-demo printed no {SECRETARY_ROLE} account:\n{seed_output}")


@contextmanager
def served(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen]:
    """``gunicorn wsgi:app`` on ``port`` (as scripts/run.sh starts it) until the block ends; its errors
    go to ``log``, its request log to ``access.log`` beside it."""
    with log.open("wb") as out:
        web = subprocess.Popen(  # noqa: S603 - this venv's gunicorn with our own arguments
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "4", "--timeout", "120", "--access-logfile", str(log.with_name("access.log")),
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if web.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{log.read_text(errors='replace')[-4000:]}")
            time.sleep(0.3)
        yield web
    finally:
        web.terminate()
        try:
            web.wait(timeout=20)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait(timeout=10)


# --------------------------------------------------------------------------- screenshots


class Shooter:
    """Saves cropped PNG screenshots of a page into ``out`` and remembers their sizes."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.saved: list[tuple[Path, int]] = []

    def shoot(
        self, page: Any, name: str, top: Any, bottom: Any | None = None, max_height: int = 1400
    ) -> None:
        """Save ``docs/img/<name>.png``: the full width of the page's main column from the top of the
        element ``top`` to the bottom of ``bottom`` (default: ``top`` itself), at most ``max_height``
        CSS pixels tall. Fonts are awaited; carets and animations are frozen."""
        page.evaluate("async () => { await document.fonts.ready; }")
        main = page.locator("main").first.bounding_box()
        first = _box(top)
        last = _box(bottom) if bottom is not None else first
        pad = 12
        x = max(0.0, main["x"]) if main else 0.0
        width = min(main["width"], VIEWPORT["width"] - x) if main else VIEWPORT["width"]
        y = max(0.0, first["y"] - pad)
        height = min(last["y"] + last["height"] + pad - y, max_height)
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide", scale="css",
                        clip={"x": x, "y": y, "width": width, "height": height})
        _shrink(path)
        self.saved.append((path, path.stat().st_size))


def _box(locator: Any) -> dict[str, float]:
    locator.first.scroll_into_view_if_needed()
    box = locator.first.bounding_box()
    if box is None:
        raise AssertionError(f"not visible: {locator}")
    # bounding_box() is relative to the viewport; the full-page clip wants page coordinates
    scroll = locator.page.evaluate("() => window.scrollY")
    return {**box, "y": box["y"] + scroll}


def _shrink(path: Path) -> None:
    """Re-encode the PNG with an adaptive 256-colour palette when Pillow is there and it is smaller
    (UI screenshots lose nothing visible; typically a third of the size)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with reportlab
        return
    with Image.open(path) as image:
        quantized = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    buffer = io.BytesIO()
    quantized.save(buffer, format="PNG", optimize=True)
    if buffer.tell() < path.stat().st_size:
        path.write_bytes(buffer.getvalue())


def heading(page: Any, name: str | re.Pattern[str], level: int | None = None) -> Any:
    """The heading called ``name`` (exact text or pattern)."""
    kwargs = {"level": level} if level else {}
    return page.get_by_role("heading", name=name, **kwargs)


def walk(base_url: str, login: str, shots: Shooter, workbook: Path) -> None:
    """The secretary's import, step by step, with a screenshot at each step the docs show. On failure
    the whole page is saved as ``FAILED.png`` next to the workbook (the temp folder, then kept)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="cs-CZ",
                                      timezone_id="Europe/Prague", device_scale_factor=1)
        context.set_default_timeout(30_000)
        page = context.new_page()
        try:
            # sign in through the form
            page.goto("/prihlaseni")
            page.get_by_label("E-mail").fill(login)
            page.get_by_label("Heslo", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Přihlásit se").click()
            page.wait_for_load_state()
            if "/prihlaseni" in page.url:
                raise AssertionError(f"sign-in as {login} failed")

            # 1 upload: file, the explicit target, title, period (and the level names when asked)
            page.get_by_role("link", name="Import plánu", exact=True).first.click()
            expect(heading(page, "Import plánu", 1)).to_be_visible()
            page.get_by_label("Soubor").set_input_files(str(workbook))
            target = page.get_by_label("Cíl importu")
            target.select_option(label=_option(target, r"^Nový plán"))
            page.get_by_label("Název plánu").fill(PLAN_TITLE)
            page.get_by_label("Období").fill(PLAN_PERIOD)
            more = page.get_by_text("Další údaje o plánu")
            levels = page.get_by_label(re.compile(r"^Názvy úrovní"))
            if more.count() and levels.count():
                more.first.click()
                levels.first.fill(PLAN_LEVELS)
                more.first.click()  # closed again for the picture
            upload = page.get_by_role("button", name=re.compile("Nahrát"))
            shots.shoot(page, "import-upload", heading(page, "Import plánu", 1), upload, max_height=760)
            upload.click()
            page.wait_for_load_state()

            # the cards' headers are recognised, so the preview comes first; a file that needs a
            # mapping lands on the mapping page directly
            if not heading(page, "Mapování sloupců", 1).count():
                expect(heading(page, "Náhled importu", 1)).to_be_visible()
                page.get_by_role("link", name="Upravit mapování sloupců").first.click()
            # 2 sheets with their roles and the columns with their fields
            expect(heading(page, "Mapování sloupců", 1)).to_be_visible()
            save = page.get_by_role("button", name=re.compile("Uložit mapování"))
            shots.shoot(page, "import-mapping", heading(page, "Mapování sloupců", 1), save, max_height=1800)
            save.click()
            page.wait_for_load_state()

            # 3 the preview
            expect(heading(page, "Náhled importu", 1)).to_be_visible()
            # down to the second card of the routing table
            rows = _table(page, "^Aktivity v souboru").get_by_role("row")
            second_card = rows.nth(min(2, rows.count() - 1))
            shots.shoot(page, "import-preview", heading(page, "Náhled importu", 1), second_card,
                        max_height=1800)
            page.get_by_role("button", name="Potvrdit a importovat").click()
            page.wait_for_load_state()
            expect(heading(page, PLAN_TITLE, 1)).to_be_visible()

            # 4 the resolution page
            page.get_by_role("link", name="Rozpoznání subjektů").first.click()
            expect(heading(page, "Rozpoznání subjektů", 1)).to_be_visible()
            names = _table(page, "^Nerozpoznané názvy")
            shots.shoot(page, "import-resolution", heading(page, "Rozpoznání subjektů", 1), names,
                        max_height=1500)

            # 5 one decision's effect before it is applied: „obce“ (any case) becomes a group of
            # bodies whose members are the municipalities of the registry
            row = _name_row(page, r"obc(e|emi)\b")
            row.get_by_label("nová skupina subjektů").check()
            row.get_by_text("Nový subjekt nebo skupina").click()
            row.get_by_label("Zkratka").fill(GROUP[0])
            row.get_by_label("Celý název").fill(GROUP[1])
            members = row.get_by_label("Členové skupiny")
            member_values = members.locator("option").evaluate_all(
                "(options) => options"
                ".filter((o) => /^(SML|SMJN|Statutární město)/.test(o.textContent.trim()))"
                ".map((o) => o.value)")
            if member_values:
                members.select_option(member_values)
            row.get_by_role("button", name="Ukázat dopad").click()
            page.wait_for_load_state()
            expect(heading(page, "Dopad rozhodnutí", 1)).to_be_visible()
            shots.shoot(page, "import-decision", heading(page, "Dopad rozhodnutí", 1),
                        page.get_by_role("button", name="Použít rozhodnutí"), max_height=1200)
            page.get_by_role("button", name="Použít rozhodnutí").click()
            page.wait_for_load_state()

            # 6 where the further attributes are shown
            page.get_by_role("link", name=PLAN_TITLE).first.click()
            page.get_by_role("link", name=re.compile("^Atributy aktivit")).first.click()
            expect(heading(page, "Atributy aktivit", 1)).to_be_visible()
            # the secretary keeps the estimated costs off the contributor's form
            costs = page.get_by_label(re.compile("^Předpokládané náklady: formulář"))
            if costs.count():
                costs.uncheck()
            save_view = page.get_by_role("button", name="Uložit zobrazení")
            shots.shoot(page, "import-attributes", heading(page, "Atributy aktivit", 1), save_view,
                        max_height=900)
            save_view.click()
            page.wait_for_load_state()
        except Exception:
            failed = workbook.parent / "FAILED.png"
            page.screenshot(path=str(failed), full_page=True)
            print(f"failed on {page.url}; the page is in {failed}", file=sys.stderr)
            raise
        finally:
            context.close()
            browser.close()


def _option(select: Any, pattern: str) -> str:
    """The label of the first option of ``select`` matching ``pattern``."""
    labels = select.locator("option").all_inner_texts()
    for label in labels:
        if re.search(pattern, label.strip()):
            return label.strip()
    raise AssertionError(f"no option {pattern!r} in {labels}")


def _table(page: Any, caption: str) -> Any:
    """The table whose caption (accessible name) matches ``caption``, else the page's first table."""
    named = page.get_by_role("table", name=re.compile(caption))
    return named.first if named.count() else page.get_by_role("table").first


def _name_row(page: Any, pattern: str) -> Any:
    """The row of the resolution table whose name matches ``pattern`` at its start, ignoring case
    (else the first row)."""
    rows = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile(rf"^\s*(?:{pattern})", re.IGNORECASE))
    )
    if rows.count():
        return rows.first
    return _table(page, "^Nerozpoznané názvy").get_by_role("row").nth(1)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Set up the throwaway product, walk the import, write the images; 0 when all are written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder of the images (default {OUT})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found (apt-get install chromium, or PLNENI_CHROMIUM=/path)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix="plneni-screens-"))
    try:
        instance = temp / "instance"
        instance.mkdir()
        workbook = temp / WORKBOOK_NAME
        build_workbook(workbook)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = product_env(instance, base_url)
        print(f"product in {temp} (SQLite), {base_url}")
        flask(env, "db", "upgrade")
        login = secretary_login(flask(env, "seed-demo", "--password", PASSWORD))
        shots = Shooter(args.out)
        with served(env, port, instance / "gunicorn.log"):
            try:
                walk(base_url, login, shots, workbook)
            except Exception:
                print((instance / "gunicorn.log").read_text(errors="replace")[-3000:], file=sys.stderr)
                args.keep = True
                raise
        too_big = False
        for path, size in shots.saved:
            mark = "" if size <= MAX_BYTES else f"  (over {MAX_BYTES // 1000} kB)"
            too_big |= size > MAX_BYTES
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"{shown}  {size / 1000:.0f} kB{mark}")
        return 1 if too_big else 0
    finally:
        if args.keep:
            print(f"kept: {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
