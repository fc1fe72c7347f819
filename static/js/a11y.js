// Plnění: accessibility helpers (issue 7). A region that scrolls (a wide table on a narrow screen,
// a long previous text) must be reachable by keyboard: make it focusable and give it a name.
(() => {
  const SELECTOR = ".table-responsive, .previous-text, [data-scroll-region]";
  const label = (el) => {
    const caption = el.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    return document.documentElement.lang === "en" ? "Scrollable content" : "Posouvatelný obsah";
  };
  const update = () => {
    document.querySelectorAll(SELECTOR).forEach((el) => {
      const scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) el.setAttribute("aria-label", label(el));
        el.dataset.a11yScroll = "1";
      } else if (!scrolls && el.dataset.a11yScroll) {
        el.removeAttribute("tabindex");
        el.removeAttribute("role");
        el.removeAttribute("aria-label");
        delete el.dataset.a11yScroll;
      }
    });
  };
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("load", update);
  let timer;
  window.addEventListener("resize", () => { clearTimeout(timer); timer = setTimeout(update, 150); });
  document.addEventListener("htmx:afterSwap", update);
})();
