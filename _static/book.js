// The sidebar buttons a reader sees are in the article header (the menu, ≡, and the
// contents, ☰). sphinx-book-theme 1.3 and pydata-sphinx-theme 0.17 attach their handlers to
// the first .primary-toggle / .secondary-toggle of the page, which sits in the top bar that
// the book hides (book.css), so the visible buttons did nothing: no chapter list on a phone.
// Forward their clicks to the buttons that have the handlers.
document.addEventListener("DOMContentLoaded", () => {
  for (const name of ["primary-toggle", "secondary-toggle"]) {
    const handled = document.querySelector(`.${name}`);
    document.querySelectorAll(`.bd-header-article .${name}`).forEach((button) => {
      if (handled && button !== handled) {
        button.addEventListener("click", (event) => {
          event.preventDefault();
          handled.click();
        });
      }
    });
  }
});

// Print in the light theme: a page shown dark (the reader's choice or the system's) printed
// white on black with background graphics, or pale grey text on white without them.
(() => {
  const root = document.documentElement;
  let shown = null;
  const toLight = () => {
    if (shown === null && root.dataset.theme !== "light") {
      shown = root.dataset.theme;
      root.dataset.theme = "light";
    }
  };
  const restore = () => {
    if (shown !== null) {
      root.dataset.theme = shown;
      shown = null;
    }
  };
  window.addEventListener("beforeprint", toLight);
  window.addEventListener("afterprint", restore);
  window.matchMedia("print").addEventListener("change", (event) =>
    event.matches ? toLight() : restore(),
  );
})();
