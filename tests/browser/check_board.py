#!/usr/bin/env python3
"""Checks a `zyklus board` site in a real browser: headless Chromium (Debian's
package, /usr/bin/chromium) driven by Playwright, with a fresh profile and no
network. Every page is loaded from file:// at 390 px (a phone) and 1280 px (a
laptop) and must show:

- no console error or warning, no page error, no request other than file:/data:;
- no horizontal overflow of the page (wide tables and the timeline scroll inside
  their own focusable region instead);
- every release id (index) and every scope request (its release page) visible;
- the accessibility basics: <html lang> as the board's language, one h1 and no
  skipped heading level, a scope on every <th>, a title and description for every
  chart, a label on every scroll region, no script, links that resolve, and text
  contrast of at least WCAG AA (4.5:1, 3:1 for large text);
- no overflow when printed (print media at an A4 page's width).

Usage: check_board.py --site DIR --board board.json [--chromium PATH] [--screenshot PNG]
where board.json is `zyklus --format json board --out DIR`. With --screenshot it
also saves index.html at 1280 px (the README's docs/board.png).
"""

import argparse
import json
import pathlib
import sys
import tempfile
import time

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

WIDTHS = (390, 1280)
PRINT_WIDTH = 718  # A4 at 96 dpi minus Chromium's default margins

# Text whose contrast against its background is below WCAG AA, as strings.
CONTRAST_JS = """
() => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.99) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  // SVG rows alternate between white and this grey: check against the darker.
  const svgBackground = { r: 0xf6, g: 0xf8, b: 0xfa, a: 1 };
  const bad = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || el.closest('title, desc')) continue;
    seen.add(el);
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden' || el.closest('[aria-hidden="true"]')) continue;
    const inSvg = el.closest('svg') !== null;
    const fg = parse(inSvg ? st.fill : st.color);
    if (!fg) continue;
    const bg = inSvg ? svgBackground : background(el);
    const size = parseFloat(st.fontSize);
    const bold = parseInt(st.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const r = ratio(fg, bg);
    if (r < (large ? 3 : 4.5)) {
      bad.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''}: ${r.toFixed(2)}:1 "${node.textContent.trim().slice(0, 40)}"`);
    }
  }
  return bad;
}
"""

STRUCTURE_JS = """
() => {
  const problems = [];
  const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
  if (headings.filter(h => h === 1).length !== 1) problems.push('not exactly one h1');
  for (let i = 1; i < headings.length; i++) {
    if (headings[i] > headings[i - 1] + 1) problems.push(`heading level skips from h${headings[i - 1]} to h${headings[i]}`);
  }
  for (const th of document.querySelectorAll('th:not([scope])')) problems.push(`th without scope: ${th.textContent.trim()}`);
  for (const t of document.querySelectorAll('table')) {
    if (!t.querySelector('thead th[scope=col]')) problems.push('table without column headers');
  }
  for (const svg of document.querySelectorAll('main svg')) {
    if (svg.getAttribute('aria-hidden') === 'true') continue;
    if (svg.getAttribute('role') !== 'img') { problems.push('chart without role=img'); continue; }
    const ids = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const texts = ids.map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent.trim());
    if (ids.length < 2 || texts.length !== ids.length || texts.some(t => !t)) problems.push('chart without title and description');
    if (!svg.querySelector('title') || !svg.querySelector('desc')) problems.push('chart without <title>/<desc>');
  }
  for (const r of document.querySelectorAll('.scroll')) {
    if (!r.getAttribute('aria-label') || r.getAttribute('tabindex') !== '0' || r.getAttribute('role') !== 'region') {
      problems.push('scroll region without role, label or tabindex');
    }
  }
  if (document.scripts.length) problems.push('the page has a script');
  if (!document.title.trim()) problems.push('the page has no title');
  return problems;
}
"""

OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# The outermost elements that stick out to the right (for the failure message).
WIDE_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right <= width + 0.5) continue;
    if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5 && el.parentElement !== document.body) continue;
    const id = el.id ? '#' + el.id : '';
    const cls = el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ').join('.') : '';
    out.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`);
    if (out.length >= 3) break;
  }
  return out.join(', ');
}
"""


def expected_pages(board):
    """(file name, ids that must be visible on it) for every page."""
    pages = []
    index_ids = []
    for r in board["releases"]:
        index_ids.append(r["id"])
        index_ids.extend(h["id"] for h in r["hotfixes"])
    pages.append(("index.html", index_ids))
    for r in board["releases"]:
        for rel in [r] + r["hotfixes"]:
            ids = [rel["id"]] + [s["id"] for s in rel["scope"]]
            pages.append((f"release-{rel['id']}.html", ids))
    return pages


def any_visible(page, text):
    loc = page.get_by_text(text, exact=True)
    return any(loc.nth(i).is_visible() for i in range(loc.count()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", required=True, type=pathlib.Path)
    ap.add_argument("--board", required=True, type=pathlib.Path)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--screenshot", type=pathlib.Path)
    args = ap.parse_args()

    start = time.monotonic()
    board = json.loads(args.board.read_text(encoding="utf-8"))
    site = args.site.resolve()
    pages = expected_pages(board)
    on_disk = sorted(p.name for p in site.iterdir())
    failures = []
    if on_disk != sorted(name for name, _ in pages):
        failures.append(f"the site has {on_disk}, expected {sorted(n for n, _ in pages)}")

    with tempfile.TemporaryDirectory(prefix="zyklus-chromium-") as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=args.chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            device_scale_factor=1,
            offline=True,
        )
        page = ctx.new_page()
        current = {"name": None}
        messages = []
        page.on("console", lambda m: messages.append(f"{current['name']}: console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: messages.append(f"{current['name']}: page error: {e}"))
        page.on("requestfailed", lambda r: messages.append(f"{current['name']}: request failed: {r.url}"))
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:"))
                else messages.append(f"{current['name']}: external request: {r.url}"))

        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for name, ids in pages:
                current["name"] = f"{name} @{width}px"
                page.goto((site / name).as_uri(), wait_until="load")
                overflow = page.evaluate(OVERFLOW_JS)
                if overflow > 0:
                    failures.append(f"{current['name']}: the page is {overflow}px wider than the window: "
                                    f"{page.evaluate(WIDE_JS)}")
                for text in ids:
                    if not any_visible(page, text):
                        failures.append(f"{current['name']}: {text} is not visible")
                if width == WIDTHS[-1]:
                    if page.evaluate("() => document.documentElement.lang") != board["lang"]:
                        failures.append(f"{name}: <html lang> is not {board['lang']}")
                    failures.extend(f"{name}: {p}" for p in page.evaluate(STRUCTURE_JS))
                    failures.extend(f"{name}: low contrast: {p}" for p in page.evaluate(CONTRAST_JS))
                    for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"):
                        target = href.split("#", 1)[0]
                        if target and not (site / target).is_file():
                            failures.append(f"{name}: link to {href} goes nowhere")

        page.emulate_media(media="print")
        page.set_viewport_size({"width": PRINT_WIDTH, "height": 1000})
        for name, _ in pages:
            current["name"] = f"{name} (print)"
            page.goto((site / name).as_uri(), wait_until="load")
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow > 0:
                failures.append(f"{current['name']}: {overflow}px wider than the page: {page.evaluate(WIDE_JS)}")
        page.emulate_media(media="screen")

        if args.screenshot:
            page.set_viewport_size({"width": 1280, "height": 900})
            current["name"] = "index.html (screenshot)"
            page.goto((site / "index.html").as_uri(), wait_until="load")
            height = min(page.evaluate("() => document.documentElement.scrollHeight"), 1500)
            page.screenshot(path=str(args.screenshot), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1280, "height": height})
            print(f"screenshot: {args.screenshot}")
        ctx.close()

    failures.extend(messages)
    elapsed = time.monotonic() - start
    if failures:
        print(f"{len(failures)} problem(s) in the board at {site}:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    print(f"{len(pages)} pages checked at {', '.join(f'{w}px' for w in WIDTHS)} and in print, "
          f"in headless Chromium, in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
