/* Dash's Slider has no aria-label property: point each slider handle and its number box at
   the visible label of the wrapper that names it (data-labelledby, data-describedby). */
(function () {
  function label(root) {
    root.querySelectorAll('[data-labelledby]').forEach(function (box) {
      var by = box.getAttribute('data-labelledby');
      var desc = box.getAttribute('data-describedby');
      box.querySelectorAll('[role="slider"], input').forEach(function (el) {
        if (el.getAttribute('aria-labelledby') !== by) { el.setAttribute('aria-labelledby', by); }
        if (desc && el.getAttribute('aria-describedby') !== desc) { el.setAttribute('aria-describedby', desc); }
      });
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; label(document); });
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
