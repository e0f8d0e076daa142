// The review desk's keyboard: j / k move to the next / previous picture, a approves the one
// shown (with the audience chosen), r puts the cursor in the reason to reject it, x selects it
// for a batch. Keys typed into a field are the field's.
"use strict";
(function () {
  const detail = document.getElementById("detail");
  if (!detail) return;
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    const go = (href) => { if (href) window.location.assign(href); };
    switch (e.key) {
      case "j": go(detail.dataset.next); break;
      case "k": go(detail.dataset.previous); break;
      case "a": e.preventDefault(); document.getElementById("approve-form").requestSubmit(); break;
      case "r": e.preventDefault(); document.getElementById("reason").focus(); break;
      case "x": {
        const box = document.querySelector('.tile[data-id="' + detail.dataset.id + '"] input[type="checkbox"]');
        if (box) box.checked = !box.checked;
        break;
      }
      default: return;
    }
  });
})();
