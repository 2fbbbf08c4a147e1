// Progressive enhancement only: every page works without this file.
// Filters apply as soon as they change (the Apply button stays for keyboards and no-JS).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});
