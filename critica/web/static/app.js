// Progressive enhancement only: every page works without this file.
// Filters apply as soon as they change (the Apply button stays for keyboards and no-JS).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});

// The analyze page's write token: remembered in this tab only when asked (sessionStorage
// is per tab and cleared when it closes); the server never sees it except on a store.
const TOKEN_KEY = "critica-write-token";
document.addEventListener("DOMContentLoaded", () => {
  const remember = document.querySelector("[data-remember-token]");
  const token = document.getElementById("s-token");
  if (!remember || !token) return;
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) {
    token.value = kept;
    remember.checked = true;
  }
  remember.form.addEventListener("submit", () => {
    if (remember.checked) sessionStorage.setItem(TOKEN_KEY, token.value);
    else sessionStorage.removeItem(TOKEN_KEY);
  });
});
