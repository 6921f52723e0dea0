// A form marked data-confirm="question" asks before it is sent. This replaces inline onsubmit handlers, which the
// Content-Security-Policy refuses to run. Loaded by base.html (the site and the portal) and the desk's pages.
document.addEventListener(
  "submit",
  (event) => {
    const question = event.target instanceof HTMLFormElement ? event.target.dataset.confirm : undefined;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
