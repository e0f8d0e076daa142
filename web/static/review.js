// The review desk's keyboard: j / k move to the next / previous picture, x selects the one
// shown for a batch (the selection is kept while moving), a approves the selection, or the
// picture shown when nothing is selected (for the audience chosen), r puts the cursor in the
// reason to reject it. Keys typed into a field are the field's.
"use strict";
(function () {
  const detail = document.getElementById("detail");
  if (!detail) return;
  const KEY = "brandvault.review.selected";
  const boxes = () => Array.from(document.querySelectorAll('.tile input[type="checkbox"]'));
  const stored = () => {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  };
  const save = () => sessionStorage.setItem(KEY, JSON.stringify(boxes().filter((b) => b.checked).map((b) => b.value)));
  const chosen = stored();
  boxes().forEach((b) => {
    b.checked = chosen.includes(b.value);
    b.addEventListener("change", save);
  });
  document.getElementById("batch-form").addEventListener("submit", () => sessionStorage.removeItem(KEY));
  ["approve-form", "reject-form"].forEach((id) =>
    document.getElementById(id).addEventListener("submit", () => sessionStorage.removeItem(KEY)));

  // On a touch screen, a horizontal swipe over the picture moves to its neighbour.
  let touch = null;
  detail.addEventListener("touchstart", (e) => {
    if (e.touches.length === 1) touch = { x: e.touches[0].clientX, y: e.touches[0].clientY };
  }, { passive: true });
  detail.addEventListener("touchend", (e) => {
    if (!touch || e.changedTouches.length !== 1) return;
    const dx = e.changedTouches[0].clientX - touch.x;
    const dy = e.changedTouches[0].clientY - touch.y;
    touch = null;
    if (Math.abs(dx) < 80 || Math.abs(dx) < 2 * Math.abs(dy)) return;
    const href = dx < 0 ? detail.dataset.next : detail.dataset.previous;
    if (href) window.location.assign(href);
  }, { passive: true });

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    const go = (href) => { if (href) window.location.assign(href); };
    switch (e.key) {
      case "j": go(detail.dataset.next); break;
      case "k": go(detail.dataset.previous); break;
      case "x": {
        const box = document.querySelector('.tile[data-id="' + detail.dataset.id + '"] input[type="checkbox"]');
        if (box) { box.checked = !box.checked; save(); }
        break;
      }
      case "a":
        e.preventDefault();
        if (boxes().some((b) => b.checked)) document.getElementById("batch-approve").click();
        else document.getElementById("approve-form").requestSubmit();
        break;
      case "r": e.preventDefault(); document.getElementById("reason").focus(); break;
      default: return;
    }
  });
})();
